"""Mutation resolvers of the emulator: `@idempotent` for every mutation, and inventory quantities.

Version rules follow the Admin API: before 2026-01 `inventorySetQuantities` compares against `compareQuantity`
(unless `ignoreCompareQuantity`); from 2026-01 a `changeFromQuantity` (even null) takes over; from 2026-04 it is
required on every quantity and so is the `@idempotent` directive. A set is all or nothing: any user error and no
quantity changes.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable
from typing import Any

from graphql import FieldNode, GraphQLError
from graphql.execution.values import get_directive_values

from connectors.shopify import fake_state as st
from connectors.shopify.fake_graphql import Context, Info, ctx, resolver
from connectors.shopify.fake_webhooks import level_payload

CHANGE_FROM = (2026, 1)
MANDATORY = (2026, 4)
MAX_QUANTITY = 1_000_000_000
REASONS = frozenset(
    [
        "correction",
        "cycle_count_available",
        "damaged",
        "movement_canceled",
        "movement_created",
        "movement_received",
        "movement_updated",
        "other",
        "promotion",
        "quality_control",
        "received",
        "reservation_created",
        "reservation_deleted",
        "reservation_updated",
        "restock",
        "safety_stock",
        "shrinkage",
    ]
)
IDEMPOTENT_FROM_2026_04 = frozenset({"inventorySetQuantities"})
_URI = re.compile(r"^[a-z][a-z0-9+.-]*://\S+$")


def _idempotency_key(info: Info) -> str | None:
    directive = info.schema.get_directive("idempotent")
    node: FieldNode = info.field_nodes[0]
    if directive is None or not node.directives:
        return None
    values = get_directive_values(directive, node, info.variable_values)
    return str(values["key"]) if values else None


def idempotent(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Honour `@idempotent(key:)`: a repeated key with the same arguments returns the first payload."""

    @functools.wraps(fn)
    def wrapper(root: Any, info: Info, **args: Any) -> Any:
        context = ctx(info)
        key = _idempotency_key(info)
        if key is None:
            if info.field_name in IDEMPOTENT_FROM_2026_04 and context.version >= MANDATORY:
                raise GraphQLError(f"The @idempotent directive is required for {info.field_name} from 2026-04")
            return fn(root, info, **args)
        fingerprint = info.field_name + json.dumps(args, sort_keys=True, default=str)
        seen = context.services.idempotency.get(key)
        if seen is not None:
            if seen[0] != fingerprint:
                return _key_mismatch(info)
            return seen[1]
        payload = fn(root, info, **args)
        context.services.idempotency[key] = (fingerprint, payload)
        return payload

    return wrapper


def _key_mismatch(info: Info) -> Any:
    message = "The idempotency key was already used with different parameters"
    if info.field_name == "inventorySetQuantities":
        error = {"code": "IDEMPOTENCY_KEY_PARAMETER_MISMATCH", "field": ["idempotencyKey"], "message": message}
        return {"inventoryAdjustmentGroup": None, "userErrors": [error]}
    raise GraphQLError(message, extensions={"code": "IDEMPOTENCY_KEY_PARAMETER_MISMATCH"})


def _error(code: str, path: list[str], message: str) -> dict[str, Any]:
    return {"code": code, "field": path, "message": message}


# -- inventory ----------------------------------------------------------------------------------------------


@resolver("Mutation", "inventorySetQuantities")
@idempotent
def _set_quantities(_root: Any, info: Info, input: dict[str, Any]) -> dict[str, Any]:
    context = ctx(info)
    data = context.data
    quantities: list[dict[str, Any]] = input["quantities"]
    errors = _check_set_input(input)
    targets: list[tuple[dict[str, Any], st.Level]] = []
    seen: set[tuple[int, int]] = set()
    if context.services.take_interference():
        _interfere(context, quantities)
    for index, quantity in enumerate(quantities):
        path = ["input", "quantities", str(index)]
        _check_version_fields(context, quantity)
        item_id = st.parse_gid(quantity["inventoryItemId"], "InventoryItem")
        location_id = st.parse_gid(quantity["locationId"], "Location")
        if item_id is None or item_id not in data.items or item_id in context.services.rejected_items:
            errors.append(
                _error("INVALID_INVENTORY_ITEM", [*path, "inventoryItemId"], "The inventory item is invalid.")
            )
            continue
        if location_id is None or location_id not in data.locations:
            errors.append(_error("INVALID_LOCATION", [*path, "locationId"], "The location is invalid."))
            continue
        level = data.levels.get((item_id, location_id))
        if level is None:
            errors.append(_error("ITEM_NOT_STOCKED_AT_LOCATION", path, "The item is not stocked at the location."))
            continue
        if (item_id, location_id) in seen:
            message = "The combination of inventoryItemId and locationId must be unique."
            errors.append(_error("NO_DUPLICATE_INVENTORY_ITEM_ID_GROUP_ID_PAIR", path, message))
            continue
        seen.add((item_id, location_id))
        if quantity["quantity"] < 0:
            errors.append(_error("INVALID_QUANTITY_NEGATIVE", [*path, "quantity"], "The quantity can't be negative."))
        elif quantity["quantity"] > MAX_QUANTITY:
            errors.append(_error("INVALID_QUANTITY_TOO_HIGH", [*path, "quantity"], "The quantity is too high."))
        stale = _compare_error(context, input, quantity, level.quantity(input["name"]), path)
        if stale is not None:
            errors.append(stale)
        targets.append((quantity, level))
    if errors:
        return {"inventoryAdjustmentGroup": None, "userErrors": errors}
    return {"inventoryAdjustmentGroup": _apply_set(context, input, targets), "userErrors": []}


def _check_set_input(input: dict[str, Any]) -> list[dict[str, Any]]:
    errors = []
    if input["name"] not in ("available", "on_hand"):
        errors.append(_error("INVALID_NAME", ["input", "name"], "The quantity name must be available or on_hand."))
    if input["reason"] not in REASONS:
        errors.append(_error("INVALID_REASON", ["input", "reason"], "The reason is invalid."))
    uri = input.get("referenceDocumentUri")
    if uri is not None and not _URI.match(uri):
        errors.append(_error("INVALID_REFERENCE_DOCUMENT", ["input", "referenceDocumentUri"], "Invalid URI."))
    if len(input["quantities"]) > 250:
        raise GraphQLError("The input array size of 251 is greater than the maximum allowed of 250.")
    return errors


def _check_version_fields(context: Context, quantity: dict[str, Any]) -> None:
    if "changeFromQuantity" in quantity and context.version < CHANGE_FROM:
        raise GraphQLError("InventoryQuantityInput does not accept changeFromQuantity before 2026-01")
    if context.version >= MANDATORY:
        if "changeFromQuantity" not in quantity:
            raise GraphQLError("changeFromQuantity is required on every quantity from 2026-04 (pass null to skip)")
        if "compareQuantity" in quantity:
            raise GraphQLError("InventoryQuantityInput does not accept compareQuantity from 2026-04")


def _compare_error(
    context: Context,
    input: dict[str, Any],
    quantity: dict[str, Any],
    current: int,
    path: list[str],
) -> dict[str, Any] | None:
    if context.version >= CHANGE_FROM and "changeFromQuantity" in quantity:
        expected = quantity["changeFromQuantity"]
        if expected is not None and expected != current:
            message = f"The specified changeFromQuantity ({expected}) does not match the current quantity ({current})."
            return _error("CHANGE_FROM_QUANTITY_STALE", [*path, "changeFromQuantity"], message)
        return None
    if input.get("ignoreCompareQuantity"):
        return None
    expected = quantity.get("compareQuantity")
    if expected is None:
        return _error("COMPARE_QUANTITY_REQUIRED", [*path, "compareQuantity"], "The compareQuantity is required.")
    if expected != current:
        message = f"The specified compare quantity ({expected}) does not match the current quantity ({current})."
        return _error("COMPARE_QUANTITY_STALE", [*path, "compareQuantity"], message)
    return None


def _interfere(context: Context, quantities: list[dict[str, Any]]) -> None:
    """A scripted concurrent change: another actor moves each target level by one unit first."""
    for quantity in quantities:
        key = (st.parse_gid(quantity["inventoryItemId"]) or 0, st.parse_gid(quantity["locationId"]) or 0)
        level = context.data.levels.get(key)
        if level is not None:
            level.quantities["available"] = level.quantity("available") + 1
            level.updated_at = context.data.clock.tick()


def _apply_set(context: Context, input: dict[str, Any], targets: list[tuple[dict[str, Any], st.Level]]) -> Any:
    data = context.data
    when = data.clock.tick()
    changes = []
    for quantity, level in targets:
        delta = quantity["quantity"] - level.quantity(input["name"])
        if delta:
            level.quantities["available"] = level.quantity("available") + delta
            level.updated_at = when
            context.services.emit("inventory_levels/update", level_payload(level))
        item, location = data.items[level.item_id], data.locations[level.location_id]
        for name in ("available", "on_hand"):
            after = level.quantity(name)
            changes.append(
                {"name": name, "delta": delta, "quantityAfterChange": after, "item": item, "location": location}
            )
    return {
        "id": st.gid("InventoryAdjustmentGroup", data.new_id()),
        "createdAt": when,
        "reason": input["reason"],
        "referenceDocumentUri": input.get("referenceDocumentUri"),
        "changes": changes,
    }
