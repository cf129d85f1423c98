"""The inbox worker's passes, driven one at a time on a manual clock: failures are kept and retried a bounded
number of times, a bad delivery never stops the others, and a job already running defers the action."""

from __future__ import annotations

from datetime import timedelta

from web_support import MakeRuntime, inbox_rows, sync_catalog, tiktok_order_delivery

from syncd.http.clock import ManualClock
from syncd.runtime import Runtime
from syncd.sandbox.merchant import Merchant
from syncd.store import inbox
from syncd.store.engine import session_scope
from syncd.store.enums import InboxStatus
from syncd.testing.sandbox import SeedOrderLine
from syncd.web.gate import JobGate
from syncd.web.metrics import Metrics
from syncd.web.sources import WebhookSources
from syncd.web.worker import InboxWorker

RETRY_AFTER = timedelta(seconds=30)


def make_worker(
    runtime: Runtime, clock: ManualClock, gate: JobGate | None = None
) -> tuple[InboxWorker, WebhookSources]:
    """A worker that is never started: the test runs its passes."""
    sources = WebhookSources(runtime)
    metrics = Metrics(runtime, clock=clock)
    worker = InboxWorker(
        runtime, sources, gate or JobGate(runtime), metrics, max_attempts=3, retry_after=RETRY_AFTER, batch=50
    )
    return worker, sources


def store(
    runtime: Runtime, clock: ManualClock, provider: str, event_id: str, delivery: tuple[bytes, dict[str, str]]
) -> None:
    """Put a delivery in the inbox, as the receiver would after verifying it."""
    body, headers = delivery
    with session_scope(runtime.engine) as session:
        inbox.receive(session, provider, event_id, "ORDER_STATUS_CHANGE", body, headers, now=clock.now())


def states(runtime: Runtime) -> dict[str, tuple[InboxStatus, int]]:
    """Event id -> (status, attempts)."""
    return {row.event_id: (row.status, row.attempts) for row in inbox_rows(runtime)}


def test_failures_are_kept_retried_after_a_delay_and_given_up_after_max_attempts(
    merchant: Merchant, make_runtime: MakeRuntime
) -> None:
    runtime = make_runtime(merchant)
    sync_catalog(runtime)
    clock = ManualClock()
    worker, sources = make_worker(runtime, clock)
    order_id = merchant.tiktok.place_order([SeedOrderLine(merchant.products[0].variants[0].sku, 1)])
    store(runtime, clock, "tiktok", "missing", tiktok_order_delivery(merchant, "999999", "missing"))
    store(runtime, clock, "tiktok", "good", tiktok_order_delivery(merchant, order_id, "good"))
    store(runtime, clock, "gone", "orphan", tiktok_order_delivery(merchant, order_id, "orphan"))
    store(runtime, clock, "tiktok", "garbled", (b"\x00not json", {}))
    try:
        worker.run_pass()
        first = states(runtime)
        worker.run_pass()  # too early for a retry: nothing is claimed
        early = states(runtime)
        clock.advance(RETRY_AFTER.total_seconds() + 1)
        worker.run_pass()
        clock.advance(RETRY_AFTER.total_seconds() + 1)
        worker.run_pass()
        clock.advance(RETRY_AFTER.total_seconds() + 1)
        worker.run_pass()  # every failure has had its 3 attempts: nothing is claimed
    finally:
        sources.close()

    failed, done = InboxStatus.FAILED, InboxStatus.DONE
    assert first == {"missing": (failed, 1), "good": (done, 1), "orphan": (failed, 1), "garbled": (failed, 1)}
    assert early == first
    assert states(runtime) == {"missing": (failed, 3), "good": (done, 1), "orphan": (failed, 3), "garbled": (failed, 3)}
    errors = {row.event_id: row.error or "" for row in inbox_rows(runtime)}
    assert "999999 was not found on TikTok" in errors["missing"]
    assert "'gone' is not configured" in errors["orphan"]
    assert "not JSON" in errors["garbled"]
    assert [order.source_order_id for order in merchant.stores["main"].orders()] == [order_id]


def test_an_action_whose_job_is_running_waits_for_a_later_pass(merchant: Merchant, make_runtime: MakeRuntime) -> None:
    runtime = make_runtime(merchant)
    sync_catalog(runtime)
    clock = ManualClock()
    gate = JobGate(runtime)
    worker, sources = make_worker(runtime, clock, gate)
    order_id = merchant.tiktok.place_order([SeedOrderLine(merchant.products[1].variants[1].sku, 1)])
    store(runtime, clock, "tiktok", "n-1", tiktok_order_delivery(merchant, order_id, "n-1"))
    try:
        with gate.hold("orders", wait=True) as granted:  # a scheduled orders run in progress
            assert granted
            worker.run_pass()
            during = states(runtime)
            imported_during = merchant.stores["main"].orders()
        clock.advance(RETRY_AFTER.total_seconds() + 1)
        worker.run_pass()
    finally:
        sources.close()

    assert during == {"n-1": (InboxStatus.FAILED, 1)}
    assert imported_during == []
    [row] = inbox_rows(runtime)
    assert (row.status, row.attempts, row.error) == (InboxStatus.DONE, 2, None)
    assert [order.source_order_id for order in merchant.stores["main"].orders()] == [order_id]


def test_a_delivery_left_processing_by_a_dead_worker_is_taken_up_again(
    merchant: Merchant, make_runtime: MakeRuntime
) -> None:
    runtime = make_runtime(merchant)
    clock = ManualClock()
    worker, sources = make_worker(runtime, clock)
    store(runtime, clock, "tiktok", "ping", (b"{}", {}))
    with session_scope(runtime.engine) as session:
        [row] = inbox.pending_events(session)
        assert row.id is not None
        assert inbox.claim(session, row.id, now=clock.now())  # the worker that claimed it died
    try:
        worker.run_pass()
        fresh = states(runtime)
        clock.advance(timedelta(minutes=11).total_seconds())
        worker.run_pass()
    finally:
        sources.close()

    assert fresh == {"ping": (InboxStatus.PROCESSING, 1)}
    assert states(runtime)["ping"][1] == 2, "claimed again once it was stuck"
