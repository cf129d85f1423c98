"""The canonical catalog as the jobs maintain it: store products and variants bound to canonical records by SKU.

The store of record creates canonical products and variants (`upsert_store_product`); every other channel only
binds its own ids to the variants that already exist (`bind_channel_product`). The SKU is the join key, so a
variant whose SKU shows up under another product is moved there, never duplicated.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from sqlmodel import Session, col, select

from syncd.domain import Product
from syncd.store import bindings, catalog
from syncd.store.enums import BindingKind
from syncd.store.models import Binding, CanonicalVariant
from syncd.store.sql import chunked


@dataclass(frozen=True, slots=True)
class CanonicalRef:
    """A store product's canonical product id and its variants' ids by SKU."""

    product_id: int
    variant_ids: dict[str, int] = field(default_factory=dict)
    # SKUs this store variant was not bound to before: stock reads may have skipped their levels.
    new_skus: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ChannelBinding:
    """A canonical record's id on one channel and the digest of what was last synced there."""

    external_id: str
    digest: str | None


def payload_digest(product: Product) -> str:
    """A hash of everything the store says about the product except its change time (a touch is not a change)."""
    payload = product.model_dump_json(exclude={"updated_at"})
    return hashlib.sha256(payload.encode()).hexdigest()


def duplicate_skus(products: Iterable[Product]) -> dict[str, list[str]]:
    """SKU -> the external ids of the products holding it, for SKUs held more than once (a product may repeat)."""
    holders: dict[str, list[str]] = defaultdict(list)
    for product in products:
        for variant in product.variants:
            holders[variant.sku].append(product.external_id)
    return {sku: ids for sku, ids in holders.items() if len(ids) > 1}


def describe_duplicate(sku: str, holders: Sequence[str]) -> str:
    """The quarantine reason for a SKU held twice, naming every product that holds it."""
    names = sorted(set(holders))
    if len(names) == 1:
        return f"SKU {sku} appears {len(holders)} times in product {names[0]}"
    return f"SKU {sku} appears in {len(names)} products on one page: {', '.join(names)}"


def store_digest(session: Session, channel_id: int, product: Product) -> str | None:
    """The payload digest recorded when the store product was last applied, or None."""
    binding = bindings.get_binding(session, channel_id, BindingKind.PRODUCT, product.external_id)
    return binding.digest if binding is not None else None


def lookup_store_product(session: Session, channel_id: int, product: Product) -> CanonicalRef | None:
    """The canonical records of an already-applied store product, or None when any of them is missing or moved."""
    product_id = bindings.to_internal(session, channel_id, BindingKind.PRODUCT, product.external_id)
    if product_id is None:
        return None
    skus = [variant.sku for variant in product.variants]
    found = variants_by_sku(session, skus)
    if any(sku not in found or found[sku][1] != product_id for sku in skus):
        return None
    return CanonicalRef(product_id, {sku: found[sku][0] for sku in skus})


def upsert_store_product(session: Session, channel_id: int, product: Product, *, digest: str) -> CanonicalRef:
    """Create or update the canonical product and variants of a store-of-record product and bind the store's ids.

    The product binding carries `digest` (see `payload_digest`), so an unchanged product is skipped next time.
    """
    product_id = bindings.to_internal(session, channel_id, BindingKind.PRODUCT, product.external_id)
    current = catalog.get_product(session, product_id) if product_id is not None else None
    if current is None or current.id is None:
        product_id = catalog.create_product(session, product.title)
    else:
        product_id = current.id
        if current.title != product.title:
            catalog.update_product(session, product_id, title=product.title)
    variant_ids: dict[str, int] = {}
    new_skus: list[str] = []
    for variant in product.variants:
        if bindings.to_internal(session, channel_id, BindingKind.VARIANT, variant.external_id) is None:
            new_skus.append(variant.sku)
        # The upsert is keyed by SKU: a SKU held by another product moves here with its bindings and stock.
        variant_id = catalog.upsert_variant(
            session, variant.sku, product_id, title=variant.title, barcode=variant.barcode
        )
        bindings.bind(session, channel_id, BindingKind.VARIANT, variant.external_id, variant_id)
        if variant.inventory_item_id:
            bindings.bind(session, channel_id, BindingKind.INVENTORY_ITEM, variant.inventory_item_id, variant_id)
        variant_ids[variant.sku] = variant_id
    bindings.bind(session, channel_id, BindingKind.PRODUCT, product.external_id, product_id, digest=digest)
    return CanonicalRef(product_id, variant_ids, tuple(new_skus))


def bind_channel_product(session: Session, channel_id: int, product: Product) -> list[str]:
    """Bind a sales channel's product and variants to the canonical ones with the same SKUs; return unknown SKUs.

    Nothing canonical is created from a sales channel. The product itself is bound only when all its known
    variants belong to one canonical product, since a binding is one-to-one per channel.
    """
    found = variants_by_sku(session, (variant.sku for variant in product.variants))
    unknown: list[str] = []
    for variant in product.variants:
        if variant.sku not in found:
            unknown.append(variant.sku)
            continue
        variant_id = found[variant.sku][0]
        bindings.bind(session, channel_id, BindingKind.VARIANT, variant.external_id, variant_id)
        if variant.inventory_item_id:
            bindings.bind(session, channel_id, BindingKind.INVENTORY_ITEM, variant.inventory_item_id, variant_id)
    products = {found[v.sku][1] for v in product.variants if v.sku in found}
    if len(products) == 1:
        bindings.bind(session, channel_id, BindingKind.PRODUCT, product.external_id, products.pop())
    return unknown


def variants_by_sku(session: Session, skus: Iterable[str]) -> dict[str, tuple[int, int]]:
    """SKU -> (variant id, product id) for the SKUs that exist."""
    found: dict[str, tuple[int, int]] = {}
    for batch in chunked(set(skus)):
        stmt = select(CanonicalVariant.sku, CanonicalVariant.id, CanonicalVariant.product_id).where(
            col(CanonicalVariant.sku).in_(batch)
        )
        found.update(
            {sku: (variant_id, product_id) for sku, variant_id, product_id in session.exec(stmt) if variant_id}
        )
    return found


def channel_products(session: Session, channel_id: int, product_ids: Iterable[int]) -> dict[int, ChannelBinding]:
    """Canonical product id -> its binding on the channel (external id and digest), for the bound ones."""
    found: dict[int, ChannelBinding] = {}
    for batch in chunked(set(product_ids)):
        stmt = select(Binding.internal_id, Binding.external_id, Binding.digest).where(
            Binding.channel_id == channel_id,
            Binding.kind == BindingKind.PRODUCT,
            col(Binding.internal_id).in_(batch),
        )
        found.update({internal: ChannelBinding(external, digest) for internal, external, digest in session.exec(stmt)})
    return found
