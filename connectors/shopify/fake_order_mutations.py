"""Order and webhook-subscription mutations of the emulator: orderCreate (with inventory behaviour), orderCancel
(with restock), webhookSubscriptionCreate/Delete."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from connectors.shopify import fake_state as st
from connectors.shopify.fake_graphql import Context, Info, ctx, resolver
from connectors.shopify.fake_mutations import idempotent
from connectors.shopify.fake_services import WebhookSubscription
from connectors.shopify.fake_webhooks import level_payload, order_payload


@resolver("Mutation", "orderCreate")
@idempotent
def _order_create(
    _root: Any, info: Info, order: dict[str, Any], options: dict[str, Any] | None = None
) -> dict[str, Any]:
    context = ctx(info)
    data = context.data
    behaviour = (options or {}).get("inventoryBehaviour") or "BYPASS"
    currency = order.get("currency") or data.shop.currency
    lines, errors = _order_lines(data, order.get("lineItems") or [], behaviour)
    if not order.get("lineItems"):
        errors.append({"code": "REQUIRED", "field": ["order", "lineItems"], "message": "Line items are required."})
    if errors:
        return {"order": None, "userErrors": errors}
    when = data.clock.tick()
    created = st.Order(
        id=data.new_id(),
        number=data.next_order_number(),
        currency=currency,
        created_at=when,
        updated_at=when,
        line_items=lines,
        email=order.get("email"),
        phone=order.get("phone"),
        note=order.get("note"),
        tags=[t.strip() for t in order.get("tags") or [] if t.strip()],
        source_name=order.get("sourceName"),
        source_identifier=order.get("sourceIdentifier"),
        financial_status=order.get("financialStatus") or "PENDING",
        shipping_address=_address(order.get("shippingAddress")),
        billing_address=_address(order.get("billingAddress")),
        shipping_lines=[_shipping_line(s) for s in order.get("shippingLines") or []],
        tax_lines=[_tax_line(t) for t in order.get("taxLines") or []],
        custom_attributes=[(a["key"], a["value"]) for a in order.get("customAttributes") or []],
        test=bool(order.get("test")),
    )
    if behaviour != "BYPASS":
        _decrement(context, created, when)
    data.orders[created.id] = created
    context.services.emit("orders/create", order_payload(created))
    return {"order": created, "userErrors": []}


def _order_lines(
    data: st.ShopData, raw_lines: list[dict[str, Any]], behaviour: str
) -> tuple[list[st.LineItem], list[dict[str, Any]]]:
    lines: list[st.LineItem] = []
    errors: list[dict[str, Any]] = []
    for index, raw in enumerate(raw_lines):
        path = ["order", "lineItems", str(index)]
        variant = None
        if raw.get("variantId") is not None:
            number = st.parse_gid(raw["variantId"], "ProductVariant")
            variant = data.variants.get(number) if number is not None else None
            if variant is None:
                errors.append({"code": "NOT_FOUND", "field": [*path, "variantId"], "message": "Variant not found."})
                continue
        elif not raw.get("title"):
            errors.append({"code": "REQUIRED", "field": [*path, "title"], "message": "A custom line needs a title."})
            continue
        if raw["quantity"] < 1:
            errors.append({"code": "INVALID", "field": [*path, "quantity"], "message": "Quantity must be positive."})
            continue
        price = _amount(raw["priceSet"]) if raw.get("priceSet") else (variant.price if variant else Decimal(0))
        if variant is not None and behaviour == "DECREMENT_OBEYING_POLICY" and not _can_sell(data, variant, raw):
            message = f"Unable to reserve inventory: {variant.sku or variant.id} is out of stock."
            errors.append({"code": "INVALID", "field": [*path, "quantity"], "message": message})
            continue
        lines.append(
            st.LineItem(
                id=data.new_id(),
                title=raw.get("title") or (data.products[variant.product_id].title if variant else ""),
                quantity=raw["quantity"],
                price=price,
                sku=raw.get("sku") or (variant.sku if variant else None),
                variant_id=variant.id if variant else None,
                tax_lines=[_tax_line(t) for t in raw.get("taxLines") or []],
            )
        )
    return lines, errors


def _can_sell(data: st.ShopData, variant: st.Variant, raw: dict[str, Any]) -> bool:
    item = data.items[variant.inventory_item_id]
    if not item.tracked or variant.inventory_policy == "CONTINUE":
        return True
    return any(lv.quantity("available") >= raw["quantity"] for lv in data.levels_of_item(item.id))


def _decrement(context: Context, order: st.Order, when: datetime) -> None:
    data = context.data
    for line in order.line_items:
        if line.variant_id is None:
            continue
        item_id = data.variants[line.variant_id].inventory_item_id
        levels = data.levels_of_item(item_id)
        if not data.items[item_id].tracked or not levels:
            continue
        level = next((lv for lv in levels if lv.quantity("available") >= line.quantity), levels[0])
        level.quantities["available"] = level.quantity("available") - line.quantity
        level.quantities["committed"] = level.quantity("committed") + line.quantity
        level.updated_at = when
        line.location_id = level.location_id
        context.services.emit("inventory_levels/update", level_payload(level))


def _amount(bag: dict[str, Any]) -> Decimal:
    return Decimal(str(bag["shopMoney"]["amount"]))


def _tax_line(raw: dict[str, Any]) -> dict[str, Any]:
    price = _amount(raw["priceSet"]) if raw.get("priceSet") else Decimal(0)
    return {"title": raw["title"], "rate": raw.get("rate"), "price": price}


def _shipping_line(raw: dict[str, Any]) -> dict[str, Any]:
    taxes = [_tax_line(t) for t in raw.get("taxLines") or []]
    return {"title": raw["title"], "code": raw.get("code"), "price": _amount(raw["priceSet"]), "tax_lines": taxes}


def _address(raw: dict[str, Any] | None) -> dict[str, Any] | None:
    if raw is None:
        return None
    keys = {
        "firstName": "first_name",
        "lastName": "last_name",
        "provinceCode": "province_code",
        "countryCode": "country_code",
    }
    return {keys.get(name, name): value for name, value in raw.items()}


@resolver("Mutation", "orderCancel")
@idempotent
def _order_cancel(_root: Any, info: Info, orderId: str, reason: str, restock: bool, **_: Any) -> Any:
    context = ctx(info)
    data = context.data
    number = st.parse_gid(orderId, "Order")
    order = data.orders.get(number) if number is not None else None
    if order is None or order.cancelled_at is not None:
        code, message = (
            ("NOT_FOUND", "Order not found.") if order is None else ("INVALID", "Order is already cancelled.")
        )
        error = {"code": code, "field": ["orderId"], "message": message}
        return {
            "job": None,
            "orderCancelUserErrors": [error],
            "userErrors": [{"field": ["orderId"], "message": message}],
        }
    when = data.clock.tick()
    order.cancelled_at, order.cancel_reason, order.updated_at = when, reason, when
    if restock:
        for line in order.line_items:
            level = (
                data.levels.get((data.variants[line.variant_id].inventory_item_id, line.location_id or 0))
                if line.variant_id
                else None
            )
            if level is None:
                continue
            level.quantities["available"] = level.quantity("available") + line.quantity
            level.quantities["committed"] = max(0, level.quantity("committed") - line.quantity)
            level.updated_at = when
            context.services.emit("inventory_levels/update", level_payload(level))
    context.services.emit("orders/cancelled", order_payload(order))
    context.services.emit("orders/updated", order_payload(order))
    return {"job": {"id": st.gid("Job", data.new_id()), "done": True}, "orderCancelUserErrors": [], "userErrors": []}


# -- webhook subscriptions --------------------------------------------------------------------------------


@resolver("Mutation", "webhookSubscriptionCreate")
@idempotent
def _subscription_create(_root: Any, info: Info, topic: str, webhookSubscription: dict[str, Any]) -> Any:
    services = ctx(info).services
    uri = webhookSubscription.get("uri") or webhookSubscription.get("callbackUrl")
    if not uri or not re.match(r"^https?://", str(uri)):
        return {
            "webhookSubscription": None,
            "userErrors": [{"field": ["webhookSubscription", "uri"], "message": "Address is invalid"}],
        }
    if any(s.topic == topic and s.uri == uri for s in services.subscriptions.values()):
        message = "Address for this topic has already been taken"
        return {
            "webhookSubscription": None,
            "userErrors": [{"field": ["webhookSubscription", "uri"], "message": message}],
        }
    when = datetime.now(UTC)
    subscription = WebhookSubscription(
        id=ctx(info).data.new_id(), topic=topic, uri=str(uri), created_at=when, updated_at=when
    )
    services.subscriptions[subscription.id] = subscription
    return {"webhookSubscription": subscription, "userErrors": []}


@resolver("Mutation", "webhookSubscriptionDelete")
def _subscription_delete(_root: Any, info: Info, id: str) -> Any:
    services = ctx(info).services
    number = st.parse_gid(id, "WebhookSubscription")
    if number is None or services.subscriptions.pop(number, None) is None:
        return {
            "deletedWebhookSubscriptionId": None,
            "userErrors": [{"field": ["id"], "message": "Webhook subscription does not exist"}],
        }
    return {"deletedWebhookSubscriptionId": id, "userErrors": []}
