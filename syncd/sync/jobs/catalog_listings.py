"""What the catalog job sends to TikTok: store products at channel prices, their owned-field digest, and stock.

The store owns a listing's title, description, images and prices; a listing is updated only when the digest of
those fields (after the price rules) differs from the one recorded when it was last written.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Mapping

from sqlmodel import Session

from syncd.config import Settings
from syncd.config.models import PriceSettings
from syncd.domain import Money, Product, Variant
from syncd.store import reservations, stock
from syncd.sync.rules import channel_price, sellable
from syncd.sync.stock_push import TIKTOK_MAX_QUANTITY

# How the TikTok connector words a refused creation past the daily cap, and how TikTok itself words it
# (code 12052109); matched in lower case. Anything else that is retryable is a failure, not a deferral.
DAILY_CAP_MARKERS = ("daily listing cap", "reached the daily limit")


def channel_product(product: Product, prices: PriceSettings) -> Product:
    """The store product with each variant at its channel price (and compare-at price, when the rules send it)."""
    return product.model_copy(update={"variants": tuple(_channel_variant(v, prices) for v in product.variants)})


def _channel_variant(variant: Variant, prices: PriceSettings) -> Variant:
    if variant.price is None:
        return variant
    price = channel_price(variant.price, prices)
    compare_at: Money | None = None
    if prices.use_compare_at_price and variant.compare_at_price is not None:
        original = channel_price(variant.compare_at_price, prices)
        # An "original price" at or below the selling price is no discount; TikTok shows none then.
        if original.currency == price.currency and original.amount > price.amount:
            compare_at = original
    return variant.model_copy(update={"price": price, "compare_at_price": compare_at})


def listing_digest(product: Product) -> str:
    """A hash of the fields the store owns on a listing, from the product at channel prices."""

    def money(value: Money | None) -> list[str] | None:
        return [str(value.amount), value.currency] if value is not None else None

    owned = {
        "title": product.title,
        "description": product.description_html,
        "images": list(product.image_urls),
        "variants": sorted([v.sku, money(v.price), money(v.compare_at_price)] for v in product.variants),
    }
    return hashlib.sha256(json.dumps(owned, sort_keys=True).encode()).hexdigest()


def best_holder(product: Product, found: Mapping[str, Product]) -> Product | None:
    """The channel product holding most of the product's SKUs (the first such SKU's on a tie), or None."""
    holders = [found[v.sku] for v in product.variants if v.sku in found]
    if not holders:
        return None
    counts = Counter(holder.external_id for holder in holders)
    best = max(counts.values())
    return next(holder for holder in holders if counts[holder.external_id] == best)


def is_daily_cap(error: str | None) -> bool:
    """True when a failed creation was refused because the day's listing cap is reached."""
    text = (error or "").lower()
    return any(marker in text for marker in DAILY_CAP_MARKERS)


def initial_quantities(
    session: Session, settings: Settings, channel: str, variant_ids: Mapping[str, int]
) -> tuple[dict[str, int], dict[int, int]]:
    """The quantities to create a listing with: per SKU, and per variant id those that count as pushed.

    A SKU whose stock the store has not reported yet, that is excluded, or whose channel does not get stock
    pushes is listed with 0 and not recorded, so the stock job sends its real quantity. So is every SKU when
    store locations are mapped to TikTok warehouses: a new listing holds its stock in the default warehouse, and
    only the stock job knows how to split it.
    """
    rule = settings.stock_rule(channel)
    excluded = set(settings.sync.stock.exclude_skus)
    known = rule.push and not settings.sync.stock.location_warehouses
    ids = list(variant_ids.values())
    on_hand = stock.on_hand_totals(session, ids)
    reserved = reservations.reserved_units(session, ids)
    per_sku: dict[str, int] = {}
    pushed: dict[int, int] = {}
    for sku, variant_id in variant_ids.items():
        if not known or sku in excluded or variant_id not in on_hand:
            per_sku[sku] = 0
            continue
        quantity = sellable(on_hand[variant_id], reserved.get(variant_id, 0), rule, cap=TIKTOK_MAX_QUANTITY)
        per_sku[sku] = pushed[variant_id] = quantity
    return per_sku, pushed
