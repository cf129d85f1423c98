"""Order links (the exactly-once import protocol) and quarantined records."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from syncd.store.enums import OrderLinkState, RestockState
from syncd.store.models.base import enum_column, optional_timestamp, timestamp


class OrderLink(SQLModel, table=True):
    """A TikTok order and the store order made from it; inserted before the store order is created."""

    __tablename__ = "order_links"

    id: int | None = Field(default=None, primary_key=True)
    tiktok_order_id: str = Field(max_length=64, unique=True)
    idempotency_key: str = Field(max_length=64, unique=True)
    state: OrderLinkState = enum_column(OrderLinkState, OrderLinkState.PENDING, index=True)
    store_channel_id: int = Field(foreign_key="channels.id", ondelete="RESTRICT", index=True)
    store_order_id: str | None = Field(default=None, max_length=255)
    attempts: int = 0
    last_error: str | None = Field(default=None, sa_type=Text)
    # Set once TikTok has the shipment, so the fulfilment job never sends it twice.
    shipped_at: datetime | None = optional_timestamp()
    tracking_number: str | None = Field(default=None, max_length=255)
    created_at: datetime = timestamp()
    updated_at: datetime = timestamp()


class ReturnRestock(SQLModel, table=True):
    """Units of one SKU of a TikTok return, put back into the store of record's stock at most once.

    The row is the ledger that makes the restock happen once: the quantity to set is recorded (`sending`)
    before it is sent, so a crash leaves evidence to check against instead of a second write.
    """

    __tablename__ = "return_restocks"
    __table_args__ = (
        UniqueConstraint("return_id", "sku"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
    )

    id: int | None = Field(default=None, primary_key=True)
    return_id: str = Field(max_length=64)
    tiktok_order_id: str = Field(max_length=64, index=True)
    store_channel_id: int = Field(foreign_key="channels.id", ondelete="RESTRICT")
    sku: str = Field(max_length=255)
    quantity: int
    state: RestockState = enum_column(RestockState, RestockState.DUE, index=True)
    location_id: str | None = Field(default=None, max_length=255)
    on_hand_before: int | None = None
    on_hand_after: int | None = None
    attempts: int = 0
    last_error: str | None = Field(default=None, sa_type=Text)
    created_at: datetime = timestamp()
    updated_at: datetime = timestamp()


class QuarantineEntry(SQLModel, table=True):
    """A record that could not be processed: kept with its reason, shown by `status`, retried by `retry`."""

    __tablename__ = "quarantine"
    __table_args__ = (UniqueConstraint("channel_id", "kind", "record_key"),)

    id: int | None = Field(default=None, primary_key=True)
    channel_id: int = Field(foreign_key="channels.id", ondelete="CASCADE")
    kind: str = Field(max_length=32)
    record_key: str = Field(max_length=255)
    reason: str = Field(sa_type=Text)
    payload: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    first_seen: datetime = timestamp()
    last_seen: datetime = timestamp()
    attempts: int = 1
    resolved_at: datetime | None = optional_timestamp()
