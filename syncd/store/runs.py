"""Job run history: one row per run, opened when it starts and closed with its counts and outcome."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import insert, update
from sqlmodel import Session, col, select

from syncd.store.enums import RunOutcome
from syncd.store.models import JobRun
from syncd.store.sql import fetch_all, fetch_one, table_of
from syncd.store.types import utcnow


def start_run(session: Session, job: str, *, channel_id: int | None = None, now: datetime | None = None) -> int:
    """Open a run of `job` and return its id."""
    table = table_of(JobRun)
    stmt = (
        insert(table)
        .values(job=job, channel_id=channel_id, started_at=now or utcnow(), counts={}, outcome=RunOutcome.RUNNING)
        .returning(table.c.id)
    )
    run_id: int = session.exec(stmt).scalar_one()
    return run_id


def finish_run(
    session: Session,
    run_id: int,
    outcome: RunOutcome,
    *,
    counts: Mapping[str, int] | None = None,
    error: str | None = None,
    now: datetime | None = None,
) -> None:
    """Close a run with its outcome, its counters (records read, written, quarantined...) and any error."""
    if outcome is RunOutcome.RUNNING:
        raise ValueError("a finished run needs an outcome other than running")
    table = table_of(JobRun)
    stmt = (
        update(table)
        .where(table.c.id == run_id)
        .values(finished_at=now or utcnow(), outcome=outcome, counts=dict(counts or {}), error=error)
    )
    if session.exec(stmt).rowcount == 0:
        raise LookupError(f"no job run with id {run_id}")


def get_run(session: Session, run_id: int) -> JobRun | None:
    """One run by id."""
    return fetch_one(session, select(JobRun).where(JobRun.id == run_id))


def recent_runs(
    session: Session, *, job: str | None = None, channel_id: int | None = None, limit: int = 20
) -> list[JobRun]:
    """The latest runs, newest first, optionally of one job and/or channel."""
    stmt = select(JobRun)
    if job is not None:
        stmt = stmt.where(JobRun.job == job)
    if channel_id is not None:
        stmt = stmt.where(JobRun.channel_id == channel_id)
    return fetch_all(session, stmt.order_by(col(JobRun.started_at).desc(), col(JobRun.id).desc()).limit(limit))


def last_run(
    session: Session, job: str, *, channel_id: int | None = None, outcome: RunOutcome | None = None
) -> JobRun | None:
    """The latest run of a job (optionally on one channel, optionally with a given outcome)."""
    stmt = select(JobRun).where(JobRun.job == job)
    if channel_id is not None:
        stmt = stmt.where(JobRun.channel_id == channel_id)
    if outcome is not None:
        stmt = stmt.where(JobRun.outcome == outcome)
    return fetch_one(session, stmt.order_by(col(JobRun.started_at).desc(), col(JobRun.id).desc()).limit(1))
