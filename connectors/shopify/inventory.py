"""Stock: reading inventory levels per location, and setting `available` with compare-and-set.

Read: for each configured location (all active ones when none are configured), the levels changed after the
checkpoint, `updated_at:>'T'`, paged. Levels come in item order, not time order, so pages carry no checkpoint
until the last one, which is the latest `updatedAt` seen, capped at Shopify's clock at the start of the read minus
`cursor_lag` (a level that changes while the read is past it is therefore read again next time).

Write: `inventorySetQuantities` (name `available`, reason `correction`, a `referenceDocumentUri`) with the
quantity the caller expects to replace, `compareQuantity` before 2026-04 and `changeFromQuantity` from then on,
and an `@idempotent` key from 2026-01. The expected quantity is `StockUpdate.expected`, else the value read just
before writing. A stale compare is read back and retried once. The mutation is all-or-nothing, so the items
Shopify names in `userErrors` fail and the rest are sent again.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from connectors.shopify import queries
from connectors.shopify.api import ShopifyGraphQL
from connectors.shopify.checkpoints import Watermark, parse_checkpoint, updated_after
from connectors.shopify.mapping import level_to_domain, sku_query
from connectors.shopify.models import LevelNode, LocationNode, UserError, VariantAtLocation
from syncd.connector import Page, RejectedRecord, WriteResult, WriteStatus
from syncd.domain import StockLevel, StockUpdate
from syncd.errors import ApiError, ConfigError, TransientApiError

CHANGE_FROM_VERSION = (2026, 4)
IDEMPOTENT_VERSION = (2026, 1)
STALE_CODES = frozenset({"COMPARE_QUANTITY_STALE", "CHANGE_FROM_QUANTITY_STALE"})
SKU_BATCH = 50
REFERENCE_PREFIX = "gid://syncd/StockSync/"


def version_tuple(version: str) -> tuple[int, int]:
    """`2026-04` as (2026, 4)."""
    year, _, month = version.partition("-")
    return int(year), int(month)


class StockReader:
    """Inventory levels of one shop's stock locations."""

    def __init__(self, api: ShopifyGraphQL) -> None:
        self.api = api
        self.config = api.config
        self._locations: list[str] | None = None

    def locations(self) -> list[str]:
        """The configured location GIDs (checked to exist), or every active location's; looked up once."""
        if self._locations is None:
            self._locations = self._configured() if self.config.location_ids else self._active()
        return list(self._locations)

    def _configured(self) -> list[str]:
        wanted = list(self.config.location_ids)
        nodes = self.api.execute(queries.LOCATIONS_BY_ID, {"ids": wanted}).get("nodes") or []
        known = {n["id"] for n in nodes if isinstance(n, dict) and n.get("id")}
        missing = [gid for gid in wanted if gid not in known]
        if missing:
            raise ConfigError([f"shopify location_ids: {gid} is not a location of this shop" for gid in missing])
        return wanted

    def _active(self) -> list[str]:
        found: list[str] = []
        for records, _ in self.api.pages(queries.LOCATIONS, {}, "locations"):
            found.extend(n.id for n in (LocationNode.model_validate(r) for r in records) if n.is_active)
        return sorted(found, key=lambda gid: int(gid.rsplit("/", 1)[-1]))

    def read(self, since: str | None) -> Iterator[Page[StockLevel]]:
        """Levels changed after the checkpoint `since`, location by location."""
        watermark = Watermark(parse_checkpoint(since), self.config.cursor_lag)
        held: Page[StockLevel] | None = None
        for page in self._pages(watermark):
            if held is not None:
                yield held
            held = page
        yield Page(
            records=held.records if held else [], checkpoint=watermark.finish(), rejected=held.rejected if held else []
        )

    def _pages(self, watermark: Watermark) -> Iterator[Page[StockLevel]]:
        for location in self.locations():
            variables = {
                "location": location,
                "first": self.config.stock_page_size,
                "query": updated_after(watermark.since),
            }
            for records, _ in self.api.pages(queries.LEVELS, variables, "location.inventoryLevels"):
                watermark.started(self.api.last_server_time)
                levels: list[StockLevel] = []
                rejected: list[RejectedRecord] = []
                nodes: list[LevelNode] = []
                for raw in records:
                    try:
                        nodes.append(LevelNode.model_validate(raw))
                    except ValidationError as exc:
                        key = str(raw.get("id")) if isinstance(raw, dict) else "unknown level"
                        rejected.append(
                            RejectedRecord(key=key, reason=f"unreadable level: {exc.error_count()} error(s)")
                        )
                watermark.unsorted_page([n.updated_at for n in nodes if n.updated_at is not None])
                for node in nodes:
                    mapped = level_to_domain(node, location)
                    if isinstance(mapped, StockLevel):
                        levels.append(mapped)
                    elif isinstance(mapped, RejectedRecord):
                        rejected.append(mapped)
                yield Page(records=levels, checkpoint=None, rejected=rejected)


@dataclass
class _Pending:
    """One update on its way: the item it resolved to and the quantity it expects to replace."""

    update: StockUpdate
    item_id: str
    expected: int | None
    current: int | None
    retried: bool = False


class StockWriter:
    """Sets `available` quantities, one result per update."""

    def __init__(self, api: ShopifyGraphQL) -> None:
        self.api = api
        self.version = version_tuple(api.config.api_version)

    def write(self, updates: Sequence[StockUpdate]) -> list[WriteResult]:
        """Apply every update; results come back in input order, keyed by SKU."""
        results: dict[int, WriteResult] = {}
        by_location: dict[str, list[int]] = {}
        for index, update in enumerate(updates):
            by_location.setdefault(_location_gid(update.location_id), []).append(index)
        for location, indexes in by_location.items():
            for start in range(0, len(indexes), SKU_BATCH):
                chunk = indexes[start : start + SKU_BATCH]
                try:
                    results.update(self._write_chunk(location, {i: updates[i] for i in chunk}))
                except ApiError as exc:
                    # The chunk's call failed as a whole (after retries): each update fails with the reason.
                    for i in chunk:
                        results[i] = WriteResult.failed(
                            updates[i].sku, str(exc), retryable=isinstance(exc, TransientApiError)
                        )
        return [results[i] for i in range(len(updates))]

    def _write_chunk(self, location: str, chunk: dict[int, StockUpdate]) -> dict[int, WriteResult]:
        results: dict[int, WriteResult] = {}
        found = self._lookup(location, [u.sku for u in chunk.values()])
        pending: dict[int, _Pending] = {}
        for index, update in chunk.items():
            variant = found.get(update.sku)
            if variant is None:
                results[index] = WriteResult.failed(update.sku, f"SKU {update.sku} not found in the shop")
            elif not variant.inventory_item.tracked:
                results[index] = WriteResult.failed(update.sku, f"SKU {update.sku} does not track inventory")
            elif (current := variant.inventory_item.available()) is None:
                results[index] = WriteResult.failed(update.sku, f"SKU {update.sku} is not stocked at {location}")
            elif update.quantity == current:
                results[index] = WriteResult(key=update.sku, status=WriteStatus.UNCHANGED, external_id=variant.id)
            else:
                expected = update.expected if update.expected is not None else current
                pending[index] = _Pending(update, variant.inventory_item.id, expected, current)
        while pending:
            pending = self._send(location, pending, results)
        return results

    def _lookup(self, location: str, skus: list[str]) -> dict[str, VariantAtLocation]:
        usable = [s for s in skus if not ("'" in s and '"' in s)]
        if not usable:
            return {}
        variables = {"query": sku_query(usable), "first": min(250, 2 * len(usable)), "location": location}
        data = self.api.execute(queries.VARIANTS_AT_LOCATION, variables)
        found: dict[str, VariantAtLocation] = {}
        for raw in (data.get("productVariants") or {}).get("nodes") or []:
            variant = VariantAtLocation.model_validate(raw)
            # The search may match loosely; only an exact SKU counts, and the first variant with it wins.
            if variant.sku in usable and variant.sku not in found:
                found[variant.sku] = variant
        return found

    def _send(
        self, location: str, pending: dict[int, _Pending], results: dict[int, WriteResult]
    ) -> dict[int, _Pending]:
        """One mutation for everything pending; returns what must be sent again."""
        order = list(pending)
        variables = self._variables(location, [pending[i] for i in order])
        query = queries.SET_QUANTITIES_IDEMPOTENT if self.version >= IDEMPOTENT_VERSION else queries.SET_QUANTITIES
        data = self.api.execute(query, variables)
        payload = data.get("inventorySetQuantities") or {}
        errors = [UserError.model_validate(e) for e in payload.get("userErrors") or []]
        if not errors:
            for index in order:
                item = pending[index]
                results[index] = WriteResult(key=item.update.sku, status=WriteStatus.UPDATED, external_id=item.item_id)
            return {}
        named = _errors_by_position(errors)
        if not named:
            # Errors that name no quantity concern the whole input: nothing was applied, nothing will be.
            message = "; ".join(e.message for e in errors)
            for index in order:
                results[index] = WriteResult.failed(pending[index].update.sku, message)
            return {}
        again: dict[int, _Pending] = {}
        stale: list[int] = []
        for position, index in enumerate(order):
            item = pending[index]
            problem = named.get(position)
            if problem is None:
                again[index] = item  # rejected with the others, but nothing was wrong with it
            elif problem.code in STALE_CODES and not item.retried:
                stale.append(index)
            else:
                results[index] = WriteResult.failed(item.update.sku, f"{problem.code or 'error'}: {problem.message}")
        if stale:
            again.update(self._reread(location, {i: pending[i] for i in stale}, results))
        return again

    def _reread(
        self, location: str, stale: dict[int, _Pending], results: dict[int, WriteResult]
    ) -> dict[int, _Pending]:
        """Read stale items back; retry each once against what is there now (or report it already set)."""
        found = self._lookup(location, [p.update.sku for p in stale.values()])
        retry: dict[int, _Pending] = {}
        for index, item in stale.items():
            variant = found.get(item.update.sku)
            current = variant.inventory_item.available() if variant else None
            if current is None:
                results[index] = WriteResult.failed(item.update.sku, "stock changed and could not be read back")
            elif current == item.update.quantity:
                results[index] = WriteResult(
                    key=item.update.sku, status=WriteStatus.UNCHANGED, external_id=item.item_id
                )
            else:
                retry[index] = _Pending(item.update, item.item_id, current, current, retried=True)
        return retry

    def _variables(self, location: str, items: list[_Pending]) -> dict[str, Any]:
        compare = "changeFromQuantity" if self.version >= CHANGE_FROM_VERSION else "compareQuantity"
        quantities = [
            {"inventoryItemId": p.item_id, "locationId": location, "quantity": p.update.quantity, compare: p.expected}
            for p in items
        ]
        key = str(uuid.uuid4())
        variables: dict[str, Any] = {
            "input": {
                "name": "available",
                "reason": "correction",
                "referenceDocumentUri": f"{REFERENCE_PREFIX}{key}",
                "quantities": quantities,
            }
        }
        if self.version >= IDEMPOTENT_VERSION:
            # A new key per distinct request; retries of this same request (inside send) reuse it.
            variables["key"] = key
        return variables


def _errors_by_position(errors: list[UserError]) -> dict[int, UserError]:
    """User errors keyed by the index of the quantity they name (`input.quantities.<n>...`)."""
    named: dict[int, UserError] = {}
    for error in errors:
        path = error.field or []
        if len(path) >= 3 and path[0] == "input" and path[1] == "quantities" and path[2].isdigit():
            named.setdefault(int(path[2]), error)
    return named


def _location_gid(location_id: str) -> str:
    return f"gid://shopify/Location/{location_id}" if location_id.isdigit() else location_id
