"""Runs a job by name: records the run, turns failures into outcomes, and never lets one job take the daemon down."""

from __future__ import annotations

import logging
from collections.abc import Callable

from syncd.errors import AuthError, SyncError
from syncd.store import channels, runs
from syncd.store.engine import session_scope
from syncd.store.enums import RunOutcome
from syncd.sync.context import JobContext, Window
from syncd.sync.report import RunReport

log = logging.getLogger("syncd.sync")

Job = Callable[[JobContext, Window], RunReport]


def job_table() -> dict[str, Job]:
    """Every job by name, in the order a full backfill runs them."""
    from syncd.sync.jobs import JOBS

    return JOBS


def run_job(ctx: JobContext, name: str, window: Window | None = None) -> RunReport:
    """Run one job, store its run record (not in a dry run), and return its report."""
    job = job_table().get(name)
    if job is None:
        raise SyncError(f"unknown job {name!r} (jobs: {', '.join(job_table())})")
    run_id = None
    if not ctx.dry_run:
        with session_scope(ctx.runtime.engine) as session:
            run_id = runs.start_run(session, name)
    report = RunReport(job=name)
    outcome, error = RunOutcome.FAILED, None
    try:
        report = job(ctx, window or Window())
        outcome = RunOutcome.OK if report.ok else RunOutcome.PARTIAL
    except AuthError as exc:
        error = str(exc)
        _mark_reauth(ctx, exc)
        log.error("%s: credentials rejected: %s", name, exc)
    except SyncError as exc:
        error = str(exc)
        log.error("%s failed: %s", name, exc)
    except Exception as exc:  # a bug in one job must not stop the scheduler or the other jobs
        error = f"{type(exc).__name__}: {exc}"
        log.exception("%s failed unexpectedly", name)
    finally:
        ctx.collect_api_calls(report)
    if run_id is not None:
        with session_scope(ctx.runtime.engine) as session:
            runs.finish_run(session, run_id, outcome, counts=report.counts(), error=error)
    if error is not None:
        report.failed += 1
        report.note(error)
    log.info(report.summary(), extra={"job": name, "outcome": outcome.value})
    return report


def _mark_reauth(ctx: JobContext, exc: AuthError) -> None:
    """Flag the channels whose platform rejected the credentials, so status and readiness say what to run."""
    platform = getattr(exc, "platform", None)
    message = str(exc)
    with session_scope(ctx.runtime.engine) as session:
        for channel in ctx.settings.channels:
            name = ctx.settings.channel_platform(channel)
            # Errors name their platform as an attribute (API errors) or as the message's first word.
            if platform == name or message.split(":", 1)[0].split()[0:1] == [name]:
                channels.mark_needs_reauth(session, ctx.channel_id(channel), message[:500])
