"""The webhook inbox: verified deliveries stored raw, deduplicated by the platform's event id (DESIGN 2.3).

Replicas share the inbox, so processing starts with `claim`, an UPDATE that only one of them can win.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import and_, delete, or_, update
from sqlmodel import Session, col, select

from syncd.store.enums import InboxStatus
from syncd.store.models import InboxEvent
from syncd.store.sql import fetch_all, fetch_one, insert_if_absent, table_of
from syncd.store.types import utcnow

_CLAIMABLE = (InboxStatus.RECEIVED, InboxStatus.FAILED)


def receive(
    session: Session,
    provider: str,
    event_id: str,
    topic: str,
    body: bytes,
    headers: Mapping[str, str],
    *,
    now: datetime | None = None,
) -> tuple[int, bool]:
    """Store a delivery unless it was stored before; return the row id and whether this call stored it.

    `headers` are stored as given: the caller keeps only those worth keeping (never signatures or tokens).
    """
    now = now or utcnow()
    values = {
        "provider": provider,
        "event_id": event_id,
        "topic": topic,
        "body": body,
        "headers": dict(headers),
        "received_at": now,
        "status": InboxStatus.RECEIVED,
        "attempts": 0,
        "updated_at": now,
    }
    new_id = insert_if_absent(session, InboxEvent, values)
    if new_id is not None:
        return new_id, True
    stmt = select(InboxEvent.id).where(InboxEvent.provider == provider, InboxEvent.event_id == event_id)
    existing = session.exec(stmt).one()
    assert existing is not None
    return existing, False


def get_event(session: Session, inbox_id: int) -> InboxEvent | None:
    """One delivery by row id."""
    return fetch_one(session, select(InboxEvent).where(InboxEvent.id == inbox_id))


def claim(
    session: Session, inbox_id: int, *, stuck_before: datetime | None = None, now: datetime | None = None
) -> bool:
    """Mark a delivery `processing` and count the attempt; False if it is done or another worker has it.

    A delivery left `processing` by a worker that died is claimable again once its `updated_at` is older
    than `stuck_before`.
    """
    table = table_of(InboxEvent)
    claimable: list[Any] = [table.c.status.in_(_CLAIMABLE)]
    if stuck_before is not None:
        claimable.append(and_(table.c.status == InboxStatus.PROCESSING, table.c.updated_at < stuck_before))
    stmt = (
        update(table)
        .where(table.c.id == inbox_id, or_(*claimable))
        .values(status=InboxStatus.PROCESSING, attempts=table.c.attempts + 1, updated_at=now or utcnow())
    )
    return session.exec(stmt).rowcount > 0


def mark_status(
    session: Session,
    inbox_id: int,
    status: InboxStatus,
    *,
    error: str | None = None,
    now: datetime | None = None,
) -> None:
    """Set a delivery's status (`done`, or `failed` with the error); `claim` is the way into `processing`."""
    table = table_of(InboxEvent)
    stmt = update(table).where(table.c.id == inbox_id).values(status=status, error=error, updated_at=now or utcnow())
    if session.exec(stmt).rowcount == 0:
        raise LookupError(f"no inbox event with id {inbox_id}")


def pending_events(
    session: Session, *, provider: str | None = None, max_attempts: int | None = None, limit: int = 100
) -> list[InboxEvent]:
    """Deliveries waiting to be processed (received, or failed with attempts left), oldest first."""
    stmt = select(InboxEvent).where(col(InboxEvent.status).in_(_CLAIMABLE))
    if provider is not None:
        stmt = stmt.where(InboxEvent.provider == provider)
    if max_attempts is not None:
        stmt = stmt.where(InboxEvent.attempts < max_attempts)
    return fetch_all(session, stmt.order_by(col(InboxEvent.received_at), col(InboxEvent.id)).limit(limit))


def prune(session: Session, *, received_before: datetime) -> int:
    """Delete processed deliveries received before a time; return how many were deleted."""
    table = table_of(InboxEvent)
    stmt = delete(table).where(table.c.status == InboxStatus.DONE, table.c.received_at < received_before)
    return session.exec(stmt).rowcount
