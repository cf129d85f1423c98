"""Finding products and variations by SKU: `GET /products?sku=a,b,c`, which also returns variations.

When `sku` is given, WooCommerce widens the query to variations (`type: variation`, `parent_id` set) and
matches the comma-separated list exactly; MySQL's default collation makes that match case-insensitive.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

from pydantic import ValidationError

from connectors.woocommerce.client import WooClient
from connectors.woocommerce.mapping import ItemRef, item_ref
from connectors.woocommerce.models import WooProduct


def _chunks(skus: Sequence[str], size: int) -> Iterator[list[str]]:
    # A SKU with a comma in it would be split by the store; it goes alone, where the whole string also matches.
    plain = [sku for sku in skus if "," not in sku]
    for start in range(0, len(plain), size):
        yield plain[start : start + size]
    for sku in skus:
        if "," in sku:
            yield [sku]


def resolve_skus(client: WooClient, skus: Iterable[str]) -> dict[str, list[ItemRef]]:
    """Every store item carrying each SKU (an empty list when none does)."""
    wanted = list(dict.fromkeys(sku for sku in skus if sku))
    found: dict[str, list[ItemRef]] = {sku: [] for sku in wanted}
    by_folded: dict[str, list[str]] = {}
    for sku in wanted:
        by_folded.setdefault(sku.casefold(), []).append(sku)
    for chunk in _chunks([sku for sku in wanted if client.can_send(sku)], client.page_size):
        for page in client.pages("products", {"sku": ",".join(chunk), "orderby": "id", "order": "asc"}):
            for raw in page:
                try:
                    product = WooProduct.model_validate(raw)
                except ValidationError:
                    continue
                for sku in by_folded.get(product.sku.casefold(), []):
                    found[sku].append(item_ref(product))
    return found


def describe_problem(client: WooClient, sku: str, refs: list[ItemRef]) -> str | None:
    """Why a SKU cannot be written or ordered, or None when it names exactly one sellable item."""
    if not client.can_send(sku):
        return f"SKU {sku!r} contains '/', which cannot be looked up over http (OAuth 1.0a); use https"
    if not refs:
        return f"unknown SKU {sku!r}: no product or variation carries it"
    if len(refs) > 1:
        where = ", ".join(f"{ref.kind} {ref.variation_id or ref.product_id}" for ref in refs)
        return f"SKU {sku!r} is on several items ({where})"
    if refs[0].kind not in ("simple", "variation"):
        return f"SKU {sku!r} belongs to a {refs[0].kind} product, which is not sold by itself"
    return None
