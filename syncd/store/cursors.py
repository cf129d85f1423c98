"""Cursors: where each job resumes reading each stream of each channel.

A job stores a page's checkpoint only after the page has been applied (DESIGN 2), so a crash resumes from
the last fully applied page.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete
from sqlmodel import Session, col, select

from syncd.store.models import StreamCursor
from syncd.store.sql import fetch_all, table_of, upsert
from syncd.store.types import utcnow


def get_cursor(session: Session, channel_id: int, stream: str) -> str | None:
    """The stored checkpoint of a stream, or None to start from the beginning."""
    stmt = select(StreamCursor.value).where(StreamCursor.channel_id == channel_id, StreamCursor.stream == stream)
    return session.exec(stmt).one_or_none()


def set_cursor(session: Session, channel_id: int, stream: str, value: str, *, now: datetime | None = None) -> None:
    """Store a stream's checkpoint, replacing the previous one."""
    values = {"channel_id": channel_id, "stream": stream, "value": value, "updated_at": now or utcnow()}
    upsert(session, StreamCursor, values, ["channel_id", "stream"], update=["value", "updated_at"])


def reset_cursor(session: Session, channel_id: int, stream: str) -> bool:
    """Forget a stream's checkpoint so the next run reads from the beginning; True if there was one."""
    table = table_of(StreamCursor)
    result = session.exec(delete(table).where(table.c.channel_id == channel_id, table.c.stream == stream))
    return result.rowcount > 0


def list_cursors(session: Session, channel_id: int | None = None) -> list[StreamCursor]:
    """All stored cursors, by channel and stream."""
    stmt = select(StreamCursor)
    if channel_id is not None:
        stmt = stmt.where(StreamCursor.channel_id == channel_id)
    return fetch_all(session, stmt.order_by(col(StreamCursor.channel_id), col(StreamCursor.stream)))
