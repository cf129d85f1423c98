"""Channels: created once per config key, guarded against a platform change, flagged for re-authorisation."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import Engine
from store_helpers import T0

from syncd.errors import ConfigError
from syncd.store import channels
from syncd.store.engine import session_scope


def test_get_or_create_is_idempotent(engine: Engine) -> None:
    with session_scope(engine) as session:
        first = channels.get_or_create_channel(session, "shop", "shopify", now=T0)
        again = channels.get_or_create_channel(session, "shop", "shopify", now=T0 + timedelta(hours=1))
        channels.get_or_create_channel(session, "tiktok", "tiktok_shop")
        listed = channels.list_channels(session)
    assert first.id == again.id
    assert again.created_at == T0
    assert [c.key for c in listed] == ["shop", "tiktok"]
    assert not first.needs_reauth


def test_a_key_cannot_change_platform(engine: Engine) -> None:
    with session_scope(engine) as session:
        channels.get_or_create_channel(session, "shop", "shopify")
    with pytest.raises(ConfigError, match=r"channels\.shop") as raised, session_scope(engine) as session:
        channels.get_or_create_channel(session, "shop", "woocommerce")
    assert "'shopify'" in str(raised.value)


def test_lookup_by_key_and_id(engine: Engine) -> None:
    with session_scope(engine) as session:
        channel = channels.get_or_create_channel(session, "shop", "shopify")
        assert channel.id is not None
        by_id = channels.get_channel_by_id(session, channel.id)
        assert by_id is not None
        assert by_id.key == "shop"
        assert channels.get_channel(session, "missing") is None
        assert channels.get_channel_by_id(session, channel.id + 100) is None


def test_needs_reauth_is_set_and_cleared(engine: Engine) -> None:
    with session_scope(engine) as session:
        channel = channels.get_or_create_channel(session, "tiktok", "tiktok_shop", now=T0)
        assert channel.id is not None
        channels.mark_needs_reauth(session, channel.id, "refresh token expired", now=T0 + timedelta(days=1))
        flagged = channels.get_channel(session, "tiktok")
        assert flagged is not None
        assert (flagged.needs_reauth, flagged.reauth_reason) == (True, "refresh token expired")
        assert flagged.updated_at == T0 + timedelta(days=1)
        channels.clear_needs_reauth(session, channel.id)
        cleared = channels.get_channel(session, "tiktok")
        assert cleared is not None
        assert (cleared.needs_reauth, cleared.reauth_reason) == (False, None)


def test_flagging_an_unknown_channel_raises(engine: Engine) -> None:
    with pytest.raises(LookupError), session_scope(engine) as session:
        channels.mark_needs_reauth(session, 12345, "nope")
