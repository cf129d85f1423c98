"""What a job runs with: the merchant's runtime, its connectors, a time window, and dry-run bookkeeping."""

from __future__ import annotations

import logging
import shutil
import sqlite3
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar, cast

from sqlalchemy import Engine
from sqlmodel import Session

from syncd.config import TIKTOK_CHANNEL
from syncd.connector import Connector
from syncd.errors import ConfigError
from syncd.runtime import Runtime
from syncd.store import cursors, quarantine
from syncd.store.engine import make_engine, session_scope
from syncd.sync.report import PlannedWrite, RunReport

log = logging.getLogger("syncd.sync")

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Window:
    """The time range a run covers: from the cursor (or `since`) up to `until` (None: now)."""

    since: datetime | None = None
    until: datetime | None = None


class JobContext:
    """One run's view of the merchant: connectors opened on demand, sessions, cursors, quarantine, dry run.

    In a dry run the jobs' database changes go to a throw-away copy (SQLite) or into one transaction rolled back
    when the context closes (PostgreSQL), and platform writes are recorded as `PlannedWrite`s instead of sent.
    Connectors keep their credentials in the real database either way: a token TikTok rotates during a dry run
    must not be lost.
    """

    def __init__(self, runtime: Runtime, *, dry_run: bool = False, stop: threading.Event | None = None) -> None:
        self.runtime = runtime
        self.settings = runtime.settings
        self.dry_run = dry_run
        # Set by SIGTERM: jobs finish the page in hand, commit, and return.
        self.stop = stop or threading.Event()
        self._connectors: dict[str, Connector] = {}
        self._calls_before: dict[str, int] = {}
        self._dry_session: Session | None = None
        self._snapshot: Engine | None = None
        # Resolved up front: creating a channel row later would need a second transaction, which a dry run's
        # open one (SQLite has one writer) would block.
        for channel in self.settings.channels:
            runtime.channel_id(channel)

    # -- channels ------------------------------------------------------------------------------------------

    @property
    def catalog_store(self) -> str:
        """The name of the store of record."""
        return self.settings.catalog_store.name

    @property
    def sales_stores(self) -> list[str]:
        """The stores other than the store of record."""
        return [store.name for store in self.settings.stores if store.name != self.catalog_store]

    @property
    def tiktok_channel(self) -> str:
        """The TikTok channel's name."""
        return TIKTOK_CHANNEL

    def connector(self, channel: str) -> Connector:
        """The channel's connector, opened on first use and closed with the context."""
        if channel not in self._connectors:
            connector = self.runtime.connector(channel)
            self._connectors[channel] = connector
            self._calls_before[channel] = connector.api_calls()
        return self._connectors[channel]

    def capability(self, channel: str, protocol: Callable[..., T]) -> T:
        """The channel's connector as `protocol`, a capability of `syncd.connector`; ConfigError if it lacks it."""
        found = self.optional_capability(channel, protocol)
        if found is None:
            capability = getattr(protocol, "__name__", repr(protocol))
            connector = self.connector(channel).name
            raise ConfigError([f"{channel}: the {connector} connector has no {capability} capability"])
        return found

    def optional_capability(self, channel: str, protocol: Callable[..., T]) -> T | None:
        """The channel's connector as `protocol`, or None when it lacks that capability (for steps it may skip)."""
        # A callable rather than type[T]: mypy refuses a protocol class where type[T] is expected (type-abstract).
        connector = self.connector(channel)
        return cast(T, connector) if isinstance(connector, cast(type, protocol)) else None

    def channel_id(self, channel: str) -> int:
        """The channel's database id."""
        return self.runtime.channel_id(channel)

    # -- database ------------------------------------------------------------------------------------------

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A unit of work, committed at the end of the block; in a dry run, on a copy that is thrown away."""
        if not self.dry_run:
            with session_scope(self.runtime.engine) as session:
                yield session
            return
        if self._snapshot is None and self.runtime.engine.dialect.name == "sqlite":
            self._snapshot = _sqlite_snapshot(self.runtime.engine)
        if self._snapshot is not None:
            # SQLite has one writer: a long dry-run transaction on the real file would block the vault's token
            # writes, so the run works on a copy and commits there.
            with session_scope(self._snapshot) as session:
                yield session
            return
        # PostgreSQL: one transaction for the whole run, rolled back when the context closes.
        if self._dry_session is None:
            self._dry_session = Session(self.runtime.engine, expire_on_commit=False)
        yield self._dry_session
        self._dry_session.flush()

    def get_cursor(self, session: Session, channel: str, stream: str) -> str | None:
        """The stream's committed cursor."""
        return cursors.get_cursor(session, self.channel_id(channel), stream)

    def set_cursor(self, session: Session, channel: str, stream: str, value: str | None) -> None:
        """Advance the stream's cursor in the same unit of work as the data it covers."""
        if value is not None:
            cursors.set_cursor(session, self.channel_id(channel), stream, value)

    def quarantine(
        self,
        session: Session,
        report: RunReport,
        channel: str,
        kind: str,
        key: str,
        reason: str,
        payload: dict[str, Any] | None = None,
    ) -> None:
        """Set a record aside with its reason; it never blocks the records behind it."""
        quarantine.quarantine(session, self.channel_id(channel), kind, key, reason, payload=payload)
        report.quarantined += 1
        log.warning("quarantined %s %s on %s: %s", kind, key, channel, reason)

    def release_quarantine(self, session: Session, channel: str, kind: str, key: str) -> None:
        """Mark a quarantined record as resolved once it went through."""
        quarantine.resolve(session, self.channel_id(channel), kind, key)

    # -- writes --------------------------------------------------------------------------------------------

    def plan(self, report: RunReport, channel: str, action: str, key: str, detail: str = "") -> None:
        """Record a write a dry run would have made."""
        report.planned.append(PlannedWrite(channel, action, key, detail))

    def collect_api_calls(self, report: RunReport) -> None:
        """Add the calls each connector sent during this run to the report, by platform."""
        for channel, connector in self._connectors.items():
            sent = connector.api_calls() - self._calls_before[channel]
            if sent:
                report.api_calls[connector.name] += sent
            self._calls_before[channel] = connector.api_calls()

    def api_calls_so_far(self) -> int:
        """Calls sent so far by the connectors this context opened; safe to read from another thread."""
        # list() copies the dict in one step, so a connector opened meanwhile cannot break the iteration.
        return sum(connector.api_calls() for connector in list(self._connectors.values()))

    def close(self) -> None:
        """Close the connectors; a dry run's database changes are rolled back here."""
        for connector in self._connectors.values():
            connector.close()
        self._connectors.clear()
        if self._dry_session is not None:
            self._dry_session.rollback()
            self._dry_session.close()
            self._dry_session = None
        if self._snapshot is not None:
            path = self._snapshot.url.database
            self._snapshot.dispose()
            self._snapshot = None
            if path:
                shutil.rmtree(Path(path).parent, ignore_errors=True)

    def __enter__(self) -> JobContext:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _sqlite_snapshot(engine: Engine) -> Engine:
    """A consistent copy of a SQLite database in a temporary directory (the backup API), and an engine on it."""
    directory = Path(tempfile.mkdtemp(prefix="syncd-dry-run-"))
    copy = directory / "snapshot.db"
    source = engine.raw_connection()
    try:
        target = sqlite3.connect(copy)
        try:
            source.driver_connection.backup(target)  # type: ignore[union-attr]
        finally:
            target.close()
    finally:
        source.close()
    return make_engine(f"sqlite:///{copy}")
