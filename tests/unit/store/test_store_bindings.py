"""Bindings: one-to-one per channel and kind, looked up both ways, with sync state."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import Engine, insert
from sqlalchemy.exc import IntegrityError
from store_helpers import T0, Ids

from syncd.store import bindings
from syncd.store.engine import session_scope
from syncd.store.enums import BindingKind, BindingState
from syncd.store.models import Binding

VARIANT = BindingKind.VARIANT


def test_bind_and_look_up_both_ways(engine: Engine, ids: Ids) -> None:
    with session_scope(engine) as session:
        bindings.bind(session, ids.tiktok, VARIANT, "1729", ids.variant, digest="d1", now=T0)
    with session_scope(engine) as session:
        assert bindings.to_internal(session, ids.tiktok, VARIANT, "1729") == ids.variant
        assert bindings.to_external(session, ids.tiktok, VARIANT, ids.variant) == "1729"
        # Scoped by channel and kind.
        assert bindings.to_internal(session, ids.shop, VARIANT, "1729") is None
        assert bindings.to_internal(session, ids.tiktok, BindingKind.PRODUCT, "1729") is None
        assert bindings.to_external(session, ids.tiktok, VARIANT, ids.other_variant) is None
        binding = bindings.get_binding(session, ids.tiktok, VARIANT, "1729")
    assert binding is not None
    assert (binding.digest, binding.state, binding.created_at) == ("d1", BindingState.OK, T0)


def test_binding_again_is_idempotent_and_updates_the_digest(engine: Engine, ids: Ids) -> None:
    later = T0 + timedelta(minutes=5)
    with session_scope(engine) as session:
        bindings.bind(session, ids.tiktok, VARIANT, "1729", ids.variant, digest="d1", now=T0)
        bindings.bind(session, ids.tiktok, VARIANT, "1729", ids.variant, digest="d2", now=later)
        binding = bindings.get_binding(session, ids.tiktok, VARIANT, "1729")
        count = len(bindings.to_internal_many(session, ids.tiktok, VARIANT, ["1729"]))
    assert binding is not None
    assert (binding.digest, binding.created_at, binding.updated_at) == ("d2", T0, later)
    assert count == 1


def test_rebinding_replaces_the_old_binding_on_either_side(engine: Engine, ids: Ids) -> None:
    with session_scope(engine) as session:
        bindings.bind(session, ids.tiktok, VARIANT, "1729", ids.variant)
        # The TikTok SKU was re-created with a new id: the variant moves to it.
        bindings.bind(session, ids.tiktok, VARIANT, "1730", ids.variant)
        assert bindings.to_internal(session, ids.tiktok, VARIANT, "1729") is None
        assert bindings.to_external(session, ids.tiktok, VARIANT, ids.variant) == "1730"
        # The external id now names another variant: the first variant is unbound.
        bindings.bind(session, ids.tiktok, VARIANT, "1730", ids.other_variant)
        assert bindings.to_external(session, ids.tiktok, VARIANT, ids.variant) is None
        assert bindings.to_internal(session, ids.tiktok, VARIANT, "1730") == ids.other_variant


@pytest.mark.parametrize("duplicate", ["external_id", "internal_id"])
def test_the_database_enforces_one_to_one(engine: Engine, ids: Ids, duplicate: str) -> None:
    row = {"channel_id": ids.tiktok, "kind": VARIANT, "external_id": "1729", "internal_id": ids.variant}
    other = {**row, "external_id": "1730"} if duplicate == "internal_id" else {**row, "internal_id": 999}
    with session_scope(engine) as session:
        session.exec(insert(Binding).values(**row))
    with pytest.raises(IntegrityError), session_scope(engine) as session:
        session.exec(insert(Binding).values(**other))


def test_many_lookups(engine: Engine, ids: Ids) -> None:
    with session_scope(engine) as session:
        bindings.bind(session, ids.shop, VARIANT, "gid://v/1", ids.variant)
        bindings.bind(session, ids.shop, VARIANT, "gid://v/2", ids.other_variant)
        internal = bindings.to_internal_many(session, ids.shop, VARIANT, ["gid://v/1", "gid://v/2", "gid://v/3"])
        external = bindings.to_external_many(session, ids.shop, VARIANT, [ids.variant, ids.other_variant, 999])
    assert internal == {"gid://v/1": ids.variant, "gid://v/2": ids.other_variant}
    assert external == {ids.variant: "gid://v/1", ids.other_variant: "gid://v/2"}


def test_sync_state_is_recorded(engine: Engine, ids: Ids) -> None:
    with session_scope(engine) as session:
        bindings.bind(session, ids.tiktok, VARIANT, "1729", ids.variant, digest="d1")
        bindings.bind(session, ids.tiktok, VARIANT, "1730", ids.other_variant, digest="d1")
        assert bindings.record_error(session, ids.tiktok, VARIANT, "1729", "price rejected", now=T0)
        errors = bindings.list_errors(session, ids.tiktok)
        assert [(b.external_id, b.state, b.last_error, b.digest) for b in errors] == [
            ("1729", BindingState.ERROR, "price rejected", "d1")
        ]
        assert bindings.list_errors(session, ids.shop) == []
        assert bindings.record_synced(session, ids.tiktok, VARIANT, "1729", digest="d2")
        assert bindings.list_errors(session) == []
        fixed = bindings.get_binding(session, ids.tiktok, VARIANT, "1729")
        assert fixed is not None
        assert (fixed.state, fixed.last_error, fixed.digest) == (BindingState.OK, None, "d2")
        assert not bindings.record_synced(session, ids.tiktok, VARIANT, "nope", digest="x")
        assert not bindings.record_error(session, ids.tiktok, VARIANT, "nope", "x")


def test_unbind(engine: Engine, ids: Ids) -> None:
    with session_scope(engine) as session:
        bindings.bind(session, ids.tiktok, VARIANT, "1729", ids.variant)
        assert bindings.unbind(session, ids.tiktok, VARIANT, "1729")
        assert not bindings.unbind(session, ids.tiktok, VARIANT, "1729")
        assert bindings.to_external(session, ids.tiktok, VARIANT, ids.variant) is None
