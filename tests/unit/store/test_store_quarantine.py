"""Quarantine: upsert counts attempts, lists open entries, resolves and reopens."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Engine
from store_helpers import T0, Ids

from syncd.store import quarantine
from syncd.store.engine import session_scope


def test_quarantining_again_increments_attempts(engine: Engine, ids: Ids) -> None:
    later = T0 + timedelta(minutes=5)
    with session_scope(engine) as session:
        assert quarantine.quarantine(session, ids.tiktok, "order", "576", "unknown SKU", payload={"a": 1}, now=T0)
    with session_scope(engine) as session:
        attempts = quarantine.quarantine(
            session, ids.tiktok, "order", "576", "address rejected", payload={"b": [1, 2]}, now=later
        )
        entry = quarantine.get_entry(session, ids.tiktok, "order", "576")
    assert attempts == 2
    assert entry is not None
    assert (entry.attempts, entry.reason, entry.payload) == (2, "address rejected", {"b": [1, 2]})
    assert (entry.first_seen, entry.last_seen, entry.resolved_at) == (T0, later, None)


def test_list_open_filters_and_orders(engine: Engine, ids: Ids) -> None:
    with session_scope(engine) as session:
        quarantine.quarantine(session, ids.tiktok, "order", "2", "r", now=T0 + timedelta(seconds=1))
        quarantine.quarantine(session, ids.tiktok, "order", "1", "r", now=T0)
        quarantine.quarantine(session, ids.shop, "product", "gid://p/1", "r", now=T0)
        everything = [(e.kind, e.record_key) for e in quarantine.list_open(session)]
        orders = [e.record_key for e in quarantine.list_open(session, channel_id=ids.tiktok, kind="order")]
        first = [e.record_key for e in quarantine.list_open(session, kind="order", limit=1)]
    assert sorted(everything) == [("order", "1"), ("order", "2"), ("product", "gid://p/1")]
    assert orders == ["1", "2"]
    assert first == ["1"]


def test_resolve_and_reopen(engine: Engine, ids: Ids) -> None:
    with session_scope(engine) as session:
        quarantine.quarantine(session, ids.tiktok, "order", "576", "unknown SKU")
        assert quarantine.is_quarantined(session, ids.tiktok, "order", "576")
        assert quarantine.resolve(session, ids.tiktok, "order", "576", now=T0)
        assert not quarantine.resolve(session, ids.tiktok, "order", "576")
        assert not quarantine.is_quarantined(session, ids.tiktok, "order", "576")
        assert quarantine.list_open(session) == []
        resolved = quarantine.get_entry(session, ids.tiktok, "order", "576")
        assert resolved is not None
        assert resolved.resolved_at == T0
        # Failing again after being resolved reopens the entry and keeps counting.
        assert quarantine.quarantine(session, ids.tiktok, "order", "576", "unknown SKU") == 2
        assert quarantine.is_quarantined(session, ids.tiktok, "order", "576")
        assert not quarantine.is_quarantined(session, ids.tiktok, "order", "other")
