"""`syncd sandbox --once --json` as a real subprocess: a seeded merchant synced twice, every check true, and a
second pass that writes nothing."""

from __future__ import annotations

import json

from tests.e2e.e2e_support import syncd

PRODUCTS = 100
CHECKS = {"listings_match", "stock_match", "orders_imported_once", "external_refs_match", "tracking_match"}


def test_sandbox_once_passes_every_check_and_writes_nothing_the_second_time() -> None:
    # At the emulators' real rate limits (the sandbox's own config), about 25 seconds.
    result = syncd("sandbox", "--once", "--json", "--products", str(PRODUCTS))

    assert result.returncode == 0, result.stderr[-4000:]
    report = json.loads(result.stdout)
    assert set(report["checks"]) >= CHECKS, report["checks"]
    assert all(report["checks"].values()), report["problems"]
    first, second = report["passes"]
    assert first["writes"]["tiktok_shop"] > PRODUCTS  # the first pass did the work...
    assert second["writes"] == {"tiktok_shop": 0, "shopify": 0, "woocommerce": 0}  # ...the second had none left
    assert first["quarantined"] == first["failed"] == second["quarantined"] == second["failed"] == 0
