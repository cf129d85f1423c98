"""`syncd webhooks register|status` against the emulators, which then deliver signed webhooks to the served app
when their state changes: a store's stock change reaches TikTok, and a TikTok order reaches the store."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result
from web_support import MakeRuntime, Serve, inbox_rows, sync_catalog, write_config

from syncd.cli import main
from syncd.runtime import Runtime
from syncd.sandbox.merchant import Merchant
from syncd.store.enums import InboxStatus
from syncd.testing.sandbox import SeedOrderLine
from syncd.web.service import WebService

SETTLE = 30.0


def webhooks_command(
    merchant: Merchant, runtime: Runtime, tmp_path: Path, public_url: str | None, *args: str
) -> Result:
    """`syncd webhooks ...` with a config whose `http.public_url` is `public_url`."""
    http = {"public_url": public_url} if public_url else None
    path = write_config(merchant, tmp_path / "cli.yaml", runtime.settings.database.url, http)
    return CliRunner().invoke(main, ["--config", str(path), "--log-format", "text", "webhooks", *args])


@contextmanager
def delivered(emulator: Any, service: WebService) -> Iterator[None]:
    """Around a change in an emulator: then wait until it delivered its webhooks and the worker acted on them."""
    server = emulator.server
    hub = getattr(server, "hub", None)  # WooCommerce counts deliveries; the others wait for an empty queue
    before = len(hub.deliveries) if hub is not None else 0
    yield
    if hub is not None:
        assert len(hub.wait_for(before + 1, SETTLE)) > before
    else:
        assert server.wait_for_webhooks(SETTLE)
    assert service.worker.wait_idle(SETTLE)


def test_register_needs_a_public_url(merchant: Merchant, make_runtime: MakeRuntime, tmp_path: Path) -> None:
    result = webhooks_command(merchant, make_runtime(merchant), tmp_path, None, "register")

    assert result.exit_code == 2
    assert "http.public_url is not set" in result.output


def test_shopify_stock_changes_reach_tiktok_through_the_emulators_webhooks(
    merchant: Merchant, make_runtime: MakeRuntime, serve: Serve, tmp_path: Path
) -> None:
    runtime = make_runtime(merchant)
    sync_catalog(runtime)
    service = serve(runtime)
    missing = webhooks_command(merchant, runtime, tmp_path, service.url, "status")
    assert missing.exit_code == 1, missing.output
    assert "missing" in missing.output

    registered = webhooks_command(merchant, runtime, tmp_path, service.url, "register")

    assert registered.exit_code == 0, registered.output
    assert f"main (shopify) -> {service.url}/webhooks/shopify" in registered.output
    assert f"tiktok (tiktok_shop) -> {service.url}/webhooks/tiktok" in registered.output
    assert "INVENTORY_LEVELS_UPDATE" in registered.output
    listed = webhooks_command(merchant, runtime, tmp_path, service.url, "status")
    assert listed.exit_code == 0, listed.output
    assert "missing" not in listed.output
    again = webhooks_command(merchant, runtime, tmp_path, service.url, "register")
    assert again.exit_code == 0, again.output
    assert "created" not in again.output, "a second registration changes nothing"

    store = merchant.stores["main"]
    sku = merchant.products[2].variants[0].sku
    with delivered(store, service):
        store.set_stock(sku, 7)

    assert merchant.tiktok.stock_by_sku()[sku] == 7
    stored = [(row.topic, row.status) for row in inbox_rows(runtime)]
    assert ("inventory_levels/update", InboxStatus.DONE) in stored


def test_a_tiktok_order_reaches_the_store_through_the_emulators_webhook(
    merchant: Merchant, make_runtime: MakeRuntime, serve: Serve, tmp_path: Path
) -> None:
    runtime = make_runtime(merchant)
    sync_catalog(runtime)
    service = serve(runtime)
    assert webhooks_command(merchant, runtime, tmp_path, service.url, "register").exit_code == 0

    sku = merchant.products[0].variants[1].sku
    with delivered(merchant.tiktok, service):
        order_id = merchant.tiktok.place_order([SeedOrderLine(sku, 1)])

    assert [order.source_order_id for order in merchant.stores["main"].orders()] == [order_id]
    assert ("ORDER_STATUS_CHANGE", InboxStatus.DONE) in [(row.topic, row.status) for row in inbox_rows(runtime)]


def test_woocommerce_stock_changes_reach_tiktok_through_the_emulators_webhooks(
    woo_merchant: Merchant, make_runtime: MakeRuntime, serve: Serve, tmp_path: Path
) -> None:
    runtime = make_runtime(woo_merchant)
    sync_catalog(runtime)
    service = serve(runtime)
    registered = webhooks_command(woo_merchant, runtime, tmp_path, service.url, "register")
    assert registered.exit_code == 0, registered.output
    assert f"main (woocommerce) -> {service.url}/webhooks/woocommerce" in registered.output
    store = woo_merchant.stores["main"]
    pings = store.server.hub.wait_for(5, SETTLE)  # type: ignore[attr-defined]
    assert [delivery.status for delivery in pings if delivery.ping] == [200] * 5, "creation pings must be answered 200"

    sku = woo_merchant.products[1].variants[0].sku
    with delivered(store, service):
        store.set_stock(sku, 5)

    assert woo_merchant.tiktok.stock_by_sku()[sku] == 5
    stored = [(row.topic, row.status) for row in inbox_rows(runtime)]
    assert ("product.updated", InboxStatus.DONE) in stored
    assert stored.count(("webhook.ping", InboxStatus.DONE)) == 5
