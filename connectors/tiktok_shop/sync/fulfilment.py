"""Fulfilment: mark a TikTok order's live, unshipped units shipped with the store's tracking number."""

from __future__ import annotations

from collections.abc import Sequence

from connectors.tiktok_shop import mapping
from connectors.tiktok_shop.models import Order as TikTokOrder
from connectors.tiktok_shop.sync.context import ShopContext
from connectors.tiktok_shop.sync.orders import order_details
from connectors.tiktok_shop.sync.results import failure
from syncd.connector import WriteResult, WriteStatus
from syncd.domain import Fulfilment
from syncd.errors import ApiError


def write_fulfilments(context: ShopContext, fulfilments: Sequence[Fulfilment]) -> list[WriteResult]:
    """One result per fulfilment: created when shipped now, unchanged when nothing was left to ship."""
    try:
        details, rejected = order_details(context, list(dict.fromkeys(f.order_external_id for f in fulfilments)))
    except ApiError as exc:
        return [failure(f.external_id, exc) for f in fulfilments]
    unreadable = {r.key: r.reason for r in rejected}
    results = []
    for fulfilment in fulfilments:
        order = details.get(fulfilment.order_external_id)
        if order is None:
            reason = unreadable.get(fulfilment.order_external_id, "not found")
            results.append(
                WriteResult.failed(fulfilment.external_id, f"TikTok order {fulfilment.order_external_id}: {reason}")
            )
            continue
        results.append(_ship(context, fulfilment, order))
    return results


def _ship(context: ShopContext, fulfilment: Fulfilment, order: TikTokOrder) -> WriteResult:
    key = fulfilment.external_id
    if order.status in mapping.SHIPPED_ORDER_STATUSES:
        return WriteResult(key=key, status=WriteStatus.UNCHANGED)
    if order.status not in mapping.SHIPPABLE_ORDER_STATUSES:
        # Unpaid and on-hold orders become shippable later; cancelled ones never do.
        waiting = order.status in mapping.NOT_YET_SHIPPABLE_ORDER_STATUSES
        return WriteResult.failed(key, f"a TikTok order in {order.status} cannot be shipped", retryable=waiting)
    if not fulfilment.tracking_number or not fulfilment.carrier:
        return WriteResult.failed(key, "a tracking number and a TikTok shipping provider id are required")
    units = mapping.units_to_ship(order, fulfilment.line_external_ids)
    if not units:
        return WriteResult(key=key, status=WriteStatus.UNCHANGED)
    try:
        shipped = context.shop.fulfillment.mark_package_shipped(
            order.id, fulfilment.tracking_number, fulfilment.carrier, order_line_item_ids=units
        )
    except ApiError as exc:
        # A failure that may have been applied is not retried by the client; the next attempt re-reads
        # the order and finds it shipped (UNCHANGED) if it was.
        return failure(key, exc)
    return WriteResult(key=key, status=WriteStatus.CREATED, external_id=shipped.package_id or None)
