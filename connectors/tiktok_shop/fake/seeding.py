"""Putting state into the emulator from tests: products, orders, status changes, after-sales, seed files.

Every helper takes the server's lock, so it is safe while the server runs. The bulk helpers build records
directly (no payload validation), so 10,000 SKUs and 5,000 orders take well under a second.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from connectors.tiktok_shop.fake.aftersales import AfterSalesAPI
from connectors.tiktok_shop.fake.fulfillment import FulfillmentAPI
from connectors.tiktok_shop.fake.products import ProductAPI
from connectors.tiktok_shop.fake.state import (
    ORDER_STATUSES,
    Cancellation,
    LineItem,
    Order,
    Product,
    Return,
    Sku,
    Subscription,
)

DEFAULT_ADDRESS = {
    "name": "Jordan Rivera",
    "phone_number": "(+1)555*****67",
    "address_detail": "Apt 4B",
    "address_line1": "1200 Market Street",
    "address_line2": "Apt 4B",
    "address_line3": "",
    "address_line4": "",
    "postal_code": "94103",
    "region_code": "US",
    "full_address": "1200 Market Street, Apt 4B, San Francisco, California, 94103, United States",
    "district_info": [
        {"address_level_name": "Country", "address_name": "United States", "address_level": "L0"},
        {"address_level_name": "State", "address_name": "California", "address_level": "L1"},
        {"address_level_name": "City", "address_name": "San Francisco", "address_level": "L3"},
    ],
}
# Lines of an order to seed: (a SKU, its id or seller_sku, quantity), or a mapping with those keys.
LineSpec = tuple[Sku | str, int] | Mapping[str, Any]


class Seeding(ProductAPI, FulfillmentAPI, AfterSalesAPI):
    """Helpers that put records into the emulator as if sellers and buyers had acted."""

    # -- products ------------------------------------------------------------------------------------------

    def add_product(
        self,
        *,
        title: str | None = None,
        skus: int | Sequence[Mapping[str, Any]] = 1,
        status: str = "ACTIVATE",
        category_id: str | None = None,
        currency: str = "USD",
        create_time: int | None = None,
        update_time: int | None = None,
    ) -> Product:
        """Add a product; `skus` is a count or specs `{seller_sku, price, quantity, warehouse_id, external_sku_id}`."""
        with self.lock:
            number = len(self.products) + 1
            specs = [{} for _ in range(skus)] if isinstance(skus, int) else list(skus)
            product = self._product(number, title, status, category_id, create_time, update_time)
            for index, spec in enumerate(specs):
                product.skus.append(self._sku(product, f"SKU-{number:05d}-{index + 1}", spec, currency))
            self.products[product.id] = product
            self.index_product(product)
            return product

    def add_products(
        self, count: int, *, skus_per_product: int = 1, quantity: int = 10, price: str = "19.99"
    ) -> list[Product]:
        """Add `count` active products of `skus_per_product` SKUs each (seller SKUs `SKU-<n>-<i>`)."""
        spec = {"quantity": quantity, "price": price}
        with self.lock:
            return [self.add_product(skus=[spec] * skus_per_product) for _ in range(count)]

    def _product(
        self,
        number: int,
        title: str | None,
        status: str,
        category_id: str | None,
        created: int | None,
        updated: int | None,
    ) -> Product:
        leaf = category_id or next((c["id"] for c in self.catalog.categories if c["is_leaf"]), "601302")
        now = self.unix_now()
        return Product(
            id=self.ids.next("product"),
            title=title or f"Everyday Cotton Tee {number}",
            description="<p>Soft, breathable cotton tee.</p>",
            status=status,
            category_id=leaf,
            skus=[],
            create_time=created or now,
            update_time=updated or created or now,
            main_images=[{"uri": f"tos-maliva-i-o3syd03w52-us/seed{number}"}],
        )

    def _sku(self, product: Product, default_sku: str, spec: Mapping[str, Any], currency: str) -> Sku:
        warehouses = self.catalog.sales_warehouse_ids() or ["7068517275539719942"]
        return Sku(
            id=self.ids.next("sku"),
            product_id=product.id,
            seller_sku=str(spec.get("seller_sku", default_sku)),
            price=str(spec.get("price", "19.99")),
            currency=str(spec.get("currency", currency)),
            inventory={str(spec.get("warehouse_id", warehouses[0])): int(spec.get("quantity", 10))},
            external_sku_id=str(spec.get("external_sku_id", "")),
        )

    def find_sku(self, seller_sku: str) -> Sku:
        """The first SKU with `seller_sku`; KeyError if there is none."""
        with self.lock:
            for sku in self.skus.values():
                if sku.seller_sku == seller_sku:
                    return sku
        raise KeyError(seller_sku)

    def sku_quantity(self, sku_id: str, warehouse_id: str | None = None) -> int:
        """A SKU's quantity in one warehouse, or summed over all."""
        with self.lock:
            inventory = self.skus[sku_id].inventory
            return inventory.get(warehouse_id, 0) if warehouse_id else sum(inventory.values())

    def set_product_status(self, product: Product | str, status: str) -> None:
        """Change a product's status (by record or id) and send PRODUCT_STATUS_CHANGE."""
        with self.lock:
            super().set_product_status(self.products[product] if isinstance(product, str) else product, status)

    # -- orders --------------------------------------------------------------------------------------------

    def add_order(
        self,
        lines: Sequence[LineSpec],
        *,
        status: str = "AWAITING_SHIPMENT",
        create_time: int | None = None,
        update_time: int | None = None,
        order_id: str | None = None,
        shipping_fee: str = "0.00",
        buyer_email: str = "buyer@scs.tiktokw.us",
        is_on_hold_order: bool = False,
        reserve_stock: bool = True,
    ) -> Order:
        """Add an order placed by a buyer; a quantity of n becomes n line items, as on the platform.

        `status` is any order status; paid statuses get a TO_FULFILL package, as the platform creates one.
        No webhook is sent: the order is seeded, not changed.
        """
        if status not in ORDER_STATUSES:
            raise ValueError(f"unknown order status {status!r}")
        with self.lock:
            now = self.unix_now()
            order_id = order_id or self.ids.next("order")
            items = [item for spec in lines for item in self._line_items(order_id, spec, status)]
            if not items:
                raise ValueError("an order needs at least one line")
            created = create_time if create_time is not None else now
            order = Order(
                id=order_id,
                status=status,
                create_time=created,
                update_time=update_time if update_time is not None else created,
                line_items=items,
                currency=items[0].currency,
                recipient_address=dict(DEFAULT_ADDRESS),
                shipping_fee=shipping_fee,
                paid_time=None if status == "UNPAID" else created,
                buyer_email=buyer_email,
                user_id=f"7{zlib.crc32(buyer_email.encode()):017d}",
                is_on_hold_order=is_on_hold_order or status == "ON_HOLD",
                warehouse_id=(self.catalog.sales_warehouse_ids() or [""])[0],
            )
            self.orders[order.id] = order
            if reserve_stock and status != "CANCELLED":
                for item in items:
                    self.reserve_line(item)
            if status not in ("UNPAID", "ON_HOLD", "CANCELLED"):
                package = self.package_unpacked_lines(order)
                if package is not None:
                    package.status = _package_status(status)
            return order

    def _line_items(self, order_id: str, spec: LineSpec, status: str) -> list[LineItem]:
        if isinstance(spec, Mapping):
            ref, quantity = spec.get("sku_id") or spec.get("seller_sku") or "", int(spec.get("quantity", 1))
        else:
            ref, quantity = spec
        sku = (
            ref
            if isinstance(ref, Sku)
            else self.skus.get(ref) or next((s for s in self.skus.values() if s.seller_sku == ref), None)
        )
        extra = spec if isinstance(spec, Mapping) else {}
        if sku is None and not extra:
            raise KeyError(f"no SKU {ref!r}; seed the product first or pass a mapping with the line's fields")
        product = self.products.get(sku.product_id) if sku is not None else None
        price = str(extra.get("price", sku.price if sku else "10.00"))
        return [
            LineItem(
                id=self.ids.next("line_item"),
                order_id=order_id,
                sku_id=sku.id if sku else str(extra.get("sku_id") or self.ids.next("sku")),
                product_id=sku.product_id if sku else str(extra.get("product_id") or self.ids.next("product")),
                seller_sku=sku.seller_sku if sku else str(extra.get("seller_sku", "")),
                product_name=product.title if product else str(extra.get("product_name", "Seeded product")),
                sku_name=", ".join(a.get("value_name", "") for a in sku.sales_attributes) if sku else "",
                sale_price=price,
                original_price=str(extra.get("original_price", price)),
                currency=sku.currency if sku else str(extra.get("currency", "USD")),
                display_status=status,
            )
            for _ in range(quantity)
        ]

    def add_orders(
        self,
        count: int,
        *,
        status: str = "AWAITING_SHIPMENT",
        start: int | None = None,
        spacing: int = 60,
        lines_per_order: int = 1,
    ) -> list[Order]:
        """Add `count` orders of existing SKUs (taken in turn), created `spacing` seconds apart from `start`."""
        with self.lock:
            skus = list(self.skus.values())
            if not skus:
                raise ValueError("seed products before orders")
            first = start if start is not None else self.unix_now() - count * spacing
            orders = []
            for n in range(count):
                lines = [(skus[(n * lines_per_order + i) % len(skus)], 1) for i in range(lines_per_order)]
                orders.append(self.add_order(lines, status=status, create_time=first + n * spacing))
            return orders

    def place_order(self, lines: Sequence[LineSpec], **options: Any) -> Order:
        """A buyer places an order now: `add_order`, then ORDER_STATUS_CHANGE, as the platform notifies new orders."""
        with self.lock:
            order = self.add_order(lines, **options)
            self.notify_order_status(order)
            return order

    def set_order_status(self, order_id: str, status: str) -> Order:
        """Move an order to `status` now (bumping update_time) and send ORDER_STATUS_CHANGE."""
        with self.lock:
            order = self.orders[order_id]
            self.change_order_status(order, status)
            return order

    # -- after-sales ---------------------------------------------------------------------------------------

    def request_cancellation(self, order_id: str, reason: str = "No longer needed") -> Cancellation:
        """The buyer asks to cancel the whole order; the seller must approve or reject it."""
        with self.lock:
            order = self.orders[order_id]
            now = self.unix_now()
            lines = [item.id for item in order.line_items if not item.cancelled]
            cancel = Cancellation(
                self.ids.next("cancel"),
                order_id,
                lines,
                "CANCELLATION_REQUEST_PENDING",
                "BUYER",
                "BUYER_CANCEL",
                reason,
                now,
                now,
            )
            self.cancellations[cancel.id] = cancel
            order.update_time = now
            self.emit_cancellation(cancel)
            return cancel

    def add_return(
        self,
        order_id: str,
        *,
        return_type: str = "RETURN_AND_REFUND",
        reason: str = "Item doesn't fit",
        line_item_ids: Sequence[str] | None = None,
    ) -> Return:
        """The buyer asks to return (or refund, or replace) some or all of an order's lines."""
        with self.lock:
            order = self.orders[order_id]
            now = self.unix_now()
            pending = (
                "REPLACEMENT_REQUEST_PENDING" if return_type == "REPLACEMENT" else "RETURN_OR_REFUND_REQUEST_PENDING"
            )
            lines = list(line_item_ids or [item.id for item in order.line_items if not item.cancelled])
            record = Return(self.ids.next("return"), order_id, lines, pending, return_type, reason, now, now)
            self.returns[record.id] = record
            self.set_return_status(record, pending, actor="BUYER")
            return record

    def buyer_ships_return(self, return_id: str) -> Return:
        """The buyer sends an approved return back (AWAITING_BUYER_SHIP -> BUYER_SHIPPED_ITEM)."""
        with self.lock:
            record = self.returns[return_id]
            self.set_return_status(record, "BUYER_SHIPPED_ITEM", actor="BUYER")
            return record

    # -- subscriptions and seed files ----------------------------------------------------------------------

    def subscribe(self, event_type: str, address: str) -> None:
        """Register a webhook subscription directly (the events API does the same over HTTP)."""
        with self.lock:
            now = self.unix_now()
            self.subscriptions[event_type] = Subscription(event_type, address, now, now)

    def load_seed(self, seed: Path | str | Mapping[str, Any]) -> None:
        """Load a seed file (or its parsed content): `catalog`, `products`, `orders`, `webhooks` keys."""
        data = seed if isinstance(seed, Mapping) else json.loads(Path(seed).read_text(encoding="utf-8"))
        with self.lock:
            self.catalog.merge(data.get("catalog", {}))
            for product in data.get("products", []):
                self.add_product(**product)
            for order in data.get("orders", []):
                self.add_order(**order)
            for hook in data.get("webhooks", []):
                self.subscribe(hook["event_type"], hook["address"])


def _package_status(order_status: str) -> str:
    return {
        "AWAITING_COLLECTION": "PROCESSING",
        "IN_TRANSIT": "FULFILLING",
        "DELIVERED": "COMPLETED",
        "COMPLETED": "COMPLETED",
    }.get(order_status, "TO_FULFILL")
