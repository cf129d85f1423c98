"""Database fixtures: every test that asks for `database_url` or `engine` runs on SQLite and on PostgreSQL.

The PostgreSQL cases use the server named by SYNCD_TEST_DATABASE_URL (`scripts/with_test_postgres.py` starts
one); each test gets its own schema, dropped afterwards. Without the variable those cases are skipped, unless
SYNCD_REQUIRE_POSTGRES=1 (CI), which makes them fail instead.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.engine import make_url

from syncd.store import migrate
from syncd.store.engine import make_engine

POSTGRES_URL_VAR = "SYNCD_TEST_DATABASE_URL"
REQUIRE_POSTGRES_VAR = "SYNCD_REQUIRE_POSTGRES"
BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres),
]


@pytest.fixture(scope="session")
def postgres_admin_engine() -> Iterator[Engine | None]:
    """An AUTOCOMMIT engine on the test server for creating and dropping schemas; None without a server."""
    url = os.environ.get(POSTGRES_URL_VAR)
    if not url:
        yield None
        return
    engine = make_engine(url).execution_options(isolation_level="AUTOCOMMIT")
    yield engine
    engine.dispose()


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of an empty database: a fresh SQLite file, or a fresh PostgreSQL schema."""
    if request.param == "sqlite":
        yield sqlite_url(tmp_path)
    else:
        yield from _postgres_schema(request)


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """An engine on a database migrated to head, on each backend."""
    migrate.upgrade(database_url)
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def sqlite_engine(tmp_path: Path) -> Iterator[Engine]:
    """An engine on a migrated SQLite file, for tests about SQLite itself."""
    url = sqlite_url(tmp_path)
    migrate.upgrade(url)
    engine = make_engine(url)
    yield engine
    engine.dispose()


def sqlite_url(directory: Path) -> str:
    """The URL of a SQLite file in `directory`."""
    return f"sqlite:///{directory / 'syncd.db'}"


def _postgres_schema(request: pytest.FixtureRequest) -> Iterator[str]:
    base_url = os.environ.get(POSTGRES_URL_VAR)
    if not base_url:
        reason = f"{POSTGRES_URL_VAR} is not set; run through scripts/with_test_postgres.py to include PostgreSQL"
        if os.environ.get(REQUIRE_POSTGRES_VAR) == "1":
            pytest.fail(f"{REQUIRE_POSTGRES_VAR}=1 but {reason}")
        pytest.skip(reason)
    admin: Engine = request.getfixturevalue("postgres_admin_engine")
    schema = f"test_{uuid.uuid4().hex[:16]}"
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    # search_path makes the schema the default for everything the test does, migrations included.
    url = make_url(base_url).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            # A test that leaked a connection holding locks fails here instead of hanging the run.
            connection.exec_driver_sql("SET lock_timeout = '10s'")
            connection.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Say how many database-backed tests passed on each backend, so a run shows both were exercised."""
    counts: dict[str, dict[str, int]] = {}
    for outcome in ("passed", "failed", "error", "skipped"):
        for report in terminalreporter.stats.get(outcome, []):
            nodeid = getattr(report, "nodeid", "")
            if getattr(report, "when", "call") != "call" and outcome == "passed":
                continue
            for backend in ("sqlite", "postgresql"):
                if f"[{backend}" in nodeid or f"-{backend}]" in nodeid or f"-{backend}-" in nodeid:
                    counts.setdefault(backend, {}).setdefault(outcome, 0)
                    counts[backend][outcome] += 1
    if counts:
        parts = [
            f"{backend}: " + ", ".join(f"{n} {outcome}" for outcome, n in sorted(by_outcome.items()))
            for backend, by_outcome in sorted(counts.items())
        ]
        terminalreporter.write_line("database backends: " + "; ".join(parts))
