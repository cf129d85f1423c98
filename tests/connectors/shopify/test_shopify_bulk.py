"""Backfills through a bulk operation: chosen above `bulk_threshold`, polled, and streamed from the JSONL file."""

from __future__ import annotations

import itertools
import os
import signal
import subprocess
import sys
import tracemalloc
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from pydantic import SecretStr
from shopify_support import make_config

from connectors.shopify.bulk import assemble_products
from connectors.shopify.config import ShopifyConfig
from connectors.shopify.connector import ShopifyConnector
from connectors.shopify.fake import DEFAULT_SHOP, DEFAULT_TOKEN, FakeShopify
from syncd.connector import RejectedRecord
from syncd.http import ManualClock

REPO = Path(__file__).resolve().parents[3]


def test_backfill_above_threshold_runs_a_bulk_operation(fake: FakeShopify, clock: ManualClock) -> None:
    seeded = fake.add_products(23, variants_per_product=3)
    fake.set_bulk_polls(3)
    config = make_config(fake, bulk_threshold=10, page_size=5, bulk_poll_interval=7, cursor_lag=0)
    with ShopifyConnector(config, base_url=fake.base_url, clock=clock) as shop:
        pages = list(shop.read_products(None))
        download = shop.last_bulk_download

    assert download is not None
    assert download.finished
    assert download.lines == 23 * 4
    products = [p for page in pages for p in page.records]
    assert sorted(p.external_id for p in products) == sorted(seeded)
    assert all(len(p.variants) == 3 for p in products)
    assert [p.variants[0].sku for p in products[:1]] == [fake.variant_skus(products[0].external_id)[0]]
    # A bulk file has no order: only the last page may checkpoint, at the latest updatedAt seen.
    assert [page.checkpoint for page in pages[:-1]] == [None] * (len(pages) - 1)
    assert pages[-1].checkpoint == max(p.updated_at for p in products).isoformat().replace("+00:00", "Z")
    assert clock.sleeps.count(7.0) == 3  # three polls answered RUNNING


def test_bulk_checkpoint_never_passes_the_start_of_the_export(fake: FakeShopify, clock: ManualClock) -> None:
    """Changes made while the export runs may be missing from it: the cursor stops at its start minus the lag."""
    fake.add_products(12)
    config = make_config(fake, bulk_threshold=10, cursor_lag=60)
    with ShopifyConnector(config, base_url=fake.base_url, clock=clock) as shop:
        pages = list(shop.read_products(None))
    started = max(op.created_at for op in fake.services.bulk_operations.values())
    assert pages[-1].checkpoint == (started - timedelta(seconds=60)).isoformat().replace("+00:00", "Z")


def test_incremental_reads_never_use_bulk(fake: FakeShopify, connector: ShopifyConnector) -> None:
    fake.add_products(3)
    checkpoint = list(connector.read_products(None))[-1].checkpoint
    fake.add_products(30)
    fake.calls.clear()

    products = [p for page in connector.read_products(checkpoint) for p in page.records]

    assert len(products) == 30
    assert connector.last_bulk_download is None


def test_jsonl_reassembly_rejects_broken_and_orphaned_lines() -> None:
    lines = [
        '{"id":"gid://shopify/Product/1","title":"A"}',
        '{"id":"gid://shopify/ProductVariant/11","sku":"A-1","__parentId":"gid://shopify/Product/1"}',
        '{"id":"gid://shopify/MediaImage/5","image":{"url":"https://cdn.example/a.png"},"__parentId":"gid://shopify/Product/1"}',
        "{not json",
        '{"id":"gid://shopify/Product/2","title":"B"}',
        '{"id":"gid://shopify/ProductVariant/12","sku":"A-2","__parentId":"gid://shopify/Product/1"}',
        "",
    ]
    items = list(assemble_products(iter(lines)))

    products = [i for i in items if isinstance(i, dict)]
    rejected = [i for i in items if isinstance(i, RejectedRecord)]
    assert [p["id"] for p in products] == ["gid://shopify/Product/1", "gid://shopify/Product/2"]
    assert [v["sku"] for v in products[0]["variants"]["nodes"]] == ["A-1"]
    assert len(products[0]["media"]["nodes"]) == 1
    assert [r.reason for r in rejected] == ["unreadable JSONL line", "child line out of order"]


@pytest.fixture(scope="module")
def big_shop() -> Iterator[str]:
    """The emulator run standalone (`python -m connectors.shopify.fake`) with 2,500 products of 4 variants:
    in its own process, so the memory measured here is the connector's alone."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    command = [sys.executable, "-m", "connectors.shopify.fake", "--products", "2500", "--variants-per-product", "4"]
    process = subprocess.Popen(command, cwd=REPO, env=env, stdout=subprocess.PIPE, text=True)  # noqa: S603
    assert process.stdout is not None
    printed: dict[str, str] = {}
    while "base_url" not in printed:
        line = process.stdout.readline()
        if not line:
            pytest.fail(f"the standalone emulator exited with {process.wait()}")
        name, _, value = line.strip().partition(": ")
        printed[name] = value
    assert printed["access_token"] == DEFAULT_TOKEN
    assert printed["api_version"] == "2026-10"
    try:
        yield printed["base_url"]
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_ten_thousand_variants_are_streamed_not_loaded(big_shop: str) -> None:
    """The first page arrives while most of the file is still unread, and peak memory stays far below the
    file's size (a parsed copy of the whole file would be many times larger than the file itself)."""
    config = ShopifyConfig(
        shop_domain=DEFAULT_SHOP, access_token=SecretStr(DEFAULT_TOKEN), bulk_threshold=1000, page_size=10
    )
    variants = products = 0
    with ShopifyConnector(config, base_url=big_shop, clock=ManualClock()) as shop:
        tracemalloc.start()
        try:
            pages = shop.read_products(None)
            first = next(pages)
            download = shop.last_bulk_download
            assert download is not None
            assert download.total_bytes is not None
            read_at_first_page = download.bytes_read
            for page in itertools.chain([first], pages):
                products += len(page.records)
                variants += sum(len(p.variants) for p in page.records)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()

    assert (products, variants) == (2500, 10_000)
    assert download.finished
    assert download.bytes_read == download.total_bytes
    assert read_at_first_page < download.total_bytes / 4
    assert peak < download.total_bytes / 3, f"peak {peak} bytes for a {download.total_bytes}-byte file"
