"""Products in the emulator: create/edit/search, per-SKU inventory errors, prices, status changes, limits."""

from __future__ import annotations

from typing import Any

import pytest
from tts_harness import SignedApi

from connectors.tiktok_shop.fake import FakeTikTokShop
from syncd.http import ManualClock

PRODUCTS = "/product/202309/products"
SEARCH = "/product/202502/products/search"
MAIN = "7068517275539719942"
OVERFLOW = "7068517275539719943"


def new_product(seller_sku: str = "TEE-BLK-M", **overrides: Any) -> dict[str, Any]:
    """A create-product body shaped like the DOC-CP request example (reference §4.3)."""
    body: dict[str, Any] = {
        "title": "Everyday Cotton Tee",
        "description": "<p>Soft cotton.</p>",
        "category_id": "601302",
        "main_images": [{"uri": "tos-maliva-i-o3syd03w52-us/c668cdf70b7f483c94dbe"}],
        "package_weight": {"value": "0.3", "unit": "KILOGRAM"},
        "skus": [
            {
                "seller_sku": seller_sku,
                "price": {"amount": "19.99", "currency": "USD"},
                "inventory": [{"warehouse_id": MAIN, "quantity": 12}],
                "sales_attributes": [{"name": "Color", "value_name": "Black"}],
            }
        ],
    }
    body.update(overrides)
    return body


def test_create_then_get(api: SignedApi) -> None:
    created = api.ok("POST", PRODUCTS, body=new_product())

    product = api.ok("GET", f"{PRODUCTS}/{created['product_id']}")

    assert created["skus"][0]["seller_sku"] == "TEE-BLK-M"
    assert created["warnings"] == []
    assert product["status"] == "ACTIVATE"
    sku = product["skus"][0]
    assert sku["id"] == created["skus"][0]["id"]
    assert sku["price"] == {"currency": "USD", "sale_price": "19.99", "tax_exclusive_price": "19.99"}
    assert sku["inventory"] == [{"warehouse_id": MAIN, "quantity": 12}]
    assert [c["id"] for c in product["category_chains"]] == ["601152", "601226", "601302"]


def test_listing_waits_for_review_without_auto_approval(api: SignedApi, fake: FakeTikTokShop) -> None:
    fake.auto_approve_products = False
    listed = api.ok("POST", PRODUCTS, body=new_product())["product_id"]
    draft = api.ok("POST", PRODUCTS, body=new_product("TEE-2", save_mode="DRAFT"))["product_id"]

    assert fake.products[listed].status == "PENDING"
    assert fake.products[draft].status == "DRAFT"


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"package_weight": None}, 98001004),
        ({"category_id": "601226"}, 98001004),  # not a leaf
        ({"main_images": []}, 98001004),
        ({"brand_id": "1"}, 98001004),
    ],
)
def test_create_validates_the_payload(api: SignedApi, change: dict[str, Any], code: int) -> None:
    assert api.error("POST", PRODUCTS, body=new_product(**change))[1]["code"] == code


def test_more_than_100_skus_and_bad_quantities_have_their_own_codes(api: SignedApi) -> None:
    sku = new_product()["skus"][0]
    too_many = new_product(skus=[{**sku, "seller_sku": f"S-{n}"} for n in range(101)])
    bad_quantity = new_product(skus=[{**sku, "inventory": [{"warehouse_id": MAIN, "quantity": 100_000}]}])

    assert api.error("POST", PRODUCTS, body=too_many)[1]["code"] == 12052050
    assert api.error("POST", PRODUCTS, body=bad_quantity)[1]["code"] == 12052055


def test_an_idempotency_key_makes_create_safe_to_retry(api: SignedApi, fake: FakeTikTokShop) -> None:
    body = new_product(idempotency_key="create-TEE-BLK-M-1")

    first = api.ok("POST", PRODUCTS, body=body)
    again = api.ok("POST", PRODUCTS, body=body)

    assert first == again
    assert len(fake.products) == 1


def test_the_daily_creation_cap(api: SignedApi, fake: FakeTikTokShop, clock: ManualClock) -> None:
    fake.daily_product_cap = 2
    api.ok("POST", PRODUCTS, body=new_product("A"))
    api.ok("POST", PRODUCTS, body=new_product("B"))

    assert api.error("POST", PRODUCTS, body=new_product("C"))[1]["code"] == 12052109
    clock.advance(24 * 3600)  # a new UTC day
    assert api.ok("POST", PRODUCTS, body=new_product("C"))


def test_search_pages_and_filters(api: SignedApi, fake: FakeTikTokShop) -> None:
    products = fake.add_products(25, skus_per_product=2)
    fake.set_product_status(products[0], "DELETED")
    seen: list[str] = []
    token = ""
    while True:
        query = {"page_size": "10", **({"page_token": token} if token else {})}
        data = api.ok("POST", SEARCH, query=query, body={})
        seen += [p["id"] for p in data["products"]]
        assert data["total_count"] == 24  # deleted products are left out of ALL
        token = data["next_page_token"]
        if not token:
            break

    assert sorted(seen) == sorted(p.id for p in products[1:])
    by_sku = api.ok("POST", SEARCH, query={"page_size": "5"}, body={"seller_skus": [products[3].skus[1].seller_sku]})
    assert [p["id"] for p in by_sku["products"]] == [products[3].id]
    deleted = api.ok("POST", "/product/202309/products/search", query={"page_size": "5"}, body={"status": "DELETED"})
    assert [p["id"] for p in deleted["products"]] == [products[0].id]


def test_inventory_update_reports_bad_skus_per_sku_with_code_0(api: SignedApi, fake: FakeTikTokShop) -> None:
    product = fake.add_product(skus=3)
    other = fake.add_product(skus=1)
    good, too_many, negative = product.skus
    body = {
        "skus": [
            {"id": good.id, "inventory": [{"quantity": 7}]},  # one warehouse: warehouse_id may be left out
            {"id": too_many.id, "inventory": [{"warehouse_id": MAIN, "quantity": 100_000}]},
            {"id": negative.id, "inventory": [{"warehouse_id": MAIN, "quantity": -1}]},
            {"id": other.skus[0].id, "inventory": [{"warehouse_id": MAIN, "quantity": 3}]},
            {"id": "1729599999999999999", "inventory": [{"warehouse_id": MAIN, "quantity": 3}]},
        ]
    }

    data = api.ok("POST", f"{PRODUCTS}/{product.id}/inventory/update", body=body)

    failed = {e["detail"]["sku_id"]: e for e in data["errors"]}
    assert set(failed) == {too_many.id, negative.id, other.skus[0].id, "1729599999999999999"}
    assert failed[too_many.id]["detail"]["extra_errors"][0] == {
        "warehouse_id": MAIN,
        "code": 12052055,
        "message": "The quantity must be between 0 and 99999.",
    }
    assert fake.sku_quantity(good.id) == 7
    assert fake.sku_quantity(too_many.id) == 10
    assert fake.sku_quantity(other.skus[0].id) == 10


def test_inventory_update_without_errors_and_search(api: SignedApi, fake: FakeTikTokShop) -> None:
    product = fake.add_product(skus=2)
    body = {"skus": [{"id": s.id, "inventory": [{"warehouse_id": MAIN, "quantity": 0}]} for s in product.skus]}

    assert api.ok("POST", f"{PRODUCTS}/{product.id}/inventory/update", body=body) == {}
    data = api.ok("POST", "/product/202309/inventory/search", body={"sku_ids": [product.skus[1].id]})
    assert data["inventory"] == [
        {
            "product_id": product.id,
            "skus": [
                {
                    "id": product.skus[1].id,
                    "seller_sku": product.skus[1].seller_sku,
                    "total_available_quantity": 0,
                    "total_committed_quantity": 0,
                    "warehouse_inventory": [{"warehouse_id": MAIN, "available_quantity": 0, "committed_quantity": 0}],
                }
            ],
        }
    ]


def test_prices_update_is_all_or_nothing(api: SignedApi, fake: FakeTikTokShop) -> None:
    product = fake.add_product(skus=2)
    path = f"{PRODUCTS}/{product.id}/prices/update"
    bad = {"skus": [{"id": product.skus[0].id, "price": {"amount": "9.00", "currency": "USD"}}, {"id": "nope"}]}

    assert api.error("POST", path, body=bad)[1]["code"] == 98001004
    assert product.skus[0].price == "19.99"
    assert (
        api.ok(
            "POST", path, body={"skus": [{"id": product.skus[0].id, "price": {"amount": "9.00", "currency": "USD"}}]}
        )
        == {}
    )
    assert product.skus[0].price == "9.00"


def test_edit_replaces_and_partial_edit_merges(api: SignedApi, fake: FakeTikTokShop) -> None:
    created = api.ok("POST", PRODUCTS, body=new_product())
    product_id, kept = created["product_id"], created["skus"][0]["id"]
    body = new_product(title="Renamed Tee")
    body["skus"] = [
        {**body["skus"][0], "id": kept},
        {**body["skus"][0], "seller_sku": "TEE-WHT-M", "inventory": [{"warehouse_id": OVERFLOW, "quantity": 4}]},
    ]

    edited = api.ok("PUT", f"{PRODUCTS}/{product_id}", body=body)
    partial = api.ok("POST", f"{PRODUCTS}/{product_id}/partial_edit", body={"title": "Partially Renamed"})

    assert next(s["id"] for s in edited["skus"]) == kept
    assert len(edited["skus"]) == 2
    assert partial["product_id"] == product_id
    product = api.ok("GET", f"{PRODUCTS}/{product_id}")
    assert product["title"] == "Partially Renamed"
    assert [s["seller_sku"] for s in product["skus"]] == ["TEE-BLK-M", "TEE-WHT-M"]
    assert api.ok("PUT", f"/product/202509/products/{product_id}", body=new_product())["skus"][0]["id"] != kept


def test_status_changes_report_per_product_errors(api: SignedApi, fake: FakeTikTokShop) -> None:
    first, second = fake.add_products(2)

    assert api.ok("POST", f"{PRODUCTS}/deactivate", body={"product_ids": [first.id]}) == {}
    data = api.ok("POST", f"{PRODUCTS}/activate", body={"product_ids": [first.id, "1729000000099999999"]})
    assert [e["detail"]["product_id"] for e in data["errors"]] == ["1729000000099999999"]
    assert api.ok("DELETE", PRODUCTS, body={"product_ids": [second.id]}) == {}
    assert api.ok("GET", f"{PRODUCTS}/{second.id}")["status"] == "DELETED"
    assert api.ok("POST", f"{PRODUCTS}/recover", body={"product_ids": [second.id]}) == {}
    assert (first.status, second.status) == ("ACTIVATE", "ACTIVATE")


def test_an_unknown_product_is_a_parameter_error(api: SignedApi) -> None:
    assert api.error("GET", f"{PRODUCTS}/1729000000099999999")[1]["code"] == 98001004


def test_categories_rules_attributes_and_brands(api: SignedApi) -> None:
    categories = api.ok("GET", "/product/202309/categories")["categories"]
    rules = api.ok("GET", "/product/202309/categories/601302/rules")
    attributes = api.ok("GET", "/product/202309/categories/601302/attributes")["attributes"]
    brands = api.ok("GET", "/product/202309/brands", query={"page_size": "10"})
    created = api.ok("POST", "/product/202309/brands", cipher=False, body={"name": "Syncd Test Brand"})

    assert {"id", "parent_id", "local_name", "is_leaf", "permission_statuses"} <= set(categories[0])
    assert rules["size_chart"] == {"is_supported": True, "is_required": True}
    assert any(a["type"] == "SALES_PROPERTY" for a in attributes)
    assert brands["total_count"] == len(brands["brands"]) == 3
    assert (
        api.ok("GET", "/product/202309/brands", query={"page_size": "10", "brand_name": "syncd"})["brands"][0]["id"]
        == created["id"]
    )
    assert api.error("POST", "/product/202309/brands", cipher=True, body={"name": "X"})[1]["code"] == 36009004


def test_listing_check_and_prerequisites(api: SignedApi, fake: FakeTikTokShop) -> None:
    assert api.ok("POST", "/product/202309/products/listing_check", body=new_product())["check_result"] == "PASS"
    failed = api.ok("POST", "/product/202309/products/listing_check", body=new_product(title=""))
    assert failed["check_result"] == "FAILED"
    assert "title" in failed["fail_reasons"][0]["message"]
    checks = api.ok("GET", "/product/202312/prerequisites")["check_results"]
    assert {c["check_item"] for c in checks} >= {"SHOP_STATUS", "PICKUP_WAREHOUSE", "PRODUCT_QUANTITY_LIMIT"}
    assert not any(c["is_failed"] for c in checks)
    fake.daily_product_cap = 0
    capped = {c["check_item"]: c for c in api.ok("GET", "/product/202309/prerequisites")["check_results"]}
    assert capped["PRODUCT_QUANTITY_LIMIT"]["is_failed"] is True
    assert all(isinstance(reason, str) for reason in capped["PRODUCT_QUANTITY_LIMIT"]["fail_reasons"])
