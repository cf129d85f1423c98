"""One run of each job at a time: the scheduler and the webhook worker share a process, replicas share a database."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from syncd.runtime import Runtime
from syncd.sync.leases import job_lease


class JobGate:
    """A job's in-process lock plus its database lease (`job_lease`); both must be held to run the job.

    The lease alone is not enough: on SQLite it is always granted (one daemon per file), and the scheduler's
    `max_instances=1` only keeps the scheduler from overlapping itself, not from overlapping the webhook worker.
    """

    def __init__(self, runtime: Runtime) -> None:
        self._runtime = runtime
        self._guard = threading.Lock()
        self._locks: dict[str, threading.Lock] = {}

    def _lock(self, job: str) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault(job, threading.Lock())

    @contextmanager
    def hold(self, job: str, *, wait: bool) -> Iterator[bool]:
        """Hold the job for the block; yields False when it is running (here, or on another replica).

        `wait` waits for a run in this process to finish (the scheduler does); the worker does not wait, so
        a long catalog run never holds up order webhooks. The lease is never waited for.
        """
        lock = self._lock(job)
        if not lock.acquire(blocking=wait):
            yield False
            return
        try:
            with job_lease(self._runtime.engine, job) as granted:
                yield granted
        finally:
            lock.release()
