"""Webhook deliveries over real HTTP on 127.0.0.1: each platform's signed delivery is accepted and acted on, a bad
signature changes nothing, a redelivery is processed once, and oversized or malformed bodies are refused."""

from __future__ import annotations

from typing import Any

import httpx
from web_support import (
    MakeRuntime,
    Serve,
    inbox_rows,
    shopify_delivery,
    sync_catalog,
    tiktok_order_delivery,
    woo_delivery,
)

from connectors.shopify.webhooks import webhook_hmac
from syncd.sandbox.merchant import Merchant
from syncd.store.enums import InboxStatus
from syncd.testing.sandbox import SeedOrderLine

SETTLE = 30.0  # seconds the worker may take to act on what it was sent


def test_a_signed_tiktok_order_is_imported_into_the_store(
    merchant: Merchant, make_runtime: MakeRuntime, serve: Serve, client: httpx.Client
) -> None:
    runtime = make_runtime(merchant)
    sync_catalog(runtime)
    service = serve(runtime)
    sku = merchant.products[0].variants[0].sku
    order_id = merchant.tiktok.place_order([SeedOrderLine(sku, 2)])
    assert merchant.stores["main"].orders() == []

    body, headers = tiktok_order_delivery(merchant, order_id, "notification-1")
    response = client.post(f"{service.url}/webhooks/tiktok", content=body, headers=headers)

    assert response.status_code == 200, response.text
    assert response.json() == {"status": "accepted"}
    assert service.worker.wait_idle(SETTLE)
    assert [order.source_order_id for order in merchant.stores["main"].orders()] == [order_id]
    [row] = inbox_rows(runtime)
    assert (row.provider, row.event_id, row.status, row.error) == ("tiktok", "notification-1", InboxStatus.DONE, None)
    assert row.body == body
    assert "authorization" not in row.headers, "a signature is never stored"


def test_a_signed_shopify_inventory_update_reaches_tiktok(
    merchant: Merchant, make_runtime: MakeRuntime, serve: Serve, client: httpx.Client
) -> None:
    runtime = make_runtime(merchant)
    sync_catalog(runtime)
    service = serve(runtime)
    store = merchant.stores["main"]
    sku = merchant.products[1].variants[1].sku
    store.set_stock(sku, 3)
    assert merchant.tiktok.stock_by_sku()[sku] != 3

    server: Any = store.server
    variant = server.data.variant_by_sku(sku)
    payload = {
        "inventory_item_id": variant.inventory_item_id,
        "location_id": min(server.data.locations),
        "available": 3,
    }
    body, headers = shopify_delivery(merchant, "main", "inventory_levels/update", payload, "event-1")
    response = client.post(f"{service.url}/webhooks/shopify", content=body, headers=headers)

    assert response.status_code == 200, response.text
    assert service.worker.wait_idle(SETTLE)
    assert merchant.tiktok.stock_by_sku()[sku] == 3
    [row] = inbox_rows(runtime)
    assert (row.provider, row.topic, row.status) == ("main", "inventory_levels/update", InboxStatus.DONE)
    assert "x-shopify-hmac-sha256" not in row.headers
    assert row.headers["x-shopify-topic"] == "inventory_levels/update"


def test_a_bad_signature_is_refused_and_changes_nothing(
    two_store_merchant: Merchant, make_runtime: MakeRuntime, serve: Serve, client: httpx.Client
) -> None:
    merchant = two_store_merchant
    runtime = make_runtime(merchant)
    sync_catalog(runtime)
    service = serve(runtime)
    order_id = merchant.tiktok.place_order([SeedOrderLine(merchant.products[0].variants[0].sku, 1)])
    body, headers = tiktok_order_delivery(merchant, order_id, "notification-1")
    shop_body, shop_headers = shopify_delivery(merchant, "main", "orders/updated", {"id": 1}, "event-1")
    attempts = [
        ("tiktok", body, {**headers, "authorization": "0" * 64}),
        ("tiktok", body.replace(b"AWAITING", b"AWAITIN_"), headers),  # the body changed after signing
        ("tiktok", body, {"content-type": "application/json"}),  # no signature at all
        ("shopify", shop_body, {**shop_headers, "x-shopify-hmac-sha256": "bm90IHRoZSBzaWduYXR1cmU="}),
        ("woocommerce", *woo_delivery("order.updated", {"id": 1}, "delivery-1", secret="another-secret")),
    ]

    for platform, sent, sent_headers in attempts:
        response = client.post(f"{service.url}/webhooks/{platform}", content=sent, headers=sent_headers)
        assert response.status_code == 401, (platform, response.text)
        assert response.json() == {"error": "the signature does not verify"}

    assert service.worker.wait_idle(SETTLE)
    assert inbox_rows(runtime) == []
    assert merchant.stores["main"].orders() == []
    scraped = client.get(f"{service.url}/metrics").text
    assert 'syncd_webhooks_rejected_total{provider="tiktok",reason="signature"} 3.0' in scraped
    assert 'syncd_webhooks_rejected_total{provider="woocommerce",reason="signature"} 1.0' in scraped
    # The same deliveries, correctly signed, are accepted: the refusals were about the signatures alone.
    for platform, sent, sent_headers in (
        ("tiktok", body, headers),
        ("woocommerce", *woo_delivery("order.updated", {"id": 1}, "delivery-1")),
    ):
        response = client.post(f"{service.url}/webhooks/{platform}", content=sent, headers=sent_headers)
        assert response.status_code == 200, (platform, response.text)


def test_a_delivery_to_a_shared_path_belongs_to_the_store_whose_secret_signed_it(
    two_shops_merchant: Merchant, make_runtime: MakeRuntime, serve: Serve, client: httpx.Client
) -> None:
    merchant = two_shops_merchant
    runtime = make_runtime(
        merchant, stores={"main": {"webhook_secret": "secret-a"}, "second": {"webhook_secret": "secret-b"}}
    )
    service = serve(runtime)
    body, headers = shopify_delivery(merchant, "second", "products/update", {"id": 42}, "event-9")
    headers["x-shopify-hmac-sha256"] = webhook_hmac("secret-b", body)

    response = client.post(f"{service.url}/webhooks/shopify", content=body, headers=headers)

    assert response.status_code == 200, response.text
    assert service.worker.wait_idle(SETTLE)
    [row] = inbox_rows(runtime)
    assert (row.provider, row.event_id, row.topic) == ("second", "event-9", "products/update")


def test_a_redelivery_is_answered_200_and_processed_once(
    merchant: Merchant, make_runtime: MakeRuntime, serve: Serve, client: httpx.Client
) -> None:
    runtime = make_runtime(merchant)
    sync_catalog(runtime)
    service = serve(runtime)
    order_id = merchant.tiktok.place_order([SeedOrderLine(merchant.products[1].variants[0].sku, 1)])
    body, headers = tiktok_order_delivery(merchant, order_id, "notification-7")

    first = client.post(f"{service.url}/webhooks/tiktok", content=body, headers=headers)
    assert service.worker.wait_idle(SETTLE)
    second = client.post(f"{service.url}/webhooks/tiktok", content=body, headers=headers)
    assert service.worker.wait_idle(SETTLE)

    assert (first.status_code, first.json()) == (200, {"status": "accepted"})
    assert (second.status_code, second.json()) == (200, {"status": "duplicate"})
    [row] = inbox_rows(runtime)
    assert (row.status, row.attempts) == (InboxStatus.DONE, 1)
    assert len(merchant.stores["main"].orders()) == 1
    scraped = client.get(f"{service.url}/metrics").text
    assert 'syncd_webhook_actions_total{action="order",outcome="ok"} 1.0' in scraped
    assert 'syncd_webhooks_duplicate_total{provider="tiktok"} 1.0' in scraped


def test_an_oversized_body_gets_413_and_is_not_stored(
    merchant: Merchant, make_runtime: MakeRuntime, serve: Serve, client: httpx.Client
) -> None:
    runtime = make_runtime(merchant, http={"max_body_bytes": 2048})
    service = serve(runtime)
    big = {"id": 5, "title": "x" * 3000}
    body, headers = shopify_delivery(merchant, "main", "products/update", big, "event-1")

    declared = client.post(f"{service.url}/webhooks/shopify", content=body, headers=headers)
    # Without a declared length (chunked), reading stops at the cap.
    chunks = [body[i : i + 1024] for i in range(0, len(body), 1024)]
    streamed = client.post(f"{service.url}/webhooks/shopify", content=iter(chunks), headers=headers)
    small_body, small_headers = shopify_delivery(merchant, "main", "products/update", {"id": 5}, "event-2")
    fits = client.post(f"{service.url}/webhooks/shopify", content=small_body, headers=small_headers)

    assert declared.status_code == 413
    assert declared.json() == {"error": "the body is larger than 2048 bytes"}
    assert streamed.status_code == 413
    assert fits.status_code == 200
    assert [row.event_id for row in inbox_rows(runtime)] == ["event-2"]
    scraped = client.get(f"{service.url}/metrics").text
    assert 'syncd_webhooks_rejected_total{provider="shopify",reason="too_large"} 2.0' in scraped


def test_a_verified_but_malformed_delivery_gets_400_and_is_kept_as_failed(
    merchant: Merchant, make_runtime: MakeRuntime, serve: Serve, client: httpx.Client
) -> None:
    runtime = make_runtime(merchant)
    service = serve(runtime)
    _, headers = shopify_delivery(merchant, "main", "orders/updated", {"id": 1}, "event-1")
    broken = b"{not json"
    headers["x-shopify-hmac-sha256"] = webhook_hmac(merchant.stores["main"].server.api_secret, broken)  # type: ignore[attr-defined]

    response = client.post(f"{service.url}/webhooks/shopify", content=broken, headers=headers)

    assert response.status_code == 400
    assert response.json()["error"].startswith("malformed shopify webhook: ")
    [row] = inbox_rows(runtime)
    assert (row.provider, row.status, row.body) == ("main", InboxStatus.FAILED, broken)
    assert "malformed shopify webhook" in (row.error or "")


def test_unknown_paths_and_methods(
    merchant: Merchant, make_runtime: MakeRuntime, serve: Serve, client: httpx.Client
) -> None:
    service = serve(make_runtime(merchant))

    assert client.post(f"{service.url}/webhooks/woocommerce", content=b"{}").status_code == 404  # no Woo store
    assert client.post(f"{service.url}/webhooks/tiktok/extra", content=b"{}").status_code == 404
    assert client.get(f"{service.url}/webhooks/tiktok").status_code == 405
    assert client.post(f"{service.url}/healthz").status_code == 405
    assert client.get(f"{service.url}/nothing").status_code == 404
