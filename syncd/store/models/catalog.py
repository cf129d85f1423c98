"""Channels, the canonical catalog, and the bindings from each channel's ids to canonical records."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from syncd.store.enums import BindingKind, BindingState
from syncd.store.models.base import enum_column, timestamp


class Channel(SQLModel, table=True):
    """One configured platform account (a TikTok shop, a Shopify store); `key` is its name in the config."""

    __tablename__ = "channels"

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=64, unique=True)
    platform: str = Field(max_length=32)
    needs_reauth: bool = False
    reauth_reason: str | None = Field(default=None, sa_type=Text)
    created_at: datetime = timestamp()
    updated_at: datetime = timestamp()


class CanonicalProduct(SQLModel, table=True):
    """A product as the hub knows it; its identity on each channel lives in `bindings`."""

    __tablename__ = "products"

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(default="", sa_type=Text)
    created_at: datetime = timestamp()
    updated_at: datetime = timestamp()


class CanonicalVariant(SQLModel, table=True):
    """A sellable unit; the SKU is the key that joins the platforms, so it is unique."""

    __tablename__ = "variants"

    id: int | None = Field(default=None, primary_key=True)
    product_id: int = Field(foreign_key="products.id", ondelete="CASCADE", index=True)
    sku: str = Field(max_length=255, unique=True)
    title: str = Field(default="", sa_type=Text)
    barcode: str | None = Field(default=None, max_length=64)
    created_at: datetime = timestamp()
    updated_at: datetime = timestamp()


class Location(SQLModel, table=True):
    """A place stock is held; each channel's location or warehouse id is bound to one of these."""

    __tablename__ = "locations"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(default="", max_length=255)
    created_at: datetime = timestamp()


class Binding(SQLModel, table=True):
    """One channel's id for a canonical record (OCA `external.binding`): one-to-one per channel and kind.

    `internal_id` points into the table named by `kind` (see `BindingKind`); `digest` is a hash of the payload
    last written to or read from the channel, so unchanged records are skipped.
    """

    __tablename__ = "bindings"
    __table_args__ = (
        UniqueConstraint("channel_id", "kind", "external_id"),
        UniqueConstraint("channel_id", "kind", "internal_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    channel_id: int = Field(foreign_key="channels.id", ondelete="CASCADE")
    kind: BindingKind = enum_column(BindingKind)
    external_id: str = Field(max_length=255)
    internal_id: int
    digest: str | None = Field(default=None, max_length=64)
    state: BindingState = enum_column(BindingState, BindingState.OK)
    last_error: str | None = Field(default=None, sa_type=Text)
    created_at: datetime = timestamp()
    updated_at: datetime = timestamp()
