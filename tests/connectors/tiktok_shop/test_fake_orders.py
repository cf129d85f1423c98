"""Orders in the emulator: cursor pages by update_time windows, detail by ids, external order references."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from tts_harness import SignedApi

from connectors.tiktok_shop.fake import FakeTikTokShop
from syncd.http import ManualClock

SEARCH = "/order/202309/orders/search"
DETAIL = "/order/202309/orders"
EXTERNAL = "/order/202406/orders/external_orders"


def search_all(api: SignedApi, body: dict[str, Any], *, page_size: int = 50, **query: str) -> list[dict[str, Any]]:
    """Every order the search matches, page by page, checking the cursor contract on the way."""
    orders: list[dict[str, Any]] = []
    token = ""
    seen_tokens: set[str] = set()
    while True:
        params = {"page_size": str(page_size), **query, **({"page_token": token} if token else {})}
        data = api.ok("POST", SEARCH, query=params, body=body)
        assert len(data["orders"]) <= page_size
        orders += data["orders"]
        token = data["next_page_token"]
        if not token:
            assert data["total_count"] == len(orders)
            return orders
        assert token not in seen_tokens
        seen_tokens.add(token)


@pytest.fixture
def seeded(fake: FakeTikTokShop, clock: ManualClock) -> int:
    """120 orders updated one minute apart, ending an hour before now; returns the first update time."""
    fake.add_products(5, skus_per_product=2)
    start = int(clock.now().timestamp()) - 3600 - 120 * 60
    fake.add_orders(120, start=start, spacing=60)
    return start


def test_update_time_windows_page_every_order_exactly_once(api: SignedApi, seeded: int) -> None:
    # Three adjacent half-open windows [ge, lt) cover the 120 orders with no overlap.
    bounds = [seeded, seeded + 40 * 60, seeded + 80 * 60, seeded + 120 * 60]
    found: list[str] = []
    for low, high in itertools.pairwise(bounds):
        window = search_all(api, {"update_time_ge": low, "update_time_lt": high}, page_size=17)
        assert all(low <= order["update_time"] < high for order in window)
        found += [order["id"] for order in window]

    assert len(found) == len(set(found)) == 120


def test_sorting_follows_sort_field_and_order(api: SignedApi, seeded: int) -> None:
    ascending = search_all(api, {}, sort_field="update_time", sort_order="ASC")
    descending = search_all(api, {}, sort_field="create_time")  # DESC is the default

    assert [o["update_time"] for o in ascending] == sorted(o["update_time"] for o in ascending)
    assert [o["id"] for o in descending] == [o["id"] for o in reversed(ascending)]


def test_a_status_change_moves_an_order_into_a_later_window(
    api: SignedApi, fake: FakeTikTokShop, clock: ManualClock, seeded: int
) -> None:
    first = search_all(api, {"update_time_ge": seeded, "update_time_lt": seeded + 60})[0]
    clock.advance(30)

    fake.set_order_status(first["id"], "CANCELLED")

    now = int(clock.now().timestamp())
    recent = search_all(api, {"update_time_ge": now - 10, "update_time_lt": now + 1})
    assert [(o["id"], o["status"], o["update_time"]) for o in recent] == [(first["id"], "CANCELLED", now)]
    assert search_all(api, {"update_time_ge": seeded, "update_time_lt": seeded + 60}) == []


def test_filters_on_status_and_create_time(api: SignedApi, fake: FakeTikTokShop, seeded: int) -> None:
    sku = next(iter(fake.skus.values()))
    unpaid = fake.add_order([(sku, 1)], status="UNPAID", create_time=seeded + 5)

    found = search_all(api, {"order_status": "UNPAID", "create_time_ge": seeded, "create_time_lt": seeded + 60})

    assert [o["id"] for o in found] == [unpaid.id]
    assert "recipient_address" not in found[0]  # withheld while unpaid
    assert api.error("POST", SEARCH, query={"page_size": "5"}, body={"order_status": "SHIPPED"})[1]["code"] == 36009004


def test_page_size_is_required_and_bounded(api: SignedApi) -> None:
    for query in ({}, {"page_size": "0"}, {"page_size": "101"}):
        assert api.error("POST", SEARCH, query=query, body={})[1]["code"] == 36009004


def test_a_token_from_another_query_is_refused(api: SignedApi, seeded: int) -> None:
    token = api.ok("POST", SEARCH, query={"page_size": "10"}, body={})["next_page_token"]

    status, payload = api.error(
        "POST", SEARCH, query={"page_size": "10", "page_token": token}, body={"order_status": "UNPAID"}
    )

    assert (status, payload["code"]) == (200, 36009004)


def test_a_quantity_is_one_line_item_per_unit(api: SignedApi, fake: FakeTikTokShop) -> None:
    product = fake.add_product(skus=[{"seller_sku": "MUG-RED", "price": "12.50", "quantity": 8}])

    order = fake.add_order([("MUG-RED", 3)])

    detail = api.ok("GET", DETAIL, query={"ids": order.id})["orders"][0]
    assert [line["seller_sku"] for line in detail["line_items"]] == ["MUG-RED"] * 3
    assert len({line["id"] for line in detail["line_items"]}) == 3
    assert detail["payment"]["sub_total"] == "37.50"
    assert fake.sku_quantity(product.skus[0].id) == 5  # the order took its units off the shelf


def test_detail_takes_at_most_50_ids(api: SignedApi, fake: FakeTikTokShop, seeded: int) -> None:
    ids = list(fake.orders)

    data = api.ok("GET", DETAIL, query={"ids": ",".join(ids[:50])})
    status, payload = api.error("GET", DETAIL, query={"ids": ",".join(ids[:51])})

    assert len(data["orders"]) == 50
    assert (status, payload["code"]) == (200, 36009004)


def test_detail_skips_unknown_ids_and_serves_202507(api: SignedApi, fake: FakeTikTokShop, seeded: int) -> None:
    known = next(iter(fake.orders))

    data = api.ok("GET", "/order/202507/orders", query={"ids": f"{known},576400000099999999"})

    assert [o["id"] for o in data["orders"]] == [known]


def test_external_references_fail_per_order_with_code_0(api: SignedApi, fake: FakeTikTokShop, seeded: int) -> None:
    known = next(iter(fake.orders))
    body = {
        "orders": [
            {
                "id": known,
                "external_order": {
                    "id": "5012345678901",
                    "platform": "SHOPIFY",
                    "line_items": [{"id": "577000000000000001", "origin_id": "13579"}],
                },
            },
            {"id": "576461413038785752", "external_order": {"id": "5012345678902", "platform": "SHOPIFY"}},
        ]
    }

    data = api.ok("POST", EXTERNAL, body=body)

    assert data["errors"] == [
        {
            "code": "36020001",  # a string, per the documented example
            "message": "Invalid order_id",
            "detail": {
                "order_id": "576461413038785752",
                "external_order": {"id": "5012345678902", "platform": "SHOPIFY"},
            },
        }
    ]
    saved = api.ok("GET", f"/order/202406/orders/{known}/external_orders", query={"platform": "SHOPIFY"})
    assert saved["external_orders"] == [
        {
            "id": "5012345678901",
            "platform": "SHOPIFY",
            "line_items": [{"id": "577000000000000001", "origin_id": "13579"}],
        }
    ]


def test_same_platform_updates_and_another_platform_adds(api: SignedApi, fake: FakeTikTokShop, seeded: int) -> None:
    order_id = next(iter(fake.orders))

    def attach(external_id: str, platform: str) -> None:
        assert (
            api.ok(
                "POST",
                EXTERNAL,
                body={"orders": [{"id": order_id, "external_order": {"id": external_id, "platform": platform}}]},
            )
            == {}
        )

    attach("1001", "SHOPIFY")
    attach("1002", "SHOPIFY")
    attach("woo-77", "WOOCOMMERCE")

    def refs(platform: str) -> list[str]:
        data = api.ok("GET", f"/order/202406/orders/{order_id}/external_orders", query={"platform": platform})
        return [ref["id"] for ref in data["external_orders"]]

    assert (refs("SHOPIFY"), refs("WOOCOMMERCE"), refs("MAGENTO")) == (["1002"], ["woo-77"], [])


def test_search_by_external_reference_is_a_query_only_post(api: SignedApi, fake: FakeTikTokShop, seeded: int) -> None:
    order_id = next(iter(fake.orders))
    api.ok(
        "POST", EXTERNAL, body={"orders": [{"id": order_id, "external_order": {"id": "1001", "platform": "SHOPIFY"}}]}
    )
    path = "/order/202406/orders/external_order_search"

    found = api.ok("POST", path, query={"platform": "SHOPIFY", "external_order_id": "1001"})
    missing = api.ok("POST", path, query={"platform": "SHOPIFY", "external_order_id": "9999"})

    assert found["orders"][0]["id"] == order_id
    assert found["orders"][0]["external_order"]["id"] == "1001"
    assert missing == {}  # `orders` is left out when nothing matches


def test_external_references_take_at_most_100_orders(api: SignedApi, fake: FakeTikTokShop, seeded: int) -> None:
    entry = {"id": next(iter(fake.orders)), "external_order": {"id": "1", "platform": "SHOPIFY"}}

    assert api.error("POST", EXTERNAL, body={"orders": [entry] * 101})[1]["code"] == 36009004
    assert api.error("POST", EXTERNAL, body={"orders": []})[1]["code"] == 36009004
    bad_platform = {"orders": [{**entry, "external_order": {"id": "1", "platform": "SHOPPIFY"}}]}
    assert api.error("POST", EXTERNAL, body=bad_platform)[1]["code"] == 36009004


def test_price_detail(api: SignedApi, fake: FakeTikTokShop) -> None:
    fake.add_product(skus=[{"seller_sku": "CAP", "price": "15.00"}])
    order = fake.add_order([("CAP", 2)], shipping_fee="4.99")

    data = api.ok("GET", f"/order/202407/orders/{order.id}/price_detail")

    assert (data["subtotal"], data["shipping"], data["total"]) == ("30.00", "4.99", "34.99")
    assert len(data["line_items"]) == 2
