"""Cancellations and returns in the emulator: seller cancel, buyer requests, the seller's decisions."""

from __future__ import annotations

from tts_harness import SignedApi

from connectors.tiktok_shop.fake import FakeTikTokShop

CANCEL = "/return_refund/202309/cancellations"


def test_seller_cancel_cancels_the_order_and_restores_stock(api: SignedApi, fake: FakeTikTokShop) -> None:
    sku = fake.add_product(skus=[{"quantity": 5}]).skus[0]
    order = fake.add_order([(sku, 2)])
    assert fake.sku_quantity(sku.id) == 3

    data = api.ok("POST", CANCEL, body={"order_id": order.id, "cancel_reason": "seller_out_of_stock"})

    assert data["cancel_status"] == "CANCELLATION_REQUEST_COMPLETE"
    assert order.status == "CANCELLED"
    assert order.cancellation_initiator == "SELLER"
    assert fake.sku_quantity(sku.id) == 5
    found = api.ok("POST", f"{CANCEL}/search", query={"page_size": "10"}, body={"order_ids": [order.id]})
    assert [c["cancel_id"] for c in found["cancellations"]] == [data["cancel_id"]]
    assert found["cancellations"][0]["role"] == "SELLER"
    assert len(found["cancellations"][0]["cancel_line_items"]) == 2


def test_cancelling_some_lines_keeps_the_order(api: SignedApi, fake: FakeTikTokShop) -> None:
    order = fake.add_order([(fake.add_product().skus[0], 2)])

    api.ok(
        "POST",
        CANCEL,
        body={"order_id": order.id, "cancel_reason": "x", "order_line_item_ids": [order.line_items[0].id]},
    )

    assert order.status == "AWAITING_SHIPMENT"
    assert [line.cancelled for line in order.line_items] == [True, False]


def test_shipped_orders_cannot_be_cancelled_by_the_seller(api: SignedApi, fake: FakeTikTokShop) -> None:
    order = fake.add_order([(fake.add_product().skus[0], 1)], status="IN_TRANSIT")

    assert api.error("POST", CANCEL, body={"order_id": order.id, "cancel_reason": "x"})[1]["code"] == 36009004


def test_a_buyer_request_is_approved_or_rejected(api: SignedApi, fake: FakeTikTokShop) -> None:
    sku = fake.add_product().skus[0]
    approve, reject = fake.add_order([(sku, 1)]), fake.add_order([(sku, 1)])
    to_approve, to_reject = fake.request_cancellation(approve.id), fake.request_cancellation(reject.id)
    pending = api.ok(
        "POST", f"{CANCEL}/search", query={"page_size": "10"}, body={"cancel_status": ["CANCELLATION_REQUEST_PENDING"]}
    )
    assert {c["cancel_id"] for c in pending["cancellations"]} == {to_approve.id, to_reject.id}

    api.ok("POST", f"{CANCEL}/{to_approve.id}/approve", query={"idempotency_key": "k-1"})
    api.ok("POST", f"{CANCEL}/{to_approve.id}/approve", query={"idempotency_key": "k-1"})  # a retry: no error
    api.ok("POST", f"{CANCEL}/{to_reject.id}/reject", body={"reject_reason": "seller_reject_apply_product_shipped"})

    assert (approve.status, reject.status) == ("CANCELLED", "AWAITING_SHIPMENT")
    assert to_reject.status == "CANCELLATION_REQUEST_CANCEL"
    assert (
        api.error("POST", f"{CANCEL}/{to_approve.id}/approve", query={"idempotency_key": "k-2"})[1]["code"] == 36009004
    )


def test_a_return_is_approved_received_and_refunded(api: SignedApi, fake: FakeTikTokShop) -> None:
    order = fake.add_order([(fake.add_product().skus[0], 1)], status="DELIVERED")
    record = fake.add_return(order.id)
    base = f"/return_refund/202309/returns/{record.id}"

    api.ok("POST", f"{base}/approve", body={"decision": "APPROVE_RETURN"})
    assert record.status == "AWAITING_BUYER_SHIP"
    fake.buyer_ships_return(record.id)
    api.ok("POST", f"{base}/approve", body={"decision": "APPROVE_RECEIVED_PACKAGE"})

    found = api.ok(
        "POST", "/return_refund/202309/returns/search", query={"page_size": "5"}, body={"order_ids": [order.id]}
    )
    assert found["return_orders"][0]["return_status"] == "RETURN_OR_REFUND_REQUEST_COMPLETE"
    assert found["total_count"] == 1
    assert found["next_page_token"] == ""
    assert [r["event"] for r in api.ok("GET", f"{base}/records")["records"]] == [
        "RETURN_OR_REFUND_REQUEST_PENDING",
        "AWAITING_BUYER_SHIP",
        "BUYER_SHIPPED_ITEM",
        "RETURN_OR_REFUND_REQUEST_COMPLETE",
    ]


def test_a_return_can_be_rejected_with_a_reason(api: SignedApi, fake: FakeTikTokShop) -> None:
    order = fake.add_order([(fake.add_product().skus[0], 1)], status="DELIVERED")
    record = fake.add_return(order.id, return_type="REFUND")
    path = f"/return_refund/202309/returns/{record.id}/reject"
    reasons = api.ok("GET", "/return_refund/202309/reject_reasons")["reasons"]

    assert api.error("POST", path, body={"decision": "REJECT_REFUND"})[1]["code"] == 36009004  # no reason
    api.ok("POST", path, body={"decision": "REJECT_REFUND", "reject_reason": reasons[0]["name"]})
    assert record.status == "REFUND_OR_RETURN_REQUEST_REJECT"
    assert api.error("POST", path, body={"decision": "REJECT_RETURN", "reject_reason": "x"})[1]["code"] == 36009004


def test_aftersale_eligibility(api: SignedApi, fake: FakeTikTokShop) -> None:
    order = fake.add_order([(fake.add_product().skus[0], 1)], status="DELIVERED")

    data = api.ok("GET", f"/return_refund/202309/orders/{order.id}/aftersale_eligibility")

    assert data["sku_eligibility"][0]["eligible_request_type"] == ["REFUND", "RETURN_AND_REFUND"]


def test_refund_calculation(api: SignedApi, fake: FakeTikTokShop) -> None:
    order = fake.add_order([(fake.add_product(skus=[{"price": "20.00"}]).skus[0], 2)], shipping_fee="5.00")
    path = "/return_refund/202309/refunds/calculate"

    whole = api.ok("POST", path, body={"order_id": order.id, "request_type": "CANCEL", "reason_name": "x"})
    part = api.ok(
        "POST",
        path,
        body={
            "order_id": order.id,
            "request_type": "REFUND",
            "reason_name": "x",
            "order_line_item_ids": [order.line_items[0].id],
        },
    )

    assert whole["order_refund_amount"]["refund_total"] == "45.00"
    assert part["order_refund_amount"]["refund_total"] == "20.00"
