"""Stock writes through the batch endpoints: `/products/batch` for simple products and
`/products/<parent>/variations/batch` for variations, at most 100 items per call, one result per update.

A batch answers HTTP 200 even when items fail; each failed item is `{"id": .., "error": {code, message}}`.
WooCommerce also answers 200, and silently drops the quantity, for an item that does not manage stock; that
is reported as a failure naming the SKU.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from connectors.woocommerce.client import WooClient
from connectors.woocommerce.mapping import ItemRef
from connectors.woocommerce.models import BatchItem
from connectors.woocommerce.skus import describe_problem, resolve_skus
from syncd.connector import WriteResult, WriteStatus
from syncd.domain import StockUpdate
from syncd.errors import AuthError, FatalApiError, TransientApiError

BATCH_LIMIT = 100  # WooCommerce's default `woocommerce_rest_batch_items_limit`


@dataclass(frozen=True, slots=True)
class _Target:
    index: int
    update: StockUpdate
    ref: ItemRef

    @property
    def endpoint(self) -> str:
        if self.ref.is_variation:
            return f"products/{self.ref.product_id}/variations/batch"
        return "products/batch"

    @property
    def item_id(self) -> int:
        return self.ref.variation_id or self.ref.product_id


def _ref_from_ids(update: StockUpdate) -> ItemRef | None:
    """The target the engine named by id; None when it gave no usable ids (resolve by SKU)."""
    variant, product = update.variant_external_id, update.product_external_id
    if not (variant and product and variant.isdigit() and product.isdigit()):
        return None
    if variant == product:
        return ItemRef(update.sku, int(product), 0, True, "simple")
    return ItemRef(update.sku, int(product), int(variant), True, "variation")


def _stock_problem(ref: ItemRef) -> str | None:
    if ref.manage_stock == "parent":
        return f"SKU {ref.sku!r}: stock is managed on the parent product {ref.product_id}, shared by its variations"
    if ref.manage_stock is not True:
        return f"SKU {ref.sku!r} does not manage stock (manage_stock is off); WooCommerce would ignore a quantity"
    return None


def write_stock(client: WooClient, updates: Sequence[StockUpdate]) -> list[WriteResult]:
    """Set each quantity; one result per update, in input order, keyed by SKU."""
    results: list[WriteResult | None] = [None] * len(updates)
    targets: list[_Target] = []
    unresolved = [index for index, update in enumerate(updates) if _ref_from_ids(update) is None]
    refs = resolve_skus(client, (updates[index].sku for index in unresolved)) if unresolved else {}
    for index, update in enumerate(updates):
        ref = _ref_from_ids(update)
        if ref is None:
            candidates = refs.get(update.sku, [])
            problem = describe_problem(client, update.sku, candidates) or _stock_problem(candidates[0])
            if problem is not None:
                results[index] = WriteResult.failed(update.sku, problem)
                continue
            ref = candidates[0]
        targets.append(_Target(index, update, ref))
    groups: dict[str, list[_Target]] = {}
    for target in targets:
        groups.setdefault(target.endpoint, []).append(target)
    for endpoint, group in groups.items():
        for start in range(0, len(group), BATCH_LIMIT):
            chunk = group[start : start + BATCH_LIMIT]
            for target, result in zip(chunk, _send_batch(client, endpoint, chunk), strict=True):
                results[target.index] = result
    return [result for result in results if result is not None]


def _send_batch(client: WooClient, endpoint: str, chunk: list[_Target]) -> list[WriteResult]:
    body = {"update": [{"id": t.item_id, "stock_quantity": t.update.quantity} for t in chunk]}
    try:
        # Absolute quantities: repeating the batch is harmless, so it is retried as a whole.
        answer = client.json("POST", endpoint, body=body)
    except AuthError:
        raise
    except TransientApiError as exc:
        return [WriteResult.failed(t.update.sku, str(exc), retryable=True) for t in chunk]
    except FatalApiError as exc:
        return [WriteResult.failed(t.update.sku, str(exc)) for t in chunk]
    items = answer.get("update") if isinstance(answer, dict) else None
    if not isinstance(items, list):
        return [WriteResult.failed(t.update.sku, "batch response has no `update` list", retryable=True) for t in chunk]
    return [_item_result(t, items[i] if i < len(items) else None) for i, t in enumerate(chunk)]


def _item_result(target: _Target, raw: Any) -> WriteResult:
    sku = target.update.sku
    try:
        item = BatchItem.model_validate(raw)
    except ValidationError:
        return WriteResult.failed(sku, "the store returned no result for this item", retryable=True)
    if item.error is not None:
        return WriteResult.failed(sku, f"SKU {sku!r} (id {target.item_id}): {item.error.code}: {item.error.message}")
    if item.id != target.item_id:
        return WriteResult.failed(sku, f"the store answered for id {item.id} instead of {target.item_id}")
    if item.sku and item.sku.casefold() != sku.casefold():
        return WriteResult.failed(sku, f"id {item.id} now carries SKU {item.sku!r}; the binding is stale")
    problem = _stock_problem(ItemRef(sku, target.ref.product_id, target.ref.variation_id, item.manage_stock))
    if problem is not None:
        return WriteResult.failed(sku, f"{problem}; the quantity was not applied")
    if item.stock_quantity != target.update.quantity:
        return WriteResult.failed(
            sku, f"the store reports {item.stock_quantity} after setting {target.update.quantity}"
        )
    details = {"product_id": str(target.ref.product_id)}
    return WriteResult(key=sku, status=WriteStatus.UPDATED, external_id=str(item.id), details=details)
