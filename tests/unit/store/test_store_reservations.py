"""Reservations: idempotent per order and variant, released once, summed per variant."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine
from store_helpers import T0, Ids

from syncd.store import reservations
from syncd.store.engine import session_scope
from syncd.store.enums import ReservationState


def test_reserve_and_release(engine: Engine, ids: Ids) -> None:
    with session_scope(engine) as session:
        assert reservations.reserve(session, "576", ids.variant, 2, now=T0)
        assert reservations.reserve(session, "576", ids.other_variant, 1, now=T0)
        assert reservations.reserve(session, "577", ids.variant, 3, now=T0)
        assert reservations.reserved_units(session) == {ids.variant: 5, ids.other_variant: 1}
        assert reservations.release(session, "576", now=T0) == 2
        assert reservations.release(session, "576", now=T0) == 0
        assert reservations.reserved_units(session) == {ids.variant: 3}
        rows = reservations.reservations_for_order(session, "576")
    assert [(r.variant_id, r.state, r.released_at) for r in rows] == [
        (ids.variant, ReservationState.RELEASED, T0),
        (ids.other_variant, ReservationState.RELEASED, T0),
    ]


def test_reserving_again_updates_instead_of_adding(engine: Engine, ids: Ids) -> None:
    with session_scope(engine) as session:
        reservations.reserve(session, "576", ids.variant, 2)
        assert reservations.reserve(session, "576", ids.variant, 2)
        assert reservations.reserve(session, "576", ids.variant, 1)  # a line was partly cancelled
        assert reservations.reserved_units(session, [ids.variant]) == {ids.variant: 1}
        assert len(reservations.reservations_for_order(session, "576")) == 1


def test_a_released_reservation_is_not_reopened(engine: Engine, ids: Ids) -> None:
    with session_scope(engine) as session:
        reservations.reserve(session, "576", ids.variant, 2)
        reservations.release(session, "576")
        # Polling the same order again must not hold its stock a second time.
        assert not reservations.reserve(session, "576", ids.variant, 2)
        assert reservations.reserved_units(session) == {}


def test_reserved_units_can_be_filtered(engine: Engine, ids: Ids) -> None:
    with session_scope(engine) as session:
        reservations.reserve(session, "576", ids.variant, 2)
        reservations.reserve(session, "576", ids.other_variant, 4)
        assert reservations.reserved_units(session, [ids.other_variant, 999]) == {ids.other_variant: 4}


@pytest.mark.parametrize("quantity", [0, -1])
def test_a_reservation_needs_a_positive_quantity(engine: Engine, ids: Ids, quantity: int) -> None:
    with pytest.raises(ValueError, match="positive"), session_scope(engine) as session:
        reservations.reserve(session, "576", ids.variant, quantity)
