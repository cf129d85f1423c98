"""Order-side resolvers of the emulator: orders, their lines, money, addresses and fulfillments."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from connectors.shopify import fake_state as st
from connectors.shopify.fake_graphql import Info, bag, ctx, resolver, search_connection


def _address(raw: dict[str, Any] | None) -> dict[str, Any] | None:
    if raw is None:
        return None
    name = " ".join(p for p in (raw.get("first_name"), raw.get("last_name")) if p)
    return {
        "name": name or None,
        "firstName": raw.get("first_name"),
        "lastName": raw.get("last_name"),
        "company": raw.get("company"),
        "address1": raw.get("address1"),
        "address2": raw.get("address2"),
        "city": raw.get("city"),
        "provinceCode": raw.get("province_code"),
        "zip": raw.get("zip"),
        "countryCodeV2": raw.get("country_code"),
        "phone": raw.get("phone"),
    }


def _tax_lines(lines: list[dict[str, Any]], currency: str) -> list[dict[str, Any]]:
    return [
        {
            "title": t["title"],
            "rate": float(t["rate"]) if t.get("rate") is not None else None,
            "priceSet": bag(t["price"], currency),
        }
        for t in lines
    ]


@resolver("Order", "processedAt")
def _processed_at(order: st.Order, _info: Info) -> Any:
    return order.created_at


@resolver("Order", "closed")
def _closed(order: st.Order, _info: Info) -> bool:
    return order.cancelled_at is not None


@resolver("Order", "currencyCode")
def _currency(order: st.Order, _info: Info) -> str:
    return order.currency


@resolver("Order", "displayFinancialStatus")
def _financial(order: st.Order, _info: Info) -> str | None:
    return order.financial_status


@resolver("Order", "displayFulfillmentStatus")
def _fulfillment_status(order: st.Order, _info: Info) -> str:
    shipped = sum(q for f in order.fulfillments if f.status == "SUCCESS" for _, q in f.line_items)
    ordered = sum(line.quantity for line in order.line_items)
    if shipped == 0:
        return "UNFULFILLED"
    return "FULFILLED" if shipped >= ordered else "PARTIALLY_FULFILLED"


@resolver("Order", "customAttributes")
def _attributes(order: st.Order, _info: Info) -> list[dict[str, str]]:
    return [{"key": key, "value": value} for key, value in order.custom_attributes]


@resolver("Order", "lineItems")
def _line_items(order: st.Order, info: Info, **args: Any) -> dict[str, Any]:
    return search_connection(info, order.line_items, {}, args, lambda line: (line.id,))


@resolver("Order", "shippingAddress")
def _shipping_address(order: st.Order, _info: Info) -> dict[str, Any] | None:
    return _address(order.shipping_address)


@resolver("Order", "billingAddress")
def _billing_address(order: st.Order, _info: Info) -> dict[str, Any] | None:
    return _address(order.billing_address)


@resolver("Order", "shippingLine")
def _shipping_line(order: st.Order, _info: Info) -> dict[str, Any] | None:
    if not order.shipping_lines:
        return None
    line = order.shipping_lines[0]
    return {
        "title": line["title"],
        "code": line.get("code"),
        "originalPriceSet": bag(line["price"], order.currency),
        "taxLines": _tax_lines(line.get("tax_lines", []), order.currency),
    }


@resolver("Order", "taxLines")
def _order_tax_lines(order: st.Order, _info: Info) -> list[dict[str, Any]]:
    return _tax_lines(order.tax_lines, order.currency)


def _sums(order: st.Order) -> tuple[Decimal, Decimal, Decimal]:
    subtotal = sum((line.price * line.quantity for line in order.line_items), Decimal(0))
    shipping = sum((s["price"] for s in order.shipping_lines), Decimal(0))
    tax = sum((t["price"] for t in order.tax_lines), Decimal(0)) + sum(
        (t["price"] for line in order.line_items for t in line.tax_lines), Decimal(0)
    )
    return subtotal, shipping, tax


@resolver("Order", "subtotalPriceSet")
def _subtotal(order: st.Order, _info: Info) -> dict[str, Any]:
    return bag(_sums(order)[0], order.currency)


@resolver("Order", "totalShippingPriceSet")
def _shipping_total(order: st.Order, _info: Info) -> dict[str, Any]:
    return bag(_sums(order)[1], order.currency)


@resolver("Order", "totalTaxSet")
def _tax_total(order: st.Order, _info: Info) -> dict[str, Any]:
    return bag(_sums(order)[2], order.currency)


@resolver("Order", "totalPriceSet")
def _total(order: st.Order, _info: Info) -> dict[str, Any]:
    return bag(sum(_sums(order), Decimal(0)), order.currency)


@resolver("Order", "fulfillments")
def _fulfillments(order: st.Order, _info: Info, first: int | None = None) -> list[st.Fulfillment]:
    return order.fulfillments[:first] if first is not None else list(order.fulfillments)


@resolver("LineItem", "name")
def _line_name(line: st.LineItem, _info: Info) -> str:
    return line.title


@resolver("LineItem", "currentQuantity")
def _current_quantity(line: st.LineItem, _info: Info) -> int:
    return line.quantity


@resolver("LineItem", "variant")
def _line_variant(line: st.LineItem, info: Info) -> st.Variant | None:
    return ctx(info).data.variants.get(line.variant_id) if line.variant_id is not None else None


@resolver("LineItem", "originalUnitPriceSet")
def _unit_price(line: st.LineItem, info: Info) -> dict[str, Any]:
    order = _order_of_line(info, line)
    return bag(line.price, order.currency if order else ctx(info).data.shop.currency)


@resolver("LineItem", "taxLines")
def _line_taxes(line: st.LineItem, info: Info) -> list[dict[str, Any]]:
    order = _order_of_line(info, line)
    return _tax_lines(line.tax_lines, order.currency if order else ctx(info).data.shop.currency)


def _order_of_line(info: Info, line: st.LineItem) -> st.Order | None:
    return next((o for o in ctx(info).data.orders.values() if line in o.line_items), None)


@resolver("Fulfillment", "name")
def _fulfillment_name(fulfillment: st.Fulfillment, info: Info) -> str:
    order = ctx(info).data.orders[fulfillment.order_id]
    return f"{order.name}-F{order.fulfillments.index(fulfillment) + 1}"


@resolver("Fulfillment", "trackingInfo")
def _tracking(fulfillment: st.Fulfillment, _info: Info, first: int | None = None) -> list[Any]:
    info = [{"number": n, "company": c, "url": u} for n, c, u in fulfillment.tracking]
    return info[:first] if first is not None else info


@resolver("Fulfillment", "fulfillmentLineItems")
def _fulfillment_lines(fulfillment: st.Fulfillment, info: Info, **args: Any) -> dict[str, Any]:
    order = ctx(info).data.orders[fulfillment.order_id]
    lines = {line.id: line for line in order.line_items}
    records = [
        {"id": st.gid("FulfillmentLineItem", line_id), "lineItem": lines[line_id], "quantity": quantity, "key": line_id}
        for line_id, quantity in fulfillment.line_items
        if line_id in lines
    ]
    return search_connection(info, records, {}, args, lambda r: (r["key"],))


@resolver("Fulfillment", "order")
def _fulfillment_order(fulfillment: st.Fulfillment, info: Info) -> st.Order:
    return ctx(info).data.orders[fulfillment.order_id]
