"""Insert-if-absent and claims under real concurrency: two connections race, exactly one wins, on both backends."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest
from sqlalchemy import Engine, func, text
from sqlmodel import Session, select
from store_helpers import Ids

from syncd.store import inbox, orders
from syncd.store.engine import session_scope
from syncd.store.models import OrderLink

Attempt = Callable[[Session, Ids, int], bool]


def _insert_order_link(session: Session, ids: Ids, _event: int) -> bool:
    return orders.insert_order_link(session, "576", ids.shop)[1]


def _receive_webhook(session: Session, ids: Ids, _event: int) -> bool:
    return inbox.receive(session, "tiktok", "evt-race", "ORDER_STATUS_CHANGE", b"{}", {})[1]


def _claim_webhook(session: Session, ids: Ids, event: int) -> bool:
    return inbox.claim(session, event)


ATTEMPTS: dict[str, Attempt] = {
    "order_link": _insert_order_link,
    "inbox_receive": _receive_webhook,
    "inbox_claim": _claim_webhook,
}


def _lock_waiters(engine: Engine) -> int:
    """Backends of this database blocked on a lock right now (PostgreSQL)."""
    query = text(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
        "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
    )
    with engine.connect() as connection:
        return int(connection.execute(query).scalar_one())


def _wait_until(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(0.005)  # polling interval of a condition check, not a guess at timing


def _run_threads(*targets: Callable[[], None]) -> list[BaseException]:
    errors: list[BaseException] = []

    def guarded(target: Callable[[], None]) -> Callable[[], None]:
        def run() -> None:
            try:
                target()
            except BaseException as exc:  # noqa: BLE001 - reported to the test below
                errors.append(exc)

        return run

    threads = [threading.Thread(target=guarded(t)) for t in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
        assert not thread.is_alive()
    return errors


@pytest.mark.parametrize("name", sorted(ATTEMPTS))
def test_the_second_writer_waits_and_loses(engine: Engine, ids: Ids, name: str) -> None:
    attempt = ATTEMPTS[name]
    with session_scope(engine) as session:
        event, _ = inbox.receive(session, "tiktok", "evt-claim", "ORDER_STATUS_CHANGE", b"{}", {})
    first_done = threading.Event()
    second_started = threading.Event()
    release_first = threading.Event()
    results: dict[str, bool] = {}

    def first() -> None:
        with session_scope(engine) as session:
            results["first"] = attempt(session, ids, event)
            first_done.set()
            # Keep the transaction open until the second writer is inside its own attempt.
            assert release_first.wait(timeout=30)

    def second() -> None:
        assert first_done.wait(timeout=30)
        with session_scope(engine) as session:
            second_started.set()
            results["second"] = attempt(session, ids, event)

    def referee() -> None:
        assert second_started.wait(timeout=30)
        if engine.dialect.name == "postgresql":
            # The second INSERT/UPDATE is blocked on the first transaction's row: the race really happens.
            _wait_until(lambda: _lock_waiters(engine) >= 1)
        release_first.set()

    errors = _run_threads(first, second, referee)
    assert errors == []
    assert results == {"first": True, "second": False}


def test_many_concurrent_inserts_have_exactly_one_winner(engine: Engine, ids: Ids) -> None:
    workers = 4
    barrier = threading.Barrier(workers)
    results: list[bool] = []
    lock = threading.Lock()

    def worker() -> None:
        with session_scope(engine) as session:
            barrier.wait(timeout=30)
            created = orders.insert_order_link(session, "577", ids.shop)[1]
        with lock:
            results.append(created)

    errors = _run_threads(*([worker] * workers))
    assert errors == []
    assert sorted(results) == [False, False, False, True]
    with session_scope(engine) as session:
        count = session.exec(select(func.count()).select_from(OrderLink)).one()
    assert count == 1
