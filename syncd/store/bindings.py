"""Bindings: each channel's id for a canonical record, looked up in both directions (OCA's binder).

A binding is one-to-one per channel and kind: an external id names one canonical record and a canonical
record has one external id on a channel. `to_internal` answers "which of ours is this platform id?",
`to_external` answers "what is this record called on that channel?".
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import delete, update
from sqlmodel import Session, col, select

from syncd.store.enums import BindingKind, BindingState
from syncd.store.models import Binding
from syncd.store.sql import chunked, fetch_all, fetch_one, table_of, upsert
from syncd.store.types import utcnow


def bind(
    session: Session,
    channel_id: int,
    kind: BindingKind,
    external_id: str,
    internal_id: int,
    *,
    digest: str | None = None,
    now: datetime | None = None,
) -> None:
    """Bind `external_id` to `internal_id`, replacing any other binding of either side; state becomes ok.

    Replacing is what a re-created platform record needs (a product deleted on TikTok and listed again gets a
    new id). Both statements run in the caller's transaction, so no reader sees the record unbound.
    """
    now = now or utcnow()
    table = table_of(Binding)
    session.exec(
        delete(table).where(
            table.c.channel_id == channel_id,
            table.c.kind == kind,
            table.c.internal_id == internal_id,
            table.c.external_id != external_id,
        )
    )
    values = {
        "channel_id": channel_id,
        "kind": kind,
        "external_id": external_id,
        "internal_id": internal_id,
        "digest": digest,
        "state": BindingState.OK,
        "last_error": None,
        "created_at": now,
        "updated_at": now,
    }
    upsert(
        session,
        Binding,
        values,
        ["channel_id", "kind", "external_id"],
        update=["internal_id", "digest", "state", "last_error", "updated_at"],
    )


def unbind(session: Session, channel_id: int, kind: BindingKind, external_id: str) -> bool:
    """Remove a binding; True if there was one."""
    table = table_of(Binding)
    result = session.exec(
        delete(table).where(table.c.channel_id == channel_id, table.c.kind == kind, table.c.external_id == external_id)
    )
    return result.rowcount > 0


def to_internal(session: Session, channel_id: int, kind: BindingKind, external_id: str) -> int | None:
    """The canonical id bound to a channel's `external_id`, or None if it is not bound."""
    return to_internal_many(session, channel_id, kind, [external_id]).get(external_id)


def to_external(session: Session, channel_id: int, kind: BindingKind, internal_id: int) -> str | None:
    """The channel's id for a canonical record, or None if it has none on that channel."""
    return to_external_many(session, channel_id, kind, [internal_id]).get(internal_id)


def to_internal_many(
    session: Session, channel_id: int, kind: BindingKind, external_ids: Iterable[str]
) -> dict[str, int]:
    """external id -> canonical id for the ids that are bound."""
    found: dict[str, int] = {}
    for batch in chunked(set(external_ids)):
        rows = session.exec(
            select(Binding.external_id, Binding.internal_id).where(
                Binding.channel_id == channel_id, Binding.kind == kind, col(Binding.external_id).in_(batch)
            )
        )
        found.update(dict(rows.all()))
    return found


def to_external_many(
    session: Session, channel_id: int, kind: BindingKind, internal_ids: Iterable[int]
) -> dict[int, str]:
    """canonical id -> external id for the records bound on this channel."""
    found: dict[int, str] = {}
    for batch in chunked(set(internal_ids)):
        rows = session.exec(
            select(Binding.internal_id, Binding.external_id).where(
                Binding.channel_id == channel_id, Binding.kind == kind, col(Binding.internal_id).in_(batch)
            )
        )
        found.update(dict(rows.all()))
    return found


def get_binding(session: Session, channel_id: int, kind: BindingKind, external_id: str) -> Binding | None:
    """The whole binding row (digest, state, last error) for a channel's id."""
    stmt = select(Binding).where(
        Binding.channel_id == channel_id, Binding.kind == kind, Binding.external_id == external_id
    )
    return fetch_one(session, stmt)


def record_synced(
    session: Session,
    channel_id: int,
    kind: BindingKind,
    external_id: str,
    *,
    digest: str | None,
    now: datetime | None = None,
) -> bool:
    """Store the digest of what was just synced and clear any error; False if the binding does not exist."""
    return _update(
        session,
        channel_id,
        kind,
        external_id,
        digest=digest,
        state=BindingState.OK,
        last_error=None,
        updated_at=now or utcnow(),
    )


def record_error(
    session: Session,
    channel_id: int,
    kind: BindingKind,
    external_id: str,
    error: str,
    *,
    now: datetime | None = None,
) -> bool:
    """Mark the binding's last sync as failed with `error`; False if the binding does not exist."""
    return _update(
        session, channel_id, kind, external_id, state=BindingState.ERROR, last_error=error, updated_at=now or utcnow()
    )


def list_errors(session: Session, channel_id: int | None = None) -> list[Binding]:
    """Bindings whose last sync failed, oldest first."""
    stmt = select(Binding).where(Binding.state == BindingState.ERROR)
    if channel_id is not None:
        stmt = stmt.where(Binding.channel_id == channel_id)
    return fetch_all(session, stmt.order_by(col(Binding.updated_at), col(Binding.id)))


def _update(session: Session, channel_id: int, kind: BindingKind, external_id: str, **values: object) -> bool:
    table = table_of(Binding)
    result = session.exec(
        update(table)
        .where(table.c.channel_id == channel_id, table.c.kind == kind, table.c.external_id == external_id)
        .values(**values)
    )
    return result.rowcount > 0
