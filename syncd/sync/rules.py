"""The merchant's rules as pure functions: sellable quantity, channel prices, and which category a product lists in."""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal

from syncd.config.models import CatalogSettings, CategoryRule, PriceSettings, Rounding, StockRule
from syncd.domain import ListingSpec, Money, Product

CENT = Decimal("0.01")


def sellable(on_hand: int, reserved: int, rule: StockRule, *, cap: int | None = None) -> int:
    """`clamp(floor((on_hand - reserved - buffer) * percent / 100), 0, max)` (DESIGN 2.1)."""
    available = on_hand - reserved - rule.buffer
    if available <= 0:
        return 0
    # Decimal keeps `percent` exact (33.3% of 3 must not become 0.999...).
    quantity = math.floor(Decimal(available) * rule.percent / Decimal(100))
    limits = [limit for limit in (rule.max, cap) if limit is not None]
    return max(0, min([quantity, *limits]))


def channel_price(price: Money, rules: PriceSettings) -> Money:
    """The store price after the channel's markup and rounding."""
    amount = price.amount * (Decimal(1) + rules.markup_percent / Decimal(100)) + rules.markup_amount
    return Money(amount=round_price(max(amount, Decimal(0)), rules.rounding), currency=price.currency)


def round_price(amount: Decimal, rounding: Rounding) -> Decimal:
    """Round a price the way the merchant asked."""
    if rounding is Rounding.NONE:
        return amount
    if rounding is Rounding.WHOLE:
        return amount.quantize(Decimal(1), rounding=ROUND_HALF_UP).quantize(CENT)
    if rounding is Rounding.NINETY_NINE:
        # 12.34 -> 12.99; 12.99 stays; never below the computed price.
        return (amount.to_integral_value(rounding="ROUND_FLOOR") + Decimal("0.99")).quantize(CENT)
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def category_rule(product: Product, catalog: CatalogSettings) -> CategoryRule | None:
    """The first category rule whose every given field matches the product, or None."""
    for rule in catalog.categories:
        match = rule.match
        if match.product_type is not None and match.product_type != product.product_type:
            continue
        if match.vendor is not None and match.vendor != product.vendor:
            continue
        if match.tag is not None and match.tag not in product.tags:
            continue
        if match.sku_prefix is not None and not all(v.sku.startswith(match.sku_prefix) for v in product.variants):
            continue
        return rule
    return None


def listing_spec(product: Product, catalog: CatalogSettings) -> ListingSpec | str:
    """The spec to list the product with, or the reason it cannot be listed (for the quarantine)."""
    rule = category_rule(product, catalog)
    if rule is None:
        return "no category rule matches this product (sync.catalog.categories)"
    weights = [v.weight_grams for v in product.variants if v.weight_grams]
    weight = rule.package_weight_grams or (max(weights) if weights else None) or catalog.default_package_weight_grams
    if weight is None:
        return "no package weight: the variants have none and no rule or default sets one"
    return ListingSpec(
        category_id=rule.category_id,
        brand_id=rule.brand_id,
        attributes=dict(rule.attributes),
        package_weight_grams=weight,
    )
