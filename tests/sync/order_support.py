"""Helpers for the orders, fulfilment and returns tests: a merchant whose catalog is in the hub and on TikTok."""

from __future__ import annotations

from collections.abc import Callable

from sqlmodel import select

from connectors.tiktok_shop.fake import FakeTikTokShop
from syncd.runtime import Runtime
from syncd.sandbox.merchant import Merchant
from syncd.store import catalog, orders, quarantine, reservations
from syncd.store.engine import session_scope
from syncd.store.models import OrderLink, QuarantineEntry
from syncd.sync.context import JobContext, Window
from syncd.sync.report import RunReport
from syncd.testing.sandbox import SeedOrderLine

# The TikTok routes that change something; reads (searches are POSTs there too) are not in it.
TIKTOK_WRITES = frozenset(
    {"add_external_orders", "mark_package_shipped", "ship_package", "batch_ship_packages", "update_inventory"}
)
Job = Callable[[JobContext, Window], RunReport]


def seed_hub(runtime: Runtime, merchant: Merchant) -> None:
    """Put the store's catalog into the hub, as the catalog job would have, and list it on TikTok."""
    with session_scope(runtime.engine) as session:
        for product in merchant.products:
            product_id = catalog.create_product(session, product.title)
            for variant in product.variants:
                catalog.upsert_variant(session, variant.sku, product_id)
    merchant.tiktok.list_existing(merchant.products)


def sku(merchant: Merchant, product: int = 0, variant: int = 0) -> str:
    """A seeded SKU."""
    return merchant.products[product].variants[variant].sku


def place(merchant: Merchant, *lines: tuple[str, int], status: str = "AWAITING_SHIPMENT") -> str:
    """A buyer's TikTok order of (SKU, quantity) lines; returns its id."""
    return merchant.tiktok.place_order([SeedOrderLine(s, q) for s, q in lines], status=status)


def run(job: Job, ctx: JobContext, window: Window | None = None) -> RunReport:
    """Run a job as the runner does, counting its API calls into the report."""
    report = job(ctx, window or Window())
    ctx.collect_api_calls(report)
    return report


def link(runtime: Runtime, tiktok_order_id: str) -> OrderLink:
    """The order link of a TikTok order (it must exist)."""
    with session_scope(runtime.engine) as session:
        found = orders.get_order_link(session, tiktok_order_id)
    assert found is not None, f"no order link for {tiktok_order_id}"
    return found


def all_links(runtime: Runtime) -> list[OrderLink]:
    """Every order link."""
    with session_scope(runtime.engine) as session:
        return list(session.exec(select(OrderLink)).all())


def reserved(runtime: Runtime) -> dict[str, int]:
    """SKU -> units held by open reservations."""
    with session_scope(runtime.engine) as session:
        held = reservations.reserved_units(session)
        found = {variant_id: catalog.get_variant(session, variant_id) for variant_id in held}
        return {variant.sku: held[variant_id] for variant_id, variant in found.items() if variant is not None}


def open_quarantine(runtime: Runtime, kind: str | None = None) -> list[QuarantineEntry]:
    """Unresolved quarantine entries."""
    with session_scope(runtime.engine) as session:
        return quarantine.list_open(session, kind=kind)


def tiktok_fake(merchant: Merchant) -> FakeTikTokShop:
    """The TikTok emulator's server, for what the sandbox adapter does not expose (returns, cancellations)."""
    server = merchant.tiktok.server
    assert isinstance(server, FakeTikTokShop)
    return server


def tiktok_writes(merchant: Merchant) -> int:
    """Write calls TikTok has received so far."""
    return sum(1 for call in merchant.tiktok.server.calls.all() if call.route in TIKTOK_WRITES)


def store_orders_of(merchant: Merchant, tiktok_order_id: str) -> list[str]:
    """Ids of the store of record's orders made for a TikTok order."""
    return [o.id for o in merchant.stores[merchant.catalog_store].orders() if o.source_order_id == tiktok_order_id]
