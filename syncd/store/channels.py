"""Channels: one row per configured platform account, created on first use and flagged when auth fails."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session, select

from syncd.errors import ConfigError
from syncd.store.models import Channel
from syncd.store.sql import fetch_all, fetch_one, insert_if_absent, table_of
from syncd.store.types import utcnow


def get_or_create_channel(session: Session, key: str, platform: str, *, now: datetime | None = None) -> Channel:
    """The channel named `key` in the config, created if new; a key reused for another platform is an error.

    The check matters because bindings and cursors belong to the channel: pointing a key at a different
    platform would feed one platform's ids to another.
    """
    now = now or utcnow()
    insert_if_absent(session, Channel, {"key": key, "platform": platform, "created_at": now, "updated_at": now})
    channel = get_channel(session, key)
    assert channel is not None
    if channel.platform != platform:
        raise ConfigError(
            [f"channels.{key}: the store has this channel as platform {channel.platform!r}, config says {platform!r}"]
        )
    return channel


def get_channel(session: Session, key: str) -> Channel | None:
    """The channel named `key`, if it exists."""
    return fetch_one(session, select(Channel).where(Channel.key == key))


def get_channel_by_id(session: Session, channel_id: int) -> Channel | None:
    """The channel with id `channel_id`, if it exists."""
    return fetch_one(session, select(Channel).where(Channel.id == channel_id))


def list_channels(session: Session) -> list[Channel]:
    """All channels, by key."""
    return fetch_all(session, select(Channel).order_by(Channel.key))


def mark_needs_reauth(session: Session, channel_id: int, reason: str, *, now: datetime | None = None) -> None:
    """Flag a channel whose credentials were rejected; `syncd status` shows it and jobs skip it."""
    _set_reauth(session, channel_id, needs_reauth=True, reason=reason, now=now or utcnow())


def clear_needs_reauth(session: Session, channel_id: int, *, now: datetime | None = None) -> None:
    """Clear the flag after the channel was authorised again."""
    _set_reauth(session, channel_id, needs_reauth=False, reason=None, now=now or utcnow())


def _set_reauth(session: Session, channel_id: int, *, needs_reauth: bool, reason: str | None, now: datetime) -> None:
    table = table_of(Channel)
    result = session.exec(
        update(table)
        .where(table.c.id == channel_id)
        .values(needs_reauth=needs_reauth, reauth_reason=reason, updated_at=now)
    )
    if result.rowcount == 0:
        raise LookupError(f"no channel with id {channel_id}")
