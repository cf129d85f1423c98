"""Seeding and test helpers of FakeShopify: what a merchant would do in the admin, done directly."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable, Sequence
from importlib import resources
from typing import Any

from connectors.shopify import fake_seed
from connectors.shopify import fake_state as st
from connectors.shopify.fake_services import ShopServices
from connectors.shopify.fake_webhooks import fulfillment_payload, level_payload, product_payload


class ShopHelpers:
    """Mixed into FakeShopify; every helper takes the server's handler lock."""

    lock: threading.RLock
    data: st.ShopData
    services: ShopServices

    def _emit(self, topic: str, payload: dict[str, Any]) -> None:
        raise NotImplementedError

    def load_seed(self, document: dict[str, Any]) -> None:
        """Load a REST-shaped seed document or fixture (see `fake_seed`)."""
        with self.lock:
            fake_seed.load_document(self.data, document)

    def load_sample(self) -> None:
        """Load the bundled sample shop (`seed/`): the iPod Nano with four variants, its stock at two
        locations, and order #1001."""
        seed = resources.files("connectors.shopify").joinpath("seed")

        def read(name: str) -> dict[str, Any]:
            loaded: dict[str, Any] = json.loads(seed.joinpath(name).read_text(encoding="utf-8"))
            return loaded

        product = read("shopify_rest_product_with_variants.json")["product"]
        levels = read("shopify_rest_inventory_levels.json")["inventory_levels"]
        self.load_seed({"products": [product], "inventory_levels": levels})
        self.load_seed(read("shopify_rest_order_with_line_items.json"))

    def add_location(self, name: str = "Warehouse", *, active: bool = True) -> str:
        """Add a location; returns its GID."""
        with self.lock:
            location = fake_seed.ensure_location(self.data, name=name)
            location.active = active
            return st.gid("Location", location.id)

    def add_products(
        self,
        count: int,
        *,
        variants_per_product: int = 1,
        available: int = 10,
        locations: Sequence[str] | None = None,
        sku_prefix: str = "SKU",
    ) -> list[str]:
        """Add `count` products with `variants_per_product` variants each; returns the products' GIDs."""
        with self.lock:
            where = [st.parse_gid(g, "Location") or 0 for g in locations] if locations is not None else None
            products = fake_seed.add_products(
                self.data,
                count,
                variants_per_product=variants_per_product,
                available=available,
                locations=where,
                sku_prefix=sku_prefix,
            )
            return [st.gid("Product", p.id) for p in products]

    def variant_skus(self, product_gid: str) -> list[str]:
        """The SKUs of a product's variants."""
        with self.lock:
            product = self.data.products[st.parse_gid(product_gid, "Product") or 0]
            return [v.sku or "" for v in self.data.variants_of(product)]

    def location_gids(self) -> list[str]:
        """Every location's GID, by id."""
        with self.lock:
            return [st.gid("Location", number) for number in sorted(self.data.locations)]

    def available(self, sku: str, location_gid: str) -> int | None:
        """The available quantity of `sku` at a location, None when it is not stocked there."""
        with self.lock:
            variant = self.data.variant_by_sku(sku)
            level = (
                self.data.levels.get((variant.inventory_item_id, st.parse_gid(location_gid) or 0)) if variant else None
            )
            return level.quantity("available") if level else None

    def set_available(self, sku: str, location_gid: str, quantity: int) -> None:
        """Change a level as a merchant would in the admin (new updatedAt, webhook)."""
        with self.lock:
            variant = self.data.variant_by_sku(sku)
            if variant is None:
                raise KeyError(sku)
            level = fake_seed.set_level(self.data, variant.inventory_item_id, st.parse_gid(location_gid) or 0, quantity)
            self._emit("inventory_levels/update", level_payload(level))

    def touch_product(self, product_gid: str, **changes: Any) -> None:
        """Edit a product (title, tags, ...) as a merchant would: new updatedAt, `products/update` webhook."""
        with self.lock:
            product = self.data.products[st.parse_gid(product_gid, "Product") or 0]
            for name, value in changes.items():
                setattr(product, name, value)
            product.updated_at = self.data.clock.tick()
            self._emit("products/update", product_payload(self.data, product))

    def fulfill_order(self, order_gid: str, *, number: str, company: str | None = None, url: str | None = None) -> str:
        """Ship every line of an order with one tracking number; returns the fulfillment's GID."""
        with self.lock:
            order = self.data.orders[st.parse_gid(order_gid, "Order") or 0]
            when = self.data.clock.tick()
            fulfillment = st.Fulfillment(
                id=self.data.new_id(),
                order_id=order.id,
                created_at=when,
                updated_at=when,
                tracking=[(number, company, url)],
                line_items=[(li.id, li.quantity) for li in order.line_items],
            )
            order.fulfillments.append(fulfillment)
            order.updated_at = when
            self._emit("fulfillments/create", fulfillment_payload(order, fulfillment))
            return st.gid("Fulfillment", fulfillment.id)

    def orders(self) -> list[st.Order]:
        """Every order, oldest first (a snapshot)."""
        with self.lock:
            return sorted(self.data.orders.values(), key=lambda o: o.id)

    def reject_skus(self, skus: Iterable[str]) -> None:
        """Make inventory writes for these SKUs fail with INVALID_INVENTORY_ITEM."""
        with self.lock:
            for sku in skus:
                variant = self.data.variant_by_sku(sku)
                if variant is not None:
                    self.services.rejected_items.add(variant.inventory_item_id)

    def interfere_with_inventory_writes(self, times: int = 1) -> None:
        """Before each of the next `times` quantity writes, change the target levels as a concurrent sale would."""
        with self.lock:
            self.services.interference += times

    def set_bulk_polls(self, polls: int) -> None:
        """How many status polls a new bulk operation answers RUNNING before it completes."""
        with self.lock:
            self.services.bulk_polls = polls
