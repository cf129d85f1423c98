"""Column types: datetimes come back aware UTC on both backends, naive ones are refused, enums are members."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import StatementError

from syncd.store import bindings, channels, cursors
from syncd.store.engine import session_scope
from syncd.store.enums import BindingKind, BindingState

UTC_PLUS_8 = timezone(timedelta(hours=8))


def test_datetimes_come_back_aware_utc(engine: Engine) -> None:
    local = datetime(2026, 3, 1, 9, 30, 15, 123456, tzinfo=UTC_PLUS_8)
    with session_scope(engine) as session:
        channel = channels.get_or_create_channel(session, "shop", "shopify", now=local)
        assert channel.id is not None
        cursors.set_cursor(session, channel.id, "orders", "abc", now=local)
    with session_scope(engine) as session:
        reread = channels.get_channel(session, "shop")
        cursor = cursors.list_cursors(session)[0]
    assert reread is not None
    for value in (reread.created_at, reread.updated_at, cursor.updated_at):
        assert value == local
        assert value.tzinfo is UTC
        assert (value.hour, value.microsecond) == (1, 123456)


def test_naive_datetimes_are_refused(engine: Engine) -> None:
    with pytest.raises(StatementError, match="naive datetime"), session_scope(engine) as session:
        channels.get_or_create_channel(session, "shop", "shopify", now=datetime(2026, 1, 1))


def test_enums_are_stored_as_their_value_and_read_back_as_members(engine: Engine) -> None:
    with session_scope(engine) as session:
        channel = channels.get_or_create_channel(session, "shop", "shopify")
        assert channel.id is not None
        bindings.bind(session, channel.id, BindingKind.INVENTORY_ITEM, "gid://1", 7)
    with session_scope(engine) as session:
        raw = session.connection().execute(text("SELECT kind, state FROM bindings")).one()
        binding = bindings.get_binding(session, channel.id, BindingKind.INVENTORY_ITEM, "gid://1")
    assert tuple(raw) == ("inventory_item", "ok")
    assert binding is not None
    assert binding.kind is BindingKind.INVENTORY_ITEM
    assert binding.state is BindingState.OK
