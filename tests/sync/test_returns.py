"""The returns job against the emulators: cancellations reach the store, returned units go back into stock once."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from order_support import link, open_quarantine, place, run, seed_hub, sku, store_orders_of, tiktok_fake
from sqlalchemy import Engine, update

from syncd.runtime import Runtime
from syncd.sandbox.merchant import Merchant
from syncd.store import channels, restocks
from syncd.store.engine import session_scope
from syncd.store.enums import OrderLinkState, RestockState
from syncd.store.models import ReturnRestock
from syncd.store.sql import table_of
from syncd.sync.context import JobContext
from syncd.sync.jobs import orders, returns
from syncd.sync.return_restock import KIND

MakeRuntime = Callable[..., Runtime]
OpenContext = Callable[..., JobContext]


@pytest.fixture(params=["merchant", "woo_merchant"])
def any_merchant(request: pytest.FixtureRequest) -> Merchant:
    """Each store of record in turn: Shopify, then WooCommerce."""
    seeded: Merchant = request.getfixturevalue(request.param)
    return seeded


def imported(merchant: Merchant, runtime: Runtime, context: OpenContext, quantity: int = 2) -> str:
    """A TikTok order of the first SKU, imported into the store of record; returns its TikTok id."""
    seed_hub(runtime, merchant)
    order_id = place(merchant, (sku(merchant), quantity))
    run(orders.run, context(runtime))
    assert len(store_orders_of(merchant, order_id)) == 1
    return order_id


def request_return(merchant: Merchant, order_id: str, return_type: str = "RETURN_AND_REFUND") -> str:
    """The buyer asks to send the whole order back; returns the return's id."""
    record = tiktok_fake(merchant).add_return(order_id, return_type=return_type)
    return str(record.id)


def complete_return(merchant: Merchant, return_id: str) -> None:
    """The goods came back and the seller completed the return on TikTok."""
    server = tiktok_fake(merchant)
    with server.lock:
        server.set_return_status(server.returns[return_id], "RETURN_OR_REFUND_REQUEST_COMPLETE")


def on_hand(merchant: Merchant) -> int:
    """The store of record's stock of the first SKU."""
    return merchant.stores["main"].stock_by_sku()[sku(merchant)]


def rows(runtime: Runtime) -> list[ReturnRestock]:
    """Every restock ledger row."""
    with session_scope(runtime.engine) as session:
        return restocks.list_restocks(session, list(RestockState))


def back_to_sending(runtime: Runtime) -> None:
    """Put every ledger row back to `sending`, as a crash between the stock write and its record would leave it."""
    table = table_of(ReturnRestock)
    with session_scope(runtime.engine) as session:
        session.exec(update(table).values(state=RestockState.SENDING))


def test_a_completed_return_restores_the_units_once(
    any_merchant: Merchant, make_runtime: MakeRuntime, context: OpenContext
) -> None:
    merchant = any_merchant
    runtime = make_runtime(merchant)
    before = on_hand(merchant)
    order_id = imported(merchant, runtime, context)
    return_id = request_return(merchant, order_id)

    requested = run(returns.run, context(runtime))

    assert not requested.writes
    assert on_hand(merchant) == before - 2

    complete_return(merchant, return_id)
    report = run(returns.run, context(runtime))

    assert (report.updated, report.quarantined, report.failed) == (1, 0, 0)
    assert on_hand(merchant) == before
    assert [(r.return_id, r.sku, r.quantity, r.state) for r in rows(runtime)] == [
        (return_id, sku(merchant), 2, RestockState.APPLIED)
    ]
    again = run(returns.run, context(runtime))
    assert not again.writes
    assert on_hand(merchant) == before


def test_a_restock_left_sending_is_settled_by_looking_at_the_stock(
    merchant: Merchant, make_runtime: MakeRuntime, context: OpenContext
) -> None:
    store = merchant.stores["main"]
    runtime = make_runtime(merchant)
    order_id = imported(merchant, runtime, context)
    return_id = request_return(merchant, order_id)
    complete_return(merchant, return_id)
    run(returns.run, context(runtime))
    restored = on_hand(merchant)

    # The write landed, its record did not: the store shows the "after" quantity, so nothing is sent.
    back_to_sending(runtime)
    landed = run(returns.run, context(runtime))
    assert (landed.updated, landed.writes) == (1, {})
    assert on_hand(merchant) == restored

    # The record was made, the write never left: the store still shows "before", so it is sent now.
    back_to_sending(runtime)
    store.set_stock(sku(merchant), restored - 2)
    resent = run(returns.run, context(runtime))
    assert resent.updated == 1
    assert on_hand(merchant) == restored

    # The stock moved in between: nobody can tell whether the restock landed, so it is held, not guessed.
    back_to_sending(runtime)
    store.set_stock(sku(merchant), restored - 5)
    unsure = run(returns.run, context(runtime))
    assert (unsure.quarantined, unsure.writes) == (1, {})
    assert on_hand(merchant) == restored - 5
    [entry] = open_quarantine(runtime, KIND)
    assert entry.record_key == return_id
    assert "may or may not have reached" in entry.reason
    assert [r.state for r in rows(runtime)] == [RestockState.HELD]

    # The merchant checked: `syncd retry` restocks from the stock as it is now.
    retried = returns.retry_return(context(runtime), return_id)
    assert retried.updated == 1
    assert on_hand(merchant) == restored - 3
    assert [r.state for r in rows(runtime)] == [RestockState.APPLIED]
    assert open_quarantine(runtime, KIND) == []


def test_an_approved_cancellation_cancels_the_store_order(
    any_merchant: Merchant, make_runtime: MakeRuntime, context: OpenContext
) -> None:
    merchant = any_merchant
    runtime = make_runtime(merchant)
    before = on_hand(merchant)
    order_id = imported(merchant, runtime, context)
    server = tiktok_fake(merchant)
    cancel = server.request_cancellation(order_id)

    waiting = run(returns.run, context(runtime))

    assert (waiting.deferred, waiting.writes) == (1, {})
    assert [o.status for o in merchant.stores["main"].orders()] != ["cancelled"]

    with server.lock:
        cancel.status = "CANCELLATION_REQUEST_COMPLETE"
        server.complete_cancellation(server.orders[order_id], cancel)
    report = run(returns.run, context(runtime))

    assert report.updated == 1
    assert [o.status for o in merchant.stores["main"].orders()] == ["cancelled"]
    assert on_hand(merchant) == before
    assert link(runtime, order_id).state is OrderLinkState.CANCELLED
    # The orders job sees the same cancellation and has nothing left to do.
    assert not run(orders.run, context(runtime)).writes
    assert not run(returns.run, context(runtime)).writes


def test_returns_that_bring_nothing_back_to_the_store_restock_nothing(
    merchant: Merchant, make_runtime: MakeRuntime, context: OpenContext
) -> None:
    runtime = make_runtime(merchant)
    imported_id = imported(merchant, runtime, context)
    never_imported = place(merchant, (sku(merchant), 1))  # the orders job has not run since
    before = on_hand(merchant)
    refund = request_return(merchant, imported_id, return_type="REFUND_ONLY")
    unknown = request_return(merchant, never_imported)
    complete_return(merchant, refund)
    complete_return(merchant, unknown)

    report = run(returns.run, context(runtime))

    assert (report.read, report.unchanged, report.updated) == (2, 2, 0)
    assert not report.writes
    assert rows(runtime) == []
    assert on_hand(merchant) == before


def test_a_dry_run_plans_the_restock_and_sends_nothing(
    merchant: Merchant, make_runtime: MakeRuntime, context: OpenContext
) -> None:
    runtime = make_runtime(merchant)
    order_id = imported(merchant, runtime, context)
    return_id = request_return(merchant, order_id)
    complete_return(merchant, return_id)
    before = on_hand(merchant)

    dry = context(runtime, dry_run=True)
    report = run(returns.run, dry)
    dry.close()

    assert [(p.action, p.key, p.detail) for p in report.planned] == [("restock", return_id, f"+2 {sku(merchant)}")]
    assert not report.writes
    assert on_hand(merchant) == before
    assert rows(runtime) == []


def test_the_restock_ledger_moves_each_row_forward_once(engine: Engine) -> None:
    with session_scope(engine) as session:
        shop = channels.get_or_create_channel(session, "shop", "shopify").id
        assert shop is not None
        assert restocks.record_due(session, "R1", "O1", shop, "SKU-1", 2)
        # Seen again (the feed overlaps): nothing changes, whatever the row's state.
        assert not restocks.record_due(session, "R1", "O1", shop, "SKU-1", 5)
        assert not restocks.mark_applied(session, "R1", "SKU-1")  # nothing was sent yet
        assert restocks.start_sending(session, "R1", "SKU-1", location_id="L1", on_hand_before=3, on_hand_after=5)
        assert not restocks.start_sending(session, "R1", "SKU-1", location_id="L1", on_hand_before=5, on_hand_after=7)
        assert restocks.mark_applied(session, "R1", "SKU-1")
        assert not restocks.hold(session, "R1", "SKU-1", "too late")  # applied stays applied
        applied = restocks.get_restock(session, "R1", "SKU-1")
    assert applied is not None
    assert (applied.quantity, applied.state, applied.on_hand_before, applied.on_hand_after) == (
        2,
        RestockState.APPLIED,
        3,
        5,
    )

    with session_scope(engine) as session:
        restocks.record_due(session, "R2", "O2", shop, "SKU-1", 1)
        restocks.start_sending(session, "R2", "SKU-1", location_id="L1", on_hand_before=5, on_hand_after=6)
        assert restocks.hold(session, "R2", "SKU-1", "stock moved")
        assert not restocks.make_due(session, "R1", "SKU-1")  # only held rows go back
        assert restocks.make_due(session, "R2", "SKU-1")
        retried = restocks.get_restock(session, "R2", "SKU-1")
        due = restocks.list_restocks(session, [RestockState.DUE], store_channel_id=shop)
    assert retried is not None
    assert (retried.state, retried.attempts, retried.last_error) == (RestockState.DUE, 1, "stock moved")
    assert (retried.on_hand_before, retried.on_hand_after) == (None, None)
    assert [row.return_id for row in due] == ["R2"]


def test_a_restock_needs_a_positive_quantity(engine: Engine) -> None:
    with session_scope(engine) as session:
        shop = channels.get_or_create_channel(session, "shop", "shopify").id
        assert shop is not None
        with pytest.raises(ValueError, match="positive"):
            restocks.record_due(session, "R1", "O1", shop, "SKU-1", 0)
