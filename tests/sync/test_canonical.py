"""The canonical-catalog helpers on a real database (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import Engine, func
from sqlmodel import select

from syncd.domain import Money, Product, Variant
from syncd.store import bindings, catalog, channels
from syncd.store.engine import session_scope
from syncd.store.enums import BindingKind
from syncd.store.models import CanonicalVariant
from syncd.sync import canonical

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def product(external_id: str, *skus: str, title: str = "Tee", updated_at: datetime = T0) -> Product:
    """A store product whose variants have ids `<product>-<sku>` and inventory items `item-<sku>`."""
    return Product(
        external_id=external_id,
        title=title,
        variants=tuple(
            Variant(
                external_id=f"{external_id}-{sku}",
                sku=sku,
                price=Money(amount=Decimal("10.00"), currency="USD"),
                inventory_item_id=f"item-{sku}",
            )
            for sku in skus
        ),
        updated_at=updated_at,
    )


@pytest.fixture
def store(engine: Engine) -> int:
    """The store of record's channel id."""
    with session_scope(engine) as session:
        channel_id = channels.get_or_create_channel(session, "main", "shopify").id
    assert channel_id is not None
    return channel_id


def upsert(engine: Engine, channel_id: int, record: Product) -> canonical.CanonicalRef:
    with session_scope(engine) as session:
        return canonical.upsert_store_product(session, channel_id, record, digest=canonical.payload_digest(record))


def test_payload_digest_ignores_only_the_change_time() -> None:
    base = product("p1", "A", "B")
    touched = product("p1", "A", "B", updated_at=T0 + timedelta(hours=1))
    renamed = product("p1", "A", "B", title="Tee, organic")

    assert canonical.payload_digest(base) == canonical.payload_digest(touched)
    assert canonical.payload_digest(base) != canonical.payload_digest(renamed)


def test_duplicate_skus_name_every_holder() -> None:
    page = [product("p1", "A", "B"), product("p2", "B", "C"), product("p3", "D", "D")]

    duplicates = canonical.duplicate_skus(page)

    assert duplicates == {"B": ["p1", "p2"], "D": ["p3", "p3"]}
    assert canonical.describe_duplicate("B", duplicates["B"]) == "SKU B appears in 2 products on one page: p1, p2"
    assert canonical.describe_duplicate("D", duplicates["D"]) == "SKU D appears 2 times in product p3"


def test_upsert_creates_binds_and_is_stable(engine: Engine, store: int) -> None:
    record = product("p1", "A", "B")

    first = upsert(engine, store, record)
    second = upsert(engine, store, record.model_copy(update={"title": "Tee v2"}))

    assert (second.product_id, second.variant_ids) == (first.product_id, first.variant_ids)
    assert set(first.variant_ids) == {"A", "B"}
    # Only the first sight of a store variant is new (the stock job must then read its level again).
    assert first.new_skus == ("A", "B")
    assert second.new_skus == ()
    with session_scope(engine) as session:
        assert bindings.to_internal(session, store, BindingKind.PRODUCT, "p1") == first.product_id
        for sku, variant_id in first.variant_ids.items():
            assert bindings.to_internal(session, store, BindingKind.VARIANT, f"p1-{sku}") == variant_id
            assert bindings.to_internal(session, store, BindingKind.INVENTORY_ITEM, f"item-{sku}") == variant_id
        stored = catalog.get_product(session, first.product_id)
        assert stored is not None
        assert stored.title == "Tee v2"
        assert canonical.store_digest(session, store, record) != canonical.payload_digest(record)
        found = canonical.lookup_store_product(session, store, record)
        assert found is not None
        assert (found.product_id, found.variant_ids) == (first.product_id, first.variant_ids)


def test_a_sku_under_another_product_is_moved_not_duplicated(engine: Engine, store: int) -> None:
    shirt = upsert(engine, store, product("p1", "A", "B"))
    cap = upsert(engine, store, product("p2", "C"))

    moved = upsert(engine, store, product("p2", "C", "B"))

    assert moved.product_id == cap.product_id
    assert moved.variant_ids["B"] == shirt.variant_ids["B"]
    with session_scope(engine) as session:
        assert session.exec(select(func.count()).select_from(CanonicalVariant)).one() == 3
        assert [v.sku for v in catalog.list_variants(session, shirt.product_id)] == ["A"]
        # The first product's record no longer matches what the store said about it: it must be applied again.
        assert canonical.lookup_store_product(session, store, product("p1", "A", "B")) is None


def test_a_sales_channel_only_binds_known_skus(engine: Engine, store: int) -> None:
    shirt = upsert(engine, store, product("p1", "A", "B"))
    cap = upsert(engine, store, product("p2", "C"))
    with session_scope(engine) as session:
        woo = channels.get_or_create_channel(session, "woo", "woocommerce").id
        assert woo is not None
        unknown = canonical.bind_channel_product(session, woo, product("w1", "A", "B", "Q"))
        mixed = canonical.bind_channel_product(session, woo, product("w2", "C", "A2"))
        split = canonical.bind_channel_product(session, woo, product("w3", "A", "C"))

        assert unknown == ["Q"]
        assert mixed == ["A2"]
        assert split == []
        assert catalog.get_variant_by_sku(session, "Q") is None
        assert bindings.to_internal(session, woo, BindingKind.VARIANT, "w1-B") == shirt.variant_ids["B"]
        assert bindings.to_internal(session, woo, BindingKind.INVENTORY_ITEM, "item-B") == shirt.variant_ids["B"]
        assert bindings.to_internal(session, woo, BindingKind.PRODUCT, "w1") == shirt.product_id
        assert bindings.to_internal(session, woo, BindingKind.PRODUCT, "w2") == cap.product_id
        # Its variants belong to two canonical products: the product itself stays unbound.
        assert bindings.to_internal(session, woo, BindingKind.PRODUCT, "w3") is None


def test_channel_products_give_id_and_digest(engine: Engine, store: int) -> None:
    shirt = upsert(engine, store, product("p1", "A"))
    cap = upsert(engine, store, product("p2", "B"))
    with session_scope(engine) as session:
        tiktok = channels.get_or_create_channel(session, "tiktok", "tiktok_shop").id
        assert tiktok is not None
        bindings.bind(session, tiktok, BindingKind.PRODUCT, "1729", shirt.product_id, digest="abc")

        found = canonical.channel_products(session, tiktok, [shirt.product_id, cap.product_id])

    assert found == {shirt.product_id: canonical.ChannelBinding("1729", "abc")}
