"""Sales made in the other stores: the units they sold are taken off the store of record's stock.

Every store sells the same physical stock, so a sale in one lowers what all the others may sell. syncd
learns of a sale in a store other than the store of record from its stock: a quantity there below the last
one syncd had confirmed for it was sold there. The store of record is written down by that many units (with
the on-hand syncd just read as the compare-and-set value, where the connector supports one), the canonical
on-hand follows, and the store's new quantity becomes the confirmed one. A quantity above the confirmed one
was raised by hand there and is set back by the next push; a quantity equal to the one syncd last sent was
syncd's own write landing, whether or not its confirmation was recorded.

A write-down that fails with a retryable error keeps the difference unconfirmed and the store's cursor where
it was, so the next run applies it; one refused for good is quarantined (kind `stock_sale`, keyed by SKU,
with the units in the payload). A crash after the write-down and before its commit applies that sale again
on the next run: the error stays on the side of selling less, never more.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlmodel import Session

from syncd.connector import Page, StockSink, StockSource, WriteResult, WriteStatus
from syncd.domain import StockLevel, StockUpdate
from syncd.store import bindings, catalog, quarantine
from syncd.store import stock as stock_repo
from syncd.store.enums import BindingKind
from syncd.store.models import ChannelQuantity
from syncd.sync.context import JobContext
from syncd.sync.report import RunReport
from syncd.sync.stock_push import StockState, bind_locations, channel_rows, load_state, store_location

STREAM = "stock"
SALE_KIND = "stock_sale"  # quarantine kind of a sale the store of record refused to take off its stock
LEVEL_KIND = "stock_level"  # quarantine kind of a level the connector could not read


@dataclass
class Sale:
    """Units sold in a store, and the store-of-record updates that take them off its stock."""

    variant_id: int
    sku: str
    sold: int
    shown: int  # the store's quantity after the sale
    updates: list[tuple[int, StockUpdate]] = field(default_factory=list)  # (canonical location, update)
    short: int = 0  # units sold beyond what the store of record had on hand


def apply_sales(ctx: JobContext, report: RunReport, store: str, *, full: bool = False) -> bool:
    """Read a store's stock changed since its cursor (all when `full`) and apply its sales; False if incomplete."""
    source = ctx.optional_capability(store, StockSource)
    if source is None:
        report.note(f"{store}: the {ctx.connector(store).name} connector cannot read stock; its sales are not applied")
        return True
    if not ctx.settings.stock_rule(store).push:
        return True  # syncd does not manage this store's stock, so its quantities say nothing about sales
    sink = ctx.optional_capability(ctx.catalog_store, StockSink)
    with ctx.session() as session:
        since = None if full else ctx.get_cursor(session, store, STREAM)
    for page in source.read_stock(since):
        with ctx.session() as session:
            sales = _find_sales(ctx, session, report, store, page)
        results = _write_down(ctx, report, sink, sales)
        with ctx.session() as session:
            complete = _record(ctx, session, report, store, sales, results)
            if complete:
                ctx.set_cursor(session, store, STREAM, page.checkpoint)
        if not complete or ctx.stop.is_set():
            return False
    return True


def _find_sales(ctx: JobContext, session: Session, report: RunReport, store: str, page: Page[StockLevel]) -> list[Sale]:
    """Confirm the quantities the store shows and return the sales they reveal."""
    channel_id = ctx.channel_id(store)
    location = store_location(session, channel_id)
    if location is None and page.records:
        location = page.records[0].location_id
        bind_locations(session, channel_id, [location])
    note_rejected(ctx, session, report, store, page)
    levels = [level for level in page.records if level.location_id == location]
    if len(levels) < len(page.records):
        report.note(f"{store}: stock at locations other than {location} is not synced")
    variant_ids = catalog.variant_ids_by_sku(session, {level.sku for level in levels})
    rows = channel_rows(session, channel_id, variant_ids.values())
    state = load_state(session, set(variant_ids.values()))
    excluded = set(ctx.settings.sync.stock.exclude_skus)
    sales: list[Sale] = []
    for level in levels:
        report.read += 1
        variant_id = variant_ids.get(level.sku)
        if variant_id is None or level.sku in excluded:
            continue
        row = rows.get(variant_id)
        baseline = row.last_confirmed if row is not None else None
        if baseline is not None and level.on_hand < baseline and not _own_write(row, level.on_hand):
            sales.append(_sale(ctx, session, state, variant_id, level, baseline - level.on_hand))
            continue
        if baseline is not None and level.on_hand > baseline and not _own_write(row, level.on_hand):
            report.note(f"{store}: {level.sku} raised by hand from {baseline} to {level.on_hand}; reset by the push")
        stock_repo.record_confirmed(session, channel_id, variant_id, level.on_hand)
    return sales


def note_rejected(ctx: JobContext, session: Session, report: RunReport, store: str, page: Page[StockLevel]) -> None:
    """Quarantine the levels the connector could not read; resolve the entries of those that read fine now."""
    for rejected in page.rejected:
        ctx.quarantine(session, report, store, LEVEL_KIND, rejected.key, rejected.reason)
    waiting = {e.record_key for e in quarantine.list_open(session, channel_id=ctx.channel_id(store), kind=LEVEL_KIND)}
    if not waiting:
        return
    # Connectors key a rejection by SKU or by item id.
    readable = {key for level in page.records for key in (level.sku, level.inventory_item_id) if key in waiting}
    for key in readable - {record.key for record in page.rejected}:
        ctx.release_quarantine(session, store, LEVEL_KIND, key)


def _own_write(row: ChannelQuantity | None, shown: int) -> bool:
    """True when the store shows the quantity syncd last sent and had not seen confirmed yet."""
    if row is None or row.last_pushed != shown or row.pushed_at is None:
        return False
    return row.confirmed_at is None or row.pushed_at > row.confirmed_at


def _sale(ctx: JobContext, session: Session, state: StockState, variant_id: int, level: StockLevel, sold: int) -> Sale:
    """The sale, with updates taking it off the store of record's fullest locations first."""
    sale = Sale(variant_id, level.sku, sold, level.on_hand)
    per_location = state.levels.get(variant_id, {})
    if not per_location:
        sale.short = sold  # the store of record never reported stock for it: there is nothing to take off
        return sale
    record_id = ctx.channel_id(ctx.catalog_store)
    names = bindings.to_external_many(session, record_id, BindingKind.LOCATION, per_location)
    ids = _record_ids(session, record_id, variant_id, state)
    remaining = sold
    for location_id, on_hand in sorted(per_location.items(), key=lambda item: (-item[1], item[0])):
        take = min(remaining, max(on_hand, 0))
        if take == 0 or location_id not in names:
            continue
        update = StockUpdate(
            sku=level.sku, location_id=names[location_id], quantity=on_hand - take, expected=on_hand, **ids
        )
        sale.updates.append((location_id, update))
        remaining -= take
    sale.short = remaining
    return sale


def _record_ids(session: Session, record_id: int, variant_id: int, state: StockState) -> dict[str, str]:
    """The store of record's variant and product ids, as a pair (WooCommerce needs both) or not at all."""
    variant = bindings.to_external(session, record_id, BindingKind.VARIANT, variant_id)
    product = bindings.to_external(session, record_id, BindingKind.PRODUCT, state.variants[variant_id][1])
    return {"variant_external_id": variant, "product_external_id": product} if variant and product else {}


def _write_down(ctx: JobContext, report: RunReport, sink: StockSink | None, sales: Sequence[Sale]) -> list[WriteResult]:
    """Send the store of record's updates for these sales (planned only, in a dry run)."""
    updates = [update for sale in sales for _, update in sale.updates]
    if not updates:
        return []
    record = ctx.catalog_store
    if ctx.dry_run:
        for update in updates:
            detail = f"{update.expected} -> {update.quantity} at {update.location_id}"
            ctx.plan(report, record, "set_stock", update.sku, detail)
        return [WriteResult(key=update.sku, status=WriteStatus.UPDATED) for update in updates]
    if sink is None:
        error = f"the store of record ({record}) cannot write stock"
        return [WriteResult.failed(update.sku, error) for update in updates]
    results = sink.write_stock(updates)
    report.wrote(ctx.connector(record).name, len(updates))
    if len(results) != len(updates):
        raise RuntimeError(f"{record}: the connector returned {len(results)} results for {len(updates)} updates")
    return results


def _record(
    ctx: JobContext,
    session: Session,
    report: RunReport,
    store: str,
    sales: Sequence[Sale],
    results: Sequence[WriteResult],
) -> bool:
    """Apply the write-downs that went through; False if one must be tried again (the cursor stays)."""
    record, channel_id = ctx.catalog_store, ctx.channel_id(store)
    complete = True
    position = 0
    for sale in sales:
        outcome = results[position : position + len(sale.updates)]
        position += len(sale.updates)
        retry = refused = 0
        errors: list[str] = []
        for (location_id, update), result in zip(sale.updates, outcome, strict=True):
            units = (update.expected or 0) - update.quantity
            if result.ok:
                stock_repo.set_on_hand(session, sale.variant_id, location_id, update.quantity)
            elif result.retryable:
                retry += units
            else:
                refused += units
                errors.append(result.error or "refused")
        # What is still to be applied stays unconfirmed, so the next read of the store finds it again.
        stock_repo.record_confirmed(session, channel_id, sale.variant_id, sale.shown + retry)
        applied = sale.sold - sale.short - retry - refused
        if applied:
            report.updated += 1
            report.note(f"{store}: {sale.sold} x {sale.sku} sold there; {record} stock lowered by {applied}")
        if sale.short:
            report.note(f"{store}: {sale.sku} sold {sale.short} more than {record} had on hand")
        if retry:
            complete = False
            report.failed += 1
            report.note(f"{store}: {retry} x {sale.sku} sold there not yet taken off {record}; retried next run")
        if refused:
            reason = f"{record} refused to take {refused} x {sale.sku} sold in {store} off its stock: {errors[0]}"
            ctx.quarantine(session, report, store, SALE_KIND, sale.sku, reason, {"units": refused, "store": store})
    return complete
