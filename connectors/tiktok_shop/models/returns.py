"""Return, refund and cancellation payloads (ref §4.7)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from pydantic import Field

from connectors.tiktok_shop.models.base import Amount, CursorPage, TikTokModel, TikTokRequest


class RefundAmount(TikTokModel):
    """What the buyer gets back."""

    currency: str | None = None
    refund_total: Amount = None
    refund_subtotal: Amount = None
    refund_shipping_fee: Amount = None
    refund_tax: Amount = None
    retail_delivery_fee: Amount = None


class ReturnSearchFilter(TikTokRequest):
    """Body of `POST /return_refund/202309/returns/search`; paging and sorting travel in the query."""

    return_ids: list[str] | None = None
    order_ids: list[str] | None = None
    buyer_user_ids: list[str] | None = None
    return_types: list[str] | None = None
    return_status: list[str] | None = None
    create_time_ge: int | None = None
    create_time_lt: int | None = None
    update_time_ge: int | None = None
    update_time_lt: int | None = None
    locale: str | None = None


class ReturnOrder(TikTokModel):
    """A return or refund request."""

    return_id: str
    order_id: str | None = None
    return_type: str | None = None
    return_status: str | None = None
    role: str | None = None
    return_reason: str | None = None
    return_reason_text: str | None = None
    refund_amount: RefundAmount | None = None
    return_line_items: list[dict[str, Any]] = Field(default_factory=list)
    return_tracking_number: str | None = None
    create_time: int | None = None
    update_time: int | None = None


class ReturnSearchPage(CursorPage):
    """One page of return search."""

    items_field = "return_orders"
    return_orders: list[ReturnOrder] = Field(default_factory=list)


class ApproveReturnRequest(TikTokRequest):
    """Body of `POST /return_refund/202309/returns/{return_id}/approve`."""

    decision: str  # APPROVE_REFUND | APPROVE_RETURN | APPROVE_RECEIVED_PACKAGE | ...
    buyer_keep_item: bool | None = None
    partial_refund: dict[str, Any] | None = None


class RejectReturnRequest(TikTokRequest):
    """Body of `POST /return_refund/202309/returns/{return_id}/reject`."""

    decision: str  # REJECT_REFUND | REJECT_RETURN | REJECT_RECEIVED_PACKAGE | ...
    reject_reason: str
    comment: str | None = None
    images: list[dict[str, Any]] | None = None


class ReturnRecord(TikTokModel):
    """One step in a return's history."""

    event: str | None = None
    role: str | None = None
    description: str | None = None
    reason_text: str | None = None
    note: str | None = None
    create_time: int | None = None


class ReturnRecordsData(TikTokModel):
    """`data` of `GET /return_refund/202309/returns/{return_id}/records`."""

    records: list[ReturnRecord] = Field(default_factory=list)


class RejectReason(TikTokModel):
    """A reason a seller may give when rejecting; send `name`."""

    name: str
    text: str | None = None


class RejectReasonsData(TikTokModel):
    """`data` of `GET /return_refund/202309/reject_reasons`."""

    reasons: list[RejectReason] = Field(default_factory=list)


class AftersaleEligibility(TikTokModel):
    """`data` of `GET /return_refund/202309/orders/{order_id}/aftersale_eligibility`."""

    sku_eligibility: list[dict[str, Any]] = Field(default_factory=list)


class CancelOrderRequest(TikTokRequest):
    """Body of `POST /return_refund/202309/cancellations` (a seller cancelling an order)."""

    order_id: str
    cancel_reason: str
    order_line_item_ids: list[str] | None = None
    skus: list[dict[str, Any]] | None = None


class CancelOrderResult(TikTokModel):
    """`data` of cancelling an order."""

    cancel_id: str | None = None
    cancel_status: str | None = None


class CancellationSearchFilter(TikTokRequest):
    """Body of `POST /return_refund/202309/cancellations/search`; paging and sorting travel in the query."""

    cancel_ids: list[str] | None = None
    order_ids: list[str] | None = None
    buyer_user_ids: list[str] | None = None
    cancel_types: list[str] | None = None
    cancel_status: list[str] | None = None
    create_time_ge: int | None = None
    create_time_lt: int | None = None
    update_time_ge: int | None = None
    update_time_lt: int | None = None
    locale: str | None = None


class Cancellation(TikTokModel):
    """A cancellation request."""

    cancel_id: str
    order_id: str | None = None
    cancel_type: str | None = None
    cancel_status: str | None = None
    role: str | None = None
    cancel_reason: str | None = None
    cancel_reason_text: str | None = None
    refund_amount: RefundAmount | None = None
    cancel_line_items: list[dict[str, Any]] = Field(default_factory=list)
    create_time: int | None = None
    update_time: int | None = None


class CancellationSearchPage(CursorPage):
    """One page of cancellation search."""

    items_field = "cancellations"
    cancellations: list[Cancellation] = Field(default_factory=list)


class RejectCancellationRequest(TikTokRequest):
    """Body of `POST /return_refund/202309/cancellations/{cancel_id}/reject`."""

    reject_reason: str
    comment: str | None = None
    images: list[dict[str, Any]] | None = None


class RefundCalculationRequest(TikTokRequest):
    """Body of `POST /return_refund/202309/refunds/calculate`.

    Fields as documented on the Calculate Refund page (copy in lywzx/tiktok-partner-api CalculateRefund.ts;
    NPM tiktok-shop-sdk `CalculateCancellationParams` agrees): `order_id`, `request_type` and `reason_name`
    are required, the rest optional.
    """

    order_id: str
    request_type: str  # CANCEL | REFUND | RETURN_AND_REFUND
    # The seller's reason, by name (the names the Return & Refund overview lists).
    reason_name: str
    order_line_item_ids: list[str] | None = None
    skus: list[dict[str, Any]] | None = None
    shipment_type: str | None = None  # PLATFORM | BUYER_ARRANGE (returns)
    handover_method: str | None = None  # DROP_OFF | PICKUP (returns)


class RefundCalculation(TikTokModel):
    """`data` of the refund calculation: the amounts are nested in `order_refund_amount`.

    Same documentation as the request. The amount properties read the nested object, so callers keep
    writing `calculation.refund_total`.
    """

    order_refund_amount: RefundAmount | None = None

    @property
    def currency(self) -> str | None:
        """Currency of the amounts."""
        return self.order_refund_amount.currency if self.order_refund_amount else None

    @property
    def refund_total(self) -> Decimal | None:
        """Everything the buyer would get back."""
        return self.order_refund_amount.refund_total if self.order_refund_amount else None

    @property
    def refund_subtotal(self) -> Decimal | None:
        """The items' part of the refund."""
        return self.order_refund_amount.refund_subtotal if self.order_refund_amount else None

    @property
    def refund_shipping_fee(self) -> Decimal | None:
        """The shipping fee's part of the refund."""
        return self.order_refund_amount.refund_shipping_fee if self.order_refund_amount else None

    @property
    def refund_tax(self) -> Decimal | None:
        """The tax's part of the refund."""
        return self.order_refund_amount.refund_tax if self.order_refund_amount else None
