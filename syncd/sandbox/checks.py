"""Compares what the emulators hold with what the seeded merchant should look like after a sync."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from syncd.config import Settings
from syncd.sandbox.merchant import Merchant
from syncd.sync.rules import sellable


@dataclass
class CheckResult:
    """One named check and, when it fails, the first few differences."""

    ok: bool
    problems: list[str] = field(default_factory=list)


def listings_match(merchant: Merchant) -> CheckResult:
    """Every seeded SKU is listed on TikTok once, one listing per product, none duplicated."""
    listed = merchant.tiktok.listings_by_sku()
    problems = [f"{v.sku}: not listed" for p in merchant.products for v in p.variants if v.sku not in listed]
    if merchant.tiktok.listing_count() != len(merchant.products):
        problems.append(f"{merchant.tiktok.listing_count()} listings for {len(merchant.products)} products")
    return CheckResult(not problems, problems[:10])


def stock_match(merchant: Merchant, settings: Settings, reserved: dict[str, int] | None = None) -> CheckResult:
    """Each channel shows the sellable quantity computed from the store of record's stock."""
    reserved = reserved or {}
    on_hand = merchant.stores[merchant.catalog_store].stock_by_sku()
    excluded = set(settings.sync.stock.exclude_skus)
    problems: list[str] = []
    channels = {"tiktok": merchant.tiktok.stock_by_sku()}
    channels.update(
        {name: store.stock_by_sku() for name, store in merchant.stores.items() if name != merchant.catalog_store}
    )
    for channel, shown in channels.items():
        rule = settings.stock_rule(channel)
        if not rule.push:
            continue
        for sku, quantity in on_hand.items():
            if sku in excluded or sku not in shown:
                continue
            expected = sellable(quantity, reserved.get(sku, 0), rule)
            if shown[sku] != expected:
                problems.append(f"{channel} {sku}: shows {shown[sku]}, expected {expected}")
    return CheckResult(not problems, problems[:10])


def orders_imported_once(merchant: Merchant, placed: list[str]) -> CheckResult:
    """Every eligible marketplace order exists exactly once in the store of record."""
    counts = Counter(o.source_order_id for o in merchant.stores[merchant.catalog_store].orders())
    problems = [f"order {oid}: {counts.get(oid, 0)} store orders" for oid in placed if counts.get(oid, 0) != 1]
    problems += [f"order {oid}: imported {n} times" for oid, n in counts.items() if oid and n > 1 and oid not in placed]
    return CheckResult(not problems, problems[:10])


def external_refs_match(merchant: Merchant, placed: list[str]) -> CheckResult:
    """Each imported order carries exactly the reference to its store order on TikTok."""
    store_ids = {o.source_order_id: o.id for o in merchant.stores[merchant.catalog_store].orders()}
    references = merchant.tiktok.external_references()
    problems = [
        f"order {oid}: references {references.get(oid, [])}, store order {store_ids.get(oid)}"
        for oid in placed
        if references.get(oid, []) != [store_ids.get(oid)]
    ]
    return CheckResult(not problems, problems[:10])


def tracking_match(merchant: Merchant, shipped: dict[str, str]) -> CheckResult:
    """Each order shipped in the store shows the same tracking number on TikTok."""
    tracking = merchant.tiktok.tracking()
    problems = [
        f"order {oid}: TikTok shows {tracking.get(oid)!r}, store shipped {number!r}"
        for oid, number in shipped.items()
        if tracking.get(oid) != number
    ]
    return CheckResult(not problems, problems[:10])
