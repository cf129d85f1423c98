"""The orders job: TikTok orders into the store of record, exactly once (DESIGN 2.2).

A TikTok order is reserved as soon as it appears (UNPAID and ON_HOLD included), imported once it awaits
shipment and the on-hold window (`sync.orders.on_hold_window`, from its paid time, else its create time) has
passed, referenced on TikTok, and cancelled in the store when TikTok cancels it. Orders TikTok ships from its
own warehouses are recorded and never sent to the store. An order that cannot be imported is quarantined and
never blocks the ones behind it; `retry_order` (`syncd retry`) runs it again.

The feed is TikTok's orders by update time (cursor "orders", committed after each page). Its windows overlap
by design, so orders are deduped by id within a run and a linked order seen again is a no-op. After the feed,
a sweep re-reads the links still waiting (pending, or created without a reference), because an order waiting
out the on-hold window, or one whose import failed for now, does not change on TikTok and so never comes back
through the feed.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from syncd.config.models import UnknownSkuPolicy
from syncd.connector import OrderSource
from syncd.domain import Order, OrderStatus
from syncd.errors import AuthError, SyncError
from syncd.store import cursors, orders
from syncd.store.engine import session_scope
from syncd.store.enums import OrderLinkState
from syncd.store.models import OrderLink
from syncd.sync.context import JobContext, Window
from syncd.sync.order_protocol import FINISHED, OrderSteps
from syncd.sync.report import RunReport

STREAM = "orders"
# Links re-read per run by the sweep, oldest first, and orders fetched per call.
SWEEP_LIMIT = 500
FETCH_BATCH = 50
WAITING = frozenset({OrderStatus.UNPAID, OrderStatus.ON_HOLD})


def run(ctx: JobContext, window: Window) -> RunReport:
    """Read TikTok orders changed since the cursor (or `window.since`), then sweep the links still waiting."""
    report = RunReport(job="orders")
    source = ctx.capability(ctx.tiktok_channel, OrderSource)
    steps = OrderSteps(ctx, report)
    _note_policy(ctx, steps, report)
    seen: set[str] = set()
    since = _since(ctx, window)
    for page in source.read_orders(since):
        past_until = False
        for rejected in page.rejected:
            with ctx.session() as session:
                steps.quarantine(session, rejected.key, f"unreadable: {rejected.reason}")
        for order in page.records:
            if order.external_id in seen:
                continue
            if window.until is not None and order.updated_at > window.until:
                past_until = True
                continue
            seen.add(order.external_id)
            report.read += 1
            handle(steps, order)
        if past_until:
            # The checkpoint covers orders beyond the window that were left for a later run.
            return report
        with ctx.session() as session:
            ctx.set_cursor(session, ctx.tiktok_channel, STREAM, page.checkpoint)
        if ctx.stop.is_set():
            return report
    _sweep(ctx, source, steps, seen)
    return report


def retry_order(ctx: JobContext, tiktok_order_id: str) -> RunReport:
    """Run one TikTok order through the job again (`syncd retry`), e.g. after its SKU was added to the store."""
    report = RunReport(job="orders")
    source = ctx.capability(ctx.tiktok_channel, OrderSource)
    steps = OrderSteps(ctx, report)
    found = source.get_orders([tiktok_order_id])
    if not found:
        report.failed += 1
        report.note(f"TikTok order {tiktok_order_id} was not found on TikTok")
    for order in found:
        report.read += 1
        handle(steps, order, retry=True)
    ctx.collect_api_calls(report)
    return report


def handle(steps: OrderSteps, order: Order, *, retry: bool = False) -> None:
    """Process one order; a platform error fails this order only (rejected credentials stop the run)."""
    try:
        process(steps, order, retry=retry)
    except AuthError:
        raise
    except (SyncError, ValueError, LookupError) as exc:
        steps.fail(order.external_id, str(exc))


def process(steps: OrderSteps, order: Order, *, retry: bool = False) -> None:
    """Take an order one step further, whatever step it is at.

    A quarantined order is tried again by `retry`, or when it changed on TikTok since it was set aside; the
    feed's overlapping windows bring it back unchanged too, and that alone must not resend it.
    """
    report, tiktok_order_id = steps.report, order.external_id
    if order.fulfilled_by_platform:
        steps.record_platform(order)
        return
    if order.status is OrderStatus.CANCELLED:
        steps.cancel(tiktok_order_id)
        return
    link = steps.link(tiktok_order_id)
    if link is not None and link.state in FINISHED:
        report.unchanged += 1
        return
    if link is not None and not retry and _set_aside(link, order):
        report.unchanged += 1
        return
    if link is not None and link.store_order_id is not None:
        steps.add_reference(tiktok_order_id, link.store_order_id, check_first=True)
        return
    if order.status not in WAITING and order.status is not OrderStatus.AWAITING_SHIPMENT:
        if link is None:
            # Already shipped when first seen: an order from before syncd ran, not one to import now.
            report.unchanged += 1
            return
        with steps.ctx.session() as session:
            steps.quarantine(session, tiktok_order_id, f"{order.status} on TikTok but never imported into the store")
        return
    steps.record_intent(order)
    blank = [line.external_id for line in order.lines if not line.sku]
    if blank:
        with steps.ctx.session() as session:
            steps.quarantine(session, tiktok_order_id, f"line(s) {', '.join(blank)} have no seller SKU")
        return
    if order.status in WAITING or not _past_hold_window(steps, order):
        report.deferred += 1
        return
    steps.import_order(order)


def _set_aside(link: OrderLink, order: Order) -> bool:
    """True for a quarantined order that has not changed on TikTok since it was quarantined."""
    return link.state is OrderLinkState.QUARANTINED and order.updated_at <= link.updated_at


def _past_hold_window(steps: OrderSteps, order: Order) -> bool:
    """True once the on-hold window has passed since the order was paid (or created, when TikTok gives no time)."""
    window = steps.ctx.settings.sync.orders.on_hold_window
    paid = order.raw.get("paid_time")
    start = datetime.fromtimestamp(int(paid), UTC) if isinstance(paid, int | str) and str(paid).isdigit() else None
    return steps.now - (start or order.created_at) >= window


def _since(ctx: JobContext, window: Window) -> str | None:
    """Where the feed starts: the window's start (TikTok checkpoints are unix seconds), else the cursor."""
    if window.since is not None:
        return str(int(window.since.timestamp()))
    # Read in its own short transaction, not `ctx.session()`: in a dry run that would open the run-long
    # transaction before TikTok's first call loads its token from the database, which SQLite would refuse.
    with session_scope(ctx.runtime.engine) as session:
        return cursors.get_cursor(session, ctx.channel_id(ctx.tiktok_channel), STREAM)


def _sweep(ctx: JobContext, source: OrderSource, steps: OrderSteps, seen: set[str]) -> None:
    """Re-read the orders of links still waiting that the feed did not bring, and take each a step further."""
    with ctx.session() as session:
        waiting = orders.list_order_links(
            session,
            [OrderLinkState.PENDING, OrderLinkState.CREATED],
            store_channel_id=steps.store_channel_id,
            limit=SWEEP_LIMIT,
        )
    ids = [link.tiktok_order_id for link in waiting if link.tiktok_order_id not in seen]
    for batch in _batches(ids, FETCH_BATCH):
        if ctx.stop.is_set():
            return
        try:
            found = source.get_orders(batch)
        except AuthError:
            raise
        except SyncError as exc:
            # The links stay as they are; the next run's sweep reads them again.
            steps.report.failed += 1
            steps.report.note(f"waiting orders could not be read from TikTok: {exc}")
            return
        for order in found:
            if order.external_id not in seen:
                seen.add(order.external_id)
                steps.report.read += 1
                handle(steps, order)


def _batches(items: list[str], size: int) -> Iterable[list[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _note_policy(ctx: JobContext, steps: OrderSteps, report: RunReport) -> None:
    """Say so when the config asks for custom lines: neither store connector can take them, so SKUs quarantine."""
    if ctx.settings.sync.orders.unknown_sku is UnknownSkuPolicy.CUSTOM_LINE:
        report.note(
            f"sync.orders.unknown_sku is custom_line, but the {steps.store_platform} connector cannot create "
            "custom lines: orders with unknown SKUs are quarantined instead"
        )
