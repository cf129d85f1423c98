"""Fixtures for the engine's tests: a seeded merchant on the real emulators, a migrated database, a runtime."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from syncd.config import Settings, load_settings
from syncd.runtime import Runtime
from syncd.sandbox.merchant import Merchant, start_merchant
from syncd.store import migrate
from syncd.sync.context import JobContext

MakeRuntime = Callable[..., Runtime]


@pytest.fixture
def merchant() -> Iterator[Merchant]:
    """TikTok Shop and a Shopify store of record with 6 products of 3 variants."""
    with start_merchant((("main", "shopify"),), products=6, variants=3) as seeded:
        yield seeded


@pytest.fixture
def woo_merchant() -> Iterator[Merchant]:
    """TikTok Shop and a WooCommerce store of record with 6 products of 3 variants."""
    with start_merchant((("main", "woocommerce"),), products=6, variants=3) as seeded:
        yield seeded


@pytest.fixture
def two_store_merchant() -> Iterator[Merchant]:
    """TikTok Shop, a Shopify store of record and a WooCommerce store selling the same SKUs."""
    with start_merchant((("main", "shopify"), ("woo", "woocommerce")), products=4, variants=2) as seeded:
        yield seeded


@pytest.fixture
def make_runtime(tmp_path: Path) -> Iterator[MakeRuntime]:
    """Build a runtime for a merchant on a fresh migrated SQLite database; `sync` overrides rule sections."""
    made: list[Runtime] = []

    def make(merchant: Merchant, **sync: Any) -> Runtime:
        url = f"sqlite:///{tmp_path / 'syncd.db'}"
        migrate.upgrade(url)
        path = merchant.write_config(tmp_path / "config.yaml", url, **sync)
        settings: Settings = load_settings(path, environ={})
        runtime = Runtime(settings)
        made.append(runtime)
        return runtime

    yield make
    for runtime in made:
        runtime.close()


@pytest.fixture
def context() -> Iterator[Callable[..., JobContext]]:
    """Open job contexts on a runtime; all are closed after the test."""
    opened: list[JobContext] = []

    def open_context(runtime: Runtime, *, dry_run: bool = False) -> JobContext:
        ctx = JobContext(runtime, dry_run=dry_run)
        opened.append(ctx)
        return ctx

    yield open_context
    for ctx in opened:
        ctx.close()
