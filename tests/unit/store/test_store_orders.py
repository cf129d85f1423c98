"""Order links: insert-if-absent, the guarded state machine, attempts and errors."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError
from sqlmodel import select
from store_helpers import T0, Ids

from syncd.store import orders
from syncd.store.engine import session_scope
from syncd.store.enums import OrderLinkState
from syncd.store.models import OrderLink
from syncd.store.orders import OrderLinkStateError

S = OrderLinkState


def test_idempotency_key_is_deterministic_per_order() -> None:
    key = orders.idempotency_key("576461413038785752")
    assert key == orders.idempotency_key("576461413038785752")
    assert key != orders.idempotency_key("576461413038785753")
    assert uuid.UUID(key).version == 5


def test_second_insert_of_the_same_order_is_not_new(engine: Engine, ids: Ids) -> None:
    with session_scope(engine) as session:
        link, created = orders.insert_order_link(session, "576", ids.shop, now=T0)
    with session_scope(engine) as session:
        again, created_again = orders.insert_order_link(session, "576", ids.shop, now=T0 + timedelta(hours=1))
    assert (created, created_again) == (True, False)
    assert again.id == link.id
    assert (again.state, again.attempts, again.created_at) == (S.PENDING, 0, T0)
    assert again.idempotency_key == orders.idempotency_key("576")
    assert again.store_channel_id == ids.shop


def test_happy_path_created_then_linked(engine: Engine, ids: Ids) -> None:
    with session_scope(engine) as session:
        orders.insert_order_link(session, "576", ids.shop)
        orders.record_failure(session, "576", "store timed out")
        created = orders.transition(session, "576", S.CREATED, store_order_id="gid://Order/1", now=T0)
        assert (created.state, created.store_order_id, created.last_error) == (S.CREATED, "gid://Order/1", None)
        assert created.attempts == 1
        linked = orders.transition(session, "576", S.LINKED)
        # Re-running a step after a crash is harmless.
        again = orders.transition(session, "576", S.LINKED, store_order_id="gid://Order/1")
    assert (linked.state, linked.store_order_id) == (S.LINKED, "gid://Order/1")
    assert again.state == S.LINKED


def test_created_needs_a_store_order_id(engine: Engine, ids: Ids) -> None:
    with session_scope(engine) as session:
        orders.insert_order_link(session, "576", ids.shop)
    with pytest.raises(OrderLinkStateError, match="needs a store order id"), session_scope(engine) as session:
        orders.transition(session, "576", S.CREATED)


def test_a_second_store_order_is_refused(engine: Engine, ids: Ids) -> None:
    with session_scope(engine) as session:
        orders.insert_order_link(session, "576", ids.shop)
        orders.transition(session, "576", S.CREATED, store_order_id="gid://Order/1")
    with pytest.raises(OrderLinkStateError, match="gid://Order/1") as raised, session_scope(engine) as session:
        orders.transition(session, "576", S.LINKED, store_order_id="gid://Order/2")
    assert "gid://Order/2" in str(raised.value)
    with session_scope(engine) as session:
        link = orders.get_order_link(session, "576")
    assert link is not None
    assert (link.state, link.store_order_id) == (S.CREATED, "gid://Order/1")


@pytest.mark.parametrize(
    ("path", "refused"),
    [
        ([S.CREATED, S.LINKED], S.PENDING),
        ([S.CREATED, S.LINKED], S.CREATED),
        ([S.CANCELLED], S.PENDING),
        ([S.CANCELLED], S.LINKED),
        ([S.CREATED, S.LINKED], S.QUARANTINED),
    ],
)
def test_backward_transitions_are_refused(
    engine: Engine, ids: Ids, path: list[OrderLinkState], refused: OrderLinkState
) -> None:
    with session_scope(engine) as session:
        orders.insert_order_link(session, "576", ids.shop)
        for state in path:
            orders.transition(session, "576", state, store_order_id="gid://Order/1")
    with pytest.raises(OrderLinkStateError, match="cannot move"), session_scope(engine) as session:
        orders.transition(session, "576", refused, store_order_id="gid://Order/1")


def test_quarantine_counts_attempts_and_retry_goes_back_to_pending(engine: Engine, ids: Ids) -> None:
    with session_scope(engine) as session:
        orders.insert_order_link(session, "576", ids.shop)
        first = orders.transition(session, "576", S.QUARANTINED, error="unknown SKU MUG-XL")
        assert (first.state, first.attempts, first.last_error) == (S.QUARANTINED, 1, "unknown SKU MUG-XL")
        second = orders.transition(session, "576", S.QUARANTINED, error="unknown SKU MUG-XL")
        assert second.attempts == 2
        retried = orders.transition(session, "576", S.PENDING)
        assert (retried.state, retried.attempts, retried.last_error) == (S.PENDING, 2, "unknown SKU MUG-XL")
        cancelled = orders.transition(session, "576", S.CANCELLED)
    assert cancelled.state == S.CANCELLED


def test_record_failure_counts_without_changing_state(engine: Engine, ids: Ids) -> None:
    with session_scope(engine) as session:
        orders.insert_order_link(session, "576", ids.shop)
        assert orders.record_failure(session, "576", "timeout", now=T0) == 1
        assert orders.record_failure(session, "576", "HTTP 502", now=T0) == 2
        link = orders.get_order_link(session, "576")
    assert link is not None
    assert (link.state, link.attempts, link.last_error, link.updated_at) == (S.PENDING, 2, "HTTP 502", T0)


def test_unknown_orders_raise_lookup_error(engine: Engine) -> None:
    with session_scope(engine) as session:
        assert orders.get_order_link(session, "nope") is None
        with pytest.raises(LookupError):
            orders.transition(session, "nope", S.CANCELLED)
        with pytest.raises(LookupError):
            orders.record_failure(session, "nope", "x")


def test_listing_and_counting_by_state(engine: Engine, ids: Ids) -> None:
    with session_scope(engine) as session:
        for offset, order_id in enumerate(["3", "1", "2"]):
            orders.insert_order_link(session, order_id, ids.shop, now=T0 + timedelta(minutes=offset))
        orders.transition(session, "1", S.CREATED, store_order_id="gid://Order/1")
        pending = [link.tiktok_order_id for link in orders.list_order_links(session, [S.PENDING])]
        unfinished = orders.list_order_links(session, [S.PENDING, S.CREATED], limit=2)
        other_store = orders.list_order_links(session, [S.PENDING], store_channel_id=ids.tiktok)
        counts = orders.count_by_state(session)
    assert pending == ["3", "2"]
    assert [link.tiktok_order_id for link in unfinished] == ["3", "1"]
    assert other_store == []
    assert counts == {S.PENDING: 2, S.CREATED: 1}


def test_lock_order_link_holds_a_row_lock_on_postgresql(engine: Engine, ids: Ids) -> None:
    with session_scope(engine) as session:
        orders.insert_order_link(session, "576", ids.shop)
    if engine.dialect.name != "postgresql":
        with session_scope(engine) as session:
            assert orders.lock_order_link(session, "576") is not None
        pytest.skip("SQLite serialises writers with BEGIN IMMEDIATE; there is no row lock to observe")
    with session_scope(engine) as holder:
        assert orders.lock_order_link(holder, "576") is not None
        with pytest.raises(OperationalError, match="could not obtain lock"), session_scope(engine) as other:
            other.exec(select(OrderLink).where(OrderLink.tiktok_order_id == "576").with_for_update(nowait=True))
