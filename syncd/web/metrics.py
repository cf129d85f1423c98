"""Prometheus metrics of one daemon: counters the parts feed as things happen, gauges read from the store at scrape.

Every metric lives in the `CollectorRegistry` of one `Metrics` object, never in prometheus-client's global
registry: several daemons (or tests) in one process each count their own.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from datetime import datetime

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.metrics_core import Metric
from prometheus_client.registry import Collector
from sqlalchemy import func
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, col, select

from syncd.errors import SyncError
from syncd.http.clock import Clock, SystemClock
from syncd.runtime import Runtime
from syncd.store import channels, cursors, runs
from syncd.store.engine import session_scope
from syncd.store.enums import RunOutcome
from syncd.store.models import InboxEvent, QuarantineEntry
from syncd.sync.context import JobContext
from syncd.sync.report import RunReport
from syncd.sync.runner import run_job

log = logging.getLogger("syncd.web")

# Seconds from a webhook's arrival to the end of what it triggered: most should land well under a few seconds.
PROPAGATION_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0)
JOB_BUCKETS = (0.1, 0.5, 1.0, 5.0, 15.0, 60.0, 300.0, 900.0, 3600.0)


class Metrics:
    """The daemon's metrics; pass a runtime to also export the store's gauges (quarantine, cursor lag, inbox)."""

    def __init__(self, runtime: Runtime | None = None, *, clock: Clock | None = None) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.clock: Clock = clock or SystemClock()
        r = self.registry
        self.job_runs = Counter(
            "syncd_job_runs", "Job runs by job and outcome (ok, partial, failed).", ["job", "outcome"], registry=r
        )
        self.job_failures = Counter(
            "syncd_job_failures", "Job runs that failed as a whole, by job.", ["job"], registry=r
        )
        self.job_seconds = Histogram(
            "syncd_job_duration_seconds", "How long job runs took, by job.", ["job"], buckets=JOB_BUCKETS, registry=r
        )
        self.api_calls = Counter(
            "syncd_api_calls", "Platform API calls sent by jobs, by platform.", ["platform"], registry=r
        )
        self.webhooks_received = Counter(
            "syncd_webhooks_received",
            "Webhook deliveries that reached the endpoint, by provider.",
            ["provider"],
            registry=r,
        )
        self.webhooks_rejected = Counter(
            "syncd_webhooks_rejected",
            "Deliveries answered with an error (signature, too_large, malformed, unknown, unavailable).",
            ["provider", "reason"],
            registry=r,
        )
        self.webhooks_duplicate = Counter(
            "syncd_webhooks_duplicate",
            "Verified redeliveries of an event already in the inbox.",
            ["provider"],
            registry=r,
        )
        self.webhook_actions = Counter(
            "syncd_webhook_actions",
            "Actions webhooks triggered, by action and outcome (ok, failed, busy, coalesced).",
            ["action", "outcome"],
            registry=r,
        )
        self.propagation = Histogram(
            "syncd_webhook_propagation_seconds",
            "From a webhook's arrival to the end of the actions it triggered, by notice kind.",
            ["kind"],
            buckets=PROPAGATION_BUCKETS,
            registry=r,
        )
        if runtime is not None:
            r.register(StoreCollector(runtime, self.clock))

    def record_run(self, job: str, outcome: RunOutcome, report: RunReport, seconds: float) -> None:
        """Count one job run, its duration and the API calls it sent."""
        self.job_runs.labels(job, outcome.value).inc()
        if outcome is RunOutcome.FAILED:
            self.job_failures.labels(job).inc()
        self.job_seconds.labels(job).observe(seconds)
        self.record_api_calls(report)

    def record_api_calls(self, report: RunReport) -> None:
        """Add a report's API calls, by platform."""
        for platform, count in report.api_calls.items():
            self.api_calls.labels(platform).inc(count)

    def exposition(self) -> bytes:
        """The registry in Prometheus text format (reads the store for the gauges)."""
        return generate_latest(self.registry)


def run_observed(ctx: JobContext, name: str, metrics: Metrics) -> tuple[RunReport, RunOutcome]:
    """Run a job through the runner (which records the run) and count it; returns the report and the outcome."""
    began = metrics.clock.monotonic()
    report = run_job(ctx, name)
    # The runner stores the outcome with the run, and only there: read it back rather than guess from counts.
    with session_scope(ctx.runtime.engine) as session:
        last = runs.last_run(session, name)
    outcome = last.outcome if last is not None else (RunOutcome.OK if report.ok else RunOutcome.FAILED)
    metrics.record_run(name, outcome, report, max(0.0, metrics.clock.monotonic() - began))
    return report, outcome


class StoreCollector(Collector):
    """Gauges read from the mapping store at each scrape: open quarantine, cursor lag, inbox, re-authorisation."""

    def __init__(self, runtime: Runtime, clock: Clock) -> None:
        self._runtime = runtime
        self._clock = clock

    def describe(self) -> Iterable[Metric]:
        """Nothing up front: describing would read the database when the collector is registered."""
        return []

    def collect(self) -> Iterator[Metric]:
        """The store's gauges, or `syncd_store_up 0` when the database cannot be read."""
        up = GaugeMetricFamily("syncd_store_up", "1 when the last scrape could read the mapping store.")
        try:
            with session_scope(self._runtime.engine) as session:
                families = list(self._families(session, self._clock.now()))
        except (SQLAlchemyError, SyncError) as exc:
            log.warning("metrics: the store could not be read: %s", type(exc).__name__)
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield from families

    def _families(self, session: Session, now: datetime) -> Iterator[Metric]:
        names = {row.id: row.key for row in channels.list_channels(session)}
        quarantined = GaugeMetricFamily(
            "syncd_quarantined_records", "Open quarantine entries, by channel and kind.", labels=["channel", "kind"]
        )
        open_entries = (
            select(QuarantineEntry.channel_id, QuarantineEntry.kind, func.count())
            .where(col(QuarantineEntry.resolved_at).is_(None))
            .group_by(col(QuarantineEntry.channel_id), col(QuarantineEntry.kind))
        )
        for channel_id, kind, count in session.exec(open_entries):
            quarantined.add_metric([names.get(channel_id, str(channel_id)), kind], count)
        yield quarantined
        lag = GaugeMetricFamily(
            "syncd_cursor_lag_seconds", "Seconds since each stream's cursor last moved.", labels=["channel", "stream"]
        )
        for cursor in cursors.list_cursors(session):
            seconds = max(0.0, (now - cursor.updated_at).total_seconds())
            lag.add_metric([names.get(cursor.channel_id, str(cursor.channel_id)), cursor.stream], seconds)
        yield lag
        inbox = GaugeMetricFamily("syncd_webhook_inbox_events", "Webhook inbox rows by status.", labels=["status"])
        by_status = select(InboxEvent.status, func.count()).group_by(col(InboxEvent.status))
        for status, count in session.exec(by_status):
            inbox.add_metric([str(status)], count)
        yield inbox
        reauth = GaugeMetricFamily(
            "syncd_channel_needs_reauth",
            "1 for a channel whose credentials were rejected or revoked.",
            labels=["channel"],
        )
        for row in channels.list_channels(session):
            reauth.add_metric([row.key], 1 if row.needs_reauth else 0)
        yield reauth
