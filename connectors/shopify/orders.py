"""Orders into the store, exactly once, and their fulfilments out.

`orderCreate` has no idempotency key of its own (the `@idempotent` directive covers inventory and refund
mutations, not order creation), so the key is made findable instead: every order syncd creates is tagged
`tiktok-<id>` and `syncd-<hash of the key>`, has `sourceIdentifier` = the TikTok order id and carries the key
as a custom attribute. `find_order` searches for any of them, and `create_order` looks first too, so a retry
after a crash between "created" and "recorded" adopts the order instead of making a second one. Shopify's
search index trails writes by a few seconds; the engine's own order link (recorded right after the create)
covers that window.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import UTC, datetime

from connectors.shopify import queries
from connectors.shopify.api import ShopifyGraphQL
from connectors.shopify.mapping import (
    KEY_ATTRIBUTE,
    find_order_query,
    fulfillment_to_domain,
    key_tag,
    order_tag,
    order_to_input,
    sku_query,
)
from connectors.shopify.models import OrderFulfillments, OrderRef, UserError, VariantRef
from syncd.connector import WriteResult, WriteStatus
from syncd.domain import Fulfilment, Order
from syncd.errors import ApiError, TransientApiError

logger = logging.getLogger("connectors.shopify.orders")
ORDER_OPTIONS = {
    "inventoryBehaviour": "DECREMENT_OBEYING_POLICY",
    "sendReceipt": False,
    "sendFulfillmentReceipt": False,
}
FULFILMENT_BATCH = 10
SKU_BATCH = 50
SKIPPED_FULFILLMENT_STATUSES = frozenset({"CANCELLED", "ERROR", "FAILURE"})
_EPOCH = datetime.min.replace(tzinfo=UTC)


def _messages(errors: list[UserError]) -> str:
    return "; ".join(f"{'.'.join(e.field or [])}: {e.message}" if e.field else e.message for e in errors)


class OrderWriter:
    """Finds, creates and cancels orders in one shop."""

    def __init__(self, api: ShopifyGraphQL) -> None:
        self.api = api

    def find_order(self, idempotency_key: str, source_order_id: str) -> str | None:
        """The store order already made for this source order (the oldest, should there be several)."""
        data = self.api.execute(queries.FIND_ORDERS, {"query": find_order_query(idempotency_key, source_order_id)})
        nodes = [OrderRef.model_validate(n) for n in (data.get("orders") or {}).get("nodes") or []]
        wanted = {order_tag(source_order_id).lower(), key_tag(idempotency_key).lower()}
        matches = [
            n
            for n in nodes
            if wanted & {t.lower() for t in n.tags}
            or n.source_identifier == source_order_id
            or any(a.key == KEY_ATTRIBUTE and a.value == idempotency_key for a in n.custom_attributes)
        ]
        if not matches:
            return None
        if len(matches) > 1:
            logger.warning("shopify has %d orders for source order %s; using the oldest", len(matches), source_order_id)
        return min(matches, key=lambda n: (n.created_at or _EPOCH, n.id)).id

    def create_order(self, order: Order, idempotency_key: str) -> WriteResult:
        """Create `order` unless it exists; an unknown SKU or a rejected field is a failed result, not an error."""
        key = order.external_id
        try:
            existing = self.find_order(idempotency_key, order.external_id)
            if existing is not None:
                return WriteResult(
                    key=key, status=WriteStatus.UNCHANGED, external_id=existing, details={"found": "true"}
                )
            skus = list(dict.fromkeys(line.sku for line in order.lines))
            variants = self._variants(skus)
            missing = [sku for sku in skus if sku not in variants]
            if missing:
                return WriteResult.failed(key, f"unknown SKU(s) in the store: {', '.join(missing)}")
            variables = {"order": order_to_input(order, variants, idempotency_key), "options": ORDER_OPTIONS}
            # Not repeated on a timeout: it may have been applied; the next run's find_order settles it.
            data = self.api.execute(queries.ORDER_CREATE, variables, idempotent=False)
        except ApiError as exc:
            return WriteResult.failed(key, str(exc), retryable=isinstance(exc, TransientApiError))
        payload = data.get("orderCreate") or {}
        errors = [UserError.model_validate(e) for e in payload.get("userErrors") or []]
        created = payload.get("order")
        if errors or not isinstance(created, dict):
            return WriteResult.failed(key, _messages(errors) or "orderCreate returned no order")
        return WriteResult(
            key=key,
            status=WriteStatus.CREATED,
            external_id=str(created["id"]),
            details={"name": str(created.get("name"))},
        )

    def _variants(self, skus: list[str]) -> dict[str, str]:
        """SKU -> variant GID for the SKUs that exist (exact matches only)."""
        found: dict[str, str] = {}
        searchable = [s for s in skus if not ("'" in s and '"' in s)]
        for start in range(0, len(searchable), SKU_BATCH):
            chunk = searchable[start : start + SKU_BATCH]
            data = self.api.execute(
                queries.VARIANTS_BY_SKU, {"query": sku_query(chunk), "first": min(250, 2 * len(chunk))}
            )
            for raw in (data.get("productVariants") or {}).get("nodes") or []:
                variant = VariantRef.model_validate(raw)
                if variant.sku in chunk and variant.sku not in found:
                    found[variant.sku] = variant.id
        return found

    def cancel_order(self, store_order_id: str, *, restock: bool) -> WriteResult:
        """Cancel without notifying the buyer or refunding (TikTok settles payment), restocking if asked."""
        try:
            if self._cancelled(store_order_id):
                return WriteResult(key=store_order_id, status=WriteStatus.UNCHANGED, external_id=store_order_id)
            variables = {
                "id": store_order_id,
                "reason": "OTHER",
                "restock": restock,
                "note": "Cancelled on TikTok Shop",
            }
            data = self.api.execute(queries.ORDER_CANCEL, variables)
            payload = data.get("orderCancel") or {}
            raw_errors = payload.get("orderCancelUserErrors") or payload.get("userErrors") or []
            errors = [UserError.model_validate(e) for e in raw_errors]
            # A retried cancel that had already gone through reports "already cancelled": read the truth.
            if errors and not self._cancelled(store_order_id):
                return WriteResult.failed(store_order_id, _messages(errors))
        except ApiError as exc:
            return WriteResult.failed(store_order_id, str(exc), retryable=isinstance(exc, TransientApiError))
        except LookupError:
            return WriteResult.failed(store_order_id, "order not found in the store")
        job = (payload.get("job") or {}).get("id")
        return WriteResult(
            key=store_order_id,
            status=WriteStatus.UPDATED,
            external_id=store_order_id,
            details={"job": str(job)} if job else {},
        )

    def _cancelled(self, store_order_id: str) -> bool:
        order = self.api.execute(queries.ORDER_STATUS, {"id": store_order_id}).get("order")
        if not isinstance(order, dict):
            raise LookupError(store_order_id)
        return order.get("cancelledAt") is not None


class FulfilmentReader:
    """Fulfilments (with tracking) of orders in one shop."""

    def __init__(self, api: ShopifyGraphQL) -> None:
        self.api = api

    def read(self, store_order_ids: Sequence[str]) -> list[Fulfilment]:
        """Every live fulfilment of these orders; unknown ids are skipped."""
        result: list[Fulfilment] = []
        ids = list(dict.fromkeys(store_order_ids))
        for start in range(0, len(ids), FULFILMENT_BATCH):
            data = self.api.execute(queries.FULFILLMENTS, {"ids": ids[start : start + FULFILMENT_BATCH]})
            for raw in data.get("nodes") or []:
                if not isinstance(raw, dict) or "id" not in raw:
                    continue
                order = OrderFulfillments.model_validate(raw)
                result.extend(
                    fulfillment_to_domain(order.id, f)
                    for f in order.fulfillments
                    if f.status not in SKIPPED_FULFILLMENT_STATUSES
                )
        return result
