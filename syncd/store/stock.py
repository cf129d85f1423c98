"""Stock on hand per variant and location, and the quantity each channel was sent and confirmed.

The stock job pushes a quantity only when it differs from what the channel last confirmed (DESIGN 2.1).
`stale_variant_ids` is the watermark that finds variants whose stock moved since the channel confirmed.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import and_, func, or_
from sqlmodel import Session, col, select

from syncd.store.models import ChannelQuantity, InventoryLevel
from syncd.store.sql import chunked, fetch_one, upsert
from syncd.store.types import utcnow


def set_on_hand(
    session: Session, variant_id: int, location_id: int, on_hand: int, *, now: datetime | None = None
) -> bool:
    """Record units on hand at a location; True if the value is new or changed (only then `updated_at` moves)."""
    now = now or utcnow()
    values = {"variant_id": variant_id, "location_id": location_id, "on_hand": on_hand, "updated_at": now}
    row_id = upsert(
        session,
        InventoryLevel,
        values,
        ["variant_id", "location_id"],
        update=["on_hand", "updated_at"],
        changed=["on_hand"],
    )
    return row_id is not None


def on_hand_totals(session: Session, variant_ids: Iterable[int] | None = None) -> dict[int, int]:
    """variant id -> units on hand summed over all locations; all variants with stock rows when ids are None."""
    stmt = select(InventoryLevel.variant_id, func.sum(InventoryLevel.on_hand)).group_by(col(InventoryLevel.variant_id))
    if variant_ids is None:
        return {variant_id: int(total) for variant_id, total in session.exec(stmt)}
    totals: dict[int, int] = {}
    for batch in chunked(set(variant_ids)):
        rows = session.exec(stmt.where(col(InventoryLevel.variant_id).in_(batch)))
        totals.update({variant_id: int(total) for variant_id, total in rows})
    return totals


def record_pushed(
    session: Session, channel_id: int, variant_id: int, quantity: int, *, now: datetime | None = None
) -> None:
    """Remember the quantity just sent to a channel (before it confirmed anything)."""
    now = now or utcnow()
    values = {"channel_id": channel_id, "variant_id": variant_id, "last_pushed": quantity, "pushed_at": now}
    upsert(session, ChannelQuantity, values, ["channel_id", "variant_id"], update=["last_pushed", "pushed_at"])


def record_confirmed(
    session: Session, channel_id: int, variant_id: int, quantity: int, *, now: datetime | None = None
) -> None:
    """Remember the quantity the channel confirmed it shows (a successful write, or a reconcile read)."""
    now = now or utcnow()
    values = {"channel_id": channel_id, "variant_id": variant_id, "last_confirmed": quantity, "confirmed_at": now}
    upsert(session, ChannelQuantity, values, ["channel_id", "variant_id"], update=["last_confirmed", "confirmed_at"])


def get_channel_quantity(session: Session, channel_id: int, variant_id: int) -> ChannelQuantity | None:
    """The pushed/confirmed record for one variant on one channel."""
    stmt = select(ChannelQuantity).where(
        ChannelQuantity.channel_id == channel_id, ChannelQuantity.variant_id == variant_id
    )
    return fetch_one(session, stmt)


def confirmed_quantities(session: Session, channel_id: int, variant_ids: Iterable[int] | None = None) -> dict[int, int]:
    """variant id -> last confirmed quantity on the channel; variants never confirmed are left out."""
    stmt = select(ChannelQuantity.variant_id, ChannelQuantity.last_confirmed).where(
        ChannelQuantity.channel_id == channel_id, col(ChannelQuantity.last_confirmed).is_not(None)
    )
    if variant_ids is None:
        return {variant_id: qty for variant_id, qty in session.exec(stmt) if qty is not None}
    found: dict[int, int] = {}
    for batch in chunked(set(variant_ids)):
        rows = session.exec(stmt.where(col(ChannelQuantity.variant_id).in_(batch)))
        found.update({variant_id: qty for variant_id, qty in rows if qty is not None})
    return found


def stale_variant_ids(session: Session, channel_id: int) -> list[int]:
    """Variants with stock that changed after the channel last confirmed a quantity, or was never confirmed."""
    stmt = (
        select(InventoryLevel.variant_id)
        .distinct()
        .outerjoin(
            ChannelQuantity,
            and_(
                col(ChannelQuantity.variant_id) == col(InventoryLevel.variant_id),
                col(ChannelQuantity.channel_id) == channel_id,
            ),
        )
        .where(
            or_(
                col(ChannelQuantity.confirmed_at).is_(None),
                col(InventoryLevel.updated_at) > col(ChannelQuantity.confirmed_at),
            )
        )
        .order_by(col(InventoryLevel.variant_id))
    )
    return list(session.exec(stmt).all())
