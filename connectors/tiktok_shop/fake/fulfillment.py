"""Fulfilment and logistics (§4.5, §4.6): warehouses and carriers, marking packages shipped, tracking.

A paid order's lines sit in a TO_FULFILL package. Seller shipping (mark as shipped, or ship with a
`self_shipment`) moves the package to FULFILLING with its tracking number, and the order to IN_TRANSIT
once every live line has shipped (PARTIALLY_SHIPPING before that). Platform shipping (ship without
`self_shipment`) moves them to PROCESSING / AWAITING_COLLECTION with a platform tracking number.
"""

from __future__ import annotations

from typing import Any

from connectors.tiktok_shop.fake.api import (
    INVALID_PARAM,
    JSON,
    ApiCall,
    ApiError,
    CursorPager,
    checked_int,
    endpoint,
    invalid,
)
from connectors.tiktok_shop.fake.packaging import PackagingAPI
from connectors.tiktok_shop.fake.render import render_package
from connectors.tiktok_shop.fake.state import SHIPPABLE_STATUSES, Package, TrackingEvent

PACKAGE_STATUSES = ("TO_FULFILL", "PROCESSING", "FULFILLING", "COMPLETED", "CANCELLED")
_TIME_FILTERS = ("create_time_ge", "create_time_lt", "update_time_ge", "update_time_lt")


class FulfillmentAPI(PackagingAPI):
    """Shipping the shop's orders."""

    # -- logistics ---------------------------------------------------------------------------------------

    @endpoint("GET", "/logistics/{version}/warehouses")
    def get_warehouses(self, call: ApiCall) -> JSON:
        return {"warehouses": [dict(w) for w in self.catalog.warehouses]}

    @endpoint("GET", "/logistics/{version}/warehouses/{warehouse_id}/delivery_options")
    def get_delivery_options(self, call: ApiCall) -> JSON:
        warehouse_id = call.path("warehouse_id")
        if self.catalog.warehouse(warehouse_id) is None:
            raise invalid(f"warehouse {warehouse_id} does not exist")
        options = [
            {key: value for key, value in option.items() if key != "warehouse_ids"}
            for option in self.catalog.delivery_options
            if warehouse_id in option["warehouse_ids"]
        ]
        return {"delivery_options": options}

    @endpoint("GET", "/logistics/{version}/delivery_options/{delivery_option_id}/shipping_providers")
    def get_shipping_providers(self, call: ApiCall) -> JSON:
        option_id = call.path("delivery_option_id")
        if not any(option["id"] == option_id for option in self.catalog.delivery_options):
            raise invalid(f"delivery option {option_id} does not exist")
        providers = [
            {"id": p["id"], "name": p["name"]}
            for p in self.catalog.shipping_providers
            if option_id in p["delivery_option_ids"]
        ]
        return {"shipping_providers": providers}

    # -- shipping ------------------------------------------------------------------------------------------

    @endpoint("POST", "/fulfillment/{version}/orders/{order_id}/packages")
    def mark_package_shipped(self, call: ApiCall) -> JSON:
        order = self.order_for(call.path("order_id"))
        if order.status not in SHIPPABLE_STATUSES:
            raise invalid(f"an order in {order.status} cannot be shipped")
        tracking, provider = self._tracking(call.body)
        unshipped = {item.id: item for item in self.unshipped_lines(order)}
        wanted = call.str_list("order_line_item_ids") or list(unshipped)
        if not wanted or any(line_id not in unshipped for line_id in wanted):
            raise invalid("order_line_item_ids must be lines of this order that await shipment")
        package = self.packages[unshipped[wanted[0]].package_id]
        if set(package.line_item_ids) != set(wanted):
            package = self.regroup([unshipped[line_id] for line_id in wanted])
        self._ship(package, tracking, provider, "DROP_OFF")
        return {"order_id": order.id, "order_line_item_ids": list(package.line_item_ids), "package_id": package.id}

    @endpoint("POST", "/fulfillment/{version}/packages/{package_id}/ship")
    def ship_package(self, call: ApiCall) -> JSON:
        self._ship_one(call.path("package_id"), call.body)
        return {}

    @endpoint("POST", "/fulfillment/{version}/packages/ship")
    def batch_ship_packages(self, call: ApiCall) -> JSON:
        entries = call.body.get("packages")
        if not isinstance(entries, list) or not entries:
            raise invalid("packages is required")
        errors = []
        for entry in entries:
            package_id = str(entry.get("id", "")) if isinstance(entry, dict) else ""
            try:
                self._ship_one(package_id, entry if isinstance(entry, dict) else {})
            except ApiError as error:  # one package failing does not stop the others
                errors.append({"code": error.code, "message": error.message, "detail": {"package_id": package_id}})
        return {"errors": errors} if errors else {}

    def _ship_one(self, package_id: str, body: dict[str, Any]) -> None:
        package = self.package_for(package_id)
        if package.status != "TO_FULFILL" or any(o.status not in SHIPPABLE_STATUSES for o in self.orders_in(package)):
            raise invalid(f"package {package_id} is {package.status}, not TO_FULFILL")
        handover = body.get("handover_method") or "DROP_OFF"
        if handover not in ("PICKUP", "DROP_OFF"):
            raise invalid("handover_method must be PICKUP or DROP_OFF")
        self_shipment = body.get("self_shipment")
        if isinstance(self_shipment, dict):
            tracking, provider = self._tracking(self_shipment)
            self._ship(package, tracking, provider, handover)
            return
        # Platform shipping: the platform issues the label and tracking number; the carrier collects later.
        provider = self.catalog.shipping_providers[0]["id"] if self.catalog.shipping_providers else ""
        self._ship(package, f"TT{package.id[-12:]}", provider, handover, collected=False)

    def _tracking(self, body: dict[str, Any]) -> tuple[str, str]:
        tracking = body.get("tracking_number")
        provider = body.get("shipping_provider_id")
        if not isinstance(tracking, str) or not tracking.strip():
            raise invalid("tracking_number is required")
        if not isinstance(provider, str) or self.catalog.provider(provider) is None:
            raise invalid("shipping_provider_id is missing or unknown")
        return tracking.strip(), provider

    def _ship(self, package: Package, tracking: str, provider: str, handover: str, *, collected: bool = True) -> None:
        now = self.unix_now()
        package.status = "FULFILLING" if collected else "PROCESSING"
        package.tracking_number, package.shipping_provider_id, package.handover_method = tracking, provider, handover
        package.update_time = now
        event = "Seller has shipped your package" if collected else "Shipping label created"
        package.events.append(TrackingEvent(event, now * 1000))
        for item in self.lines_in(package):
            sku = self.skus.get(item.sku_id)
            if sku is not None and sku.committed > 0:
                sku.committed -= 1
        for order in self.orders_in(package):
            if self.unshipped_lines(order):
                self.change_order_status(order, "PARTIALLY_SHIPPING")
            else:
                self.change_order_status(order, "IN_TRANSIT" if collected else "AWAITING_COLLECTION")

    # -- after shipping ------------------------------------------------------------------------------------

    @endpoint("POST", "/fulfillment/{version}/orders/{order_id}/shipping_info/update")
    def update_order_shipping_info(self, call: ApiCall) -> JSON:
        order = self.order_for(call.path("order_id"))
        tracking, provider = self._tracking(call.body)
        shipped = [
            p for p in self.packages.values() if order.id in p.order_ids and p.status in ("PROCESSING", "FULFILLING")
        ]
        if not shipped:
            raise invalid("the order has no shipped package to update")
        for package in shipped:
            self._retrack(package, tracking, provider)
        return {}

    @endpoint("POST", "/fulfillment/{version}/packages/{package_id}/shipping_info/update")
    def update_package_shipping_info(self, call: ApiCall) -> JSON:
        package = self.package_for(call.path("package_id"))
        if package.status not in ("PROCESSING", "FULFILLING"):
            raise invalid(f"package {package.id} is {package.status}; only shipped packages can be updated")
        self._retrack(package, *self._tracking(call.body))
        return {}

    def _retrack(self, package: Package, tracking: str, provider: str) -> None:
        package.tracking_number, package.shipping_provider_id = tracking, provider
        package.update_time = self.unix_now()
        package.events.append(TrackingEvent("Shipping information updated by seller", package.update_time * 1000))

    @endpoint("GET", "/fulfillment/{version}/orders/{order_id}/tracking")
    def get_tracking(self, call: ApiCall) -> JSON:
        order = self.order_for(call.path("order_id"))
        events = [e for p in self.packages.values() if order.id in p.order_ids for e in p.events]
        events.sort(key=lambda e: e.update_time_millis, reverse=True)
        return {
            "tracking": [{"description": e.description, "update_time_millis": e.update_time_millis} for e in events]
        }

    @endpoint("GET", "/fulfillment/{version}/packages/{package_id}")
    def get_package_detail(self, call: ApiCall) -> JSON:
        package = self.package_for(call.path("package_id"))
        return render_package(package, self.orders_in(package), self.catalog)

    @endpoint("GET", "/fulfillment/{version}/packages/{package_id}/shipping_documents")
    def get_shipping_documents(self, call: ApiCall) -> JSON:
        package = self.package_for(call.path("package_id"))
        document_type = call.arg("document_type")
        if document_type not in ("SHIPPING_LABEL", "PACKING_SLIP", "SHIPPING_LABEL_AND_PACKING_SLIP"):
            raise invalid("document_type must be SHIPPING_LABEL, PACKING_SLIP or SHIPPING_LABEL_AND_PACKING_SLIP")
        if package.status == "CANCELLED":
            raise invalid(f"package {package.id} is cancelled")
        url = f"https://open-fs-va.tiktokshop.com/wsos_v2/oec_fulfillment_doc/{package.id}/{document_type.lower()}.pdf"
        return {"doc_url": url, "tracking_number": package.tracking_number}

    @endpoint("POST", "/fulfillment/{version}/packages/search")
    def search_packages(self, call: ApiCall) -> JSON:
        size = call.page_size(50)
        sort_field = call.arg("sort_field") or "create_time"
        sort_order = (call.arg("sort_order") or "DESC").upper()
        if sort_field not in ("create_time", "update_time", "order_pay_time") or sort_order not in ("ASC", "DESC"):
            raise invalid("sort_field must be create_time, update_time or order_pay_time; sort_order ASC or DESC")
        status = call.field("package_status", str)
        if status is not None and status not in PACKAGE_STATUSES:
            raise invalid(f"package_status {status!r} is unknown")
        bounds = {name: checked_int(name, call.body[name]) for name in _TIME_FILTERS if name in call.body}

        def wanted(package: Package) -> bool:
            times = {"create_time": package.create_time, "update_time": package.update_time}
            for name, bound in bounds.items():
                value = times[name.rsplit("_", 1)[0]]
                if (name.endswith("_ge") and value < bound) or (name.endswith("_lt") and value >= bound):
                    return False
            return status is None or package.status == status

        def key(package: Package) -> tuple[int, str]:
            if sort_field == "order_pay_time":
                return (min(o.paid_time or 0 for o in self.orders_in(package)), package.id)
            return (package.update_time if sort_field == "update_time" else package.create_time, package.id)

        pager = CursorPager({"route": "packages", "body": call.body, "sort": [sort_field, sort_order]})
        matching = [p for p in self.packages.values() if wanted(p)]
        page, token, total = pager.page(matching, key, call.arg("page_token"), size, descending=sort_order == "DESC")
        return {"packages": [self._summary(p) for p in page], "total_count": total, "next_page_token": token}

    def _summary(self, package: Package) -> JSON:
        detail = render_package(package, self.orders_in(package), self.catalog)
        return {
            "id": package.id,
            "orders": detail["orders"],
            "create_time": package.create_time,
            "update_time": package.update_time,
            "status": package.status,
            "tracking_number": package.tracking_number,
            "shipping_provider_id": package.shipping_provider_id,
            "shipping_provider_name": detail["shipping_provider_name"],
            "order_line_item_ids": list(package.line_item_ids),
        }

    def package_for(self, package_id: str) -> Package:
        """The package with `package_id`, or an invalid-param error."""
        package = self.packages.get(package_id)
        if package is None:
            raise ApiError(INVALID_PARAM, f"Invalid param: package {package_id} does not exist")
        return package
