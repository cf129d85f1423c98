"""Quarantine: records that could not be processed, kept with their reason until fixed and retried.

A quarantined record never blocks the ones behind it (DESIGN 2.2); `syncd status` lists them and
`syncd retry` feeds them back to their job.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col, select

from syncd.store.models import QuarantineEntry
from syncd.store.sql import fetch_all, fetch_one, table_of, upsert
from syncd.store.types import utcnow


def quarantine(
    session: Session,
    channel_id: int,
    kind: str,
    record_key: str,
    reason: str,
    *,
    payload: Mapping[str, Any] | None = None,
    now: datetime | None = None,
) -> int:
    """Record (or record again) a failed record; return how many times it has failed.

    Seeing the same record again keeps `first_seen`, moves `last_seen`, replaces reason and payload, and
    reopens the entry if it had been resolved.
    """
    now = now or utcnow()
    table = table_of(QuarantineEntry)
    values = {
        "channel_id": channel_id,
        "kind": kind,
        "record_key": record_key,
        "reason": reason,
        "payload": dict(payload or {}),
        "first_seen": now,
        "last_seen": now,
        "attempts": 1,
        "resolved_at": None,
    }
    attempts: int = upsert(
        session,
        QuarantineEntry,
        values,
        ["channel_id", "kind", "record_key"],
        update=["reason", "payload", "last_seen", "resolved_at"],
        set_={"attempts": table.c.attempts + 1},
        returning="attempts",
    )
    return attempts


def get_entry(session: Session, channel_id: int, kind: str, record_key: str) -> QuarantineEntry | None:
    """The entry for one record, resolved or not."""
    stmt = select(QuarantineEntry).where(
        QuarantineEntry.channel_id == channel_id,
        QuarantineEntry.kind == kind,
        QuarantineEntry.record_key == record_key,
    )
    return fetch_one(session, stmt)


def is_quarantined(session: Session, channel_id: int, kind: str, record_key: str) -> bool:
    """True if the record has an open (unresolved) entry."""
    entry = get_entry(session, channel_id, kind, record_key)
    return entry is not None and entry.resolved_at is None


def list_open(
    session: Session, *, channel_id: int | None = None, kind: str | None = None, limit: int | None = None
) -> list[QuarantineEntry]:
    """Unresolved entries, oldest first."""
    stmt = select(QuarantineEntry).where(col(QuarantineEntry.resolved_at).is_(None))
    if channel_id is not None:
        stmt = stmt.where(QuarantineEntry.channel_id == channel_id)
    if kind is not None:
        stmt = stmt.where(QuarantineEntry.kind == kind)
    stmt = stmt.order_by(col(QuarantineEntry.first_seen), col(QuarantineEntry.id)).limit(limit)
    return fetch_all(session, stmt)


def resolve(session: Session, channel_id: int, kind: str, record_key: str, *, now: datetime | None = None) -> bool:
    """Close an entry once its record went through; False if there was no open entry."""
    table = table_of(QuarantineEntry)
    stmt = (
        update(table)
        .where(
            table.c.channel_id == channel_id,
            table.c.kind == kind,
            table.c.record_key == record_key,
            table.c.resolved_at.is_(None),
        )
        .values(resolved_at=now or utcnow())
    )
    return session.exec(stmt).rowcount > 0
