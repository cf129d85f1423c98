"""The order sink and fulfilment source against the emulator: exactly-once creation, failures as results,
cancellation with restock, and tracking read back."""

from __future__ import annotations

from decimal import Decimal

from shopify_support import fixture, make_config, tiktok_order

from connectors.shopify.connector import ShopifyConnector
from connectors.shopify.fake import FakeShopify
from connectors.shopify.mapping import order_tag
from syncd.connector import WriteStatus
from syncd.http import ManualClock
from syncd.testing import Fault

KEY = "order-key-5f1b2c"


def _stocked(fake: FakeShopify, variants: int = 2, available: int = 5) -> tuple[list[str], str]:
    location = fake.add_location("Main")
    product = fake.add_products(1, variants_per_product=variants, available=available, locations=[location])[0]
    return fake.variant_skus(product), location


def test_create_order_writes_lines_prices_address_shipping_taxes_and_decrements_stock(
    fake: FakeShopify, connector: ShopifyConnector
) -> None:
    skus, location = _stocked(fake)
    order = tiktok_order("577001", [(skus[0], 2, "12.50"), (skus[1], 1, "8.00")])

    result = connector.create_order(order, KEY)

    assert result.status is WriteStatus.CREATED
    assert result.ok
    [created] = fake.orders()
    assert result.external_id == f"gid://shopify/Order/{created.id}"
    assert [(line.sku, line.quantity, line.price) for line in created.line_items] == [
        (skus[0], 2, Decimal("12.50")),
        (skus[1], 1, Decimal("8.00")),
    ]
    assert order_tag("577001") in created.tags
    assert created.source_identifier == "577001"
    assert created.source_name == "tiktok"
    assert created.financial_status == "PAID"
    assert created.shipping_address is not None
    assert created.shipping_address["last_name"] == "Lovelace"
    assert created.shipping_address["province_code"] == "KY"
    assert created.shipping_lines[0]["price"] == Decimal("4.99")
    assert created.line_items[0].tax_lines[0]["price"] == Decimal("1.20")
    assert ("syncd_idempotency_key", KEY) in created.custom_attributes
    assert fake.available(skus[0], location) == 3
    assert fake.available(skus[1], location) == 4


def test_same_order_twice_leaves_one_order(fake: FakeShopify, connector: ShopifyConnector) -> None:
    skus, _ = _stocked(fake)
    order = tiktok_order("577002", [(skus[0], 1, "12.50")])

    first = connector.create_order(order, KEY)
    second = connector.create_order(order, KEY)

    assert first.status is WriteStatus.CREATED
    assert second.status is WriteStatus.UNCHANGED
    assert second.external_id == first.external_id
    assert len(fake.orders()) == 1


def test_crash_between_create_and_record_is_repaired_by_a_fresh_connector(
    fake: FakeShopify, clock: ManualClock
) -> None:
    """The engine created the order, then died before recording the store id; a new process finds it."""
    skus, location = _stocked(fake)
    order = tiktok_order("577003", [(skus[0], 1, "12.50")])
    with ShopifyConnector(make_config(fake), base_url=fake.base_url, clock=clock) as before_crash:
        created = before_crash.create_order(order, KEY)
    # The created id was lost with the process.
    with ShopifyConnector(make_config(fake), base_url=fake.base_url, clock=clock) as after_restart:
        found = after_restart.find_order(KEY, "577003")
        again = after_restart.create_order(order, KEY)

    assert found == created.external_id
    assert again.status is WriteStatus.UNCHANGED
    assert again.external_id == created.external_id
    assert len(fake.orders()) == 1
    assert fake.available(skus[0], location) == 4  # decremented once


def test_dropped_response_to_order_create_is_not_repeated_and_the_order_is_found_later(
    fake: FakeShopify, connector: ShopifyConnector
) -> None:
    """The create reached Shopify but its answer was lost: no blind retry, and the next attempt adopts it."""
    skus, _ = _stocked(fake)
    order = tiktok_order("577004", [(skus[0], 1, "12.50")])
    fake.inject(Fault.malformed(when=lambda request: b"orderCreate" in request.body, times=1))

    lost = connector.create_order(order, KEY)
    retried = connector.create_order(order, KEY)

    assert not lost.ok
    assert lost.retryable
    assert retried.status is WriteStatus.UNCHANGED
    assert len(fake.orders()) == 1


def test_find_order_by_tag_source_identifier_or_key(fake: FakeShopify, connector: ShopifyConnector) -> None:
    skus, _ = _stocked(fake)
    assert connector.find_order(KEY, "577005") is None
    created = connector.create_order(tiktok_order("577005", [(skus[0], 1, "1.00")]), KEY)

    assert connector.find_order(KEY, "577005") == created.external_id  # by tag and source identifier
    assert connector.find_order(KEY, "another-id") == created.external_id  # by the key's tag
    assert connector.find_order("another-key", "577005") == created.external_id
    assert connector.find_order("another-key", "another-id") is None


def test_unknown_sku_is_a_failed_result_naming_it(fake: FakeShopify, connector: ShopifyConnector) -> None:
    skus, _ = _stocked(fake)
    result = connector.create_order(tiktok_order("577006", [(skus[0], 1, "1.00"), ("NO-SUCH-SKU", 1, "1.00")]), KEY)

    assert not result.ok
    assert not result.retryable
    assert result.key == "577006"
    assert result.error is not None
    assert "NO-SUCH-SKU" in result.error
    assert fake.orders() == []


def test_user_errors_become_a_failed_result(fake: FakeShopify, connector: ShopifyConnector) -> None:
    """DECREMENT_OBEYING_POLICY refuses to oversell a variant that denies overselling."""
    skus, location = _stocked(fake, available=1)
    result = connector.create_order(tiktok_order("577007", [(skus[0], 3, "1.00")]), KEY)

    assert not result.ok
    assert not result.retryable
    assert result.error is not None
    assert "Unable to reserve inventory" in result.error
    assert fake.orders() == []
    assert fake.available(skus[0], location) == 1


def test_cancel_with_restock_returns_stock_and_is_idempotent(fake: FakeShopify, connector: ShopifyConnector) -> None:
    skus, location = _stocked(fake)
    created = connector.create_order(tiktok_order("577008", [(skus[0], 2, "1.00")]), KEY)
    assert created.external_id is not None
    assert fake.available(skus[0], location) == 3

    cancelled = connector.cancel_order(created.external_id, restock=True)
    repeated = connector.cancel_order(created.external_id, restock=True)

    assert cancelled.status is WriteStatus.UPDATED
    assert repeated.status is WriteStatus.UNCHANGED
    assert fake.orders()[0].cancelled_at is not None
    assert fake.available(skus[0], location) == 5
    missing = connector.cancel_order("gid://shopify/Order/999999999", restock=True)
    assert not missing.ok
    assert missing.error == "order not found in the store"


def test_fulfilments_with_tracking_are_read(fake: FakeShopify, connector: ShopifyConnector) -> None:
    """shopify_rest_order_with_line_items.json: its one fulfilment failed, so it is not a shipment; a later
    successful fulfilment with tracking is."""
    fake.load_seed(fixture("shopify_rest_order_with_line_items.json"))
    order_id = "gid://shopify/Order/450789469"
    assert connector.read_fulfilments([order_id]) == []

    shipment = fake.fulfill_order(order_id, number="1Z999AA10123456784", company="UPS", url="https://ups.example/1Z9")
    fulfilments = connector.read_fulfilments([order_id, "gid://shopify/Order/1"])

    assert len(fulfilments) == 1
    [fulfilment] = fulfilments
    assert fulfilment.external_id == shipment
    assert fulfilment.order_external_id == order_id
    assert (fulfilment.tracking_number, fulfilment.carrier, fulfilment.tracking_url) == (
        "1Z999AA10123456784",
        "UPS",
        "https://ups.example/1Z9",
    )
    assert set(fulfilment.line_external_ids) == {
        "gid://shopify/LineItem/466157049",
        "gid://shopify/LineItem/518995019",
        "gid://shopify/LineItem/703073504",
    }
