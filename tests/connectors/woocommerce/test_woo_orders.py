"""The order sink creates each TikTok order exactly once, reduces stock as WooCommerce does, and cancels with
restock; checked against the emulator over real HTTP."""

from __future__ import annotations

from typing import Literal

import pytest
from woo_helpers import make_config, tiktok_order

from connectors.woocommerce import WooCommerceConnector
from connectors.woocommerce.fake import FakeWooCommerce
from syncd.connector import WriteStatus
from syncd.http import ManualClock
from syncd.testing import Fault

KEY = "tiktok-576461413038785752"


@pytest.fixture
def skus(store: FakeWooCommerce) -> list[str]:
    """A simple product (10 in stock) and a variable product with two variations (10 each)."""
    simple = store.add_products(1)
    variable = store.add_products(1, variations_per_product=2)
    return [f"WOO-{simple[0]}", f"WOO-{variable[0]}-1", f"WOO-{variable[0]}-2"]


def _orders_for(store: FakeWooCommerce, source_id: str) -> list[int]:
    return [
        order_id
        for order_id in store.order_ids()
        if any(m["key"] == "_tiktok_order_id" and m["value"] == source_id for m in store.order(order_id)["meta_data"])
    ]


def _stock(store: FakeWooCommerce, sku: str) -> int:
    product = store.product_by_sku(sku)
    assert product is not None
    return int(product["stock_quantity"])


def test_create_makes_a_paid_processing_order_and_the_store_reduces_stock(
    connector: WooCommerceConnector, store: FakeWooCommerce, skus: list[str]
) -> None:
    order = tiktok_order(lines=[(skus[0], 2), (skus[1], 3)])
    result = connector.create_order(order, KEY)
    assert result.status is WriteStatus.CREATED
    assert result.external_id is not None
    created = store.order(int(result.external_id))
    assert (created["status"], created["transaction_id"], created["total"]) == ("processing", KEY, "67.49")
    assert created["date_paid_gmt"] is not None
    assert [(item["sku"], item["quantity"]) for item in created["line_items"]] == [(skus[0], 2), (skus[1], 3)]
    assert created["line_items"][1]["variation_id"] != 0
    assert (_stock(store, skus[0]), _stock(store, skus[1]), _stock(store, skus[2])) == (8, 7, 10)
    assert connector.find_order(KEY, order.external_id) == result.external_id


def test_creating_the_same_order_twice_leaves_one_order(
    connector: WooCommerceConnector, store: FakeWooCommerce, skus: list[str]
) -> None:
    order = tiktok_order(lines=[(skus[0], 1)])
    first = connector.create_order(order, KEY)
    again = connector.create_order(order, KEY)
    assert first.status is WriteStatus.CREATED
    assert again.status is WriteStatus.UNCHANGED
    assert again.external_id == first.external_id
    assert _orders_for(store, order.external_id) == [int(first.external_id or 0)]
    assert _stock(store, skus[0]) == 9


def test_a_fresh_connector_after_a_crash_between_create_and_record_adopts_the_order(
    store: FakeWooCommerce, clock: ManualClock, skus: list[str]
) -> None:
    order = tiktok_order(lines=[(skus[2], 1)])
    with WooCommerceConnector(make_config(store), clock=clock) as before_crash:
        created = before_crash.create_order(order, KEY)  # the engine dies before recording this id
    with WooCommerceConnector(make_config(store), clock=clock) as restarted:
        assert restarted.find_order(KEY, order.external_id) == created.external_id
        adopted = restarted.create_order(order, KEY)
    assert adopted.status is WriteStatus.UNCHANGED
    assert adopted.external_id == created.external_id
    assert len(_orders_for(store, order.external_id)) == 1


@pytest.mark.parametrize(
    "failure",
    ["dropped_after_apply", "gateway_error_after_apply", "read_timeout_after_apply", "error_before_apply"],
)
def test_an_ambiguous_create_failure_is_looked_up_not_repeated_blindly(
    store: FakeWooCommerce, clock: ManualClock, skus: list[str], failure: str
) -> None:
    if failure == "dropped_after_apply":
        store.apply_then_fail("create_order")
    elif failure == "gateway_error_after_apply":
        store.apply_then_fail("create_order", status=504)
    elif failure == "read_timeout_after_apply":
        store.apply_then_fail("create_order", hold=1.0)  # answered after the client's 0.3 s timeout
    else:
        store.inject(Fault.error(503, route="create_order", times=1))  # refused before doing anything
    order = tiktok_order(lines=[(skus[0], 1)])
    with WooCommerceConnector(make_config(store, timeout=0.3), clock=clock) as connector:
        result = connector.create_order(order, KEY)
    assert result.status is WriteStatus.CREATED, result.error
    assert _orders_for(store, order.external_id) == [int(result.external_id or 0)]
    assert _stock(store, skus[0]) == 9
    creates = store.calls.count("create_order")
    assert creates == (2 if failure == "error_before_apply" else 1)


def test_unknown_sku_fails_the_order_naming_the_sku_and_creates_nothing(
    connector: WooCommerceConnector, store: FakeWooCommerce, skus: list[str]
) -> None:
    result = connector.create_order(tiktok_order(lines=[(skus[0], 1), ("NOT-IN-STORE", 1)]), KEY)
    assert result.status is WriteStatus.FAILED
    assert not result.retryable
    assert "NOT-IN-STORE" in (result.error or "")
    assert store.order_ids() == []
    assert _stock(store, skus[0]) == 10


def test_find_order_confirms_on_meta_not_on_search_text(
    connector: WooCommerceConnector, store: FakeWooCommerce, skus: list[str]
) -> None:
    # A merchant's order whose address happens to contain the key: found by search, not confirmed by meta.
    decoy = connector.create_order(tiktok_order("111", lines=[(skus[0], 1)]), "other-key")
    assert decoy.external_id is not None
    store.edit_order(int(decoy.external_id), {"billing": {"company": f"see {KEY}"}})
    found = connector.client.json("GET", "orders", params={"search": KEY})
    assert [order["id"] for order in found] == [int(decoy.external_id)]
    assert connector.find_order(KEY, "576461413038785752") is None


@pytest.mark.parametrize("storage", ["hpos", "legacy"])
@pytest.mark.parametrize("key_in_note", [True, False])
def test_find_order_finds_the_key_on_either_order_storage(
    clock: ManualClock, storage: Literal["hpos", "legacy"], key_in_note: bool
) -> None:
    # HPOS searches transaction_id and item names, legacy storage item names and (as a fallback) the note;
    # the shipping line's title carries the key for both.
    fake = FakeWooCommerce(clock=clock.monotonic, now=clock.now, rate_limit=None, order_storage=storage)
    with fake:
        (product_id,) = fake.add_products(1)
        config = make_config(fake, key_in_customer_note=key_in_note)
        with WooCommerceConnector(config, clock=clock) as connector:
            created = connector.create_order(tiktok_order(lines=[(f"WOO-{product_id}", 1)]), KEY)
            assert connector.find_order(KEY, "576461413038785752") == created.external_id
            assert connector.find_order("some-other-key", "1") is None


def test_cancel_restores_stock_once_and_refuses_what_woocommerce_cannot_do(
    connector: WooCommerceConnector, store: FakeWooCommerce, skus: list[str]
) -> None:
    created = connector.create_order(tiktok_order(lines=[(skus[1], 4)]), KEY)
    order_id = created.external_id or ""
    assert _stock(store, skus[1]) == 6
    assert connector.cancel_order(order_id, restock=False).status is WriteStatus.FAILED
    cancelled = connector.cancel_order(order_id, restock=True)
    assert cancelled.status is WriteStatus.UPDATED
    assert store.order(int(order_id))["status"] == "cancelled"
    assert _stock(store, skus[1]) == 10
    assert connector.cancel_order(order_id, restock=True).status is WriteStatus.UNCHANGED
    assert _stock(store, skus[1]) == 10
    assert connector.cancel_order("999999", restock=True).status is WriteStatus.FAILED

    shipped = connector.create_order(tiktok_order("222", lines=[(skus[0], 1)]), "key-222")
    store.edit_order(int(shipped.external_id or 0), {"status": "completed"})
    refused = connector.cancel_order(shipped.external_id or "", restock=True)
    assert refused.status is WriteStatus.FAILED
    assert "completed" in (refused.error or "")
