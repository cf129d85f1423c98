"""Reservations: units held for TikTok orders that have no store order yet (the `reserved` of DESIGN 2.1)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from syncd.store.enums import ReservationState
from syncd.store.models import Reservation
from syncd.store.sql import chunked, fetch_all, table_of, upsert
from syncd.store.types import utcnow


def reserve(
    session: Session, tiktok_order_id: str, variant_id: int, quantity: int, *, now: datetime | None = None
) -> bool:
    """Hold `quantity` units of a variant for an order; True if the reservation is open afterwards.

    Idempotent: a second call for the same order and variant updates the quantity of the open reservation,
    and a reservation already released stays released (the order reached the store or was cancelled), so
    polling the same order again never holds its stock twice.
    """
    if quantity <= 0:
        raise ValueError("a reservation needs a positive quantity")
    now = now or utcnow()
    table = table_of(Reservation)
    values = {
        "tiktok_order_id": tiktok_order_id,
        "variant_id": variant_id,
        "quantity": quantity,
        "state": ReservationState.OPEN,
        "created_at": now,
    }
    row_id = upsert(
        session,
        Reservation,
        values,
        ["tiktok_order_id", "variant_id"],
        update=["quantity"],
        where=table.c.state == ReservationState.OPEN,
    )
    return row_id is not None


def release(session: Session, tiktok_order_id: str, *, now: datetime | None = None) -> int:
    """Release every open reservation of an order; return how many were released."""
    table = table_of(Reservation)
    result = session.exec(
        update(table)
        .where(table.c.tiktok_order_id == tiktok_order_id, table.c.state == ReservationState.OPEN)
        .values(state=ReservationState.RELEASED, released_at=now or utcnow())
    )
    return result.rowcount


def reservations_for_order(session: Session, tiktok_order_id: str) -> list[Reservation]:
    """All reservations of an order, open and released."""
    stmt = select(Reservation).where(Reservation.tiktok_order_id == tiktok_order_id).order_by(col(Reservation.id))
    return fetch_all(session, stmt)


def reserved_units(session: Session, variant_ids: Iterable[int] | None = None) -> dict[int, int]:
    """variant id -> units held by open reservations; variants with none are left out."""
    stmt = (
        select(Reservation.variant_id, func.sum(Reservation.quantity))
        .where(Reservation.state == ReservationState.OPEN)
        .group_by(col(Reservation.variant_id))
    )
    if variant_ids is None:
        return {variant_id: int(total) for variant_id, total in session.exec(stmt)}
    totals: dict[int, int] = {}
    for batch in chunked(set(variant_ids)):
        rows = session.exec(stmt.where(col(Reservation.variant_id).in_(batch)))
        totals.update({variant_id: int(total) for variant_id, total in rows})
    return totals
