"""The order sink: find an order by its idempotency key, create it exactly once, cancel it with restock.

WooCommerce has no idempotency header and its REST API has no meta filter. An order syncd creates carries the
key in `transaction_id` (searched by `search=` on HPOS stores) and in the customer note (searched on legacy
post-storage stores), and carries the TikTok order id and the key in meta; `find_order` searches for the key
and then confirms on the meta, so a search that matches other text (an address, a product name) is harmless.
"""

from __future__ import annotations

import logging
from typing import Any

from pydantic import ValidationError

from connectors.woocommerce.client import WooClient
from connectors.woocommerce.config import WooCommerceConfig
from connectors.woocommerce.mapping_orders import OrderConventions, order_payload
from connectors.woocommerce.models import WooOrder
from connectors.woocommerce.skus import describe_problem, resolve_skus
from syncd.connector import WriteResult, WriteStatus
from syncd.domain import Order
from syncd.errors import FatalApiError, RateLimited, TransientApiError
from syncd.http import Clock

logger = logging.getLogger("connectors.woocommerce.orders")
# Creates attempted per call when the store shows no trace of the earlier ones.
CREATE_ATTEMPTS = 3
FINAL_STATUSES = frozenset({"completed", "refunded"})


class OrderWriter:
    """Creates and cancels orders in one store."""

    def __init__(self, client: WooClient, config: WooCommerceConfig, clock: Clock) -> None:
        self._client = client
        self._config = config
        self._clock = clock
        self._conventions = OrderConventions(
            source_meta_key=config.order_meta_key,
            key_meta_key=config.idempotency_meta_key,
            key_in_customer_note=config.key_in_customer_note,
        )

    def find_order(self, idempotency_key: str, source_order_id: str) -> str | None:
        """The id of the store order already made for this source order, confirmed on its meta."""
        matches: list[WooOrder] = []
        # The key is also in the meta that confirms; the source id is the fallback term (see `WooClient.can_send`).
        term = idempotency_key if self._client.can_send(idempotency_key) else source_order_id
        for page in self._client.pages("orders", {"search": term, "orderby": "id", "order": "asc"}):
            for raw in page:
                order = _parse(raw)
                if order is not None and self._is_ours(order, idempotency_key, source_order_id):
                    matches.append(order)
        if not matches:
            return None
        if len(matches) > 1:
            ids = ", ".join(str(order.id) for order in matches)
            logger.warning("store orders %s all carry source order %s; using the oldest", ids, source_order_id)
        return str(matches[0].id)

    def _is_ours(self, order: WooOrder, key: str, source_order_id: str) -> bool:
        return (
            str(order.meta(self._config.idempotency_meta_key)) == key
            or str(order.meta(self._config.order_meta_key)) == source_order_id
        )

    def create_order(self, order: Order, idempotency_key: str) -> WriteResult:
        """Create the order once: adopt one that exists, never repeat a create the store may have applied."""
        try:
            return self._find_or_create(order, idempotency_key)
        except TransientApiError as exc:
            # Raised by a lookup; whatever happened, the next run starts again with `find_order`.
            return WriteResult.failed(order.external_id, str(exc), retryable=True)
        except FatalApiError as exc:
            return WriteResult.failed(order.external_id, str(exc))

    def _find_or_create(self, order: Order, idempotency_key: str) -> WriteResult:
        key = order.external_id
        existing = self.find_order(idempotency_key, key)
        if existing is not None:
            return WriteResult(key=key, status=WriteStatus.UNCHANGED, external_id=existing, details={"adopted": "1"})
        missing = [line.external_id for line in order.lines if not line.sku]
        if missing:
            return WriteResult.failed(key, f"line(s) {', '.join(missing)} have no SKU")
        refs = resolve_skus(self._client, (line.sku for line in order.lines))
        problems = [p for sku, found in refs.items() if (p := describe_problem(self._client, sku, found)) is not None]
        if problems:
            return WriteResult.failed(key, "; ".join(problems))
        payload = order_payload(
            order, idempotency_key, {sku: found[0] for sku, found in refs.items()}, self._conventions
        )
        return self._create(key, idempotency_key, payload)

    def _create(self, key: str, idempotency_key: str, payload: dict[str, Any]) -> WriteResult:
        last_error = ""
        for _attempt in range(CREATE_ATTEMPTS):
            try:
                created = self._client.json("POST", "orders", body=payload, idempotent=False)
            except RateLimited as exc:
                # A throttled request was refused, not applied; the next run tries again.
                return WriteResult.failed(key, str(exc), retryable=True)
            except TransientApiError as exc:
                # The store may or may not have created it: look before creating again.
                last_error = str(exc)
                found = self._look_again(idempotency_key, key)
                if found is not None:
                    return WriteResult(
                        key=key, status=WriteStatus.CREATED, external_id=found, details={"recovered": "1"}
                    )
                continue
            except FatalApiError as exc:
                return WriteResult.failed(key, str(exc))
            order_id = created.get("id") if isinstance(created, dict) else None
            if order_id is None:
                return WriteResult.failed(key, "the store answered the create without an order id", retryable=True)
            number = str(created.get("number") or order_id)
            return WriteResult(
                key=key, status=WriteStatus.CREATED, external_id=str(order_id), details={"number": number}
            )
        return WriteResult.failed(
            key, f"creation not confirmed after {CREATE_ATTEMPTS} attempts: {last_error}", retryable=True
        )

    def _look_again(self, idempotency_key: str, key: str) -> str | None:
        found = self.find_order(idempotency_key, key)
        if found is None:
            # A slow store may still be saving it; give it a moment before trusting "not there".
            self._clock.sleep(self._config.order_lookup_delay.total_seconds())
            found = self.find_order(idempotency_key, key)
        return found

    def cancel_order(self, store_order_id: str, *, restock: bool) -> WriteResult:
        """Set the order `cancelled`; WooCommerce then puts back the stock it had taken for it."""
        key = store_order_id
        if not restock:
            return WriteResult.failed(
                key, "WooCommerce restores stock whenever an order is cancelled; cancel without restock is unsupported"
            )
        if not store_order_id.isdigit():
            return WriteResult.failed(key, f"not a WooCommerce order id: {store_order_id!r}")
        try:
            current = _parse(self._client.json("GET", f"orders/{store_order_id}"))
            if current is None:
                return WriteResult.failed(key, "the store returned an unreadable order", retryable=True)
            if current.status == "cancelled":
                return WriteResult(key=key, status=WriteStatus.UNCHANGED, external_id=key)
            if current.status in FINAL_STATUSES:
                return WriteResult.failed(key, f"order is {current.status}: refund it instead of cancelling")
            # Setting a status is idempotent, so this may be retried.
            self._client.json("PUT", f"orders/{store_order_id}", body={"status": "cancelled"})
        except TransientApiError as exc:
            return WriteResult.failed(key, str(exc), retryable=True)
        except FatalApiError as exc:
            return WriteResult.failed(key, str(exc))
        return WriteResult(key=key, status=WriteStatus.UPDATED, external_id=key)


def _parse(raw: Any) -> WooOrder | None:
    try:
        return WooOrder.model_validate(raw)
    except ValidationError:
        return None
