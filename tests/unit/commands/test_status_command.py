"""`syncd status` after real runs: each job's outcome, quarantined records, cursor lag and channel health."""

from __future__ import annotations

import json
from collections.abc import Callable

from click.testing import Result

from syncd.runtime import Runtime
from syncd.sandbox.merchant import Merchant
from syncd.store import channels
from syncd.store.engine import session_scope
from syncd.testing.sandbox import SeedOrderLine

Syncd = Callable[..., Result]
FIX = "syncd auth tiktok url, then syncd auth tiktok exchange --code CODE"


def test_status_json_shows_outcomes_quarantine_cursors_and_health(
    syncd: Syncd, shop: Merchant, as_mug: Callable[[int], str]
) -> None:
    mug = as_mug(1)
    # A product already listed on TikTok by hand, with an order for it: the catalog links it, the order imports.
    shop.tiktok.list_existing([shop.products[0]])
    shop.tiktok.place_order([SeedOrderLine(shop.products[0].variants[0].sku, 1)])
    assert syncd("run-once").exit_code == 1

    result = syncd("status", "--json")

    assert result.exit_code == 0, result.output
    status = json.loads(result.stdout)
    jobs = {job["job"]: job for job in status["jobs"]}
    assert jobs["catalog"]["outcome"] == "partial"
    assert (jobs["catalog"]["counts"]["read"], jobs["catalog"]["counts"]["quarantined"]) == (3, 1)
    assert jobs["orders"]["counts"]["created"] == 1
    assert all(jobs[name]["outcome"] == "ok" for name in ("orders", "stock", "fulfilment", "returns"))
    assert jobs["reconcile"]["outcome"] == "never run"
    assert all(job["error"] is None for job in status["jobs"])
    [entry] = status["quarantine"]
    assert (entry["channel"], entry["kind"], entry["record"], entry["attempts"]) == ("tiktok", "listing", mug, 1)
    assert "no category rule" in entry["reason"]
    assert status["quarantined_total"] == 1
    lag = {(cursor["channel"], cursor["stream"]): cursor["lag_seconds"] for cursor in status["cursors"]}
    assert {("main", "catalog"), ("main", "stock"), ("tiktok", "orders")} <= set(lag)
    assert all(0 <= seconds < 600 for seconds in lag.values())
    assert status["orders"] == {"linked": 1}
    assert [(c["channel"], c["platform"], c["healthy"]) for c in status["channels"]] == [
        ("tiktok", "tiktok_shop", True),
        ("main", "shopify", True),
    ]


def test_a_channel_needing_reauthorisation_shows_the_command_that_fixes_it(syncd: Syncd, runtime: Runtime) -> None:
    with session_scope(runtime.engine) as session:
        channels.mark_needs_reauth(session, runtime.channel_id("tiktok"), "tiktok_shop: the refresh token expired")

    as_json = syncd("status", "--json")
    as_text = syncd("status")

    assert as_json.exit_code == as_text.exit_code == 0
    health = {channel["channel"]: channel for channel in json.loads(as_json.stdout)["channels"]}
    assert health["tiktok"]["healthy"] is False
    assert health["tiktok"]["problem"] == "tiktok_shop: the refresh token expired"
    assert health["tiktok"]["fix"] == FIX
    assert health["main"]["healthy"] is True
    assert "fix" not in health["main"]
    assert "NEEDS RE-AUTHORISATION: tiktok_shop: the refresh token expired" in as_text.stdout
    assert f"    run: {FIX}" in as_text.stdout
    assert "never run" in as_text.stdout  # no job has run yet
