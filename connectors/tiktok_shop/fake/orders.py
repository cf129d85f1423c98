"""Order endpoints (§4.4, §5): search by time windows, detail by ids, price detail, external references."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from connectors.tiktok_shop.fake.api import (
    EXTERNAL_ORDER_INVALID,
    JSON,
    ApiCall,
    CursorPager,
    checked_int,
    endpoint,
    invalid,
)
from connectors.tiktok_shop.fake.core import FakeCore
from connectors.tiktok_shop.fake.render import render_order
from connectors.tiktok_shop.fake.state import ORDER_STATUSES, LineItem, Order, Package

MAX_DETAIL_IDS = 50
MAX_EXTERNAL_ORDERS = 100
MAX_EXTERNAL_LINE_ITEMS = 100
# The union of the sources' platform enums (§5.1 DISAGREE): PY's list plus NPM's OTHERS.
EXTERNAL_PLATFORMS = frozenset(
    {
        "SHOPIFY",
        "WOOCOMMERCE",
        "BIGCOMMERCE",
        "MAGENTO",
        "SALESFORCE_COMMERCE_CLOUD",
        "CHANNEL_ADVISOR",
        "AMAZON",
        "ORDER_MANAGEMENT_SYSTEM",
        "WAREHOUSE_MANAGEMENT_SYSTEM",
        "ERP_SYSTEM",
        "OTHERS",
    }
)
_TIME_FILTERS = ("create_time_ge", "create_time_lt", "update_time_ge", "update_time_lt")


class OrderAPI(FakeCore):
    """Buyers' orders and the references the seller's OMS attaches to them."""

    @endpoint("POST", "/order/{version}/orders/search")
    def search_orders(self, call: ApiCall) -> JSON:
        size = call.page_size(100)
        sort_field = call.arg("sort_field") or "create_time"
        sort_order = (call.arg("sort_order") or "DESC").upper()
        if sort_field not in ("create_time", "update_time") or sort_order not in ("ASC", "DESC"):
            raise invalid("sort_field must be create_time or update_time, sort_order ASC or DESC")
        status = call.field("order_status", str)
        if status is not None and status not in ORDER_STATUSES:
            raise invalid(f"order_status {status!r} is unknown")
        bounds = {name: checked_int(name, call.body[name]) for name in _TIME_FILTERS if name in call.body}
        shipping_type = call.field("shipping_type", str)
        buyer = call.field("buyer_user_id", str)
        warehouses = set(call.str_list("warehouse_ids") or [])
        if len(warehouses) > 100:
            raise invalid("warehouse_ids takes at most 100 ids")

        def wanted(order: Order) -> bool:
            times = {"create_time": order.create_time, "update_time": order.update_time}
            for name, bound in bounds.items():
                value = times[name.rsplit("_", 1)[0]]
                if (name.endswith("_ge") and value < bound) or (name.endswith("_lt") and value >= bound):
                    return False
            return (
                (status is None or order.status == status)
                and (shipping_type is None or order.shipping_type == shipping_type)
                and (buyer is None or order.user_id == buyer)
                and (not warehouses or order.warehouse_id in warehouses)
            )

        matching = [order for order in self.orders.values() if wanted(order)]
        pager = CursorPager({"route": "orders", "body": call.body, "sort": [sort_field, sort_order]})
        page, token, total = pager.page(
            matching,
            lambda o: (o.update_time if sort_field == "update_time" else o.create_time, o.id),
            call.arg("page_token"),
            size,
            descending=sort_order == "DESC",
        )
        orders = [render_order(order, self.packages, self.catalog) for order in page]
        return {"orders": orders, "total_count": total, "next_page_token": token}

    @endpoint("GET", "/order/{version}/orders", versions=("202309", "202507"))
    def get_order_detail(self, call: ApiCall) -> JSON:
        # Comma-joined is the documented form; repeated keys are accepted too.
        ids = [i for raw in call.request.query.get("ids", []) for i in raw.split(",") if i]
        if not ids:
            raise invalid("ids is required")
        if len(ids) > MAX_DETAIL_IDS:
            raise invalid(f"ids takes at most {MAX_DETAIL_IDS} order ids")
        orders = [self.orders[i] for i in dict.fromkeys(ids) if i in self.orders]
        return {"orders": [render_order(order, self.packages, self.catalog) for order in orders]}

    @endpoint("GET", "/order/{version}/orders/{order_id}/price_detail", versions=("202407",))
    def get_price_detail(self, call: ApiCall) -> JSON:
        order = self.order_for(call.path("order_id"))
        payment = render_order(order, self.packages, self.catalog)["payment"]
        items = [
            {
                "id": item.id,
                "sku_id": item.sku_id,
                "currency": item.currency,
                "sale_price": item.sale_price,
                "original_price": item.original_price,
                "subtotal": item.sale_price,
                "tax_amount": "0.00",
            }
            for item in order.line_items
        ]
        return {
            "currency": order.currency,
            "total": payment["total_amount"],
            "subtotal": payment["sub_total"],
            "shipping": payment["shipping_fee"],
            "tax_amount": payment["tax"],
            "net_price_amount": str(Decimal(payment["total_amount"]) - Decimal(payment["tax"])),
            "line_items": items,
        }

    # -- state changes shared by fulfilment, after-sales and seeding ---------------------------------------

    def change_order_status(self, order: Order, status: str) -> None:
        """Move `order` to `status`: bump update_time, keep lines and packages in step, send the webhook."""
        if status not in ORDER_STATUSES:
            raise ValueError(f"unknown order status {status!r}")
        now = self.unix_now()
        order.status, order.update_time = status, now
        if status not in ("UNPAID", "CANCELLED") and order.paid_time is None:
            order.paid_time = now
        if status == "CANCELLED":
            order.cancel_time = now
            for item in order.line_items:
                self.cancel_line(item, order.cancel_reason or "Seller cancelled the order")
        for item in order.line_items:
            if not item.cancelled:
                item.display_status = status
        if status in ("AWAITING_SHIPMENT", "PARTIALLY_SHIPPING"):
            self.package_unpacked_lines(order)
        package_status = {
            "AWAITING_COLLECTION": "PROCESSING",
            "IN_TRANSIT": "FULFILLING",
            "DELIVERED": "COMPLETED",
            "COMPLETED": "COMPLETED",
            "CANCELLED": "CANCELLED",
        }.get(status)
        if package_status is not None:
            for package_id in {item.package_id for item in order.line_items if item.package_id}:
                package = self.packages[package_id]
                if package.status not in ("COMPLETED", "CANCELLED"):
                    package.status, package.update_time = package_status, now
        self.notify_order_status(order)

    def notify_order_status(self, order: Order) -> None:
        """Send ORDER_STATUS_CHANGE for the order's current status (a new order is notified the same way)."""
        self.emit(
            "ORDER_STATUS_CHANGE",
            # The webhook spells the cancelled status CANCEL (§4.4, PY webhook docs).
            {
                "order_id": order.id,
                "order_status": "CANCEL" if order.status == "CANCELLED" else order.status,
                "is_on_hold_order": order.is_on_hold_order,
                "update_time": order.update_time,
            },
        )

    def package_unpacked_lines(self, order: Order) -> Package | None:
        """Put the order's live lines that have no package into a new TO_FULFILL package."""
        loose = [item for item in order.line_items if not item.package_id and not item.cancelled]
        if not loose:
            return None
        now = self.unix_now()
        package = Package(self.ids.next("package"), [order.id], [item.id for item in loose], "TO_FULFILL", now, now)
        self.packages[package.id] = package
        for item in loose:
            item.package_id = package.id
        return package

    def detach_line(self, item: LineItem) -> None:
        """Take a line out of its package; a package left empty is dropped."""
        package = self.packages.get(item.package_id)
        item.package_id = ""
        if package is None:
            return
        package.line_item_ids.remove(item.id)
        package.order_ids = [
            order_id
            for order_id in package.order_ids
            if any(line.package_id == package.id for line in self.orders[order_id].line_items)
        ]
        if not package.line_item_ids:
            del self.packages[package.id]

    def reserve_line(self, item: LineItem) -> None:
        """Take one unit of the line's SKU off the shelf, as a placed order does."""
        sku = self.skus.get(item.sku_id)
        if sku is None:
            return
        sku.committed += 1
        for warehouse_id, quantity in sku.inventory.items():
            if quantity > 0:
                sku.inventory[warehouse_id] = quantity - 1
                break

    def cancel_line(self, item: LineItem, reason: str) -> None:
        """Cancel one line and put its unit back on the shelf."""
        if item.cancelled:
            return
        item.cancelled, item.cancel_reason, item.display_status = True, reason, "CANCELLED"
        package = self.packages.get(item.package_id)
        if package is not None and package.status == "TO_FULFILL":
            self.detach_line(item)
        sku = self.skus.get(item.sku_id)
        if sku is not None and sku.committed > 0:
            sku.committed -= 1
            first = next(iter(sku.inventory), None)
            if first is not None:
                sku.inventory[first] += 1

    def order_for(self, order_id: str) -> Order:
        """The order with `order_id`, or an invalid-param error."""
        order = self.orders.get(order_id)
        if order is None:
            raise invalid(f"order_id {order_id} does not exist")
        return order

    # -- external order references (§5) -----------------------------------------------------------------

    @endpoint("POST", "/order/{version}/orders/external_orders", versions=("202406",))
    def add_external_orders(self, call: ApiCall) -> JSON:
        entries = call.body.get("orders")
        if not isinstance(entries, list) or not 1 <= len(entries) <= MAX_EXTERNAL_ORDERS:
            raise invalid(f"orders must hold 1 to {MAX_EXTERNAL_ORDERS} orders")
        parsed = [_external_entry(entry) for entry in entries]
        errors = []
        for order_id, reference in parsed:
            order = self.orders.get(order_id)
            if order is None:
                # Each order is processed on its own: this one fails, the others are saved (code stays 0).
                errors.append(
                    {
                        "code": EXTERNAL_ORDER_INVALID,
                        "message": "Invalid order_id",
                        "detail": {
                            "order_id": order_id,
                            "external_order": {"id": reference["id"], "platform": reference["platform"]},
                        },
                    }
                )
                continue
            # The same OMS again replaces its reference; another OMS adds one more.
            order.external_orders[reference["platform"]] = reference
        return {"errors": errors} if errors else {}

    @endpoint("GET", "/order/{version}/orders/{order_id}/external_orders", versions=("202406",))
    def get_external_orders(self, call: ApiCall) -> JSON:
        platform = _platform(call.arg("platform"))
        order = self.order_for(call.path("order_id"))
        found = order.external_orders.get(platform)
        return {"external_orders": [_copy(found)] if found else []}

    @endpoint("POST", "/order/{version}/orders/external_order_search", versions=("202406",))
    def search_external_orders(self, call: ApiCall) -> JSON:
        platform = _platform(call.arg("platform"))
        external_id = call.arg("external_order_id")
        if not external_id:
            raise invalid("external_order_id is required")
        matches = [
            {"id": order.id, "external_order": _copy(ref)}
            for order in self.orders.values()
            if (ref := order.external_orders.get(platform)) is not None and ref["id"] == external_id
        ]
        # The platform leaves `orders` out when nothing matches.
        return {"orders": matches} if matches else {}


def _platform(raw: str | None) -> str:
    if not raw:
        raise invalid("platform is required")
    if raw not in EXTERNAL_PLATFORMS:
        raise invalid(f"platform {raw!r} is not supported")
    return raw


def _external_entry(entry: Any) -> tuple[str, JSON]:
    if not isinstance(entry, dict) or not isinstance(entry.get("id"), str) or not entry["id"]:
        raise invalid("every order needs its TikTok Shop order id")
    external = entry.get("external_order")
    if not isinstance(external, dict) or not isinstance(external.get("id"), str) or not external["id"]:
        raise invalid("every order needs external_order.id")
    platform = _platform(external.get("platform"))
    lines = external.get("line_items") or []
    if not isinstance(lines, list) or len(lines) > MAX_EXTERNAL_LINE_ITEMS:
        raise invalid(f"external_order.line_items takes at most {MAX_EXTERNAL_LINE_ITEMS} items")
    line_items = [
        {"id": str(line.get("id", "")), "origin_id": str(line.get("origin_id", ""))}
        for line in lines
        if isinstance(line, dict)
    ]
    return entry["id"], {"id": external["id"], "platform": platform, "line_items": line_items}


def _copy(reference: JSON) -> JSON:
    return {**reference, "line_items": [dict(line) for line in reference["line_items"]]}
