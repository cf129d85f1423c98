"""`syncd run-once` on the emulators: its JSON report, its exit code, and its live lines on a terminal."""

from __future__ import annotations

import io
import json
from collections.abc import Callable

from click.testing import Result

from syncd.commands.progress import CLEAR_LINE
from syncd.commands.sync import BACKFILL_ORDER, run_jobs
from syncd.runtime import Runtime
from syncd.sandbox.merchant import Merchant
from syncd.sync.context import Window

Syncd = Callable[..., Result]
COUNTS = {"read", "created", "updated", "unchanged", "quarantined", "failed", "deferred", "api_calls", "writes"}


class Terminal(io.StringIO):
    """A terminal stand-in: text kept in memory, and isatty() true."""

    def isatty(self) -> bool:
        return True


def test_a_clean_backfill_reports_every_job_as_json_and_exits_0(syncd: Syncd, shop: Merchant) -> None:
    result = syncd("run-once", "--json")

    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["dry_run"] is False
    assert list(report["jobs"]) == list(BACKFILL_ORDER)
    for name, job in report["jobs"].items():
        assert COUNTS | {"ok", "notes", "planned"} == set(job), name
        assert job["ok"] is True
        assert job["planned"] == []
    catalog = report["jobs"]["catalog"]
    assert (catalog["read"], catalog["created"], catalog["quarantined"]) == (3, 3, 0)
    assert catalog["writes"]["tiktok_shop"] == 3
    assert catalog["api_calls"]["shopify"] > 0
    assert shop.tiktok.listing_count() == 3
    # Off a terminal nothing is drawn: the runner's log lines are all there is.
    assert CLEAR_LINE not in result.stderr
    assert "catalog: read 3, created 3" in result.stderr


def test_a_quarantined_record_exits_1_with_its_note(syncd: Syncd, as_mug: Callable[[int], str]) -> None:
    as_mug(2)

    result = syncd("run-once", "--job", "catalog", "--json")

    assert result.exit_code == 1
    catalog = json.loads(result.stdout)["jobs"]["catalog"]
    assert (catalog["ok"], catalog["created"], catalog["quarantined"]) == (False, 2, 1)


def test_a_dry_run_lists_its_planned_writes_and_sends_none(syncd: Syncd, shop: Merchant) -> None:
    result = syncd("run-once", "--job", "catalog", "--dry-run", "--json")

    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["dry_run"] is True
    planned = report["jobs"]["catalog"]["planned"]
    assert [(p["channel"], p["action"]) for p in planned] == [("tiktok", "create_listing")] * 3
    assert all(set(p) == {"channel", "action", "key", "detail"} for p in planned)
    assert shop.tiktok.listing_count() == 0


def test_on_a_terminal_each_job_gets_a_line_with_its_counts(runtime: Runtime, as_mug: Callable[[int], str]) -> None:
    as_mug(2)
    terminal = Terminal()

    reports = run_jobs(runtime, ["catalog", "stock"], Window(), dry_run=False, progress=terminal)

    assert [report.job for report in reports] == ["catalog", "stock"]
    # Each job's line is redrawn in place (CLEAR_LINE), and what stays is its summary.
    done = [line.rsplit(CLEAR_LINE, 1)[-1] for line in terminal.getvalue().split("\n")[:-1]]
    assert len(done) == 2
    assert done[0].startswith("catalog    PARTIAL ")
    calls = sum(reports[0].api_calls.values())
    assert done[0].endswith(f"read 3, written 2, quarantined 1, {calls} API calls")
    assert done[1].startswith("stock      ok      ")
    assert ", quarantined 0, " in done[1]
    assert "| catalog " in terminal.getvalue()  # the live line, before the summary replaced it
