"""Fixtures for the webhook tests: seeded emulators, a runtime on a migrated database, the served web side."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from web_support import MakeRuntime, Serve, write_config

from syncd.config import load_settings
from syncd.runtime import Runtime
from syncd.sandbox.merchant import Merchant, start_merchant
from syncd.store import migrate
from syncd.web.service import WebService


@pytest.fixture
def merchant() -> Iterator[Merchant]:
    """TikTok Shop and a Shopify store of record with 3 products of 2 variants."""
    with start_merchant((("main", "shopify"),), products=3, variants=2) as seeded:
        yield seeded


@pytest.fixture
def woo_merchant() -> Iterator[Merchant]:
    """TikTok Shop and a WooCommerce store of record with 3 products of 2 variants."""
    with start_merchant((("main", "woocommerce"),), products=3, variants=2) as seeded:
        yield seeded


@pytest.fixture
def two_store_merchant() -> Iterator[Merchant]:
    """TikTok Shop, a Shopify store of record `main` and a WooCommerce store `woo` selling the same SKUs."""
    with start_merchant((("main", "shopify"), ("woo", "woocommerce")), products=2, variants=2) as seeded:
        yield seeded


@pytest.fixture
def two_shops_merchant() -> Iterator[Merchant]:
    """TikTok Shop and two Shopify stores, `main` (the store of record) and `second`: both deliver to one path."""
    with start_merchant((("main", "shopify"), ("second", "shopify")), products=2, variants=2) as seeded:
        yield seeded


@pytest.fixture
def make_runtime(tmp_path: Path, database_url: str) -> Iterator[MakeRuntime]:
    """Build a runtime for a merchant on a fresh migrated database, SQLite and PostgreSQL in turn (`database_url`);
    see `write_config` for the options."""
    made: list[Runtime] = []

    def make(
        merchant: Merchant, http: dict[str, Any] | None = None, stores: dict[str, dict[str, Any]] | None = None
    ) -> Runtime:
        url = database_url
        migrate.upgrade(url)
        path = write_config(merchant, tmp_path / "config.yaml", url, http, stores)
        runtime = Runtime(load_settings(path, environ={}))
        made.append(runtime)
        return runtime

    yield make
    for runtime in made:
        runtime.close()


@pytest.fixture
def serve() -> Iterator[Serve]:
    """Start the web side of a runtime on a free port of 127.0.0.1; stopped after the test."""
    started: list[WebService] = []

    def start(runtime: Runtime, **options: Any) -> WebService:
        service = WebService(runtime, host="127.0.0.1", port=0, **{"debounce": 0.05, **options})
        service.start()
        started.append(service)
        return service

    yield start
    for service in reversed(started):
        service.stop()


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    """An HTTP client for the served app."""
    with httpx.Client(timeout=10.0) as http:
        yield http
