"""The inbox worker: a thread that claims stored deliveries, runs what they ask for, and marks each done or failed.

A pass claims what is waiting (new deliveries, failed ones due for another try, ones a dead worker left
`processing`), reads each with its channel's connector, maps it to actions, runs each distinct action once
(`ActionRunner`) and records the outcome per delivery. Waking is debounced: the receiver's signal starts a
short wait so a burst lands in one pass. A delivery that keeps failing is tried `max_attempts` times, then left
failed with its error; the scheduled polls cover what it announced, so nothing is lost either way.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import and_, or_
from sqlmodel import Session, col, select

from syncd.config import TIKTOK_CHANNEL
from syncd.domain import WebhookNotice
from syncd.errors import RecordError, SyncError
from syncd.runtime import Runtime
from syncd.store import inbox
from syncd.store.engine import session_scope
from syncd.store.enums import InboxStatus
from syncd.store.models import InboxEvent
from syncd.sync.context import JobContext
from syncd.web.actions import Action, actions_for
from syncd.web.dispatch import ActionRunner
from syncd.web.gate import JobGate
from syncd.web.metrics import Metrics
from syncd.web.sources import WebhookSources

log = logging.getLogger("syncd.web")

MAX_ATTEMPTS = 5
RETRY_AFTER = timedelta(seconds=10)  # a failed delivery's next try: long enough for a busy job to finish a run
STUCK_AFTER = timedelta(minutes=10)  # a delivery `processing` this long belongs to a worker that died
RETENTION = timedelta(days=7)  # processed deliveries are kept this long, for the record
PRUNE_EVERY = 3600.0  # seconds between prunes


class InboxWorker:
    """Processes the webhook inbox in a background thread until stopped."""

    def __init__(
        self,
        runtime: Runtime,
        sources: WebhookSources,
        gate: JobGate,
        metrics: Metrics,
        *,
        stop: threading.Event | None = None,
        debounce: float = 0.2,
        poll_interval: float = 10.0,
        batch: int = 200,
        max_attempts: int = MAX_ATTEMPTS,
        retry_after: timedelta = RETRY_AFTER,
    ) -> None:
        self._runtime = runtime
        self._sources = sources
        self._metrics = metrics
        self._runner = ActionRunner(runtime, gate, metrics)
        # Shared with the daemon: SIGTERM stops the jobs the worker runs at their next page, like scheduled ones.
        self._stop = stop or threading.Event()
        self._debounce = debounce
        self._poll_interval = poll_interval
        self._batch = batch
        self._max_attempts = max_attempts
        self._retry_after = retry_after
        self._wake = threading.Event()
        self._idle = threading.Condition()
        self._dirty = True  # deliveries may be waiting that no pass has looked at (at start: left from before)
        self._in_pass = False
        self._last_prune: float | None = None
        self._thread: threading.Thread | None = None

    @property
    def running(self) -> bool:
        """True while the thread is alive."""
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        """Start the thread; its first pass takes what earlier runs left in the inbox."""
        if self._thread is None:
            self._wake.set()
            self._thread = threading.Thread(target=self._loop, name="syncd-webhooks", daemon=True)
            self._thread.start()

    def notify(self) -> None:
        """A new delivery is in the inbox (called by the receiver after its transaction committed)."""
        with self._idle:
            self._dirty = True
        self._wake.set()

    def wait_idle(self, timeout: float) -> bool:
        """Block until every delivery notified so far went through a pass; False if `timeout` seconds ran out."""
        with self._idle:
            return self._idle.wait_for(lambda: not self._dirty and not self._in_pass, timeout)

    def stop(self, timeout: float = 30.0) -> None:
        """Stop after the current action's page; deliveries not done yet are taken up at the next start."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def _loop(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(self._poll_interval)
            if self._stop.is_set():
                break
            self._wake.clear()
            # Let a burst gather, so one pass runs each entity's action once for all of it.
            self._stop.wait(self._debounce)
            self._drain()
            self._prune()
        with self._idle:
            self._idle.notify_all()

    def _drain(self) -> None:
        """Run passes until one finds less than a full batch waiting."""
        more = True
        while more and not self._stop.is_set():
            with self._idle:
                self._dirty = False
                self._in_pass = True
            try:
                more = self.run_pass()
            except Exception:  # the thread must outlive any one pass; what it claimed is retried when stuck
                log.exception("webhook worker: the pass failed")
                more = False
            finally:
                with self._idle:
                    self._in_pass = False
                    self._idle.notify_all()

    def run_pass(self) -> bool:
        """One pass over what is waiting; True when the batch was full (more may be waiting)."""
        now = self._metrics.clock.now()
        with session_scope(self._runtime.engine) as session:
            rows = self._claimable(session, now)
            claimed = [
                row
                for row in rows
                if row.id is not None and inbox.claim(session, row.id, stuck_before=now - STUCK_AFTER, now=now)
            ]
        if not claimed:
            return len(rows) >= self._batch
        errors: dict[int, str] = {}
        wanted: dict[int, tuple[Action, ...]] = {}
        notices: dict[int, WebhookNotice] = {}
        planned: dict[Action, list[datetime]] = {}
        for row in claimed:
            assert row.id is not None
            try:
                notices[row.id] = self._read(row)
            except (ValueError, RecordError, LookupError, SyncError) as exc:
                errors[row.id] = str(exc) or type(exc).__name__
                continue
            wanted[row.id] = actions_for(notices[row.id], channel=row.provider, tiktok_channel=TIKTOK_CHANNEL)
            for action in wanted[row.id]:
                planned.setdefault(action, []).append(row.received_at)
        results: dict[Action, str | None] = {}
        if planned:
            with JobContext(self._runtime, stop=self._stop) as ctx:
                results = self._runner.run(ctx, planned)
        self._finish(claimed, errors, wanted, results, notices)
        return len(rows) >= self._batch

    def _claimable(self, session: Session, now: datetime) -> list[InboxEvent]:
        """New deliveries, failed ones due for another try, and ones left `processing` by a dead worker.

        Its own query rather than `inbox.pending_events`: failed deliveries wait `retry_after` between tries,
        and ones still waiting must not fill the batch ahead of new ones.
        """
        stmt = (
            select(InboxEvent)
            .where(
                or_(
                    col(InboxEvent.status) == InboxStatus.RECEIVED,
                    and_(
                        col(InboxEvent.status) == InboxStatus.FAILED,
                        col(InboxEvent.attempts) < self._max_attempts,
                        col(InboxEvent.updated_at) < now - self._retry_after,
                    ),
                    and_(
                        col(InboxEvent.status) == InboxStatus.PROCESSING, col(InboxEvent.updated_at) < now - STUCK_AFTER
                    ),
                )
            )
            .order_by(col(InboxEvent.received_at), col(InboxEvent.id))
            .limit(self._batch)
        )
        return list(session.exec(stmt).all())

    def _read(self, row: InboxEvent) -> WebhookNotice:
        source = self._sources.get(row.provider)
        if source is None:
            raise LookupError(f"channel {row.provider!r} is not configured, or its connector reads no webhooks")
        return source.parse_webhook(row.body, {str(k): str(v) for k, v in row.headers.items()})

    def _finish(
        self,
        claimed: Sequence[InboxEvent],
        errors: dict[int, str],
        wanted: dict[int, tuple[Action, ...]],
        results: dict[Action, str | None],
        notices: dict[int, WebhookNotice],
    ) -> None:
        """Mark each delivery done, or failed with its first action's error; observe propagation times."""
        finished = self._metrics.clock.now()
        failed = 0
        with session_scope(self._runtime.engine) as session:
            for row in claimed:
                assert row.id is not None
                error = errors.get(row.id) or next((results[a] for a in wanted.get(row.id, ()) if results.get(a)), None)
                inbox.mark_status(
                    session, row.id, InboxStatus.FAILED if error else InboxStatus.DONE, error=error, now=finished
                )
                if error:
                    failed += 1
                    final = row.attempts + 1 >= self._max_attempts
                    log.warning(
                        "webhook %s (%s) for %s failed%s: %s",
                        row.event_id,
                        row.topic,
                        row.provider,
                        "; giving up, the scheduled polls cover it" if final else "",
                        error,
                    )
                else:
                    kind = notices[row.id].kind.value
                    self._metrics.propagation.labels(kind).observe(
                        max(0.0, (finished - row.received_at).total_seconds())
                    )
        log.info("webhooks: %d deliveries processed, %d failed, %d actions", len(claimed), failed, len(results))

    def _prune(self) -> None:
        """Delete processed deliveries past the retention, at most once an hour."""
        clock = self._metrics.clock
        if self._last_prune is not None and clock.monotonic() - self._last_prune < PRUNE_EVERY:
            return
        self._last_prune = clock.monotonic()
        try:
            with session_scope(self._runtime.engine) as session:
                removed = inbox.prune(session, received_before=clock.now() - RETENTION)
        except Exception:  # pruning is housekeeping: never let it stop the worker
            log.exception("webhook worker: pruning the inbox failed")
            return
        if removed:
            log.info("webhook inbox: %d processed deliveries older than %s removed", removed, RETENTION)
