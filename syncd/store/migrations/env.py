"""Alembic environment for the mapping store: `SQLModel.metadata` is the target, the URL comes from the caller.

The URL is taken from `config.attributes["sqlalchemy.url"]` (set by `syncd.store.migrate`), else from the
`sqlalchemy.url` option, else from `SYNCD_DATABASE_URL`.
"""

from __future__ import annotations

import os
from logging.config import fileConfig
from typing import Any, Literal

from alembic import context
from alembic.autogenerate.api import AutogenContext
from sqlalchemy import Connection
from sqlmodel import SQLModel

import syncd.store.models  # noqa: F401 - importing registers every table on SQLModel.metadata
from syncd.store.engine import make_engine, normalize_url
from syncd.store.types import StrEnumType, UtcDateTime

# Serialises replicas that start at the same time against one PostgreSQL database: the second waits, then
# finds the schema already at head. The number is arbitrary but fixed.
_PG_MIGRATION_LOCK = 7_305_311_862_514_251_042

config = context.config
target_metadata = SQLModel.metadata


def database_url() -> str:
    """The URL to migrate, from the caller, the ini option or the environment."""
    url = (
        config.attributes.get("sqlalchemy.url")
        or config.get_main_option("sqlalchemy.url")
        or os.environ.get("SYNCD_DATABASE_URL")
    )
    if not url:
        raise RuntimeError("no database URL: set SYNCD_DATABASE_URL or pass one to syncd.store.migrate")
    return str(url)


def render_item(type_: str, obj: Any, autogen_context: AutogenContext) -> str | Literal[False]:
    """Render our column types as the plain SQLAlchemy type they store.

    Migrations must not import application types: a later change to the type would rewrite history.
    """
    if type_ == "type" and isinstance(obj, UtcDateTime | StrEnumType):
        return f"sa.{obj.impl_instance!r}"
    return False


def _options(dialect_name: str) -> dict[str, Any]:
    sqlite = dialect_name == "sqlite"
    return {
        "target_metadata": target_metadata,
        "compare_type": True,
        "render_item": render_item,
        # SQLite cannot ALTER most things; batch mode rebuilds the table instead.
        "render_as_batch": sqlite,
        # SQLite supports DDL inside a transaction (our engine controls BEGIN), so a failed migration rolls back
        # completely there as on PostgreSQL.
        "transactional_ddl": True,
    }


def run_offline() -> None:
    """Emit the SQL instead of running it (`alembic upgrade --sql`)."""
    url = normalize_url(database_url())
    options = _options(url.get_backend_name())
    context.configure(url=url, literal_binds=True, dialect_opts={"paramstyle": "named"}, **options)
    with context.begin_transaction():
        context.run_migrations()


def run_on(connection: Connection) -> None:
    """Run the migrations on an open connection, in one transaction."""
    context.configure(connection=connection, **_options(connection.dialect.name))
    with context.begin_transaction():
        if connection.dialect.name == "postgresql":
            connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_PG_MIGRATION_LOCK})")
        context.run_migrations()


def run_online() -> None:
    """Connect and migrate."""
    given = config.attributes.get("connection")
    if given is not None:
        run_on(given)
        return
    engine = make_engine(database_url())
    try:
        with engine.connect() as connection:
            if connection.dialect.name == "sqlite":
                _run_sqlite(connection)
            else:
                run_on(connection)
    finally:
        engine.dispose()


def _run_sqlite(connection: Connection) -> None:
    """Migrate with foreign keys off, as SQLite requires when batch mode rebuilds a referenced table.

    Dropping a referenced table with foreign keys on would cascade deletes into the referencing rows. The
    pragma only works outside a transaction, so it is set on the raw connection before Alembic begins, and the
    whole database is checked for dangling references before the flag is restored.
    """
    raw = connection.connection.driver_connection
    assert raw is not None
    raw.execute("PRAGMA foreign_keys=OFF")
    try:
        run_on(connection)
        problems = raw.execute("PRAGMA foreign_key_check").fetchall()
        if problems:
            raise RuntimeError(f"migration left {len(problems)} rows with dangling foreign keys")
    finally:
        raw.execute("PRAGMA foreign_keys=ON")


if config.config_file_name is not None and config.attributes.get("configure_logging", True):
    # Only for the `alembic` command line; syncd configures its own logging.
    fileConfig(config.config_file_name, disable_existing_loggers=False)

if context.is_offline_mode():
    run_offline()
else:
    run_online()
