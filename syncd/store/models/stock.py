"""Stock on hand at the store of record, what each channel confirmed, and reservations for TikTok orders."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from syncd.store.enums import ReservationState
from syncd.store.models.base import enum_column, optional_timestamp, timestamp


class InventoryLevel(SQLModel, table=True):
    """Units on hand of one canonical variant at one location, as the store of record last reported."""

    __tablename__ = "stock_levels"
    __table_args__ = (UniqueConstraint("variant_id", "location_id"),)

    id: int | None = Field(default=None, primary_key=True)
    variant_id: int = Field(foreign_key="variants.id", ondelete="CASCADE")
    location_id: int = Field(foreign_key="locations.id", ondelete="CASCADE", index=True)
    on_hand: int
    updated_at: datetime = timestamp(index=True)


class ChannelQuantity(SQLModel, table=True):
    """The sellable quantity last pushed to a channel and the one it last confirmed, per variant.

    A push happens only when the computed quantity differs from `last_confirmed` (DESIGN 2.1).
    """

    __tablename__ = "channel_quantities"
    __table_args__ = (UniqueConstraint("channel_id", "variant_id"),)

    id: int | None = Field(default=None, primary_key=True)
    channel_id: int = Field(foreign_key="channels.id", ondelete="CASCADE")
    variant_id: int = Field(foreign_key="variants.id", ondelete="CASCADE", index=True)
    last_pushed: int | None = None
    pushed_at: datetime | None = optional_timestamp()
    last_confirmed: int | None = None
    confirmed_at: datetime | None = optional_timestamp()


class Reservation(SQLModel, table=True):
    """Units of a variant held for a TikTok order that has no store order yet."""

    __tablename__ = "reservations"
    __table_args__ = (
        UniqueConstraint("tiktok_order_id", "variant_id"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
        # The stock job sums open reservations per variant.
        Index("ix_reservations_state_variant_id", "state", "variant_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    tiktok_order_id: str = Field(max_length=64)
    variant_id: int = Field(foreign_key="variants.id", ondelete="CASCADE")
    quantity: int
    state: ReservationState = enum_column(ReservationState, ReservationState.OPEN)
    created_at: datetime = timestamp()
    released_at: datetime | None = optional_timestamp()
