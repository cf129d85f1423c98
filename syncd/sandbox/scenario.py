"""The sandbox's scripted runs: a two-pass backfill with checks, and a live order stream for `syncd run`."""

from __future__ import annotations

import logging
import random
import threading
from collections import Counter
from typing import Any

from syncd.runtime import Runtime
from syncd.sandbox import checks
from syncd.sandbox.merchant import Merchant
from syncd.sync.context import JobContext
from syncd.sync.runner import run_job
from syncd.testing.sandbox import SeedOrderLine

log = logging.getLogger("syncd.sandbox")
PLATFORMS = ("tiktok_shop", "shopify", "woocommerce")
CARRIER = "UPS"


def prepare_marketplace(merchant: Merchant, *, orders: int, seed: int = 1) -> list[str]:
    """List a fifth of the products on TikTok by hand (syncd must link, not duplicate them) and sell some."""
    rng = random.Random(seed)  # noqa: S311 - sample data, reproducible by seed
    existing = merchant.products[: max(1, len(merchant.products) // 5)]
    merchant.tiktok.list_existing(existing)
    skus = [variant.sku for product in existing for variant in product.variants]
    return [merchant.tiktok.place_order([SeedOrderLine(rng.choice(skus), 1)]) for _ in range(orders)]


def ship_imported(merchant: Merchant) -> dict[str, str]:
    """Ship every imported order in the store of record, as the merchant's warehouse would."""
    shipped: dict[str, str] = {}
    store = merchant.stores[merchant.catalog_store]
    for order in store.orders():
        if order.source_order_id:
            number = f"1Z{int(order.source_order_id) % 10**12:012d}"
            store.fulfil(order.id, number, CARRIER)
            shipped[order.source_order_id] = number
    return shipped


def sync_once(runtime: Runtime, jobs: tuple[str, ...] = ("catalog", "stock")) -> None:
    """Run `jobs` once, in order, as `syncd run-once` would; raise if one did not finish cleanly."""
    with JobContext(runtime) as ctx:
        for job in jobs:
            report = run_job(ctx, job)
            if not report.ok:
                raise RuntimeError(f"sandbox: the {job} job did not finish cleanly: {report.notes}")


def two_passes(merchant: Merchant, runtime: Runtime, placed: list[str]) -> dict[str, Any]:
    """Run every job twice; the second pass must write nothing. Return the passes and the checks."""
    passes: list[dict[str, Any]] = []
    shipped: dict[str, str] = {}
    for number in (1, 2):
        writes: Counter[str] = Counter()
        outcome: Counter[str] = Counter()
        with JobContext(runtime) as ctx:
            for job in ("catalog", "orders", "stock", "fulfilment", "returns"):
                if job == "fulfilment" and number == 1:
                    shipped = ship_imported(merchant)
                report = run_job(ctx, job)
                writes.update(report.writes)
                outcome.update(quarantined=report.quarantined, failed=report.failed)
        passes.append({"writes": {p: writes.get(p, 0) for p in PLATFORMS}, **dict(outcome)})
        log.info("pass %d: writes %s", number, dict(writes))
    results = {
        "listings_match": checks.listings_match(merchant),
        "stock_match": checks.stock_match(merchant, runtime.settings),
        "orders_imported_once": checks.orders_imported_once(merchant, placed),
        "external_refs_match": checks.external_refs_match(merchant, placed),
        "tracking_match": checks.tracking_match(merchant, shipped),
    }
    return {
        "passes": passes,
        "checks": {name: result.ok for name, result in results.items()},
        "problems": {name: result.problems for name, result in results.items() if not result.ok},
    }


class OrderStream:
    """Places a TikTok order on a listed SKU every `interval` seconds until stopped."""

    def __init__(self, merchant: Merchant, interval: float, seed: int = 1) -> None:
        self.merchant = merchant
        self.interval = interval
        self.stopping = threading.Event()
        self._rng = random.Random(seed)  # noqa: S311 - sample data, reproducible by seed
        self._thread = threading.Thread(target=self._run, name="sandbox-orders", daemon=True)

    def start(self) -> None:
        """Start placing orders in the background."""
        self._thread.start()

    def stop(self) -> None:
        """Stop placing orders."""
        self.stopping.set()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        while not self.stopping.wait(self.interval):
            listed = sorted(self.merchant.tiktok.listings_by_sku())
            if not listed:
                continue
            sku = self._rng.choice(listed)
            order_id = self.merchant.tiktok.place_order([SeedOrderLine(sku, 1)])
            log.info("sandbox: a buyer ordered 1 x %s on TikTok (order %s)", sku, order_id)
