"""Order links: the record of intent that makes importing a TikTok order happen exactly once (DESIGN 2.2).

The link is inserted before the store order is created, keyed by the TikTok order id, with an idempotency
key derived from that id; every later step moves it through `OrderLinkState` with a guarded UPDATE, so two
workers (or a re-run after a crash) cannot record two different store orders for one TikTok order.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, update
from sqlmodel import Session, col, select

from syncd.errors import SyncError
from syncd.store.enums import OrderLinkState
from syncd.store.models import OrderLink
from syncd.store.sql import fetch_all, fetch_one, insert_if_absent, table_of
from syncd.store.types import utcnow

# Fixed forever: changing it would give every order a new idempotency key and defeat store-side dedupe.
_IDEMPOTENCY_NAMESPACE = uuid.UUID("3caa64bc-cc9c-4283-a427-5096d952efe1")

_S = OrderLinkState
# For each target state, the states it may be reached from. Staying in a state is allowed so that re-running
# a step after a crash is harmless.
_SOURCES: dict[OrderLinkState, frozenset[OrderLinkState]] = {
    _S.PENDING: frozenset({_S.PENDING, _S.QUARANTINED}),
    _S.CREATED: frozenset({_S.PENDING, _S.CREATED, _S.QUARANTINED}),
    _S.LINKED: frozenset({_S.PENDING, _S.CREATED, _S.LINKED, _S.QUARANTINED}),
    _S.QUARANTINED: frozenset({_S.PENDING, _S.CREATED, _S.QUARANTINED}),
    _S.CANCELLED: frozenset(_S),
    _S.PLATFORM: frozenset({_S.PENDING, _S.QUARANTINED, _S.PLATFORM}),
}
_NEEDS_STORE_ORDER = frozenset({_S.CREATED, _S.LINKED})


class OrderLinkStateError(SyncError):
    """A transition the protocol forbids (e.g. a second, different store order for one TikTok order)."""


def idempotency_key(tiktok_order_id: str) -> str:
    """The idempotency key sent with the store order: the same for every attempt at one TikTok order."""
    return str(uuid.uuid5(_IDEMPOTENCY_NAMESPACE, f"tiktok-order:{tiktok_order_id}"))


def insert_order_link(
    session: Session, tiktok_order_id: str, store_channel_id: int, *, now: datetime | None = None
) -> tuple[OrderLink, bool]:
    """Record the intent to import an order; return the link and whether this call created it.

    Of several concurrent callers exactly one gets True; the others get the same row and False.
    """
    now = now or utcnow()
    values = {
        "tiktok_order_id": tiktok_order_id,
        "idempotency_key": idempotency_key(tiktok_order_id),
        "state": OrderLinkState.PENDING,
        "store_channel_id": store_channel_id,
        "attempts": 0,
        "created_at": now,
        "updated_at": now,
    }
    new_id = insert_if_absent(session, OrderLink, values)
    link = get_order_link(session, tiktok_order_id)
    assert link is not None
    return link, new_id is not None


def get_order_link(session: Session, tiktok_order_id: str) -> OrderLink | None:
    """The link for a TikTok order, if one was recorded."""
    return fetch_one(session, select(OrderLink).where(OrderLink.tiktok_order_id == tiktok_order_id))


def lock_order_link(session: Session, tiktok_order_id: str) -> OrderLink | None:
    """The link, locked until the transaction ends (row lock on PostgreSQL; SQLite already has one writer)."""
    stmt = select(OrderLink).where(OrderLink.tiktok_order_id == tiktok_order_id).with_for_update()
    return fetch_one(session, stmt)


def transition(
    session: Session,
    tiktok_order_id: str,
    to: OrderLinkState,
    *,
    store_order_id: str | None = None,
    error: str | None = None,
    now: datetime | None = None,
) -> OrderLink:
    """Move a link to state `to` and return it; raise `OrderLinkStateError` if the protocol forbids it.

    `created` and `linked` need a store order id (given now or recorded before), and a recorded store order id
    can never be replaced by another. With `error` (a quarantine reason, a failed step) the attempt counter
    goes up and `last_error` is kept; reaching `created` or `linked` without one clears `last_error`.
    """
    table = table_of(OrderLink)
    conditions = [table.c.tiktok_order_id == tiktok_order_id, table.c.state.in_(_SOURCES[to])]
    values: dict[str, Any] = {"state": to, "updated_at": now or utcnow()}
    if store_order_id is not None:
        conditions.append(or_(table.c.store_order_id.is_(None), table.c.store_order_id == store_order_id))
        values["store_order_id"] = store_order_id
    elif to in _NEEDS_STORE_ORDER:
        conditions.append(table.c.store_order_id.is_not(None))
    if error is not None:
        values["last_error"] = error
        values["attempts"] = table.c.attempts + 1
    elif to in _NEEDS_STORE_ORDER:
        values["last_error"] = None
    result = session.exec(update(table).where(*conditions).values(**values))
    link = get_order_link(session, tiktok_order_id)
    if link is None:
        raise LookupError(f"no order link for TikTok order {tiktok_order_id}")
    if result.rowcount == 0:
        raise OrderLinkStateError(_refusal(link, to, store_order_id))
    return link


def record_failure(session: Session, tiktok_order_id: str, error: str, *, now: datetime | None = None) -> int:
    """Count a failed attempt at an order's current step and keep the error; return the attempt count."""
    table = table_of(OrderLink)
    stmt = (
        update(table)
        .where(table.c.tiktok_order_id == tiktok_order_id)
        .values(attempts=table.c.attempts + 1, last_error=error, updated_at=now or utcnow())
        .returning(table.c.attempts)
    )
    attempts: int | None = session.exec(stmt).scalar_one_or_none()
    if attempts is None:
        raise LookupError(f"no order link for TikTok order {tiktok_order_id}")
    return attempts


def list_order_links(
    session: Session,
    states: Iterable[OrderLinkState],
    *,
    store_channel_id: int | None = None,
    limit: int | None = None,
) -> list[OrderLink]:
    """Links in any of `states`, oldest first (the order in which a resumed run should repair them)."""
    stmt = select(OrderLink).where(col(OrderLink.state).in_(list(states)))
    if store_channel_id is not None:
        stmt = stmt.where(OrderLink.store_channel_id == store_channel_id)
    stmt = stmt.order_by(col(OrderLink.created_at), col(OrderLink.id)).limit(limit)
    return fetch_all(session, stmt)


def mark_shipped(
    session: Session, tiktok_order_id: str, tracking_number: str | None, *, now: datetime | None = None
) -> bool:
    """Record that TikTok has the order's shipment; False if it was already marked (or has no store order)."""
    table = table_of(OrderLink)
    stmt = (
        update(table)
        .where(
            table.c.tiktok_order_id == tiktok_order_id,
            table.c.state.in_(_NEEDS_STORE_ORDER),
            table.c.shipped_at.is_(None),
        )
        .values(shipped_at=now or utcnow(), tracking_number=tracking_number, updated_at=now or utcnow())
    )
    return session.exec(stmt).rowcount > 0


def list_unshipped(session: Session, store_channel_id: int, *, after_id: int = 0, limit: int = 100) -> list[OrderLink]:
    """Links with a store order that TikTok has no shipment for yet, by id after `after_id` (keyset paging)."""
    stmt = (
        select(OrderLink)
        .where(
            OrderLink.store_channel_id == store_channel_id,
            col(OrderLink.state).in_(list(_NEEDS_STORE_ORDER)),
            col(OrderLink.shipped_at).is_(None),
            col(OrderLink.id) > after_id,
        )
        .order_by(col(OrderLink.id))
        .limit(limit)
    )
    return fetch_all(session, stmt)


def count_by_state(session: Session) -> dict[OrderLinkState, int]:
    """How many links are in each state (for `syncd status`); states with none are left out."""
    stmt = select(OrderLink.state, func.count()).group_by(col(OrderLink.state))
    return {OrderLinkState(state): int(count) for state, count in session.exec(stmt)}


def _refusal(link: OrderLink, to: OrderLinkState, store_order_id: str | None) -> str:
    """Why a transition was refused, naming the order but nothing about the buyer."""
    prefix = f"TikTok order {link.tiktok_order_id}"
    if link.state not in _SOURCES[to]:
        return f"{prefix}: cannot move from {link.state} to {to}"
    if store_order_id is not None and link.store_order_id not in (None, store_order_id):
        return f"{prefix}: already has store order {link.store_order_id}, refusing {store_order_id}"
    return f"{prefix}: {to} needs a store order id"
