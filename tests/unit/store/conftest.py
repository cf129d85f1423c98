"""Fixtures for the store tests: two channels and a variant to hang records on."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine
from store_helpers import Ids

from syncd.store import catalog, channels
from syncd.store.engine import session_scope


@pytest.fixture
def ids(engine: Engine) -> Ids:
    """A TikTok channel, a Shopify channel, and one product with two variants."""
    with session_scope(engine) as session:
        tiktok = channels.get_or_create_channel(session, "tiktok", "tiktok_shop")
        shop = channels.get_or_create_channel(session, "shop", "shopify")
        product = catalog.create_product(session, "Mug")
        variant = catalog.upsert_variant(session, "MUG-RED", product, title="Red")
        other = catalog.upsert_variant(session, "MUG-BLUE", product, title="Blue")
    assert tiktok.id is not None
    assert shop.id is not None
    return Ids(tiktok=tiktok.id, shop=shop.id, product=product, variant=variant, other_variant=other)
