"""The reconcile job: a full read of both sides that repairs drift, and reports what it repaired.

Drift it repairs: a product change an incremental read missed (the catalog read again from the start, every
owned field compared by digest with the one recorded at the last write), orders missed by both webhook and poll
(TikTok orders of the last `ORDER_LOOKBACK` read again), and stock a channel did not apply or that was changed
behind syncd's back (the store of record read in full, each channel's quantities read back and re-pushed where
they differ). TikTok listings are read back too: one whose title or prices were edited by hand is put back.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from syncd.sync.context import JobContext, Window
from syncd.sync.jobs import catalog, stock
from syncd.sync.jobs.stock_confirm import confirm_from_channel
from syncd.sync.report import RunReport

ORDER_LOOKBACK = timedelta(days=7)
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def run(ctx: JobContext, window: Window) -> RunReport:
    """Compare and repair catalog, stock and orders; the counts say how much was repaired."""
    report = RunReport(job="reconcile")
    # Reading from the epoch re-reads everything; an existing cursor is never moved back by it.
    report.absorb(catalog.run(ctx, Window(since=window.since or EPOCH), verify_listings=True))
    if ctx.stop.is_set():
        return report
    # Orders before stock: an order found here takes units from the store of record, and the stock pass must
    # push what is left, not what the store held before it (TikTok would show units already sold).
    report.absorb(_orders(ctx, window))
    if ctx.stop.is_set():
        return report
    report.absorb(_stock(ctx))
    repaired = report.created + report.updated
    report.note(f"repaired {repaired} record(s)" if repaired else "no drift found")
    return report


def _stock(ctx: JobContext) -> RunReport:
    report = RunReport(job="stock")
    if not stock.read_store_of_record(ctx, report, full=True):
        return report
    for channel in [ctx.tiktok_channel, *ctx.sales_stores]:
        if not confirm_from_channel(ctx, report, channel):
            return report
    stock.push_everywhere(ctx, report)
    return report


def _orders(ctx: JobContext, window: Window) -> RunReport:
    from syncd.sync.jobs import orders

    since = window.since or datetime.now(UTC) - ORDER_LOOKBACK
    return orders.run(ctx, Window(since=since, until=window.until))
