"""Stock on hand, pushed and confirmed quantities, and the stale-variant watermark."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Engine
from store_helpers import T0, Ids

from syncd.store import catalog, stock
from syncd.store.engine import session_scope


def test_set_on_hand_reports_changes_and_moves_updated_at_only_then(engine: Engine, ids: Ids) -> None:
    with session_scope(engine) as session:
        location = catalog.create_location(session, "Main")
        assert stock.set_on_hand(session, ids.variant, location, 5, now=T0)
        assert not stock.set_on_hand(session, ids.variant, location, 5, now=T0 + timedelta(minutes=1))
        assert stock.set_on_hand(session, ids.variant, location, 3, now=T0 + timedelta(minutes=2))
    with session_scope(engine) as session:
        # The unchanged write did not count as a change; the watermark relies on that.
        stock.record_confirmed(session, ids.tiktok, ids.variant, 3, now=T0 + timedelta(minutes=1, seconds=30))
        assert stock.stale_variant_ids(session, ids.tiktok) == [ids.variant]
        assert stock.on_hand_totals(session, [ids.variant]) == {ids.variant: 3}


def test_on_hand_is_summed_over_locations(engine: Engine, ids: Ids) -> None:
    with session_scope(engine) as session:
        main = catalog.create_location(session, "Main")
        overflow = catalog.create_location(session, "Overflow")
        stock.set_on_hand(session, ids.variant, main, 5)
        stock.set_on_hand(session, ids.variant, overflow, -1)  # oversold at one location
        stock.set_on_hand(session, ids.other_variant, main, 7)
        assert stock.on_hand_totals(session) == {ids.variant: 4, ids.other_variant: 7}
        assert stock.on_hand_totals(session, [ids.other_variant, 999]) == {ids.other_variant: 7}


def test_pushed_and_confirmed_are_tracked_separately(engine: Engine, ids: Ids) -> None:
    with session_scope(engine) as session:
        stock.record_pushed(session, ids.tiktok, ids.variant, 4, now=T0)
        assert stock.confirmed_quantities(session, ids.tiktok) == {}
        stock.record_confirmed(session, ids.tiktok, ids.variant, 4, now=T0 + timedelta(seconds=1))
        stock.record_pushed(session, ids.tiktok, ids.variant, 2, now=T0 + timedelta(seconds=2))
        stock.record_confirmed(session, ids.shop, ids.other_variant, 9)
        row = stock.get_channel_quantity(session, ids.tiktok, ids.variant)
        assert stock.confirmed_quantities(session, ids.tiktok) == {ids.variant: 4}
        assert stock.confirmed_quantities(session, ids.shop, [ids.variant, ids.other_variant]) == {ids.other_variant: 9}
        assert stock.get_channel_quantity(session, ids.shop, ids.variant) is None
    assert row is not None
    assert (row.last_pushed, row.pushed_at) == (2, T0 + timedelta(seconds=2))
    assert (row.last_confirmed, row.confirmed_at) == (4, T0 + timedelta(seconds=1))


def test_stale_variants_are_those_changed_since_the_channel_confirmed(engine: Engine, ids: Ids) -> None:
    with session_scope(engine) as session:
        location = catalog.create_location(session, "Main")
        stock.set_on_hand(session, ids.variant, location, 5, now=T0)
        stock.set_on_hand(session, ids.other_variant, location, 5, now=T0)
        # Never confirmed anywhere: both stale on both channels.
        assert stock.stale_variant_ids(session, ids.tiktok) == sorted([ids.variant, ids.other_variant])
        stock.record_confirmed(session, ids.tiktok, ids.variant, 5, now=T0 + timedelta(minutes=1))
        stock.record_confirmed(session, ids.tiktok, ids.other_variant, 5, now=T0 + timedelta(minutes=1))
        assert stock.stale_variant_ids(session, ids.tiktok) == []
        assert stock.stale_variant_ids(session, ids.shop) == sorted([ids.variant, ids.other_variant])
        stock.set_on_hand(session, ids.other_variant, location, 4, now=T0 + timedelta(minutes=2))
        assert stock.stale_variant_ids(session, ids.tiktok) == [ids.other_variant]
