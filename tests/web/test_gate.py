"""The job gate: one run of a job at a time in the process, whoever starts it (scheduler or webhook worker)."""

from __future__ import annotations

import threading

from web_support import MakeRuntime

from syncd.sandbox.merchant import Merchant
from syncd.web.gate import JobGate


def test_a_held_job_refuses_the_worker_and_makes_the_scheduler_wait(
    merchant: Merchant, make_runtime: MakeRuntime
) -> None:
    gate = JobGate(make_runtime(merchant))
    entered = threading.Event()
    waited: list[bool] = []

    def scheduled_run() -> None:
        entered.set()
        with gate.hold("stock", wait=True) as granted:
            waited.append(granted)

    with gate.hold("stock", wait=False) as first:
        with gate.hold("stock", wait=False) as second, gate.hold("orders", wait=False) as other:
            refused, other_job = second, other
        scheduler = threading.Thread(target=scheduled_run)
        scheduler.start()
        assert entered.wait(5.0)
        scheduler.join(0.2)  # still waiting for the lock held here
        blocked = scheduler.is_alive()
    scheduler.join(5.0)

    assert first is True
    assert refused is False, "the same job may not run twice at once"
    assert other_job is True, "other jobs are not held up"
    assert blocked
    assert waited == [True], "the scheduled run went ahead once the lock was free"
