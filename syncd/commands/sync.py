"""`syncd run`, `run-once` (with live progress on a terminal) and `plan`."""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from datetime import UTC, datetime
from functools import partial
from typing import TYPE_CHECKING, TextIO

import click

from syncd.commands.progress import ProgressLine, is_terminal
from syncd.sync.context import JobContext, Window
from syncd.sync.report import PlannedWrite, RunReport

if TYPE_CHECKING:
    from syncd.cli import AppContext
    from syncd.runtime import Runtime

BACKFILL_ORDER = ("catalog", "orders", "stock", "fulfilment", "returns")


def _when(value: str | None, option: str) -> datetime | None:
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"not an ISO 8601 date or time: {value!r}", param_hint=option) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _jobs(job: str) -> list[str]:
    from syncd.sync.runner import job_table

    known = job_table()
    if job == "all":
        return [name for name in BACKFILL_ORDER if name in known]
    if job not in known:
        raise click.BadParameter(f"unknown job {job!r} (choose from all, {', '.join(known)})", param_hint="--job")
    return [job]


def run_jobs(
    runtime: Runtime, jobs: list[str], window: Window, *, dry_run: bool, progress: TextIO | None = None
) -> list[RunReport]:
    """Run the jobs in order in one context (one dry-run transaction), returning their reports.

    With a `progress` terminal, each job gets a live line there while it runs.
    """
    from syncd.sync.runner import run_job

    with JobContext(runtime, dry_run=dry_run) as ctx:
        if progress is None:
            return [run_job(ctx, name, window) for name in jobs]
        line = ProgressLine(progress, ctx.api_calls_so_far)
        with line.logging_above():
            return [line.run(name, partial(run_job, ctx, name, window)) for name in jobs]


def _runtime(app: AppContext, *, migrate_first: bool = False) -> Runtime:
    from syncd.runtime import Runtime
    from syncd.store import migrate

    settings = app.settings()
    if migrate_first:
        migrate.upgrade(settings.database.url)
    return Runtime(settings)


@click.command("run-once")
@click.option("--job", default="all", show_default=True, help="A job name, or all (the backfill order).")
@click.option("--since", default=None, help="Start of the window (ISO 8601); default: each stream's cursor.")
@click.option("--until", default=None, help="End of the window (ISO 8601); default: now.")
@click.option("--dry-run", is_flag=True, help="Read everything, write nothing anywhere, show what would change.")
@click.option("--json", "as_json", is_flag=True, help="Print the reports as one JSON object.")
@click.pass_obj
def run_once(app: AppContext, job: str, since: str | None, until: str | None, dry_run: bool, as_json: bool) -> None:
    """Run jobs once (a backfill); an interrupted run resumes where it stopped. Exit 1 if anything failed."""
    window = Window(_when(since, "--since"), _when(until, "--until"))
    names = _jobs(job)
    runtime = _runtime(app)
    try:
        progress = sys.stderr if is_terminal(sys.stderr) else None
        reports = run_jobs(runtime, names, window, dry_run=dry_run, progress=progress)
    finally:
        runtime.close()
    if as_json:
        click.echo(json.dumps({"dry_run": dry_run, "jobs": {r.job: _as_json(r) for r in reports}}, default=str))
    else:
        for report in reports:
            click.echo(report.summary())
            for note in report.notes:
                click.echo(f"  {note}")
        if dry_run:
            _print_plan(reports)
    if any(not report.ok for report in reports):
        sys.exit(1)


@click.command("plan")
@click.option("--job", default="all", show_default=True, help="A job name, or all.")
@click.pass_obj
def plan(app: AppContext, job: str) -> None:
    """Show what a run would create, update, push and import, writing nothing anywhere."""
    runtime = _runtime(app)
    try:
        reports = run_jobs(runtime, _jobs(job), Window(), dry_run=True)
    finally:
        runtime.close()
    _print_plan(reports)
    if any(not report.ok for report in reports):
        for report in reports:
            for note in report.notes:
                click.echo(f"  {report.job}: {note}", err=True)
        sys.exit(1)


def _print_plan(reports: list[RunReport]) -> None:
    planned = [(report.job, write) for report in reports for write in report.planned]
    if not planned:
        click.echo("nothing to do: every channel is in step")
        return
    widths = [max(len(str(row[i])) for row in _rows(planned)) for i in range(5)]
    for row in _rows(planned):
        click.echo("  ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())
    totals: dict[str, int] = {}
    for _, write in planned:
        totals[write.action] = totals.get(write.action, 0) + 1
    click.echo("total: " + ", ".join(f"{n} {action}" for action, n in sorted(totals.items())))


def _rows(planned: list[tuple[str, PlannedWrite]]) -> list[tuple[str, str, str, str, str]]:
    header = ("JOB", "CHANNEL", "ACTION", "RECORD", "DETAIL")
    return [header, *((job, w.channel, w.action, w.key, w.detail) for job, w in planned)]


def _as_json(report: RunReport) -> dict[str, object]:
    data = report.counts()
    data["ok"] = report.ok
    data["notes"] = report.notes
    data["planned"] = [asdict(write) for write in report.planned]
    return data


@click.command("run")
@click.pass_obj
def run(app: AppContext) -> None:
    """Run the daemon: migrate the database, serve webhooks, /healthz, /readyz and /metrics on http.host:http.port,
    and run every job on its schedule until SIGTERM."""
    from syncd.sync.leases import daemon_lock
    from syncd.sync.scheduler import Daemon

    # The lock first: a daemon refused because another one runs must not migrate the database under it.
    with daemon_lock(app.settings().database.url):
        runtime = _runtime(app, migrate_first=True)
        try:
            Daemon(runtime).start()
        finally:
            runtime.close()
