"""The sandbox on webhooks: with the polls an hour apart, a stock change in the Shopify emulator still reaches
the TikTok emulator within seconds, delivered as a webhook to syncd's daemon and acted on at once."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import select

from syncd.config import load_settings
from syncd.runtime import Runtime
from syncd.sandbox.merchant import Merchant, start_merchant
from syncd.sandbox.scenario import sync_once
from syncd.sandbox.webhooks import daemon_on_webhooks, wait_for
from syncd.store import migrate
from syncd.store.engine import session_scope
from syncd.store.models import InboxEvent
from syncd.sync.rules import sellable

# Every job an hour apart: within the test only a webhook can move stock.
QUIET = {job: {"every": "1h", "jitter": "0s"} for job in ("catalog", "stock", "orders", "fulfilment", "returns")}
QUIET["reconcile"] = {"every": "1h", "cron": None, "jitter": "0s"}
PROPAGATION_DEADLINE = 5.0


@pytest.fixture
def merchant() -> Iterator[Merchant]:
    """TikTok Shop and a Shopify store of record with 3 products of 2 variants."""
    with start_merchant((("main", "shopify"),), products=3, variants=2) as seeded:
        yield seeded


@pytest.fixture
def runtime(merchant: Merchant, tmp_path: Path) -> Iterator[Runtime]:
    """The sandbox's config on webhooks and quiet schedules, a migrated SQLite file, catalog and stock synced once."""
    url = f"sqlite:///{tmp_path / 'syncd.db'}"
    path = merchant.write_config(tmp_path / "config.yaml", url, webhooks=True, schedules=QUIET)
    migrate.upgrade(url)
    built = Runtime(load_settings(path, environ={}))
    sync_once(built)
    yield built
    built.close()


def test_the_sandbox_config_points_the_webhooks_at_the_daemon(runtime: Runtime) -> None:
    http = runtime.settings.http

    assert str(http.public_url).rstrip("/") == f"http://127.0.0.1:{http.port}"


def test_a_shopify_stock_change_reaches_tiktok_through_the_webhook(merchant: Merchant, runtime: Runtime) -> None:
    sku = merchant.products[1].variants[1].sku
    store, tiktok = merchant.stores["main"], merchant.tiktok
    expected = sellable(3, 0, runtime.settings.stock_rule("tiktok"))
    assert tiktok.stock_by_sku()[sku] != expected, "the change must be one TikTok does not show yet"

    with daemon_on_webhooks(runtime) as url:
        assert url == str(runtime.settings.http.public_url).rstrip("/")
        assert [hook.topic for hook in inbox(runtime)] == []
        store.set_stock(sku, 3)

        arrived = wait_for(lambda: tiktok.stock_by_sku()[sku] == expected, PROPAGATION_DEADLINE, interval=0.01)

    assert arrived, f"TikTok shows {tiktok.stock_by_sku()[sku]} for {sku}, expected {expected}"
    assert "inventory_levels/update" in [hook.topic for hook in inbox(runtime)]


def inbox(runtime: Runtime) -> list[InboxEvent]:
    """Every delivery the daemon stored."""
    with session_scope(runtime.engine) as session:
        return list(session.exec(select(InboxEvent)).all())
