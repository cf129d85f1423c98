"""Which lines travel together (§4.5): splitting an order into packages and combining orders into one.

A paid order starts with one TO_FULFILL package. Split gives chosen lines packages of their own; orders of
the same buyer whose packages are all TO_FULFILL can be combined into one package, and uncombined again.
"""

from __future__ import annotations

from connectors.tiktok_shop.fake.api import INVALID_PARAM, JSON, ApiCall, CursorPager, endpoint, invalid
from connectors.tiktok_shop.fake.orders import OrderAPI
from connectors.tiktok_shop.fake.state import SHIPPABLE_STATUSES, LineItem, Order, Package


class PackagingAPI(OrderAPI):
    """Package composition: split, combine, uncombine."""

    def orders_in(self, package: Package) -> list[Order]:
        """The orders with lines in `package`."""
        return [self.orders[order_id] for order_id in package.order_ids]

    def lines_in(self, package: Package) -> list[LineItem]:
        """The line items in `package`."""
        wanted = set(package.line_item_ids)
        return [item for order in self.orders_in(package) for item in order.line_items if item.id in wanted]

    def regroup(self, lines: list[LineItem]) -> Package:
        """Move `lines` into one new TO_FULFILL package (the packages they leave shrink or go)."""
        for item in lines:
            self.detach_line(item)
        now = self.unix_now()
        order_ids = list(dict.fromkeys(item.order_id for item in lines))
        package = Package(self.ids.next("package"), order_ids, [item.id for item in lines], "TO_FULFILL", now, now)
        self.packages[package.id] = package
        for item in lines:
            item.package_id = package.id
        return package

    def unshipped_lines(self, order: Order) -> list[LineItem]:
        """The order's live lines whose package has not shipped."""
        return [
            item
            for item in order.line_items
            if not item.cancelled and (p := self.packages.get(item.package_id)) is not None and p.status == "TO_FULFILL"
        ]

    # -- split ---------------------------------------------------------------------------------------------

    @endpoint("GET", "/fulfillment/{version}/orders/split_attributes")
    def get_split_attributes(self, call: ApiCall) -> JSON:
        ids = [i for i in (call.arg("order_ids") or "").split(",") if i]
        if not ids or len(ids) > 50:
            raise invalid("order_ids takes 1 to 50 order ids")
        attributes = []
        for order_id in ids:
            order = self.order_for(order_id)
            can_split = order.status in SHIPPABLE_STATUSES and len(self.unshipped_lines(order)) > 1
            entry: JSON = {"order_id": order.id, "can_split": can_split}
            if not can_split:
                entry["reason"] = "The order has fewer than two items awaiting shipment."
            attributes.append(entry)
        return {"split_attributes": attributes}

    @endpoint("POST", "/fulfillment/{version}/orders/{order_id}/split")
    def split_order(self, call: ApiCall) -> JSON:
        order = self.order_for(call.path("order_id"))
        groups = call.body.get("splittable_groups")
        if not isinstance(groups, list) or len(groups) < 2:
            raise invalid("splittable_groups needs at least two groups")
        unshipped = {item.id: item for item in self.unshipped_lines(order)}
        chosen: list[tuple[str, list[LineItem]]] = []
        for group in groups:
            ids = group.get("order_line_item_ids") if isinstance(group, dict) else None
            if not isinstance(ids, list) or not ids or not all(i in unshipped for i in ids):
                raise invalid("every group needs order_line_item_ids of this order that await shipment")
            chosen.append((str(group.get("id", "")), [unshipped[i] for i in ids]))
        if sorted(i.id for _, lines in chosen for i in lines) != sorted(unshipped):
            raise invalid("the groups must hold every line awaiting shipment exactly once")
        packages = [{"splittable_group_id": group_id, "id": self.regroup(lines).id} for group_id, lines in chosen]
        order.update_time = self.unix_now()
        return {"packages": packages}

    # -- combine -------------------------------------------------------------------------------------------

    def _combinable(self) -> dict[tuple[str, ...], list[Order]]:
        """Groups of 2+ orders of one buyer, each shippable with everything in one TO_FULFILL package."""
        by_buyer: dict[str, list[Order]] = {}
        for order in self.orders.values():
            packages = {item.package_id for item in self.unshipped_lines(order)}
            alone = len(packages) == 1 and len(self.packages[next(iter(packages))].order_ids) == 1
            if order.status == "AWAITING_SHIPMENT" and alone:
                by_buyer.setdefault(order.user_id, []).append(order)
        return {tuple(sorted(o.id for o in group)): group for group in by_buyer.values() if len(group) > 1}

    def _draft_id(self, order_ids: tuple[str, ...]) -> str:
        # The platform pre-generates an id for each combinable group; keep it stable between calls.
        return self.combine_drafts.setdefault(order_ids, self.ids.next("package"))

    @endpoint("GET", "/fulfillment/{version}/combinable_packages/search")
    def search_combinable_packages(self, call: ApiCall) -> JSON:
        size = call.page_size(50)
        drafts = [{"id": self._draft_id(ids), "order_ids": list(ids)} for ids in self._combinable()]
        pager = CursorPager({"route": "combinable"})
        page, token, total = pager.page(drafts, lambda d: (d["id"],), call.arg("page_token"), size, descending=False)
        return {"combinable_packages": page, "next_page_token": token, "total_count": total}

    @endpoint("POST", "/fulfillment/{version}/packages/combine")
    def combine_packages(self, call: ApiCall) -> JSON:
        entries = call.body.get("combinable_packages")
        if not isinstance(entries, list) or not entries:
            raise invalid("combinable_packages is required")
        groups = {self._draft_id(ids): group for ids, group in self._combinable().items()}
        combined, errors = [], []
        for entry in entries:
            draft_id = str(entry.get("id", "")) if isinstance(entry, dict) else ""
            group = groups.get(draft_id)
            if group is None:
                errors.append(
                    {
                        "code": INVALID_PARAM,
                        "message": "The package cannot be combined.",
                        "detail": {"package_id": draft_id},
                    }
                )
                continue
            package = self.regroup([item for order in group for item in self.unshipped_lines(order)])
            combined.append({"id": package.id, "order_ids": list(package.order_ids)})
        return {"packages": combined, "errors": errors} if errors else {"packages": combined}

    @endpoint("POST", "/fulfillment/{version}/packages/{package_id}/uncombine")
    def uncombine_package(self, call: ApiCall) -> JSON:
        package = self.packages.get(call.path("package_id"))
        if package is None or package.status != "TO_FULFILL" or len(package.order_ids) < 2:
            raise invalid("only a combined package awaiting shipment can be uncombined")
        leaving = call.str_list("order_ids") or package.order_ids[1:]
        if not set(leaving) < set(package.order_ids):
            raise invalid("order_ids must be some, not all, of the package's orders")
        lines = self.lines_in(package)
        results = [self.regroup([item for item in lines if item.order_id == order_id]) for order_id in leaving]
        results.insert(0, package)
        return {"packages": [{"id": p.id, "order_ids": list(p.order_ids)} for p in results]}
