"""Seeding the emulator (helpers, seed files, bulk), running it standalone, and the canned finance and
promotion endpoints."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
from tts_harness import SignedApi, reference_sign

from connectors.tiktok_shop.fake import FakeTikTokShop
from connectors.tiktok_shop.fake.catalog import SEED_DIR
from syncd.http import ManualClock


def test_bulk_seeding_is_fast() -> None:
    fake = FakeTikTokShop()
    started = time.perf_counter()

    products = fake.add_products(2_500, skus_per_product=4)
    orders = fake.add_orders(5_000, lines_per_order=2)

    elapsed = time.perf_counter() - started
    assert (len(products), len(fake.skus), len(orders)) == (2_500, 10_000, 5_000)
    assert elapsed < 3.0, f"seeding took {elapsed:.2f}s"


def test_the_shipped_sample_seed_loads_and_serves(fake: FakeTikTokShop, api: SignedApi) -> None:
    fake.load_seed(SEED_DIR / "sample_shop.json")

    data = api.ok("POST", "/order/202309/orders/search", query={"page_size": "50"}, body={})

    assert data["total_count"] == len(fake.orders) > 0
    assert {o["status"] for o in data["orders"]} >= {"AWAITING_SHIPMENT", "UNPAID", "CANCELLED"}
    assert api.ok("POST", "/product/202502/products/search", query={"page_size": "50"}, body={})["products"]


def test_a_seed_mapping_adds_catalog_products_orders_and_webhooks(fake: FakeTikTokShop) -> None:
    fake.load_seed(
        {
            "catalog": {"shipping_providers": [{"id": "1", "name": "Local Courier", "delivery_option_ids": []}]},
            "products": [{"title": "Mug", "skus": [{"seller_sku": "MUG", "quantity": 3}]}],
            "orders": [{"lines": [{"seller_sku": "MUG", "quantity": 1}], "status": "ON_HOLD"}],
            "webhooks": [{"event_type": "ORDER_STATUS_CHANGE", "address": "http://127.0.0.1:9/hooks"}],
        }
    )

    assert fake.catalog.provider("1") == {"id": "1", "name": "Local Courier", "delivery_option_ids": []}
    assert [o.status for o in fake.orders.values()] == ["ON_HOLD"]
    assert fake.sku_quantity(fake.find_sku("MUG").id) == 2
    assert "ORDER_STATUS_CHANGE" in fake.subscriptions


def test_standalone_server_prints_working_credentials(tmp_path: Path) -> None:
    process = subprocess.Popen(  # noqa: S603 - a fixed argv: this interpreter and this module
        [sys.executable, "-m", "connectors.tiktok_shop.fake", "--seed", str(SEED_DIR / "sample_shop.json")],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        lines = [process.stdout.readline() for _ in range(8)]
        values = dict(line.split()[:2] for line in lines if line.strip())
        path = "/authorization/202309/shops"
        query = {"app_key": values["app_key"], "timestamp": str(int(time.time()))}
        query["sign"] = reference_sign(values["app_secret"], path, query)
        response = httpx.get(
            values["base_url"] + path, params=query, headers={"x-tts-access-token": values["access_token"]}
        )
        assert response.json()["data"]["shops"][0]["cipher"] == values["shop_cipher"]
    finally:
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=10) == 0


def test_finance_reports_follow_the_orders(api: SignedApi, fake: FakeTikTokShop, clock: ManualClock) -> None:
    sku = fake.add_product(skus=[{"price": "100.00"}]).skus[0]
    order = fake.add_order([(sku, 1)], create_time=int(clock.now().timestamp()) - 86_400)
    fake.add_order([(sku, 1)], status="CANCELLED")

    statements = api.ok("GET", "/finance/202309/statements", query={"sort_field": "statement_time", "page_size": "10"})
    [statement] = statements["statements"]
    assert (statement["revenue_amount"], statement["settlement_amount"]) == ("100.00", "92.00")
    transactions = api.ok(
        "GET",
        f"/finance/202501/statements/{statement['id']}/statement_transactions",
        query={"sort_field": "order_create_time"},
    )
    assert [t["order_id"] for t in transactions["transactions"]] == [order.id]
    assert api.ok("GET", "/finance/202309/payments", query={"sort_field": "create_time"})["payments"]
    assert api.ok("GET", "/finance/202309/withdrawals", query={"types": "WITHDRAW,SETTLE"})["withdrawals"]
    by_order = api.ok("GET", f"/finance/202501/orders/{order.id}/statement_transactions")
    assert by_order["settlement_amount"] == "92.00"
    assert by_order["sku_transactions"][0]["statement_id"] == statement["id"]
    flat = api.ok("GET", f"/finance/202309/orders/{order.id}/statement_transactions")  # the older, flat shape
    assert flat["statement_transactions"][0]["order_id"] == order.id
    assert api.error("GET", "/finance/202309/statements", query={})[1]["code"] == 36009004  # sort_field is required


def test_promotion_activities_and_coupons(api: SignedApi, clock: ManualClock) -> None:
    now = int(clock.now().timestamp())
    body = {
        "title": "Spring sale",
        "activity_type": "DIRECT_DISCOUNT",
        "product_level": "PRODUCT",
        "begin_time": now + 60,
        "end_time": now + 86_400,
    }

    created = api.ok("POST", "/promotion/202309/activities", body=body)
    activity = f"/promotion/202309/activities/{created['activity_id']}"
    api.ok("PUT", f"{activity}/products", body={"products": [{"id": "1729000000000000001", "discount": "10"}]})
    api.ok("PUT", activity, body={"title": "Spring sale (extended)", "end_time": now + 2 * 86_400})

    assert created["status"] == "NOT_START"
    assert api.ok("GET", activity)["products"][0]["id"] == "1729000000000000001"
    api.ok("DELETE", f"{activity}/products", body={"product_ids": ["1729000000000000001"]})
    assert api.ok("POST", f"{activity}/deactivate")["status"] == "DEACTIVATED"
    found = api.ok("POST", "/promotion/202309/activities/search", body={"activity_title": "extended"})
    assert [a["title"] for a in found["activities"]] == ["Spring sale (extended)"]
    coupons = api.ok("POST", "/promotion/202406/coupons/search", query={"page_size": "10"}, body={})["coupons"]
    assert api.ok("GET", f"/promotion/202406/coupons/{coupons[0]['id']}")["coupon"] == coupons[0]


def test_the_sample_seed_is_valid_json_with_sources(tmp_path: Path) -> None:
    data = json.loads((SEED_DIR / "sample_shop.json").read_text(encoding="utf-8"))

    assert set(data) <= {"catalog", "products", "orders", "webhooks", "_source"}
    assert (SEED_DIR / "README.md").read_text(encoding="utf-8").strip()
