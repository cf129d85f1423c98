"""Return restocks: the ledger that puts a TikTok return's units back into the store's stock at most once.

One row per return and SKU (unique), moved through `RestockState` with guarded UPDATEs: `due` when the units
came back, `sending` with the on-hand quantity before and after *before* the write goes out, `applied` once
the store confirmed it. A row left in `sending` by a crash is settled by comparing the store's stock with the
recorded before/after, never by writing blindly again.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col, select

from syncd.store.enums import RestockState
from syncd.store.models import ReturnRestock
from syncd.store.sql import fetch_all, fetch_one, insert_if_absent, table_of
from syncd.store.types import utcnow

_R = RestockState


def record_due(
    session: Session,
    return_id: str,
    tiktok_order_id: str,
    store_channel_id: int,
    sku: str,
    quantity: int,
    *,
    now: datetime | None = None,
) -> bool:
    """Record that `quantity` units of `sku` came back with a return; True if this call recorded it.

    Seeing the same return again changes nothing, whatever state its row is in: that is what makes the
    restock happen once.
    """
    if quantity <= 0:
        raise ValueError("a restock needs a positive quantity")
    now = now or utcnow()
    values = {
        "return_id": return_id,
        "tiktok_order_id": tiktok_order_id,
        "store_channel_id": store_channel_id,
        "sku": sku,
        "quantity": quantity,
        "state": _R.DUE,
        "attempts": 0,
        "created_at": now,
        "updated_at": now,
    }
    return insert_if_absent(session, ReturnRestock, values) is not None


def get_restock(session: Session, return_id: str, sku: str) -> ReturnRestock | None:
    """The ledger row of one return and SKU."""
    stmt = select(ReturnRestock).where(ReturnRestock.return_id == return_id, ReturnRestock.sku == sku)
    return fetch_one(session, stmt)


def list_restocks(
    session: Session,
    states: Iterable[RestockState],
    *,
    store_channel_id: int | None = None,
    return_id: str | None = None,
    limit: int | None = None,
) -> list[ReturnRestock]:
    """Rows in any of `states`, oldest first, optionally of one store or one return."""
    stmt = select(ReturnRestock).where(col(ReturnRestock.state).in_(list(states)))
    if store_channel_id is not None:
        stmt = stmt.where(ReturnRestock.store_channel_id == store_channel_id)
    if return_id is not None:
        stmt = stmt.where(ReturnRestock.return_id == return_id)
    return fetch_all(session, stmt.order_by(col(ReturnRestock.id)).limit(limit))


def start_sending(
    session: Session,
    return_id: str,
    sku: str,
    *,
    location_id: str,
    on_hand_before: int,
    on_hand_after: int,
    now: datetime | None = None,
) -> bool:
    """Record the quantity about to be set (commit this before sending it); False unless the row was due."""
    return _move(
        session,
        return_id,
        sku,
        _R.SENDING,
        {_R.DUE},
        now,
        location_id=location_id,
        on_hand_before=on_hand_before,
        on_hand_after=on_hand_after,
    )


def mark_applied(session: Session, return_id: str, sku: str, *, now: datetime | None = None) -> bool:
    """The store has the restored quantity; False unless the row was being sent."""
    return _move(session, return_id, sku, _R.APPLIED, {_R.SENDING}, now, last_error=None)


def hold(session: Session, return_id: str, sku: str, error: str, *, now: datetime | None = None) -> bool:
    """Stop restocking this row until `syncd retry`, keeping the reason; False if it was already applied."""
    table = table_of(ReturnRestock)
    return _move(
        session,
        return_id,
        sku,
        _R.HELD,
        {_R.DUE, _R.SENDING, _R.HELD},
        now,
        last_error=error,
        attempts=table.c.attempts + 1,
    )


def make_due(session: Session, return_id: str, sku: str, *, now: datetime | None = None) -> bool:
    """Send a held row again from scratch (the merchant checked the stock); False unless it was held."""
    return _move(session, return_id, sku, _R.DUE, {_R.HELD}, now, on_hand_before=None, on_hand_after=None)


def _move(
    session: Session,
    return_id: str,
    sku: str,
    to: RestockState,
    sources: set[RestockState],
    now: datetime | None,
    **values: Any,
) -> bool:
    table = table_of(ReturnRestock)
    stmt = (
        update(table)
        .where(table.c.return_id == return_id, table.c.sku == sku, table.c.state.in_(sources))
        .values(state=to, updated_at=now or utcnow(), **values)
    )
    return session.exec(stmt).rowcount > 0
