"""The connector as a catalog sink: linking listings by seller SKU, creating them, updating what the store owns."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest
from tts_connector_support import (
    ATTRIBUTE_MATERIAL,
    BRAND_NORTHWIND,
    CATEGORY_TSHIRTS,
    DEFAULT_WAREHOUSE,
    ImageHost,
    make_connector,
    new_listing,
    source_product,
)

from connectors.tiktok_shop.connector import TikTokShopConnector
from connectors.tiktok_shop.fake import FakeTikTokShop
from syncd.connector import WriteStatus
from syncd.domain import Listing, Money, ProductStatus
from syncd.http import ManualClock


@pytest.fixture
def images() -> Iterator[ImageHost]:
    with ImageHost() as host:
        yield host


@pytest.fixture
def connector(fake: FakeTikTokShop, clock: ManualClock) -> Iterator[TikTokShopConnector]:
    with make_connector(fake, clock) as made:
        yield made


def test_an_existing_listing_is_found_by_seller_sku(fake: FakeTikTokShop, connector: TikTokShopConnector) -> None:
    old = fake.add_product(skus=[{"seller_sku": "TEE-BLK-M"}], status="SELLER_DEACTIVATED", create_time=1000)
    live = fake.add_product(skus=[{"seller_sku": "TEE-BLK-M", "price": "21.50"}, {"seller_sku": "TEE-BLK-L"}])
    fake.add_product(skus=[{"seller_sku": "MUG-12"}])

    found = connector.find_variants_by_sku(["TEE-BLK-M", "TEE-BLK-L", "NOT-ON-TIKTOK"])

    assert set(found) == {"TEE-BLK-M", "TEE-BLK-L"}
    product = found["TEE-BLK-M"]
    assert product.external_id == live.id != old.id  # the active listing wins over the deactivated one
    assert product.status is ProductStatus.ACTIVE
    variant = next(v for v in product.variants if v.sku == "TEE-BLK-M")
    assert variant.external_id == live.skus[0].id
    assert variant.price == Money(amount=Decimal("21.50"), currency="USD")


def test_a_new_listing_is_created_with_its_spec_stock_and_uploaded_images(
    fake: FakeTikTokShop, connector: TikTokShopConnector, images: ImageHost
) -> None:
    product = source_product(
        "gid://shopify/Product/1",
        [images.url("/img/front.png"), images.url("/img/back.png")],
        skus=[("TEE-S", "24.00", {"Size": "S"}), ("TEE-M", "25.00", {"Size": "M"})],
    )

    (result,) = connector.upsert_listings([new_listing(product, {"TEE-S": 3, "TEE-M": 0})])

    assert result.status is WriteStatus.CREATED, result.error
    assert result.key == "gid://shopify/Product/1"
    created = fake.products[result.external_id or ""]
    assert result.details == {sku.seller_sku: sku.id for sku in created.skus}
    assert set(result.details) == {"TEE-S", "TEE-M"}
    assert (created.category_id, created.brand_id) == (CATEGORY_TSHIRTS, BRAND_NORTHWIND)
    assert created.product_attributes == [{"id": ATTRIBUTE_MATERIAL, "values": [{"id": "1000041"}]}]
    assert created.package_weight == {"value": "0.45", "unit": "KILOGRAM"}
    assert [(s.seller_sku, s.price, s.inventory) for s in created.skus] == [
        ("TEE-S", "24.00", {DEFAULT_WAREHOUSE: 3}),
        ("TEE-M", "25.00", {DEFAULT_WAREHOUSE: 0}),
    ]
    assert [a["name"] for s in created.skus for a in s.sales_attributes] == ["Size", "Size"]
    assert images.served == 2
    assert len(created.main_images) == 2
    assert fake.calls.count("upload_product_image") == 2


def test_an_update_changes_only_the_fields_the_store_owns(
    fake: FakeTikTokShop, connector: TikTokShopConnector, images: ImageHost
) -> None:
    listed = fake.add_product(title="Old title", skus=[{"seller_sku": "TEE-M", "price": "19.99", "quantity": 8}])
    before = (listed.category_id, dict(listed.package_weight), dict(listed.skus[0].inventory))
    store = source_product("src-9", [images.url("/img/tee.png")], skus=[("TEE-M", "22.00", {})], title="New title")
    update = Listing(product=store, external_id=listed.id)

    (result,) = connector.upsert_listings([update])

    assert result.status is WriteStatus.UPDATED, result.error
    assert (result.external_id, result.details) == (listed.id, {"TEE-M": listed.skus[0].id})
    assert (listed.title, listed.description) == ("New title", "<p>Heavyweight organic cotton.</p>")
    assert listed.main_images[0]["uri"] != "tos-maliva-i-o3syd03w52-us/seed1"
    assert listed.skus[0].price == "22.00"
    assert (listed.category_id, listed.package_weight, listed.skus[0].inventory) == before
    assert fake.calls.count("partial_edit_product") == fake.calls.count("update_prices") == 1

    (again,) = connector.upsert_listings([update])

    assert again.status is WriteStatus.UNCHANGED
    assert fake.calls.count("partial_edit_product") == fake.calls.count("update_prices") == 1
    assert images.served == 1  # the image was uploaded once and remembered


def test_creations_stop_at_the_daily_cap_until_the_next_utc_day(
    fake: FakeTikTokShop, clock: ManualClock, images: ImageHost
) -> None:
    listings = [new_listing(source_product(f"cap-{n}", [images.url(f"/img/{n}.png")])) for n in range(3)]

    with make_connector(fake, clock, daily_listing_cap=2) as connector:
        first = connector.upsert_listings(listings)
        clock.advance(86_400)
        next_day = connector.upsert_listings(listings[2:])

    assert [r.status for r in first[:2]] == [WriteStatus.CREATED, WriteStatus.CREATED]
    assert (first[2].status, first[2].error, first[2].retryable) == (
        WriteStatus.FAILED,
        "daily listing cap reached",
        True,
    )
    assert next_day[0].status is WriteStatus.CREATED
    assert fake.calls.count("create_product") == 3


def test_an_image_that_cannot_be_fetched_fails_only_its_listing(
    fake: FakeTikTokShop, connector: TikTokShopConnector, images: ImageHost
) -> None:
    images.missing.add("gone.png")
    broken = new_listing(source_product("a", [images.url("/img/gone.png")]))
    fine = new_listing(source_product("b", [images.url("/img/fine.png")]))

    results = connector.upsert_listings([broken, fine])

    assert results[0].status is WriteStatus.FAILED
    assert results[0].error == f"could not fetch image {images.url('/img/gone.png')}: HTTP 404"
    assert results[1].status is WriteStatus.CREATED
    assert fake.calls.count("create_product") == 1


def test_tiktok_validation_errors_become_failed_results_with_code_and_message(
    fake: FakeTikTokShop, connector: TikTokShopConnector, images: ImageHost
) -> None:
    listing = new_listing(source_product("c", [images.url("/img/c.png")]))
    assert listing.spec is not None
    not_a_leaf = listing.model_copy(update={"spec": listing.spec.model_copy(update={"category_id": "601152"})})

    (result,) = connector.upsert_listings([not_a_leaf])

    assert result.status is WriteStatus.FAILED
    assert not result.retryable
    assert result.error is not None
    assert result.error.startswith("TikTok 98001004: Parameter category_id is invalid")


def test_a_listing_without_a_spec_cannot_be_created(fake: FakeTikTokShop, connector: TikTokShopConnector) -> None:
    listing = new_listing(source_product("d", ["http://127.0.0.1:9/never.png"])).model_copy(update={"spec": None})

    (result,) = connector.upsert_listings([listing])

    assert result.status is WriteStatus.FAILED
    assert "no spec" in (result.error or "")
    assert fake.calls.count("create_product") == 0
