"""The client's return, refund and cancellation calls against the emulator."""

from __future__ import annotations

from decimal import Decimal

import pytest
from pydantic import ValidationError

from connectors.tiktok_shop import ShopClient, TikTokFatalError
from connectors.tiktok_shop.fake import FakeTikTokShop
from connectors.tiktok_shop.models import (
    ApproveReturnRequest,
    CancellationSearchFilter,
    CancelOrderRequest,
    RefundCalculationRequest,
    RejectCancellationRequest,
    RejectReturnRequest,
    ReturnSearchFilter,
)
from syncd.testing import Fault


def test_seller_cancels_an_order(shop: ShopClient, fake: FakeTikTokShop) -> None:
    sku = fake.add_product(skus=[{"quantity": 5}]).skus[0]
    order = fake.add_order([(sku, 2)])

    result = shop.returns.cancel_order(CancelOrderRequest(order_id=order.id, cancel_reason="seller_out_of_stock"))

    assert result.cancel_status == "CANCELLATION_REQUEST_COMPLETE"
    assert shop.orders.get_details([order.id])[0].status == "CANCELLED"
    assert fake.sku_quantity(sku.id) == 5
    [page] = shop.returns.iter_search_cancellations(CancellationSearchFilter(order_ids=[order.id]))
    assert [(c.cancel_id, c.role) for c in page.cancellations] == [(result.cancel_id, "SELLER")]


def test_cancelling_a_shipped_order_is_refused(shop: ShopClient, fake: FakeTikTokShop) -> None:
    order = fake.add_order([(fake.add_product().skus[0], 1)], status="IN_TRANSIT")

    with pytest.raises(TikTokFatalError):
        shop.returns.cancel_order(CancelOrderRequest(order_id=order.id, cancel_reason="x"))


def test_buyer_cancellation_requests_are_decided(shop: ShopClient, fake: FakeTikTokShop) -> None:
    sku = fake.add_product().skus[0]
    approve, reject = fake.add_order([(sku, 1)]), fake.add_order([(sku, 1)])
    to_approve, to_reject = fake.request_cancellation(approve.id), fake.request_cancellation(reject.id)
    pending = shop.returns.search_cancellations(
        CancellationSearchFilter(cancel_status=["CANCELLATION_REQUEST_PENDING"])
    )
    assert {c.cancel_id for c in pending.cancellations} == {to_approve.id, to_reject.id}

    shop.returns.approve_cancellation(to_approve.id)
    reasons = shop.returns.reject_reasons()
    shop.returns.reject_cancellation(to_reject.id, RejectCancellationRequest(reject_reason=reasons[0].name))

    assert (approve.status, reject.status) == ("CANCELLED", "AWAITING_SHIPMENT")
    assert to_reject.status == "CANCELLATION_REQUEST_CANCEL"


def test_a_retried_approval_reuses_its_idempotency_key(shop: ShopClient, fake: FakeTikTokShop) -> None:
    order = fake.add_order([(fake.add_product().skus[0], 1)])
    cancel = fake.request_cancellation(order.id)
    # The first answer is lost after the emulator applied the approval; the retry carries the same key.
    fake.inject(Fault.malformed(route="approve_cancellation"))

    shop.returns.approve_cancellation(cancel.id)

    calls = [call for call in fake.calls.all() if call.route == "approve_cancellation"]
    assert len(calls) == 2
    assert len({call.query["idempotency_key"][0] for call in calls}) == 1
    assert order.status == "CANCELLED"


def test_a_return_from_request_to_refund(shop: ShopClient, fake: FakeTikTokShop) -> None:
    order = fake.add_order([(fake.add_product().skus[0], 1)], status="DELIVERED")
    record = fake.add_return(order.id)
    eligibility = shop.returns.aftersale_eligibility(order.id)

    shop.returns.approve_return(record.id, ApproveReturnRequest(decision="APPROVE_RETURN"))
    fake.buyer_ships_return(record.id)
    shop.returns.approve_return(record.id, ApproveReturnRequest(decision="APPROVE_RECEIVED_PACKAGE"))

    assert eligibility.sku_eligibility[0]["eligible_request_type"] == ["REFUND", "RETURN_AND_REFUND"]
    [page] = shop.returns.iter_search_returns(ReturnSearchFilter(order_ids=[order.id]))
    [found] = page.return_orders
    assert found.return_status == "RETURN_OR_REFUND_REQUEST_COMPLETE"
    assert found.refund_amount is not None
    assert found.refund_amount.refund_total == Decimal("19.99")
    assert [r.event for r in shop.returns.return_records(record.id)][-1] == "RETURN_OR_REFUND_REQUEST_COMPLETE"


def test_a_refund_request_is_rejected(shop: ShopClient, fake: FakeTikTokShop) -> None:
    order = fake.add_order([(fake.add_product().skus[0], 1)], status="DELIVERED")
    record = fake.add_return(order.id, return_type="REFUND")

    shop.returns.reject_return(
        record.id, RejectReturnRequest(decision="REJECT_REFUND", reject_reason="seller_reject_apply_buyer_no_reason")
    )

    page = shop.returns.search_returns(ReturnSearchFilter(return_status=["REFUND_OR_RETURN_REQUEST_REJECT"]))
    assert [r.return_id for r in page.return_orders] == [record.id]


def test_refund_calculation(shop: ShopClient, fake: FakeTikTokShop) -> None:
    order = fake.add_order([(fake.add_product(skus=[{"price": "20.00"}]).skus[0], 2)], shipping_fee="5.00")

    calculation = shop.returns.calculate_refund(
        RefundCalculationRequest(
            order_id=order.id, request_type="CANCEL", reason_name="seller_cancel_reason_out_of_stock"
        )
    )

    # The documented answer nests the amounts in `order_refund_amount`; the properties read through it.
    amounts = calculation.order_refund_amount
    assert amounts is not None
    assert (amounts.refund_total, amounts.refund_subtotal, amounts.refund_shipping_fee) == (
        Decimal("45.00"),
        Decimal("40.00"),
        Decimal("5.00"),
    )
    assert calculation.refund_total == Decimal("45.00")
    assert calculation.refund_subtotal == Decimal("40.00")
    assert calculation.refund_shipping_fee == Decimal("5.00")
    assert calculation.refund_tax == Decimal("0.00")
    assert calculation.currency == amounts.currency is not None


def test_a_partial_refund_calculation_keeps_the_shipping_fee(shop: ShopClient, fake: FakeTikTokShop) -> None:
    order = fake.add_order([(fake.add_product(skus=[{"price": "20.00"}]).skus[0], 2)], shipping_fee="5.00")
    line = order.line_items[0].id

    calculation = shop.returns.calculate_refund(
        RefundCalculationRequest(
            order_id=order.id,
            request_type="REFUND",
            reason_name="seller_cancel_reason_out_of_stock",
            order_line_item_ids=[line],
        )
    )

    assert (calculation.refund_total, calculation.refund_shipping_fee) == (Decimal("20.00"), Decimal("0"))


def test_a_refund_calculation_requires_the_documented_fields() -> None:
    with pytest.raises(ValidationError, match="reason_name"):
        RefundCalculationRequest(order_id="576", request_type="CANCEL")  # type: ignore[call-arg]
