"""The stock job: read the store of record's stock, apply sales made in the other stores, push sellable quantities.

1. The store of record's levels changed since the cursor (`stock` on its channel) become the canonical on-hand
   per variant and location. A level whose SKU is not canonical yet is skipped (counted as deferred): the
   catalog job creates the SKU, and the level comes back with its next change or the next full read
   (`read_store_of_record(full=True)`, which reconcile runs).
2. Every other store's stock is read; a quantity below what syncd last had confirmed there was sold there,
   and the store of record is written down by that much (`stock_sales`).
3. TikTok, and each store whose sales were all read, gets the sellable quantities that differ from what it
   confirmed (`syncd.sync.stock_push`). Steps 2 and 3 are `push_everywhere`, for other jobs to call.

The run's `Window` does not apply: stock is read from each stream's cursor, which is the connector's own
checkpoint, not a time.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from sqlmodel import Session

from syncd.connector import Page, StockSource
from syncd.domain import StockLevel
from syncd.store import catalog
from syncd.store import stock as stock_repo
from syncd.sync.context import JobContext, Window
from syncd.sync.jobs.stock_sales import apply_sales, note_rejected
from syncd.sync.report import RunReport
from syncd.sync.stock_push import bind_locations, push_stock

log = logging.getLogger("syncd.sync.stock")

JOB = "stock"
STREAM = "stock"  # the cursor of a store's stock levels


def run(ctx: JobContext, window: Window) -> RunReport:
    """Read the stores' stock, apply sales made in other stores, and push what changed to every channel."""
    report = RunReport(job=JOB)
    if window.since is not None or window.until is not None:
        report.note("the window does not apply to stock: levels are read from each store's cursor")
    if read_store_of_record(ctx, report):
        push_everywhere(ctx, report)
    return report


def push_everywhere(ctx: JobContext, report: RunReport, variant_ids: Iterable[int] | None = None) -> None:
    """Apply the other stores' sales, then push sellable quantities to TikTok and to those stores.

    For jobs that changed what may be sold (a reservation) and want every channel to follow at once.
    """
    channels = [ctx.tiktok_channel]
    for store in ctx.sales_stores:
        if apply_sales(ctx, report, store):
            channels.append(store)
        else:
            # Its sales are not all known: a push now could overwrite a sale not yet applied.
            report.note(f"{store}: stock not pushed this run, its sales were not all read")
        if ctx.stop.is_set():
            return
    push_stock(ctx, report, variant_ids, channels)


def read_store_of_record(ctx: JobContext, report: RunReport, *, full: bool = False) -> bool:
    """Apply the store of record's levels changed since the cursor (all of them when `full`); False if stopped."""
    store = ctx.catalog_store
    source = ctx.optional_capability(store, StockSource)
    if source is None:
        report.note(f"{store}: the {ctx.connector(store).name} connector cannot read stock; on-hand not updated")
        return True
    with ctx.session() as session:
        since = None if full else ctx.get_cursor(session, store, STREAM)
    for page in source.read_stock(since):
        with ctx.session() as session:
            _apply_page(ctx, session, report, page)
            ctx.set_cursor(session, store, STREAM, page.checkpoint)
        if ctx.stop.is_set():
            return False
    return True


def _apply_page(ctx: JobContext, session: Session, report: RunReport, page: Page[StockLevel]) -> None:
    store = ctx.catalog_store
    locations = bind_locations(session, ctx.channel_id(store), {level.location_id for level in page.records})
    variant_ids = catalog.variant_ids_by_sku(session, {level.sku for level in page.records})
    unknown: list[str] = []
    for level in page.records:
        report.read += 1
        variant_id = variant_ids.get(level.sku)
        if variant_id is None:
            unknown.append(level.sku)
            continue
        if stock_repo.set_on_hand(session, variant_id, locations[level.location_id], level.on_hand):
            log.debug("%s: %s on hand at %s is now %d", store, level.sku, level.location_id, level.on_hand)
    if unknown:
        report.deferred += len(unknown)
        report.note(f"{store}: stock of {len(unknown)} SKU(s) not in the catalog yet skipped, e.g. {unknown[0]}")
    note_rejected(ctx, session, report, store, page)
