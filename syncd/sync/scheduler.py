"""`syncd run`: the jobs on their schedules (APScheduler 3), each under its lease, stopped cleanly by SIGTERM."""

from __future__ import annotations

import logging
import signal
import threading
from types import FrameType

from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from syncd.config.models import Schedule
from syncd.runtime import Runtime
from syncd.sync.context import JobContext
from syncd.sync.runner import job_table
from syncd.web.gate import JobGate
from syncd.web.metrics import Metrics, run_observed

log = logging.getLogger("syncd.scheduler")


def trigger_for(schedule: Schedule) -> IntervalTrigger | CronTrigger:
    """The APScheduler trigger of a schedule: an interval or a five-field cron, in UTC, with jitter."""
    jitter = int(schedule.jitter.total_seconds()) or None
    if schedule.cron is not None:
        minute, hour, day, month, day_of_week = schedule.cron.split()
        return CronTrigger(
            minute=minute, hour=hour, day=day, month=month, day_of_week=day_of_week, timezone="UTC", jitter=jitter
        )
    assert schedule.every is not None  # the config model requires one of the two
    return IntervalTrigger(seconds=max(1, int(schedule.every.total_seconds())), timezone="UTC", jitter=jitter)


class Daemon:
    """The scheduler of one merchant; `stop()` (or SIGTERM) lets running jobs finish their page, then returns."""

    def __init__(self, runtime: Runtime, *, serve_http: bool = True) -> None:
        self.runtime = runtime
        self.stopping = threading.Event()
        # Shared with the webhook side (syncd.web): a job never overlaps itself, whoever starts it, and the
        # metrics count scheduled and webhook-triggered runs alike.
        self.serve_http = serve_http
        self.gate = JobGate(runtime)
        self.metrics = Metrics(runtime, clock=runtime.clock)
        # Jobs share no state in process; missed runs collapse into one and a job never overlaps itself.
        self.scheduler = BlockingScheduler(
            timezone="UTC", job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 300}
        )
        for name in job_table():
            schedule: Schedule = getattr(runtime.settings.schedules, name)
            if schedule.enabled:
                self.scheduler.add_job(self.run, trigger_for(schedule), args=[name], id=name, name=name)

    def run(self, name: str) -> None:
        """One scheduled run of `name`, if this replica gets the job's lease."""
        if self.stopping.is_set():
            return
        # Waits while the webhook worker runs the same job in this process; skips when another replica has it.
        with self.gate.hold(name, wait=True) as granted:
            if not granted:
                log.info("%s: another replica holds the lease; skipping this run", name)
                return
            with JobContext(self.runtime, stop=self.stopping) as ctx:
                run_observed(ctx, name, self.metrics)

    def start(self) -> None:
        """Run until stopped, serving HTTP beside the scheduler; handles SIGTERM and SIGINT on the main thread."""
        if threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGTERM, self._on_signal)
            signal.signal(signal.SIGINT, self._on_signal)
        # -- HTTP (syncd.web): webhooks, /healthz, /readyz, /metrics; started first so a taken port fails at once.
        web = None
        if self.serve_http:
            from syncd.web.service import WebService

            web = WebService(
                self.runtime,
                gate=self.gate,
                metrics=self.metrics,
                stop=self.stopping,
                scheduler_running=lambda: bool(self.scheduler.running),
            )
            web.start()
        # -- end HTTP
        jobs = ", ".join(f"{job.id} ({job.trigger})" for job in self.scheduler.get_jobs())
        log.info("syncd running: %s", jobs or "no jobs enabled")
        try:
            if not self.stopping.is_set():  # stopped while the server was starting
                self.scheduler.start()
        finally:
            if web is not None:
                web.stop()
        log.info("syncd stopped")

    def stop(self) -> None:
        """Ask running jobs to finish their page, wait for them, and stop the scheduler."""
        self.stopping.set()
        threading.Thread(target=self.scheduler.shutdown, kwargs={"wait": True}, daemon=True).start()

    def _on_signal(self, signum: int, _frame: FrameType | None) -> None:
        log.info("received %s: finishing the current page, then stopping", signal.Signals(signum).name)
        self.stop()
