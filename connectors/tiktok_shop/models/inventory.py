"""Inventory payloads: stock updates with per-SKU-and-warehouse outcomes, and inventory search (ref §4.3)."""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict, Field

from connectors.tiktok_shop.models.base import ItemError, ItemOutcome, TikTokModel, TikTokRequest


class InventoryQuantity(TikTokRequest):
    """A SKU's new stock in one warehouse; `warehouse_id` may be left out for a SKU with one default warehouse."""

    warehouse_id: str | None = None
    # ref §4.3: PY says [1, 99999], the doc-derived schema says non-negative "include number 0". We allow 0,
    # which is how a sold-out SKU is expressed; TikTok rejects it per item if it disagrees.
    quantity: int = Field(ge=0, le=99_999)
    backorder_quantity: int | None = None
    handling_time: int | None = None


class SkuInventoryUpdate(TikTokRequest):
    """A SKU's new stock, for `inventory/update` (include every warehouse the SKU uses)."""

    id: str
    inventory: list[InventoryQuantity]


class InventoryOutcome(ItemOutcome):
    """What happened to one SKU's stock in one warehouse (`key` is the SKU id)."""

    warehouse_id: str | None = None


class InventoryUpdateResult(BaseModel):
    """Per SKU-and-warehouse outcome of `inventory/update`, which reports failures inside a code-0 response."""

    model_config = ConfigDict(frozen=True)

    product_id: str
    outcomes: list[InventoryOutcome] = Field(default_factory=list)
    errors: list[ItemError] = Field(default_factory=list)

    @property
    def all_ok(self) -> bool:
        """True only if every SKU and warehouse was updated."""
        return all(outcome.ok for outcome in self.outcomes)

    @property
    def failed(self) -> list[InventoryOutcome]:
        """The outcomes that failed."""
        return [outcome for outcome in self.outcomes if not outcome.ok]


class WarehouseInventory(TikTokModel):
    """Available and committed stock in one warehouse."""

    warehouse_id: str | None = None
    available_quantity: int | None = None
    committed_quantity: int | None = None


class InventorySku(TikTokModel):
    """A SKU's stock across warehouses."""

    id: str
    seller_sku: str | None = None
    total_available_quantity: int | None = None
    total_committed_quantity: int | None = None
    warehouse_inventory: list[WarehouseInventory] = Field(default_factory=list)


class ProductInventory(TikTokModel):
    """A product's SKUs and their stock."""

    product_id: str
    skus: list[InventorySku] = Field(default_factory=list)


class InventorySearchData(TikTokModel):
    """`data` of `POST /product/202309/inventory/search`."""

    inventory: list[ProductInventory] = Field(default_factory=list)


def inventory_outcomes(skus: Sequence[SkuInventoryUpdate], errors: list[ItemError]) -> list[InventoryOutcome]:
    """One outcome per requested SKU and warehouse of an inventory update, failed where an error names it.

    An error names a SKU (`detail.sku_id`) and optionally warehouses (`detail.extra_errors[].warehouse_id`).
    An error that names no SKU we sent cannot be placed, so every item it might cover is reported failed.
    """
    failed: dict[tuple[str, str | None], tuple[str | None, str | None]] = {}
    whole_sku: dict[str, ItemError] = {}
    unplaced: ItemError | None = None
    requested = {sku.id for sku in skus}
    for error in errors:
        sku_id = error.detail.get("sku_id")
        if sku_id is None or str(sku_id) not in requested:
            unplaced = unplaced or error
            continue
        extra = error.detail.get("extra_errors") or []
        if not extra:
            whole_sku.setdefault(str(sku_id), error)
        for item in extra:
            if isinstance(item, dict):
                code = item.get("code", error.code)
                key = (str(sku_id), str(item["warehouse_id"]) if item.get("warehouse_id") is not None else None)
                failed[key] = (str(code) if code is not None else None, item.get("message") or error.message)
    outcomes: list[InventoryOutcome] = []
    for sku in skus:
        for stock in sku.inventory:
            hit = failed.get((sku.id, stock.warehouse_id))
            if hit is None and stock.warehouse_id is None:
                hit = next((v for (s, _w), v in failed.items() if s == sku.id), None)
            fallback = whole_sku.get(sku.id) or unplaced
            if hit is None and fallback is not None:
                hit = (fallback.code, fallback.message)
            outcomes.append(
                InventoryOutcome(
                    key=sku.id,
                    warehouse_id=stock.warehouse_id,
                    ok=hit is None,
                    code=hit[0] if hit else None,
                    message=hit[1] if hit else None,
                )
            )
    return outcomes
