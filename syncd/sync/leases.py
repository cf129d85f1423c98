"""Who may run: one daemon per SQLite file, and one holder of each job's lease on PostgreSQL."""

from __future__ import annotations

import fcntl
import hashlib
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url

from syncd.errors import ConfigError


@contextmanager
def daemon_lock(database_url: str) -> Iterator[None]:
    """Refuse a second daemon on the same SQLite file; PostgreSQL allows several (leases decide per job)."""
    url = make_url(database_url)
    if not url.drivername.startswith("sqlite") or not url.database or url.database == ":memory:":
        yield
        return
    path = Path(f"{url.database}.lock")
    handle: IO[str] = path.open("a+")
    try:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = path.read_text().strip() or "another process"
            raise ConfigError(
                [
                    f"database: another syncd daemon ({holder}) is running on {url.database}; SQLite allows "
                    "one writer: stop it, or use PostgreSQL to run several replicas"
                ]
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()}")
        handle.flush()
        yield
    finally:
        handle.close()


def lease_key(job: str) -> int:
    """A stable signed 64-bit advisory-lock key for a job name."""
    digest = hashlib.sha256(f"syncd:{job}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


@contextmanager
def job_lease(engine: Engine, job: str) -> Iterator[bool]:
    """Hold the job's lease for the block; yields False when another replica holds it (skip the run).

    On PostgreSQL this is a session advisory lock on a connection kept open for the run, so a killed
    holder's lease is released by the server when its connection drops. SQLite has one daemon (see
    `daemon_lock`) and the scheduler never overlaps a job with itself, so the lease is always granted.
    """
    if engine.dialect.name != "postgresql":
        yield True
        return
    key = lease_key(job)
    with engine.connect() as connection:
        connection = connection.execution_options(isolation_level="AUTOCOMMIT")
        granted = bool(connection.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": key}).scalar())
        try:
            yield granted
        finally:
            if granted:
                connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})
