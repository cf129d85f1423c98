"""The client's product and category calls against the emulator, over real HTTP."""

from __future__ import annotations

from decimal import Decimal

import pytest
from pydantic import SecretStr

from connectors.tiktok_shop import (
    InMemoryTokenStore,
    ShopClient,
    TikTokAPIError,
    TikTokFatalError,
    TikTokRateLimitedError,
    TikTokShopClient,
)
from connectors.tiktok_shop.fake import FakeTikTokShop
from connectors.tiktok_shop.models import (
    ImageRef,
    InventoryInput,
    InventoryQuantity,
    PackageWeight,
    PriceInput,
    ProductFields,
    ProductInput,
    ProductSearchFilter,
    RecommendCategoryRequest,
    SalesAttributeInput,
    SkuInput,
    SkuInventoryUpdate,
    SkuPriceUpdate,
)
from syncd.http import ManualClock, RetryPolicy

MAIN = "7068517275539719942"
OVERFLOW = "7068517275539719943"


def product_input(seller_sku: str = "MUG-SAGE", **overrides: object) -> ProductInput:
    """A create body like the documentation's example (reference §4.3)."""
    fields: dict[str, object] = {
        "title": "Stoneware Coffee Mug",
        "description": "<p>12oz stoneware mug</p>",
        "category_id": "600062",
        "main_images": [ImageRef(uri="tos-maliva-i-o3syd03w52-us/mug")],
        "skus": [
            SkuInput(
                seller_sku=seller_sku,
                price=PriceInput(amount=Decimal("14.50"), currency="USD"),
                inventory=[InventoryInput(warehouse_id=MAIN, quantity=20)],
                sales_attributes=[SalesAttributeInput(name="Color", value_name="Sage")],
            )
        ],
        "package_weight": PackageWeight(value=Decimal("0.4"), unit="KILOGRAM"),
    }
    fields.update(overrides)
    return ProductInput.model_validate(fields)


def test_create_get_edit_and_partial_edit(shop: ShopClient, fake: FakeTikTokShop) -> None:
    image = shop.products.upload_image(
        b"\x89PNG fake", use_case="MAIN_IMAGE", filename="mug.png", content_type="image/png"
    )
    created = shop.products.create(product_input(main_images=[ImageRef(uri=image.uri)], idempotency_key="mug-1"))
    product_id = created.product_id
    assert product_id is not None
    [sku] = created.skus

    product = shop.products.get(product_id)
    assert product.status == "ACTIVATE"
    assert product.skus[0].price is not None
    assert product.skus[0].price.sale_price == Decimal("14.50")
    assert [(i.warehouse_id, i.quantity) for i in product.skus[0].inventory] == [(MAIN, 20)]

    kept = SkuInput(
        id=sku.id,
        seller_sku="MUG-SAGE",
        price=PriceInput(amount=Decimal("14.50"), currency="USD"),
        inventory=[InventoryInput(warehouse_id=MAIN, quantity=20)],
    )
    added = SkuInput(
        seller_sku="MUG-RUST",
        price=PriceInput(amount=Decimal("15.00"), currency="USD"),
        inventory=[InventoryInput(warehouse_id=OVERFLOW, quantity=3)],
    )
    edited = shop.products.edit(product_id, product_input(skus=[kept, added]))
    assert [s.seller_sku for s in edited.skus] == ["MUG-SAGE", "MUG-RUST"]
    assert edited.skus[0].id == sku.id

    shop.products.partial_edit(product_id, ProductFields(title="Stoneware Mug, Sage"))
    assert shop.products.get(product_id).title == "Stoneware Mug, Sage"
    # The idempotency key makes a repeated create return the first product.
    assert (
        shop.products.create(product_input(main_images=[ImageRef(uri=image.uri)], idempotency_key="mug-1")).product_id
        == product_id
    )
    assert len(fake.products) == 1


def test_create_refusals_are_fatal_errors(shop: ShopClient) -> None:
    with pytest.raises(TikTokFatalError) as raised:
        shop.products.create(product_input(category_id="600024"))  # not a leaf category

    assert raised.value.code == "98001004"


def test_the_daily_cap_surfaces_as_a_rate_limit(shop: ShopClient, fake: FakeTikTokShop, clock: ManualClock) -> None:
    fake.daily_product_cap = 1
    shop.products.create(product_input("A"))
    started = clock.monotonic()

    with pytest.raises(TikTokRateLimitedError) as raised:
        shop.products.create(product_input("B"))

    assert raised.value.code == "12052109"
    # Throttling (reference §6.3), so retried, but only within the retry policy's budget (default: 5 attempts
    # within 60 seconds), never beyond it.
    assert fake.calls.count("create_product") == 1 + 5
    assert clock.monotonic() - started <= 60
    assert len(fake.products) == 1


def test_the_daily_cap_retries_stop_at_a_tighter_budget(
    fake: FakeTikTokShop, clock: ManualClock, store: InMemoryTokenStore
) -> None:
    fake.daily_product_cap = 0
    policy = RetryPolicy(max_attempts=10, max_elapsed=2.0, base_delay=1.0, jitter=False, clock=clock)
    with (
        TikTokShopClient(
            fake.app_key,
            SecretStr(fake.app_secret),
            token_store=store,
            base_url=fake.base_url,
            auth_base_url=fake.base_url,
            clock=clock,
            retry_policy=policy,
        ) as client,
        pytest.raises(TikTokRateLimitedError),
    ):
        client.for_shop(fake.shop["cipher"]).products.create(product_input())

    # Waits of 1 s then 1 s (capped by the 1 s left): the time budget, not the 10 attempts, ends it.
    assert fake.calls.count("create_product") == 3
    assert clock.sleeps == [1.0, 1.0]


def test_a_failed_prerequisite_reads_with_its_reasons(shop: ShopClient, fake: FakeTikTokShop) -> None:
    fake.daily_product_cap = 0

    checks = {c.check_item: c for c in shop.products.prerequisites()}

    # The emulator answers the documented shape: `fail_reasons` is a list of strings.
    assert checks["PRODUCT_QUANTITY_LIMIT"].is_failed is True
    assert checks["PRODUCT_QUANTITY_LIMIT"].fail_reasons == [
        "The number of products created today has reached the limit."
    ]
    assert all(
        not c.is_failed and c.fail_reasons == [] for item, c in checks.items() if item != "PRODUCT_QUANTITY_LIMIT"
    )
    assert [call.path for call in fake.calls.all()] == ["/product/202312/prerequisites"]


def test_search_pages_through_every_product(shop: ShopClient, fake: FakeTikTokShop) -> None:
    products = fake.add_products(23, skus_per_product=2)

    pages = list(shop.products.iter_search(page_size=10))
    by_sku = shop.products.search(ProductSearchFilter(seller_skus=[products[5].skus[1].seller_sku]), page_size=5)

    assert [len(page.products) for page in pages] == [10, 10, 3]
    assert sorted(p.id for page in pages for p in page.products) == sorted(p.id for p in products)
    assert pages[0].total_count == 23
    assert [p.id for p in by_sku.products] == [products[5].id]


def test_inventory_update_reports_failures_per_sku_and_warehouse(shop: ShopClient, fake: FakeTikTokShop) -> None:
    product = fake.add_product(skus=2)
    good, bad = product.skus
    updates = [
        SkuInventoryUpdate(id=good.id, inventory=[InventoryQuantity(warehouse_id=MAIN, quantity=0)]),
        SkuInventoryUpdate(id=bad.id, inventory=[InventoryQuantity(warehouse_id="7068517275539719944", quantity=5)]),
        SkuInventoryUpdate(id="1729599999999999999", inventory=[InventoryQuantity(warehouse_id=MAIN, quantity=5)]),
    ]

    result = shop.products.update_inventory(product.id, updates)

    assert not result.all_ok
    assert {(o.key, o.ok) for o in result.outcomes} == {
        (good.id, True),
        (bad.id, False),
        ("1729599999999999999", False),
    }
    failed = {o.key: o for o in result.failed}
    assert failed[bad.id].warehouse_id == "7068517275539719944"
    assert failed[bad.id].code == "98001004"
    assert fake.sku_quantity(good.id) == 0
    assert fake.sku_quantity(bad.id) == 10


def test_inventory_search_and_prices(shop: ShopClient, fake: FakeTikTokShop) -> None:
    product = fake.add_product(skus=[{"quantity": 4}, {"quantity": 6}])
    fake.add_order([(product.skus[0], 1)])

    [stock] = shop.products.search_inventory(product_ids=[product.id])
    shop.products.update_prices(
        product.id, [SkuPriceUpdate(id=product.skus[1].id, price=PriceInput(amount=Decimal("7.25"), currency="USD"))]
    )

    assert [(s.id, s.total_available_quantity, s.total_committed_quantity) for s in stock.skus] == [
        (product.skus[0].id, 3, 1),
        (product.skus[1].id, 6, 0),
    ]
    assert shop.products.search_inventory(sku_ids=[product.skus[1].id])[0].skus[0].id == product.skus[1].id
    assert product.skus[1].price == "7.25"


def test_lifecycle_batches_report_each_product(shop: ShopClient, fake: FakeTikTokShop) -> None:
    first, second = fake.add_products(2)
    missing = "1729000000099999999"

    deactivated = shop.products.deactivate([first.id, missing])
    activated = shop.products.activate([first.id])
    deleted = shop.products.delete([second.id])
    recovered = shop.products.recover([second.id])

    assert deactivated.succeeded == [first.id]
    assert [o.key for o in deactivated.failed] == [missing]
    assert activated.all_ok
    assert deleted.all_ok
    assert recovered.all_ok
    assert (first.status, second.status) == ("ACTIVATE", "ACTIVATE")


def test_listing_check_and_prerequisites(shop: ShopClient) -> None:
    assert shop.products.check_listing(product_input()).check_result == "PASS"
    failed = shop.products.check_listing(product_input(title="x" * 256))
    assert failed.check_result == "FAILED"
    assert failed.fail_reasons
    checks = shop.products.prerequisites()
    assert checks
    assert not any(check.is_failed for check in checks)
    # The older version stays reachable per call.
    assert [c.check_item for c in shop.products.prerequisites(version="202309")] == [c.check_item for c in checks]


def test_categories_rules_attributes_and_recommendation(shop: ShopClient) -> None:
    categories = shop.categories.list_categories(keyword="mug")
    rules = shop.categories.rules("601302")
    attributes = shop.categories.attributes("601302")
    recommended = shop.categories.recommend(RecommendCategoryRequest(product_title="Cotton tee"))

    assert [c.id for c in categories] == ["600062"]
    assert rules.size_chart is not None
    assert {a.name for a in attributes} >= {"Material", "Color", "Size"}
    assert recommended.leaf_category_id == "601302"


def test_brands_paging_and_creation(shop: ShopClient, fake: FakeTikTokShop) -> None:
    created = shop.categories.create_brand("Syncd Pottery")
    page = shop.categories.brands(brand_name="pottery")
    every = [b.id for p in shop.categories.iter_brands(page_size=2) for b in p.brands]

    assert [b.id for b in page.brands] == [created.id]
    assert sorted(every) == sorted(b["id"] for b in fake.catalog.brands)


def test_an_unknown_product_is_an_api_error(shop: ShopClient, clock: ManualClock) -> None:
    with pytest.raises(TikTokAPIError) as raised:
        shop.products.get("1729000000099999999")

    assert raised.value.code == "98001004"
    assert raised.value.request_id
