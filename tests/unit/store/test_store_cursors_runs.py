"""Cursors (upserted per channel and stream) and job run history."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import Engine
from store_helpers import T0, Ids

from syncd.store import cursors, runs
from syncd.store.engine import session_scope
from syncd.store.enums import RunOutcome


def test_cursor_upsert_replaces_the_value(engine: Engine, ids: Ids) -> None:
    with session_scope(engine) as session:
        assert cursors.get_cursor(session, ids.tiktok, "orders") is None
        cursors.set_cursor(session, ids.tiktok, "orders", "1700000000", now=T0)
    with session_scope(engine) as session:
        cursors.set_cursor(session, ids.tiktok, "orders", "1700000600", now=T0 + timedelta(minutes=10))
        cursors.set_cursor(session, ids.tiktok, "products", "page-2")
        cursors.set_cursor(session, ids.shop, "orders", "gid-cursor")
    with session_scope(engine) as session:
        assert cursors.get_cursor(session, ids.tiktok, "orders") == "1700000600"
        assert cursors.get_cursor(session, ids.shop, "orders") == "gid-cursor"
        listed = cursors.list_cursors(session, ids.tiktok)
    assert [(c.stream, c.value) for c in listed] == [("orders", "1700000600"), ("products", "page-2")]
    assert listed[0].updated_at == T0 + timedelta(minutes=10)


def test_reset_cursor(engine: Engine, ids: Ids) -> None:
    with session_scope(engine) as session:
        cursors.set_cursor(session, ids.tiktok, "orders", "x")
        assert cursors.reset_cursor(session, ids.tiktok, "orders")
        assert not cursors.reset_cursor(session, ids.tiktok, "orders")
        assert cursors.get_cursor(session, ids.tiktok, "orders") is None
        assert len(cursors.list_cursors(session)) == 0


def test_a_run_is_started_and_finished(engine: Engine, ids: Ids) -> None:
    with session_scope(engine) as session:
        run_id = runs.start_run(session, "orders", channel_id=ids.tiktok, now=T0)
        started = runs.get_run(session, run_id)
        assert started is not None
        assert (started.outcome, started.finished_at, started.counts) == (RunOutcome.RUNNING, None, {})
        runs.finish_run(session, run_id, RunOutcome.PARTIAL, counts={"read": 10, "quarantined": 1}, error=None, now=T0)
        finished = runs.get_run(session, run_id)
    assert finished is not None
    assert (finished.outcome, finished.counts, finished.finished_at) == (
        RunOutcome.PARTIAL,
        {"read": 10, "quarantined": 1},
        T0,
    )


def test_finishing_needs_a_final_outcome_and_an_existing_run(engine: Engine) -> None:
    with session_scope(engine) as session:
        run_id = runs.start_run(session, "stock")
        with pytest.raises(ValueError, match="outcome"):
            runs.finish_run(session, run_id, RunOutcome.RUNNING)
        with pytest.raises(LookupError):
            runs.finish_run(session, run_id + 1, RunOutcome.OK)


def test_recent_and_last_runs(engine: Engine, ids: Ids) -> None:
    with session_scope(engine) as session:
        first = runs.start_run(session, "orders", channel_id=ids.tiktok, now=T0)
        runs.finish_run(session, first, RunOutcome.OK)
        second = runs.start_run(session, "orders", channel_id=ids.tiktok, now=T0 + timedelta(minutes=2))
        runs.finish_run(session, second, RunOutcome.FAILED, error="HTTP 500")
        stock_run = runs.start_run(session, "stock", now=T0 + timedelta(minutes=1))
        assert [r.id for r in runs.recent_runs(session)] == [second, stock_run, first]
        assert [r.id for r in runs.recent_runs(session, job="orders", limit=1)] == [second]
        assert [r.id for r in runs.recent_runs(session, channel_id=ids.shop)] == []
        last = runs.last_run(session, "orders")
        last_ok = runs.last_run(session, "orders", channel_id=ids.tiktok, outcome=RunOutcome.OK)
        assert runs.last_run(session, "catalog") is None
    assert last is not None
    assert (last.id, last.error) == (second, "HTTP 500")
    assert last_ok is not None
    assert last_ok.id == first
