"""Propagation time: a stock change in the Shopify emulator until the TikTok emulator shows it, through webhooks.

A seeded merchant (Shopify the store of record) is synced once; then syncd's daemon serves its web side with every
platform's webhooks registered and the polls an hour apart, so each change can only arrive by webhook. Changes
are made one after another; each is timed from the write in the store to TikTok showing the new sellable quantity.
"""

from __future__ import annotations

import contextlib
import logging
import math
import statistics
import sys
import tempfile
import time
from functools import partial
from pathlib import Path
from typing import Any

from syncd.config import load_settings
from syncd.runtime import Runtime
from syncd.sandbox.merchant import Merchant, start_merchant
from syncd.sandbox.scenario import sync_once
from syncd.sandbox.webhooks import daemon_on_webhooks, wait_for
from syncd.store import migrate
from syncd.sync.rules import sellable
from syncd.testing.sandbox import EmulatedMarketplace

# Every job an hour apart: during the run only webhooks move stock, so the numbers measure the webhook path.
QUIET: dict[str, dict[str, object]] = {
    job: {"every": "1h", "jitter": "0s"} for job in ("catalog", "stock", "orders", "fulfilment", "returns")
}
QUIET["reconcile"] = {"every": "1h", "cron": None, "jitter": "0s"}
POLL_INTERVAL = 0.002  # seconds between looks at the TikTok emulator; small against the times measured
PRODUCTS, VARIANTS = 5, 2  # a small catalog keeps each look at the emulator cheap


def measure(changes: int, *, deadline: float = 10.0, seed: int = 1) -> dict[str, Any]:
    """Make `changes` stock changes and summarise their propagation times (milliseconds)."""
    with (
        tempfile.TemporaryDirectory(prefix="syncd-bench-") as workdir,
        start_merchant((("main", "shopify"),), products=PRODUCTS, variants=VARIANTS, seed=seed) as merchant,
    ):
        url = f"sqlite:///{Path(workdir) / 'syncd.db'}"
        path = merchant.write_config(Path(workdir) / "config.yaml", url, webhooks=True, schedules=QUIET)
        migrate.upgrade(url)
        runtime = Runtime(load_settings(path, environ={}))
        try:
            sync_once(runtime)
            # Registration prints a line per topic; stdout is the benchmark's (JSON) output.
            with contextlib.redirect_stdout(sys.stderr), daemon_on_webhooks(runtime):
                times = _changes(merchant, runtime, changes, deadline)
        finally:
            runtime.close()
    return summarise(times, changes)


def _changes(merchant: Merchant, runtime: Runtime, changes: int, deadline: float) -> list[float]:
    """The propagation time of each change that arrived within `deadline`, in seconds."""
    store, tiktok = merchant.stores[merchant.catalog_store], merchant.tiktok
    rule = runtime.settings.stock_rule("tiktok")
    skus = sorted(tiktok.stock_by_sku())
    times: list[float] = []
    for number in range(changes):
        sku = skus[number % len(skus)]
        # A quantity never used before (the bench's config has the identity stock rule), so every change is one
        # TikTok does not show yet.
        quantity = 1000 + number
        expected = sellable(quantity, 0, rule)
        started = time.perf_counter()
        store.set_stock(sku, quantity)
        if wait_for(partial(_shows, tiktok, sku, expected), deadline, interval=POLL_INTERVAL):
            times.append(time.perf_counter() - started)
        else:
            logging.getLogger("bench").warning(
                "change %d (%s -> %d) did not reach TikTok in %.0f s", number, sku, quantity, deadline
            )
    return times


def _shows(tiktok: EmulatedMarketplace, sku: str, quantity: int) -> bool:
    """True when TikTok shows `quantity` for `sku`."""
    return tiktok.stock_by_sku().get(sku) == quantity


def summarise(times: list[float], changes: int) -> dict[str, Any]:
    """Count, median, p95 and max of the propagation times, in milliseconds (None when nothing propagated)."""
    ordered = sorted(times)

    def ms(value: float | None) -> float | None:
        return None if value is None else round(value * 1000, 1)

    return {
        "benchmark": "propagation",
        "changes": changes,
        "propagated": len(ordered),
        "median_ms": ms(statistics.median(ordered) if ordered else None),
        "p95_ms": ms(ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)] if ordered else None),
        "max_ms": ms(ordered[-1] if ordered else None),
    }


def format_summary(summary: dict[str, Any]) -> str:
    """One line for a person."""
    return (
        f"propagation, Shopify stock -> TikTok via webhooks: {summary['propagated']}/{summary['changes']} changes "
        f"arrived; median {summary['median_ms']} ms, p95 {summary['p95_ms']} ms, max {summary['max_ms']} ms"
    )
