"""The fulfilment source: tracking numbers of store orders, from the Shipment Tracking meta most stores use,
else from order notes that name one; a `completed` order counts as shipped even without tracking."""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import ValidationError

from connectors.woocommerce.client import WooClient
from connectors.woocommerce.mapping_orders import (
    SHIPPED_STATUS,
    completed_without_tracking,
    note_fulfilments,
    tracking_fulfilments,
    tracking_items,
)
from connectors.woocommerce.models import WooOrder, WooOrderNote
from syncd.domain import Fulfilment

_NOT_SHIPPING = frozenset({"cancelled", "refunded", "failed", "trash", "pending", "checkout-draft"})


def read_fulfilments(client: WooClient, store_order_ids: Sequence[str], tracking_meta_key: str) -> list[Fulfilment]:
    """Fulfilments of these orders (ids that are not WooCommerce order ids, or unknown, are left out)."""
    ids = list(dict.fromkeys(order_id for order_id in store_order_ids if order_id.isdigit()))
    found: list[Fulfilment] = []
    for start in range(0, len(ids), client.page_size):
        chunk = ids[start : start + client.page_size]
        # One call for up to a page of orders; `include` ignores ids that do not exist.
        for page in client.pages("orders", {"include": ",".join(chunk), "orderby": "id", "order": "asc"}):
            for raw in page:
                try:
                    order = WooOrder.model_validate(raw)
                except ValidationError:
                    continue
                found.extend(_fulfilments(client, order, tracking_meta_key))
    return found


def _fulfilments(client: WooClient, order: WooOrder, tracking_meta_key: str) -> list[Fulfilment]:
    if order.status in _NOT_SHIPPING:
        return []
    items = tracking_items(order, tracking_meta_key)
    if items:
        return tracking_fulfilments(order, items)
    if order.status != SHIPPED_STATUS:
        return []
    # Notes cost a call per order, so only shipped orders without tracking meta are searched.
    # The notes endpoint is not paginated: one call returns them all.
    raw_notes = client.json("GET", f"orders/{order.id}/notes", params={"type": "any"})
    notes: list[WooOrderNote] = []
    for raw in raw_notes if isinstance(raw_notes, list) else []:
        try:
            notes.append(WooOrderNote.model_validate(raw))
        except ValidationError:
            continue
    return note_fulfilments(order, notes) or [completed_without_tracking(order)]
