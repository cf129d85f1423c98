"""Sellable quantities sent to every sales channel, only where they differ from what the channel confirmed.

`push_stock` is shared by the stock job and the jobs that change what may be sold (orders reserve units,
reconcile corrects what a channel shows). For each channel it is given (TikTok by default; never the store of
record) whose rule has `push` on, it computes `sellable(on_hand, reserved, rule)` (DESIGN 2.1) per variant,
compares it with the channel's last confirmed quantity and sends the differences: TikTok gets one update per
SKU and mapped warehouse (the connector makes one inventory call per product, so a product's SKUs are never
split across batches here); a store gets its total at the one location syncd sells from there. Only variants
whose stock the store of record reported are pushed (unknown stock is never sent as 0), and only to channels
they are listed on: TikTok through the catalog job's bindings, a store once its stock read showed the SKU.

Every push is recorded as sent (committed) before the write, and as confirmed only once the channel accepted
it, so a crash or a failed write is simply pushed again by the next run. A write the channel refuses for good
is quarantined under kind `stock`, keyed by SKU, and not sent again with the same quantity until the entry is
resolved (`syncd retry`); a different quantity is tried at once.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass

from sqlmodel import Session, col, select

from syncd.config.models import StockRule
from syncd.connector import StockSink, WriteResult
from syncd.domain import StockUpdate
from syncd.store import bindings, catalog, quarantine, reservations
from syncd.store import stock as stock_repo
from syncd.store.enums import BindingKind
from syncd.store.models import Binding, CanonicalVariant, ChannelQuantity, InventoryLevel
from syncd.store.sql import chunked, fetch_all
from syncd.sync.context import JobContext
from syncd.sync.report import RunReport
from syncd.sync.rules import sellable

log = logging.getLogger("syncd.sync.stock")

STOCK_KIND = "stock"  # quarantine kind of a quantity a channel refused
# TikTok shows at most this many units per SKU and warehouse; the connector clamps to it as well, and clamping
# here keeps the confirmed value equal to what TikTok really shows.
TIKTOK_MAX_QUANTITY = 99_999
BATCH_UPDATES = 500  # updates per write call and unit of work


@dataclass(frozen=True, slots=True)
class Push:
    """A quantity for one variant on one channel, as the updates that set it there."""

    variant_id: int
    sku: str
    quantity: int  # the total recorded as pushed and confirmed (the updates' sum)
    updates: tuple[StockUpdate, ...]
    group: str  # updates of one group (a TikTok product) are sent in the same call


@dataclass(frozen=True, slots=True)
class StockState:
    """What the hub knows about some variants: SKU and product, units on hand per location, units reserved."""

    variants: dict[int, tuple[str, int]]  # variant id -> (SKU, canonical product id)
    levels: dict[int, dict[int, int]]  # variant id -> canonical location id -> on hand
    reserved: dict[int, int]

    def on_hand(self, variant_id: int) -> int:
        """Units on hand over all locations."""
        return sum(self.levels.get(variant_id, {}).values())

    def location_ids(self) -> set[int]:
        """Every location holding a level of these variants."""
        return {location for per in self.levels.values() for location in per}


def load_state(session: Session, variant_ids: set[int] | None = None) -> StockState:
    """The stock of these variants (all); only variants whose stock was read: unknown stock is never pushed."""
    stmt = select(InventoryLevel.variant_id, InventoryLevel.location_id, InventoryLevel.on_hand)
    rows: list[tuple[int, int, int]] = []
    if variant_ids is None:
        rows.extend(session.exec(stmt).all())
    else:
        for batch in chunked(variant_ids):
            rows.extend(session.exec(stmt.where(col(InventoryLevel.variant_id).in_(batch))).all())
    levels: dict[int, dict[int, int]] = {}
    for variant_id, location_id, on_hand in rows:
        levels.setdefault(variant_id, {})[location_id] = on_hand
    variants: dict[int, tuple[str, int]] = {}
    for batch in chunked(levels):
        found = session.exec(
            select(CanonicalVariant.id, CanonicalVariant.sku, CanonicalVariant.product_id).where(
                col(CanonicalVariant.id).in_(batch)
            )
        )
        variants.update({variant_id: (sku, product_id) for variant_id, sku, product_id in found if variant_id})
    return StockState(variants, levels, reservations.reserved_units(session, variants))


def channel_rows(session: Session, channel_id: int, variant_ids: Iterable[int]) -> dict[int, ChannelQuantity]:
    """The pushed/confirmed record of each variant on a channel that has one."""
    found: dict[int, ChannelQuantity] = {}
    for batch in chunked(set(variant_ids)):
        stmt = select(ChannelQuantity).where(
            ChannelQuantity.channel_id == channel_id, col(ChannelQuantity.variant_id).in_(batch)
        )
        found.update({row.variant_id: row for row in fetch_all(session, stmt)})
    return found


def bind_locations(session: Session, channel_id: int, external_ids: Iterable[str]) -> dict[str, int]:
    """Channel location id -> canonical location id, creating and binding the locations seen for the first time."""
    wanted = set(external_ids)
    known = bindings.to_internal_many(session, channel_id, BindingKind.LOCATION, wanted)
    for external_id in sorted(wanted - set(known)):
        known[external_id] = catalog.create_location(session, name=external_id[:255])
        bindings.bind(session, channel_id, BindingKind.LOCATION, external_id, known[external_id])
    return known


def store_location(session: Session, channel_id: int) -> str | None:
    """The one location syncd reads and sets a sales store's stock at: the first one it saw there."""
    stmt = (
        select(Binding.external_id)
        .where(Binding.channel_id == channel_id, Binding.kind == BindingKind.LOCATION)
        .order_by(col(Binding.internal_id))
        .limit(1)
    )
    return session.exec(stmt).first()


def warehouse_of(location_id: str, mapping: Mapping[str, str]) -> str | None:
    """The TikTok warehouse selling a store location's stock: "" (the default one) without a mapping, None
    when the mapping leaves the location out (its stock is not sold on TikTok)."""
    if not mapping:
        return ""
    if location_id in mapping:
        return mapping[location_id]
    # Shopify reports location GIDs; the config may name a location by its numeric id.
    return mapping.get(location_id.rsplit("/", 1)[-1])


def split_quantity(total: int, weights: Mapping[str, int], cap: int) -> dict[str, int]:
    """`total` shared over the keys in proportion to their weights (negatives count as 0), each share capped."""
    positive = {key: max(0, weight) for key, weight in weights.items()}
    whole = sum(positive.values())
    if total <= 0 or whole == 0:
        return dict.fromkeys(weights, 0)
    shares = {key: total * weight // whole for key, weight in positive.items()}
    # The units the rounding left over go to the largest holders first.
    for key in sorted(positive, key=lambda k: (-positive[k], k))[: total - sum(shares.values())]:
        shares[key] += 1
    return {key: min(share, cap) for key, share in shares.items()}


def push_stock(
    ctx: JobContext,
    report: RunReport,
    variant_ids: Iterable[int] | None = None,
    channels: Sequence[str] | None = None,
) -> None:
    """Send each channel the sellable quantities that differ from what it confirmed (all variants when None).

    `channels` defaults to TikTok alone: a store other than the store of record may be pushed to only right
    after its own sales were read, or the push would overwrite a sale syncd has not seen yet; the stock job's
    `push_everywhere` does both. Opens its own units of work, so call it outside one (what it reads, e.g. a new
    reservation, must be committed). Returns early, everything sent so far recorded, when `ctx.stop` is set.
    """
    wanted = None if variant_ids is None else set(variant_ids)
    for channel in channels if channels is not None else [ctx.tiktok_channel]:
        if ctx.stop.is_set():
            return
        if channel == ctx.catalog_store:
            continue  # the store of record owns its stock; syncd writes it only to apply sales (stock_sales)
        rule = ctx.settings.stock_rule(channel)
        if not rule.push:
            continue
        sink = ctx.optional_capability(channel, StockSink)
        if sink is None:
            report.note(f"{channel}: the {ctx.connector(channel).name} connector cannot write stock; nothing pushed")
            continue
        with ctx.session() as session:
            pushes = plan_pushes(ctx, session, report, channel, rule, wanted)
        for batch in batches(pushes, BATCH_UPDATES):
            if ctx.stop.is_set():
                return
            send(ctx, report, channel, sink, batch)


def plan_pushes(
    ctx: JobContext, session: Session, report: RunReport, channel: str, rule: StockRule, wanted: set[int] | None
) -> list[Push]:
    """The pushes one channel needs: variants listed there whose sellable quantity differs from the confirmed one."""
    state = load_state(session, wanted)
    channel_id = ctx.channel_id(channel)
    excluded = set(ctx.settings.sync.stock.exclude_skus)
    if channel == ctx.tiktok_channel:
        candidates = _tiktok_quantities(ctx, session, state, rule)
        # Several warehouses: stock that moved between locations changes the split but not the total.
        several = len(set(ctx.settings.sync.stock.location_warehouses.values())) > 1
        moved = set(stock_repo.stale_variant_ids(session, channel_id)) if several else set()
    else:
        candidates = _store_quantities(ctx, session, state, channel, rule)
        moved = set()
    rows = channel_rows(session, channel_id, [push.variant_id for push in candidates])
    refused = {
        entry.record_key: entry.payload.get("quantity")
        for entry in quarantine.list_open(session, channel_id=channel_id, kind=STOCK_KIND)
    }
    pushes: list[Push] = []
    for push in candidates:
        if push.sku in excluded:
            continue
        row = rows.get(push.variant_id)
        confirmed = row.last_confirmed if row is not None else None
        if confirmed == push.quantity and push.variant_id not in moved:
            report.unchanged += 1
        elif refused.get(push.sku) == push.quantity:
            report.deferred += 1  # refused for good with this very quantity; waits for `syncd retry`
        else:
            pushes.append(push)
    return pushes


def _tiktok_quantities(ctx: JobContext, session: Session, state: StockState, rule: StockRule) -> list[Push]:
    """Every listed variant's sellable quantity, split over the TikTok warehouses its locations map to."""
    channel_id = ctx.channel_id(ctx.tiktok_channel)
    mapping = ctx.settings.sync.stock.location_warehouses
    sku_ids = bindings.to_external_many(session, channel_id, BindingKind.VARIANT, state.variants)
    product_ids = bindings.to_external_many(
        session, channel_id, BindingKind.PRODUCT, {product for _, product in state.variants.values()}
    )
    record_id = ctx.channel_id(ctx.catalog_store)
    names = bindings.to_external_many(session, record_id, BindingKind.LOCATION, state.location_ids())
    warehouses = sorted(set(mapping.values())) or [""]  # "": the shop's default warehouse
    pushes = []
    for variant_id, (sku, product_id) in sorted(state.variants.items()):
        sku_id = sku_ids.get(variant_id)
        if sku_id is None:
            continue  # not listed on TikTok (yet): the catalog job binds it
        per_warehouse = dict.fromkeys(warehouses, 0)
        for location_id, on_hand in state.levels.get(variant_id, {}).items():
            warehouse = warehouse_of(names.get(location_id, ""), mapping)
            if warehouse is not None:  # a location the mapping leaves out is not sold on TikTok
                per_warehouse[warehouse] += on_hand
        total = sellable(sum(per_warehouse.values()), state.reserved.get(variant_id, 0), rule)
        shares = split_quantity(total, per_warehouse, TIKTOK_MAX_QUANTITY)
        product = product_ids.get(product_id)
        updates = tuple(
            StockUpdate(
                sku=sku, location_id=warehouse, quantity=share, variant_external_id=sku_id, product_external_id=product
            )
            for warehouse, share in shares.items()
        )
        pushes.append(Push(variant_id, sku, sum(shares.values()), updates, group=product or f"sku:{sku}"))
    return pushes


def _store_quantities(
    ctx: JobContext, session: Session, state: StockState, channel: str, rule: StockRule
) -> list[Push]:
    """Every variant the store sells (it reported stock for it) with its sellable quantity at the store's location."""
    channel_id = ctx.channel_id(channel)
    location = store_location(session, channel_id)
    if location is None:
        return []  # the store's stock was never read: nothing is known to be sold there
    listed = {
        v for v, row in channel_rows(session, channel_id, state.variants).items() if row.last_confirmed is not None
    }
    variant_ids = bindings.to_external_many(session, channel_id, BindingKind.VARIANT, listed)
    product_ids = bindings.to_external_many(
        session, channel_id, BindingKind.PRODUCT, {state.variants[v][1] for v in listed}
    )
    pushes = []
    for variant_id in sorted(listed):
        sku, product_id = state.variants[variant_id]
        quantity = sellable(state.on_hand(variant_id), state.reserved.get(variant_id, 0), rule)
        variant, product = variant_ids.get(variant_id), product_ids.get(product_id)
        # Ids only as a pair (WooCommerce needs both); without them the connector finds the SKU itself.
        ids = {"variant_external_id": variant, "product_external_id": product} if variant and product else {}
        update = StockUpdate(sku=sku, location_id=location, quantity=quantity, **ids)
        pushes.append(Push(variant_id, sku, quantity, (update,), group=f"sku:{sku}"))
    return pushes


def batches(pushes: Sequence[Push], limit: int) -> Iterator[list[Push]]:
    """Pushes in batches of about `limit` updates, never splitting a group (one TikTok call per product)."""
    batch: list[Push] = []
    size = 0
    ordered = sorted(pushes, key=lambda p: (p.group, p.sku))
    for index, push in enumerate(ordered):
        batch.append(push)
        size += len(push.updates)
        last_of_group = index + 1 == len(ordered) or ordered[index + 1].group != push.group
        if size >= limit and last_of_group:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


def send(ctx: JobContext, report: RunReport, channel: str, sink: StockSink, pushes: Sequence[Push]) -> None:
    """Write one batch and record the outcome of each push (planned only, in a dry run)."""
    if ctx.dry_run:
        for push in pushes:
            where = ", ".join(f"{u.location_id or 'default'}={u.quantity}" for u in push.updates)
            ctx.plan(report, channel, "set_stock", push.sku, f"{push.quantity} ({where})")
        return
    channel_id = ctx.channel_id(channel)
    with ctx.session() as session:
        for push in pushes:
            stock_repo.record_pushed(session, channel_id, push.variant_id, push.quantity)
    updates = [update for push in pushes for update in push.updates]
    results = sink.write_stock(updates)
    report.wrote(ctx.connector(channel).name, len(updates))
    if len(results) != len(updates):
        raise RuntimeError(f"{channel}: the connector returned {len(results)} results for {len(updates)} updates")
    with ctx.session() as session:
        position = 0
        for push in pushes:
            outcome = results[position : position + len(push.updates)]
            position += len(push.updates)
            _record(ctx, session, report, channel, push, outcome)


def _record(
    ctx: JobContext, session: Session, report: RunReport, channel: str, push: Push, results: Sequence[WriteResult]
) -> None:
    failed = [result for result in results if not result.ok]
    if not failed:
        stock_repo.record_confirmed(session, ctx.channel_id(channel), push.variant_id, push.quantity)
        ctx.release_quarantine(session, channel, STOCK_KIND, push.sku)
        report.updated += 1
        return
    error = "; ".join(sorted({result.error or "failed" for result in failed}))
    if all(result.retryable for result in failed):
        # The confirmed value stays, so the next run pushes the quantity again.
        report.failed += 1
        report.note(f"{channel}: {push.sku}: quantity {push.quantity} not applied, will retry: {error}")
        return
    reason = f"{channel} refused quantity {push.quantity} for SKU {push.sku}: {error}"
    ctx.quarantine(session, report, channel, STOCK_KIND, push.sku, reason, {"quantity": push.quantity})
