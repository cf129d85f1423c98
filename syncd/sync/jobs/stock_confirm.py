"""Reading back what a channel really shows, so a quantity it dropped or that was changed behind syncd's back is
pushed again (DESIGN 2.1: "reconcile re-reads what the channel really shows").

A push compares the sellable quantity with the channel's last *confirmed* one. A write the channel accepted
but did not apply, or a quantity a person changed on the channel, leaves the confirmed value wrong until
the channel is read: `confirm_from_channel` records what it shows, and the next `push_stock` sends the
difference. A store other than the store of record is read back through its sales pass (a quantity below
the confirmed one there is a sale, not a lost write).
"""

from __future__ import annotations

from sqlmodel import Session

from syncd.connector import Page, StockSource
from syncd.domain import StockLevel
from syncd.store import bindings
from syncd.store import stock as stock_repo
from syncd.store.enums import BindingKind
from syncd.sync.context import JobContext
from syncd.sync.jobs.stock_sales import apply_sales
from syncd.sync.report import RunReport
from syncd.sync.stock_push import channel_rows


def confirm_from_channel(ctx: JobContext, report: RunReport, channel: str) -> bool:
    """Read every quantity the channel shows and record it as confirmed; False if stopped or incomplete."""
    if channel in ctx.sales_stores:
        return apply_sales(ctx, report, channel, full=True)
    if channel == ctx.catalog_store:
        raise ValueError("the store of record's stock is read by read_store_of_record, not confirmed")
    source = ctx.optional_capability(channel, StockSource)
    if source is None:
        report.note(f"{channel}: the {ctx.connector(channel).name} connector cannot read stock; nothing confirmed")
        return True
    for page in source.read_stock(None):
        with ctx.session() as session:
            _confirm_page(ctx, session, report, channel, page)
        if ctx.stop.is_set():
            return False
    return True


def _confirm_page(ctx: JobContext, session: Session, report: RunReport, channel: str, page: Page[StockLevel]) -> None:
    channel_id = ctx.channel_id(channel)
    # With a warehouse mapping syncd owns only the mapped warehouses; without one it pushes to the default
    # warehouse and a SKU's quantity is its total (configure the mapping when the shop has several).
    managed = set(ctx.settings.sync.stock.location_warehouses.values())
    channel_ids = {level.variant_external_id for level in page.records if level.variant_external_id}
    variant_ids = bindings.to_internal_many(session, channel_id, BindingKind.VARIANT, channel_ids)
    shown: dict[int, int] = {}
    skus: dict[int, str] = {}
    for level in page.records:
        report.read += 1
        variant_id = variant_ids.get(level.variant_external_id or "")
        if variant_id is None or (managed and level.location_id not in managed):
            continue
        shown[variant_id] = shown.get(variant_id, 0) + level.on_hand
        skus[variant_id] = level.sku
    rows = channel_rows(session, channel_id, shown)
    for variant_id, quantity in sorted(shown.items()):
        row = rows.get(variant_id)
        confirmed = row.last_confirmed if row is not None else None
        if confirmed == quantity:
            continue
        stock_repo.record_confirmed(session, channel_id, variant_id, quantity)
        if confirmed is not None:
            report.note(f"{channel} shows {quantity} x {skus[variant_id]}, not the {confirmed} it had confirmed")
