"""TikTok cancellations and return, refund or replacement requests as domain `Return` records."""

from __future__ import annotations

from typing import Any

from connectors.tiktok_shop.mapping.values import from_unix
from connectors.tiktok_shop.models import Cancellation, RefundAmount, ReturnOrder
from syncd.domain import Money, Return, ReturnKind, ReturnLine, ReturnStatus

CANCEL_STATUSES = {
    "CANCELLATION_REQUEST_PENDING": ReturnStatus.REQUESTED,
    "CANCELLATION_REQUEST_SUCCESS": ReturnStatus.APPROVED,
    # Withdrawn by the buyer or refused by the seller: either way the order goes on.
    "CANCELLATION_REQUEST_CANCEL": ReturnStatus.CANCELLED,
    "CANCELLATION_REQUEST_COMPLETE": ReturnStatus.COMPLETED,
}
RETURN_STATUSES = {
    "RETURN_OR_REFUND_REQUEST_PENDING": ReturnStatus.REQUESTED,
    "AWAITING_BUYER_RESPONSE": ReturnStatus.REQUESTED,
    "REPLACEMENT_REQUEST_PENDING": ReturnStatus.REQUESTED,
    "AWAITING_BUYER_SHIP": ReturnStatus.APPROVED,
    "BUYER_SHIPPED_ITEM": ReturnStatus.APPROVED,
    "REFUND_OR_RETURN_REQUEST_REJECT": ReturnStatus.REJECTED,
    "REPLACEMENT_REQUEST_REJECT": ReturnStatus.REJECTED,
    # The seller refused the parcel that came back (damaged, wrong item): no restock on this status.
    "REJECT_RECEIVE_PACKAGE": ReturnStatus.REJECTED,
    "RETURN_OR_REFUND_REQUEST_CANCEL": ReturnStatus.CANCELLED,
    "RETURN_OR_REFUND_REQUEST_SUCCESS": ReturnStatus.COMPLETED,
    "RETURN_OR_REFUND_REQUEST_COMPLETE": ReturnStatus.COMPLETED,
    "REPLACEMENT_REQUEST_REFUND_SUCCESS": ReturnStatus.COMPLETED,
    "REPLACEMENT_REQUEST_COMPLETE": ReturnStatus.COMPLETED,
}
RETURN_KINDS = {
    "REFUND": ReturnKind.REFUND_ONLY,
    "REFUND_ONLY": ReturnKind.REFUND_ONLY,
    "RETURN_AND_REFUND": ReturnKind.RETURN_AND_REFUND,
    "REPLACEMENT": ReturnKind.REPLACEMENT,
}


def _return_lines(items: list[dict[str, Any]]) -> tuple[ReturnLine, ...]:
    counts: dict[str, int] = {}
    for item in items:
        sku = str(item.get("seller_sku") or item.get("sku_id") or "")
        counts[sku] = counts.get(sku, 0) + 1
    # TikTok lists units; the order line they belong to is a group key only the order knows, so it is left out.
    return tuple(ReturnLine(sku=sku, quantity=count) for sku, count in counts.items())


def _refund(amount: RefundAmount | None) -> Money | None:
    if amount is None or amount.refund_total is None or not amount.currency:
        return None
    return Money(amount=amount.refund_total, currency=amount.currency)


def _require_order_id(order_id: str | None, record: str) -> str:
    if not order_id:
        raise ValueError(f"{record} names no order")
    return order_id


def cancellation_to_domain(cancel: Cancellation) -> Return:
    """A TikTok cancellation as a domain `Return` of kind CANCELLATION."""
    status = CANCEL_STATUSES.get(cancel.cancel_status or "")
    if status is None:
        raise ValueError(f"unknown cancellation status {cancel.cancel_status!r}")
    return Return(
        external_id=cancel.cancel_id,
        order_external_id=_require_order_id(cancel.order_id, "the cancellation"),
        kind=ReturnKind.CANCELLATION,
        status=status,
        lines=_return_lines(cancel.cancel_line_items),
        refund_total=_refund(cancel.refund_amount),
        updated_at=from_unix(cancel.update_time or cancel.create_time, "update_time"),
    )


def return_to_domain(record: ReturnOrder) -> Return:
    """A TikTok return, refund or replacement request as a domain `Return`."""
    status = RETURN_STATUSES.get(record.return_status or "")
    if status is None:
        raise ValueError(f"unknown return status {record.return_status!r}")
    kind = RETURN_KINDS.get(record.return_type or "")
    if kind is None:
        raise ValueError(f"unknown return type {record.return_type!r}")
    return Return(
        external_id=record.return_id,
        order_external_id=_require_order_id(record.order_id, "the return"),
        kind=kind,
        status=status,
        lines=_return_lines(record.return_line_items),
        refund_total=_refund(record.refund_amount),
        updated_at=from_unix(record.update_time or record.create_time, "update_time"),
    )
