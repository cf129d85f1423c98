"""`syncd plan` as a real subprocess on a fresh database: it lists the work a first run would do and changes
nothing, neither on the emulators nor in the database."""

from __future__ import annotations

from pathlib import Path

from tests.e2e.e2e_support import CallWatch, merchant_state, scene, table_counts

PRODUCTS = 8
PRE_LISTED = 2
# Every table a run writes its work to; a plan must leave each one empty.
WORK_TABLES = (
    "order_links",
    "bindings",
    "cursors",
    "products",
    "variants",
    "locations",
    "stock_levels",
    "channel_quantities",
    "reservations",
    "quarantine",
    "return_restocks",
    "job_runs",
)


def planned_rows(output: str) -> list[tuple[str, str, str, str, str]]:
    """The plan's table as (job, channel, action, record, detail) rows, without the header and total lines."""
    lines = output.splitlines()
    assert lines, output
    assert lines[0].split()[:4] == ["JOB", "CHANNEL", "ACTION", "RECORD"], output
    rows = []
    for line in lines[1:]:
        if line.startswith("total:"):
            break
        job, channel, action, record, *detail = line.split(maxsplit=4)
        rows.append((job, channel, action, record, detail[0] if detail else ""))
    return rows


def test_plan_lists_the_work_and_changes_nothing(tmp_path: Path) -> None:
    with scene(tmp_path, (("main", "shopify"), ("woo", "woocommerce")), products=PRODUCTS) as sc:
        merchant = sc.merchant
        merchant.tiktok.list_existing(merchant.products[:PRE_LISTED])
        orders = [sc.place((merchant.products[n].variants[1].sku, 1)) for n in range(PRE_LISTED)]
        sc.upgrade()
        before = merchant_state(merchant)
        watch = CallWatch(merchant)

        result = sc.syncd("plan")

        assert result.returncode == 0, result.stderr[-4000:]
        rows = planned_rows(result.stdout)
        # One creation per product not on TikTok yet, named by its title and SKU count.
        creates = sorted(
            (job, channel, detail) for job, channel, action, _, detail in rows if action == "create_listing"
        )
        unlisted = merchant.products[PRE_LISTED:]
        assert creates == sorted(("catalog", "tiktok", f"{p.title} ({len(p.variants)} SKUs)") for p in unlisted)
        # The listings made by hand are linked, not created again: the plan names their TikTok products.
        listed = merchant.tiktok.listings_by_sku()
        linked = {listed[p.variants[0].sku] for p in merchant.products[:PRE_LISTED]}
        assert linked == {record for _, _, action, record, _ in rows if action == "update_listing"}
        imports = {(channel, action, record) for job, channel, action, record, _ in rows if job == "orders"}
        assert {("main", "create_order", order) for order in orders} <= imports
        assert {("tiktok", "add_order_reference", order) for order in orders} <= imports
        assert result.stdout.splitlines()[-1].startswith("total: ")

        assert watch.writes() == {}
        assert merchant_state(merchant) == before
        assert table_counts(sc.database, WORK_TABLES) == dict.fromkeys(WORK_TABLES, 0)
