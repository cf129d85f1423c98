"""The canonical catalog: products, variants upserted by SKU, locations."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import Engine
from store_helpers import T0

from syncd.store import catalog
from syncd.store.engine import session_scope
from syncd.store.sql import chunked


def test_products_are_created_and_updated(engine: Engine) -> None:
    with session_scope(engine) as session:
        product_id = catalog.create_product(session, "Mug", now=T0)
        catalog.update_product(session, product_id, title="Big mug", now=T0 + timedelta(minutes=1))
        product = catalog.get_product(session, product_id)
        assert catalog.get_product(session, product_id + 1) is None
    assert product is not None
    assert (product.title, product.created_at, product.updated_at) == ("Big mug", T0, T0 + timedelta(minutes=1))


def test_updating_a_missing_product_raises(engine: Engine) -> None:
    with pytest.raises(LookupError), session_scope(engine) as session:
        catalog.update_product(session, 999, title="x")


def test_upsert_variant_keys_on_sku(engine: Engine) -> None:
    with session_scope(engine) as session:
        mug = catalog.create_product(session, "Mug")
        cup = catalog.create_product(session, "Cup")
        first = catalog.upsert_variant(session, "MUG-RED", mug, title="Red", now=T0)
        again = catalog.upsert_variant(
            session, "MUG-RED", cup, title="Crimson", barcode="4006381333931", now=T0 + timedelta(hours=1)
        )
        variant = catalog.get_variant_by_sku(session, "MUG-RED")
    assert first == again
    assert variant is not None
    assert (variant.id, variant.product_id, variant.title, variant.barcode) == (first, cup, "Crimson", "4006381333931")
    assert (variant.created_at, variant.updated_at) == (T0, T0 + timedelta(hours=1))


def test_variants_by_sku_and_by_product(engine: Engine) -> None:
    with session_scope(engine) as session:
        mug = catalog.create_product(session, "Mug")
        red = catalog.upsert_variant(session, "MUG-RED", mug)
        blue = catalog.upsert_variant(session, "MUG-BLUE", mug)
        found = catalog.variant_ids_by_sku(session, ["MUG-RED", "MUG-BLUE", "NOPE", "MUG-RED"])
        listed = [v.sku for v in catalog.list_variants(session, mug)]
        by_id = catalog.get_variant(session, blue)
        assert catalog.get_variant_by_sku(session, "NOPE") is None
    assert found == {"MUG-RED": red, "MUG-BLUE": blue}
    assert listed == ["MUG-BLUE", "MUG-RED"]
    assert by_id is not None
    assert by_id.sku == "MUG-BLUE"


def test_locations_get_distinct_ids(engine: Engine) -> None:
    with session_scope(engine) as session:
        first = catalog.create_location(session, "Warehouse")
        second = catalog.create_location(session, "Warehouse")
    assert first != second


def test_chunked_splits_without_losing_items() -> None:
    chunks = list(chunked(range(1001), size=500))
    assert [len(c) for c in chunks] == [500, 500, 1]
    assert [item for chunk in chunks for item in chunk] == list(range(1001))
    assert list(chunked([], size=3)) == []
