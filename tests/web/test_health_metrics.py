"""`/healthz`, `/readyz` and `/metrics` over real HTTP: readiness fails when a platform revokes syncd's access,
and the metrics expose the counters and the store's gauges."""

from __future__ import annotations

import re
from typing import Any

import httpx
from web_support import MakeRuntime, Serve, shopify_delivery, sync_catalog, tiktok_delivery

from syncd.sandbox.merchant import Merchant
from syncd.store import channels, quarantine
from syncd.store.engine import session_scope
from syncd.web.metrics import Metrics

SETTLE = 30.0


def test_healthz_and_readyz_when_all_is_well(merchant: Merchant, make_runtime: MakeRuntime, serve: Serve) -> None:
    service = serve(make_runtime(merchant), scheduler_running=lambda: True)
    with httpx.Client() as client:
        health = client.get(f"{service.url}/healthz")
        ready = client.get(f"{service.url}/readyz")
        head = client.head(f"{service.url}/healthz")

    assert (health.status_code, health.json()) == (200, {"status": "alive"})
    assert (ready.status_code, ready.json()) == (200, {"ready": True, "problems": []})
    assert head.status_code == 200


def test_readyz_is_503_when_the_scheduler_is_not_running(
    merchant: Merchant, make_runtime: MakeRuntime, serve: Serve, client: httpx.Client
) -> None:
    service = serve(make_runtime(merchant), scheduler_running=lambda: False)

    ready = client.get(f"{service.url}/readyz")

    assert ready.status_code == 503
    assert ready.json() == {"ready": False, "problems": ["scheduler: not running"]}


def test_readyz_is_503_after_tiktok_revokes_the_authorisation_and_names_the_fix(
    merchant: Merchant, make_runtime: MakeRuntime, serve: Serve, client: httpx.Client
) -> None:
    runtime = make_runtime(merchant)
    service = serve(runtime)
    assert client.get(f"{service.url}/readyz").status_code == 200
    body, headers = tiktok_delivery(merchant, 6, {"message": "the seller removed the app"}, "deauth-1")

    accepted = client.post(f"{service.url}/webhooks/tiktok", content=body, headers=headers)
    assert accepted.status_code == 200, accepted.text
    assert service.worker.wait_idle(SETTLE)
    ready = client.get(f"{service.url}/readyz")

    assert ready.status_code == 503
    [problem] = ready.json()["problems"]
    assert problem.startswith("channel tiktok: needs re-authorisation: the seller revoked syncd's authorisation")
    assert "syncd auth tiktok url" in problem
    with session_scope(runtime.engine) as session:
        row = channels.get_channel(session, "tiktok")
        assert row is not None
        assert row.needs_reauth
        channels.clear_needs_reauth(session, runtime.channel_id("tiktok"))
    assert client.get(f"{service.url}/readyz").status_code == 200, "ready again once authorised again"


def test_an_upcoming_expiry_and_an_uninstalled_shopify_app_mark_their_channels(
    merchant: Merchant, make_runtime: MakeRuntime, serve: Serve, client: httpx.Client
) -> None:
    runtime = make_runtime(merchant)
    service = serve(runtime)
    expiring = tiktok_delivery(merchant, 7, {"message": "expires soon", "expiration_time": 1_800_000_000}, "exp-1")
    uninstalled = shopify_delivery(merchant, "main", "app/uninstalled", {"id": 1}, "uninstall-1")

    for platform, (body, headers) in (("tiktok", expiring), ("shopify", uninstalled)):
        assert client.post(f"{service.url}/webhooks/{platform}", content=body, headers=headers).status_code == 200
    assert service.worker.wait_idle(SETTLE)
    problems = client.get(f"{service.url}/readyz").json()["problems"]

    assert len(problems) == 2
    assert any(p.startswith("channel main: needs re-authorisation") and "syncd auth main url" in p for p in problems)
    assert any(
        p.startswith("channel tiktok: needs re-authorisation: the authorisation expires at 2027") for p in problems
    )


def test_metrics_expose_jobs_webhooks_propagation_and_the_stores_gauges(
    merchant: Merchant, make_runtime: MakeRuntime, serve: Serve, client: httpx.Client
) -> None:
    runtime = make_runtime(merchant)
    sync_catalog(runtime)
    with session_scope(runtime.engine) as session:
        quarantine.quarantine(session, runtime.channel_id("tiktok"), "order", "4242", "SKU X-1 is not in the catalog")
    service = serve(runtime)
    server: Any = merchant.stores["main"].server
    variant = server.data.variant_by_sku(merchant.products[0].variants[0].sku)
    payload = {
        "inventory_item_id": variant.inventory_item_id,
        "location_id": min(server.data.locations),
        "available": 1,
    }
    body, headers = shopify_delivery(merchant, "main", "inventory_levels/update", payload, "event-1")
    assert client.post(f"{service.url}/webhooks/shopify", content=body, headers=headers).status_code == 200
    assert service.worker.wait_idle(SETTLE)

    scraped = client.get(f"{service.url}/metrics")

    assert scraped.status_code == 200
    assert scraped.headers["content-type"].startswith("text/plain")
    text = scraped.text
    assert 'syncd_webhooks_received_total{provider="shopify"} 1.0' in text
    assert 'syncd_job_runs_total{job="stock",outcome="ok"} 1.0' in text
    assert 'syncd_webhook_actions_total{action="stock",outcome="ok"} 1.0' in text
    assert re.search(r'^syncd_api_calls_total\{platform="shopify"\} [1-9]', text, re.MULTILINE)
    assert 'syncd_webhook_propagation_seconds_count{kind="inventory"} 1.0' in text
    assert 'syncd_quarantined_records{channel="tiktok",kind="order"} 1.0' in text
    assert re.search(r'^syncd_cursor_lag_seconds\{channel="main",stream="stock"\} ', text, re.MULTILINE)
    assert 'syncd_webhook_inbox_events{status="done"} 1.0' in text
    assert 'syncd_channel_needs_reauth{channel="tiktok"} 0.0' in text
    assert "syncd_store_up 1.0" in text


def test_each_metrics_object_counts_for_itself(merchant: Merchant, make_runtime: MakeRuntime) -> None:
    runtime = make_runtime(merchant)
    first, second = Metrics(runtime), Metrics(runtime)

    first.webhooks_received.labels("tiktok").inc()

    assert b'syncd_webhooks_received_total{provider="tiktok"} 1.0' in first.exposition()
    assert b"syncd_webhooks_received_total{" not in second.exposition()
