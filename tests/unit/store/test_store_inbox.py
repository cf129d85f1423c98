"""The webhook inbox: dedupe by provider and event id, raw bodies, claiming and status."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import Engine
from store_helpers import T0

from syncd.store import inbox
from syncd.store.engine import session_scope
from syncd.store.enums import InboxStatus

BODY = b'{"type": 1, "data": {"order_id": "576"}}\xff\x00'  # not even valid UTF-8: stored as bytes


def _receive(engine: Engine, event_id: str = "evt-1", provider: str = "tiktok") -> tuple[int, bool]:
    with session_scope(engine) as session:
        return inbox.receive(session, provider, event_id, "ORDER_STATUS_CHANGE", BODY, {"x-tts-topic": "1"}, now=T0)


def test_a_redelivery_is_not_new(engine: Engine) -> None:
    first_id, first_new = _receive(engine)
    second_id, second_new = _receive(engine)
    other_id, other_new = _receive(engine, provider="shopify")
    assert (first_new, second_new, other_new) == (True, False, True)
    assert second_id == first_id
    assert other_id != first_id


def test_the_delivery_is_stored_exactly(engine: Engine) -> None:
    inbox_id, _ = _receive(engine)
    with session_scope(engine) as session:
        event = inbox.get_event(session, inbox_id)
    assert event is not None
    assert (event.body, event.headers, event.topic) == (BODY, {"x-tts-topic": "1"}, "ORDER_STATUS_CHANGE")
    assert (event.status, event.attempts, event.received_at) == (InboxStatus.RECEIVED, 0, T0)


def test_claim_is_exclusive_and_counts_attempts(engine: Engine) -> None:
    inbox_id, _ = _receive(engine)
    with session_scope(engine) as session:
        assert inbox.claim(session, inbox_id, now=T0)
        assert not inbox.claim(session, inbox_id, now=T0)
        inbox.mark_status(session, inbox_id, InboxStatus.FAILED, error="job crashed")
        assert inbox.claim(session, inbox_id)
        inbox.mark_status(session, inbox_id, InboxStatus.DONE)
        assert not inbox.claim(session, inbox_id)
        event = inbox.get_event(session, inbox_id)
    assert event is not None
    assert (event.status, event.attempts, event.error) == (InboxStatus.DONE, 2, None)


def test_a_stuck_claim_can_be_taken_over(engine: Engine) -> None:
    inbox_id, _ = _receive(engine)
    with session_scope(engine) as session:
        assert inbox.claim(session, inbox_id, now=T0)
        assert not inbox.claim(session, inbox_id, stuck_before=T0, now=T0 + timedelta(minutes=1))
        assert inbox.claim(session, inbox_id, stuck_before=T0 + timedelta(seconds=1), now=T0 + timedelta(minutes=1))


def test_pending_events(engine: Engine) -> None:
    ids = [_receive(engine, f"evt-{n}")[0] for n in range(3)]
    shopify_id, _ = _receive(engine, "evt-9", provider="shopify")
    with session_scope(engine) as session:
        inbox.claim(session, ids[0])
        inbox.claim(session, ids[1])
        inbox.mark_status(session, ids[1], InboxStatus.FAILED, error="x")
        assert [e.id for e in inbox.pending_events(session)] == [ids[1], ids[2], shopify_id]
        assert [e.id for e in inbox.pending_events(session, provider="tiktok", limit=1)] == [ids[1]]
        assert [e.id for e in inbox.pending_events(session, max_attempts=1)] == [ids[2], shopify_id]


def test_mark_status_on_a_missing_event_raises(engine: Engine) -> None:
    with pytest.raises(LookupError), session_scope(engine) as session:
        inbox.mark_status(session, 999, InboxStatus.DONE)


def test_prune_deletes_only_old_processed_events(engine: Engine) -> None:
    done_id, _ = _receive(engine, "evt-done")
    waiting_id, _ = _receive(engine, "evt-waiting")
    with session_scope(engine) as session:
        inbox.mark_status(session, done_id, InboxStatus.DONE)
        assert inbox.prune(session, received_before=T0) == 0
        assert inbox.prune(session, received_before=T0 + timedelta(days=1)) == 1
        assert inbox.get_event(session, done_id) is None
        assert inbox.get_event(session, waiting_id) is not None
