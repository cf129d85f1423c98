"""The emulator answers as WooCommerce does: paging limits and headers, batch limits and per-item errors,
silent drops of unmanaged stock, order search and stock effects, throttling, seeding, standalone mode."""

from __future__ import annotations

import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import woocommerce  # type: ignore[import-untyped]

from connectors.woocommerce.fake import FakeWooCommerce
from connectors.woocommerce.fake_seed import default_seed
from syncd.http import ManualClock
from syncd.testing import RateLimit

REPO = Path(__file__).resolve().parents[3]


@pytest.fixture
def api(store: FakeWooCommerce) -> Any:
    """The woocommerce package itself, signing with OAuth 1.0a over http."""
    return woocommerce.API(
        url=store.base_url, consumer_key=store.key.consumer_key, consumer_secret=store.key.consumer_secret
    )


def test_paging_limits_and_headers(store: FakeWooCommerce, api: Any) -> None:
    store.add_products(25)
    too_many = api.get("products", params={"per_page": 101})
    assert too_many.status_code == 400
    assert too_many.json()["code"] == "rest_invalid_param"
    assert "between 1 (inclusive) and 100 (inclusive)" in too_many.json()["data"]["params"]["per_page"]
    second = api.get("products", params={"per_page": 10, "page": 2})
    assert (second.headers["X-WP-Total"], second.headers["X-WP-TotalPages"]) == ("25", "3")
    assert len(second.json()) == 10
    link = second.headers["Link"]
    assert f'<{store.base_url}/wp-json/wc/v3/products?per_page=10&page=3>; rel="next"' in link
    assert 'rel="prev"' in link
    assert "oauth" not in link
    assert api.get("products/batch").json()["code"] == "rest_no_route"


def test_batches_over_100_items_are_refused_and_item_errors_come_with_http_200(
    store: FakeWooCommerce, api: Any
) -> None:
    ids = [int(i) for i in store.add_products(2)]
    (unmanaged,) = store.add_products(1, stock=None)
    too_big = api.post("products/batch", {"update": [{"id": ids[0], "stock_quantity": 1}] * 101})
    assert too_big.status_code == 413
    assert too_big.json()["code"] == "woocommerce_rest_request_entity_too_large"

    updates = [{"id": ids[0], "stock_quantity": 4}, {"id": 999999, "stock_quantity": 1}]
    updates.append({"id": int(unmanaged), "stock_quantity": 5})
    answer = api.post("products/batch", {"update": updates})
    assert answer.status_code == 200
    first, missing, dropped = answer.json()["update"]
    assert (first["id"], first["stock_quantity"]) == (ids[0], 4)
    assert missing == {
        "id": 999999,
        "error": {"code": "woocommerce_rest_product_invalid_id", "message": "Invalid ID.", "data": {"status": 400}},
    }
    # WooCommerce saves an item that does not manage stock and drops the quantity without a word.
    assert (dropped["manage_stock"], dropped["stock_quantity"]) == (False, None)

    (variable,) = store.add_products(1, variations_per_product=1)
    wrong = api.post(f"products/{variable}/variations/batch", {"update": [{"id": ids[1], "stock_quantity": 1}]})
    assert wrong.json()["update"][0]["error"]["code"] == "woocommerce_rest_product_variation_invalid_id"


def test_orders_search_reduce_stock_when_paid_and_restore_it_when_cancelled(store: FakeWooCommerce, api: Any) -> None:
    (simple,) = store.add_products(1)
    body = {
        "set_paid": True,
        "transaction_id": "tts-ref-1",
        "billing": {"first_name": "Ada", "city": "Lagos"},
        "line_items": [{"sku": f"WOO-{simple}", "quantity": 3}],
    }
    created = api.post("orders", body).json()
    assert created["status"] == "processing"
    assert created["date_paid_gmt"] is not None
    assert store.product_by_sku(f"WOO-{simple}")["stock_quantity"] == 7  # type: ignore[index]
    for term in ("tts-ref-1", "lagos", str(created["id"]), f"Product {simple}"):
        assert [o["id"] for o in api.get("orders", params={"search": term}).json()] == [created["id"]]
    assert api.get("orders", params={"search": "nowhere"}).json() == []

    api.put(f"orders/{created['id']}", {"status": "cancelled"})
    assert store.product_by_sku(f"WOO-{simple}")["stock_quantity"] == 10  # type: ignore[index]
    notes = [note["note"] for note in api.get(f"orders/{created['id']}/notes").json()]
    assert any(note.startswith("Stock levels reduced:") for note in notes)
    assert any(note.startswith("Stock levels increased:") for note in notes)
    assert api.get("orders/424242").json()["code"] == "woocommerce_rest_shop_order_invalid_id"
    unknown = api.post("orders", {"line_items": [{"product_id": 424242, "quantity": 1}]})
    assert (unknown.status_code, unknown.json()["code"]) == (400, "woocommerce_rest_invalid_product_id")


def test_the_platform_limit_answers_429_with_retry_after(clock: ManualClock) -> None:
    with FakeWooCommerce(clock=clock.monotonic, rate_limit=RateLimit(capacity=2, per_second=1)) as fake:
        api = woocommerce.API(
            url=fake.base_url, consumer_key=fake.key.consumer_key, consumer_secret=fake.key.consumer_secret
        )
        statuses = [api.get("products").status_code for _ in range(3)]
        throttled = api.get("products")
        assert statuses == [200, 200, 429]
        assert throttled.status_code == 429
        assert throttled.headers["Retry-After"] == "1"
        assert throttled.json()["code"] == "rate_limit_exceeded"
        clock.advance(1.0)
        assert api.get("products").status_code == 200


def test_the_bundled_seed_is_the_documentation_store(store: FakeWooCommerce, api: Any) -> None:
    store.load_seed(default_seed())
    variable = api.get("products/799").json()
    assert (variable["type"], sorted(variable["variations"])) == ("variable", [732, 733])
    assert [v["id"] for v in api.get("products/799/variations", params={"orderby": "id", "order": "asc"}).json()] == [
        732,
        733,
    ]
    assert api.get("orders/727").json()["line_items"][1]["sku"] == "Bar3"
    assert (variable["date_modified_gmt"], variable["date_modified"]) == ("2017-03-23T20:03:12", "2017-03-23T17:03:12")


@pytest.fixture
def standalone() -> Iterator[tuple[subprocess.Popen[str], dict[str, str]]]:
    process = subprocess.Popen(
        [sys.executable, "-m", "connectors.woocommerce.fake", "--port", "0", "--no-rate-limit"],
        cwd=REPO,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    printed = dict(process.stdout.readline().strip().split(": ", 1) for _ in range(3))
    try:
        yield process, printed
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
        process.wait(timeout=10)


def test_standalone_mode_prints_what_a_client_needs(standalone: tuple[subprocess.Popen[str], dict[str, str]]) -> None:
    process, printed = standalone
    assert set(printed) == {"url", "consumer_key", "consumer_secret"}
    api = woocommerce.API(
        url=printed["url"], consumer_key=printed["consumer_key"], consumer_secret=printed["consumer_secret"]
    )
    products = api.get("products", params={"orderby": "id", "order": "asc"}).json()
    assert [(p["id"], p["sku"]) for p in products] == [(794, "WOO-794"), (799, "WOO-799")]
    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=10) == 0
