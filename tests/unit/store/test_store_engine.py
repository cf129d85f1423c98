"""Engine set-up: URL normalisation, SQLite pragmas on every connection, and session_scope semantics."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from syncd.store import catalog, channels
from syncd.store.engine import make_engine, normalize_url, session_scope
from syncd.store.models import Channel


@pytest.mark.parametrize(
    ("given", "driver", "database"),
    [
        ("postgresql://u:p@db:5432/syncd", "postgresql+psycopg", "syncd"),
        ("postgres://u@db/syncd", "postgresql+psycopg", "syncd"),
        ("postgresql+psycopg://u@db/syncd", "postgresql+psycopg", "syncd"),
        ("sqlite:///syncd.db", "sqlite", "syncd.db"),
    ],
)
def test_postgresql_urls_use_psycopg3(given: str, driver: str, database: str) -> None:
    url = normalize_url(given)
    assert url.drivername == driver
    assert url.database == database


def test_password_survives_normalisation() -> None:
    url = normalize_url("postgresql://user:p%40ss@db/syncd")
    assert url.password == "p@ss"


def _pragmas(engine: Engine) -> tuple[str, int, int]:
    with engine.connect() as connection:
        journal = connection.exec_driver_sql("PRAGMA journal_mode").scalar_one()
        foreign_keys = connection.exec_driver_sql("PRAGMA foreign_keys").scalar_one()
        busy = connection.exec_driver_sql("PRAGMA busy_timeout").scalar_one()
    return journal, foreign_keys, busy


def test_sqlite_connections_have_wal_foreign_keys_and_busy_timeout(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'x.db'}", busy_timeout=2.5)
    try:
        assert _pragmas(engine) == ("wal", 1, 2500)
        # A second, concurrent connection (another thread gets its own) is set up the same way.
        seen: list[tuple[str, int, int]] = []
        with engine.connect():
            thread = threading.Thread(target=lambda: seen.append(_pragmas(engine)))
            thread.start()
            thread.join()
        assert seen == [("wal", 1, 2500)]
    finally:
        engine.dispose()


def test_sqlite_transactions_take_the_write_lock_at_begin(sqlite_engine: Engine) -> None:
    # A deferred transaction that read first would fail outright ("database is locked", no busy wait) when it
    # later wrote after another connection's commit; taking the lock at BEGIN makes writers queue instead.
    database = sqlite_engine.url.database
    assert database is not None
    with session_scope(sqlite_engine) as session:
        channels.list_channels(session)  # only a read
        probe = sqlite3.connect(database, timeout=0, isolation_level=None)
        try:
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                probe.execute("BEGIN IMMEDIATE")
        finally:
            probe.close()


def test_sqlite_autocommit_connections_begin_nothing(sqlite_engine: Engine) -> None:
    # PRAGMAs such as foreign_keys are ignored inside a transaction; AUTOCOMMIT is how to issue them.
    with sqlite_engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar_one() == 0
        connection.exec_driver_sql("PRAGMA foreign_keys=ON")


def test_sqlite_foreign_keys_are_enforced(sqlite_engine: Engine) -> None:
    with pytest.raises(IntegrityError), session_scope(sqlite_engine) as session:
        catalog.upsert_variant(session, "ORPHAN", product_id=999)


def test_session_scope_commits_on_success(engine: Engine) -> None:
    with session_scope(engine) as session:
        channels.get_or_create_channel(session, "shop", "shopify")
    with session_scope(engine) as session:
        assert channels.get_channel(session, "shop") is not None


def test_session_scope_rolls_back_on_error(engine: Engine) -> None:
    def create_then_fail() -> None:
        with session_scope(engine) as session:
            channels.get_or_create_channel(session, "shop", "shopify")
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        create_then_fail()
    with session_scope(engine) as session:
        assert session.exec(select(Channel)).first() is None


def test_objects_stay_readable_after_the_scope(engine: Engine) -> None:
    with session_scope(engine) as session:
        channel = channels.get_or_create_channel(session, "shop", "shopify")
    assert channel.key == "shop"
    assert channel.platform == "shopify"
