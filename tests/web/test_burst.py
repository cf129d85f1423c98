"""A burst of 1,000 signed deliveries over real HTTP: every one answered, nothing lost, each distinct event acted
on, and the actions debounced per order rather than run once per delivery."""

from __future__ import annotations

import random
import re
from concurrent.futures import ThreadPoolExecutor

import httpx
from web_support import MakeRuntime, Serve, inbox_rows, sync_catalog, tiktok_order_delivery

from syncd.sandbox.merchant import Merchant
from syncd.store.enums import InboxStatus
from syncd.testing.sandbox import SeedOrderLine

ORDERS = 10
EVENTS_PER_ORDER = 25  # distinct notifications (status changes) per order
COPIES = 4  # each notification delivered this many times (the platform's retries)
SENDERS = 16


def test_a_burst_of_1000_deliveries_is_absorbed_without_loss(
    merchant: Merchant, make_runtime: MakeRuntime, serve: Serve, client: httpx.Client
) -> None:
    runtime = make_runtime(merchant)
    sync_catalog(runtime)
    service = serve(runtime, debounce=0.2)
    skus = [variant.sku for product in merchant.products for variant in product.variants]
    order_ids = [merchant.tiktok.place_order([SeedOrderLine(skus[n % len(skus)], 1)]) for n in range(ORDERS)]
    deliveries = [
        tiktok_order_delivery(merchant, order_id, f"{order_id}-{event}")
        for order_id in order_ids
        for event in range(EVENTS_PER_ORDER)
    ] * COPIES
    random.Random(7).shuffle(deliveries)
    assert len(deliveries) == 1000

    def send(delivery: tuple[bytes, dict[str, str]]) -> tuple[int, str]:
        response = client.post(f"{service.url}/webhooks/tiktok", content=delivery[0], headers=delivery[1])
        return response.status_code, response.json().get("status", "")

    with ThreadPoolExecutor(SENDERS) as pool:
        answers = list(pool.map(send, deliveries))
    assert service.worker.wait_idle(60.0)

    assert {status for status, _ in answers} == {200}
    assert sum(1 for _, state in answers if state == "accepted") == ORDERS * EVENTS_PER_ORDER
    rows = inbox_rows(runtime)
    assert len(rows) == ORDERS * EVENTS_PER_ORDER
    assert {(row.status, row.attempts) for row in rows} == {(InboxStatus.DONE, 1)}
    imported = sorted(order.source_order_id or "" for order in merchant.stores["main"].orders())
    assert imported == sorted(order_ids), "each order is imported exactly once"
    scraped = client.get(f"{service.url}/metrics").text
    ran = _value(scraped, 'syncd_webhook_actions_total{action="order",outcome="ok"}')
    # Without debouncing every one of the 250 events would run its order; per pass each order runs once at most.
    assert ORDERS <= ran < ORDERS * EVENTS_PER_ORDER / 2, ran
    assert _value(scraped, 'syncd_webhooks_received_total{provider="tiktok"}') == 1000
    assert _value(scraped, 'syncd_webhooks_duplicate_total{provider="tiktok"}') == 750


def _value(exposition: str, sample: str) -> float:
    match = re.search(rf"^{re.escape(sample)} (\S+)$", exposition, re.MULTILINE)
    assert match is not None, f"{sample} not exposed"
    return float(match.group(1))
