"""Engines and sessions: SQLite tuned for one process with several threads, PostgreSQL through psycopg 3."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlmodel import Session

DEFAULT_BUSY_TIMEOUT_SECONDS = 30.0


def normalize_url(url: str | URL) -> URL:
    """Pin PostgreSQL URLs to the psycopg 3 driver; SQLAlchemy would pick psycopg2, which is not installed."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def make_engine(url: str | URL, *, busy_timeout: float = DEFAULT_BUSY_TIMEOUT_SECONDS) -> Engine:
    """Create an engine for `url`; the caller owns it (nothing here is global) and disposes of it."""
    parsed = normalize_url(url)
    if parsed.get_backend_name() == "sqlite":
        engine = create_engine(parsed)
        _configure_sqlite(engine, busy_timeout)
        return engine
    # A long-lived daemon outlives server restarts and idle-connection reapers: test connections on checkout.
    return create_engine(parsed, pool_pre_ping=True)


def _configure_sqlite(engine: Engine, busy_timeout: float) -> None:
    """Set WAL, foreign keys and a busy timeout on every connection, and begin transactions IMMEDIATE."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control from the sqlite3 module so the "begin" hook below decides how to begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            # WAL lets readers run beside the one writer; it is a property of the file, but setting it on each
            # connection is harmless and covers files created by an older version.
            cursor.execute("PRAGMA journal_mode=WAL")
            # Foreign keys are off by default in SQLite and only apply per connection.
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout * 1000)}")
            # NORMAL is durable in WAL mode except for the last commits on power loss, which sync repairs.
            cursor.execute("PRAGMA synchronous=NORMAL")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # A deferred transaction that reads and then writes fails at once with "database is locked" if another
        # connection wrote in between (the busy timeout does not apply to that case). Taking the write lock at
        # BEGIN makes transactions queue on the busy timeout instead, so every transaction must stay short.
        # AUTOCOMMIT connections (used for PRAGMAs that cannot run inside a transaction) begin nothing.
        if connection.get_execution_options().get("isolation_level") != "AUTOCOMMIT":
            connection.exec_driver_sql("BEGIN IMMEDIATE")


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """A session that commits when the block succeeds and rolls back when it raises.

    Objects stay readable after the block (`expire_on_commit=False`), so repositories can return rows.
    """
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
