"""The returns job: TikTok cancellations and returns reach the store of record.

Cancellations (cursor "returns", shared with returns: the connector's checkpoint covers both searches): once
TikTok approved one and the order is cancelled there, the store order is cancelled with restock (or, for an
order never imported, its reservation is released), through the same idempotent step as the orders job. A
cancellation of part of an order that already has a store order is quarantined: no store connector can edit
an order's lines.

Returns: when the returned goods are back (RECEIVED or COMPLETED, and only for return-and-refund: a refund
alone brings nothing back, and a replacement sends another unit out), the units are put back into the store of
record's stock exactly once through the restock ledger (see `syncd.sync.return_restock`). Orders TikTok
fulfilled from its own warehouses, and orders never imported, are not restocked in the store. The refund
itself is settled by TikTok; the store order is left as it is.
"""

from __future__ import annotations

from syncd.connector import OrderSource, ReturnSource
from syncd.domain import OrderStatus, Return, ReturnKind, ReturnStatus
from syncd.errors import AuthError, SyncError
from syncd.store import cursors, restocks
from syncd.store.engine import session_scope
from syncd.store.enums import OrderLinkState, RestockState
from syncd.sync.context import JobContext, Window
from syncd.sync.order_protocol import OrderSteps
from syncd.sync.report import RunReport
from syncd.sync.return_restock import KIND, Restocker

STREAM = "returns"
BACK_IN_HAND = frozenset({ReturnStatus.RECEIVED, ReturnStatus.COMPLETED})
CANCEL_DONE = frozenset({ReturnStatus.APPROVED, ReturnStatus.COMPLETED})
# Links whose store order holds the units a return brings back.
WITH_STORE_ORDER = frozenset({OrderLinkState.CREATED, OrderLinkState.LINKED})


def run(ctx: JobContext, window: Window) -> RunReport:
    """Read cancellations and returns changed since the cursor (or `window.since`), then settle restocks."""
    report = RunReport(job="returns")
    job = _Returns(ctx, report)
    seen: set[str] = set()
    for page in job.source.read_returns(_since(ctx, window)):
        past_until = False
        for rejected in page.rejected:
            job.quarantine(rejected.key, f"TikTok return {rejected.key} is unreadable: {rejected.reason}")
        for record in page.records:
            if record.external_id in seen:
                continue
            if window.until is not None and record.updated_at > window.until:
                past_until = True
                continue
            seen.add(record.external_id)
            report.read += 1
            job.handle(record)
        if past_until:
            break
        with ctx.session() as session:
            ctx.set_cursor(session, ctx.tiktok_channel, STREAM, page.checkpoint)
        if ctx.stop.is_set():
            return report
    job.restocker.settle()
    return report


def retry_return(ctx: JobContext, return_id: str) -> RunReport:
    """Restock a held return again (`syncd retry`), once the merchant has checked the store's stock."""
    report = RunReport(job="returns")
    job = _Returns(ctx, report)
    with ctx.session() as session:
        held = restocks.list_restocks(session, [RestockState.HELD], return_id=return_id)
        for row in held:
            restocks.make_due(session, row.return_id, row.sku)
    if not held:
        report.note(f"TikTok return {return_id} has no restock waiting for a retry")
    job.restocker.settle(return_id)
    ctx.collect_api_calls(report)
    return report


class _Returns:
    """One run's handling of cancellations and returns."""

    def __init__(self, ctx: JobContext, report: RunReport) -> None:
        self.ctx = ctx
        self.report = report
        self.source = ctx.capability(ctx.tiktok_channel, ReturnSource)
        self.orders = ctx.capability(ctx.tiktok_channel, OrderSource)
        self.steps = OrderSteps(ctx, report)
        self.restocker = Restocker(ctx, report)

    def handle(self, record: Return) -> None:
        """One cancellation or return; a platform error fails this record only."""
        try:
            if record.kind is ReturnKind.CANCELLATION:
                self._cancellation(record)
            else:
                self._return(record)
        except AuthError:
            raise
        except (SyncError, ValueError, LookupError) as exc:
            self.report.failed += 1
            self.report.note(f"TikTok {record.kind} {record.external_id}: {exc}")

    def _cancellation(self, record: Return) -> None:
        order_id = record.order_external_id
        if record.status is ReturnStatus.REQUESTED:
            self.report.deferred += 1  # the seller approves or rejects it on TikTok first
            return
        link = self.steps.link(order_id)
        if record.status not in CANCEL_DONE or (link is not None and link.state is OrderLinkState.CANCELLED):
            self.report.unchanged += 1
            return
        found = self.orders.get_orders([order_id])
        if not found:
            raise LookupError(f"TikTok order {order_id} of cancellation {record.external_id} was not found")
        if found[0].status is OrderStatus.CANCELLED:
            self.steps.cancel(order_id)
        elif link is not None and link.state in WITH_STORE_ORDER:
            self.quarantine(
                record.external_id,
                f"TikTok cancelled part of order {order_id}; {self.steps.store_channel} order "
                f"{link.store_order_id} still has those units: adjust it by hand",
            )
        else:
            # Not imported yet: the orders job imports what is left of it.
            self.report.unchanged += 1

    def _return(self, record: Return) -> None:
        if record.kind is not ReturnKind.RETURN_AND_REFUND or record.status not in BACK_IN_HAND:
            self.report.unchanged += 1
            return
        link = self.steps.link(record.order_external_id)
        if link is None or link.state not in WITH_STORE_ORDER:
            # Never in the store (or shipped by TikTok's own warehouses): the store's stock never left.
            self.report.unchanged += 1
            self.report.note(f"TikTok return {record.external_id}: its order has no store order, nothing to restock")
            return
        if not self.restocker.record(record):
            self.quarantine(record.external_id, f"TikTok return {record.external_id} has a line without a SKU")

    def quarantine(self, key: str, reason: str) -> None:
        """Set a cancellation or return aside with its reason."""
        with self.ctx.session() as session:
            self.ctx.quarantine(session, self.report, self.ctx.tiktok_channel, KIND, key, reason, {"return_id": key})


def _since(ctx: JobContext, window: Window) -> str | None:
    """The window's start for both searches (unix seconds), else the cursor, read outside the dry-run transaction."""
    if window.since is not None:
        mark = int(window.since.timestamp())
        return f"{mark}:{mark}"
    with session_scope(ctx.runtime.engine) as session:
        return cursors.get_cursor(session, ctx.channel_id(ctx.tiktok_channel), STREAM)
