"""Runs the actions of one worker pass: each distinct action once, under its job's gate; a failure stops no other.

Debouncing works across passes too: an action is skipped when a successful run of it started after every
delivery asking for it arrived, because that run read the platform after the change the deliveries announce.
A burst of deliveries about one order therefore imports it once, or a few times at most, never once each.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta

from syncd.errors import SyncError
from syncd.runtime import Runtime
from syncd.store import channels
from syncd.store.engine import session_scope
from syncd.store.enums import RunOutcome
from syncd.sync.context import JobContext
from syncd.sync.jobs import orders
from syncd.sync.report import RunReport
from syncd.web.actions import Action, Step
from syncd.web.gate import JobGate
from syncd.web.metrics import Metrics, run_observed

log = logging.getLogger("syncd.web")

# How long a successful run is remembered for debouncing; older deliveries simply run their action again.
MEMORY = timedelta(minutes=10)


class Busy(Exception):
    """The action's job is running elsewhere (the scheduler, another replica); the delivery is retried later."""


class ActionRunner:
    """Runs actions in a job context; remembers when each last succeeded, for debouncing."""

    def __init__(self, runtime: Runtime, gate: JobGate, metrics: Metrics) -> None:
        self._runtime = runtime
        self._gate = gate
        self._metrics = metrics
        self._last_ok: dict[Action, datetime] = {}

    def run(self, ctx: JobContext, planned: Mapping[Action, Sequence[datetime]]) -> dict[Action, str | None]:
        """Run each action once, in job order; `planned` maps each to the arrival times of the deliveries asking.

        Returns each action's error (None: done). One action failing never stops the others.
        """
        results: dict[Action, str | None] = {}
        for action in sorted(planned, key=Action.rank):
            if ctx.stop.is_set():
                results[action] = "stopped before it ran; retried on the next start"
                continue
            if self._covered(action, planned[action]):
                self._metrics.webhook_actions.labels(action.label, "coalesced").inc()
                results[action] = None
                continue
            started = self._metrics.clock.now()
            results[action] = self._attempt(ctx, action)
            if results[action] is None:
                self._last_ok[action] = started
        self._forget(self._metrics.clock.now() - MEMORY)
        return results

    def _covered(self, action: Action, arrivals: Sequence[datetime]) -> bool:
        """True when a run that succeeded started after every one of these deliveries arrived."""
        started = self._last_ok.get(action)
        return started is not None and all(arrived < started for arrived in arrivals)

    def _forget(self, before: datetime) -> None:
        for action in [a for a, started in self._last_ok.items() if started < before]:
            del self._last_ok[action]

    def _attempt(self, ctx: JobContext, action: Action) -> str | None:
        try:
            error = self._execute(ctx, action)
        except Busy as exc:
            self._metrics.webhook_actions.labels(action.label, "busy").inc()
            return str(exc)
        except SyncError as exc:
            log.error("webhook action %s %s failed: %s", action.label, action.target, exc)
            error = str(exc)
        except Exception as exc:  # one action's bug must not stop the others, nor the worker
            log.exception("webhook action %s %s failed", action.label, action.target)
            error = f"{type(exc).__name__}: {exc}"
        self._metrics.webhook_actions.labels(action.label, "ok" if error is None else "failed").inc()
        return error

    def _execute(self, ctx: JobContext, action: Action) -> str | None:
        if action.step is Step.REAUTH:
            self._mark_reauth(ctx, action)
            return None
        name = action.job
        assert name is not None  # every step but REAUTH runs under a job
        with self._gate.hold(name, wait=False) as granted:
            if not granted:
                raise Busy(f"the {name} job is running; retried on a later pass")
            if action.step is Step.JOB:
                report, outcome = run_observed(ctx, name, self._metrics)
                return _problem(report) if outcome is RunOutcome.FAILED else None
            report = orders.retry_order(ctx, action.target)
        self._metrics.record_api_calls(report)
        return _problem(report) if report.failed else None

    def _mark_reauth(self, ctx: JobContext, action: Action) -> None:
        with session_scope(self._runtime.engine) as session:
            channels.mark_needs_reauth(session, ctx.channel_id(action.target), action.reason[:500])
        log.error("channel %s needs re-authorisation: %s", action.target, action.reason)


def _problem(report: RunReport) -> str:
    """A failed report's reason, for the inbox row."""
    return "; ".join(report.notes[-3:]) or f"{report.job}: {report.failed} failed"
