"""The TikTok Shop emulator as the sandbox and the engine's end-to-end tests use it (`EmulatedMarketplace`).

The shop starts with no products: TikTok is a sales channel, and the engine lists the store's catalog on it.
`list_existing` puts listings there first, for the path where the engine links a listing by seller SKU. The
fake runs on real time (signatures and update times) with a rate limit loose enough for the sandbox's client.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from connectors.tiktok_shop.fake import FakeTikTokShop
from connectors.tiktok_shop.fake.state import Order, Product, Sku
from syncd.testing import RateLimit
from syncd.testing.sandbox import SeedOrderLine, SeedProduct

# The client may send 50 calls a second in bursts of 50; the fake allows twice that, so two connectors
# sharing the shop (a job and a webhook-triggered run) stay under it too.
CLIENT_RATE = 50
FAKE_LIMIT = RateLimit(capacity=2 * CLIENT_RATE, per_second=2 * CLIENT_RATE)
# Statuses whose packages carry the tracking number the seller shipped with.
_UNSHIPPED_PACKAGES = frozenset({"TO_FULFILL", "CANCELLED"})


class Emulator:
    """A running `FakeTikTokShop` and what the sandbox reads back from it."""

    def __init__(self, *, seed: int = 0) -> None:
        self.server = FakeTikTokShop(rate_limit=FAKE_LIMIT, seed=seed)
        self.server.start()

    def close(self) -> None:
        """Stop the fake."""
        self.server.stop()

    def config_block(self) -> dict[str, Any]:
        """The `tiktok:` block for the fake's app, shop and current grant (secrets inline: sandbox only)."""
        server = self.server
        return {
            "app_key": server.app_key,
            "app_secret": server.app_secret,
            "shop_cipher": server.shop["cipher"],
            "access_token": server.access_token,
            "refresh_token": server.refresh_token,
            "api_base_url": server.base_url,
            "auth_base_url": server.base_url,
            "timeout": "5s",
            "requests_per_second": CLIENT_RATE,
            "burst": CLIENT_RATE,
        }

    # -- seeding -----------------------------------------------------------------------------------------

    def list_existing(self, products: Sequence[SeedProduct]) -> None:
        """List these products on TikTok by hand, with the same seller SKUs, prices and stock (syncd must link them)."""
        with self.server.lock:
            for product in products:
                skus = [{"seller_sku": v.sku, "price": str(v.price), "quantity": v.stock} for v in product.variants]
                self.server.add_product(title=product.title, skus=skus)

    def place_order(self, lines: Sequence[SeedOrderLine], *, status: str = "AWAITING_SHIPMENT") -> str:
        """A buyer's order of listed seller SKUs at their listed prices; returns its id.

        Raises LookupError naming the SKUs that are not listed on TikTok (an order can only be for a listing).
        """
        with self.server.lock:
            skus = self._listed_skus()
            missing = sorted({line.sku for line in lines if line.sku not in skus})
            if missing:
                raise LookupError(f"not listed on TikTok Shop, so it cannot be ordered: {', '.join(missing)}")
            order = self.server.add_order([(skus[line.sku], line.quantity) for line in lines], status=status)
            self._announce(order)
            return order.id

    def _announce(self, order: Order) -> None:
        # A new order fires ORDER_STATUS_CHANGE on the platform; the fake's seeding helper sends nothing.
        self.server.emit(
            "ORDER_STATUS_CHANGE",
            {
                "order_id": order.id,
                "order_status": "CANCEL" if order.status == "CANCELLED" else order.status,
                "is_on_hold_order": order.is_on_hold_order,
                "update_time": order.update_time,
            },
        )

    def set_order_status(self, order_id: str, status: str) -> None:
        """Move an order (e.g. to CANCELLED, as a buyer cancellation would); sends the status webhook."""
        self.server.set_order_status(order_id, status)

    # -- reading back ------------------------------------------------------------------------------------

    def stock_by_sku(self) -> dict[str, int]:
        """Available quantity per seller SKU, summed over warehouses, on the oldest listing of each SKU."""
        with self.server.lock:
            return {seller_sku: sum(sku.inventory.values()) for seller_sku, sku in self._listed_skus().items()}

    def listings_by_sku(self) -> dict[str, str]:
        """Seller SKU -> the id of the oldest live product listing it."""
        with self.server.lock:
            return {seller_sku: sku.product_id for seller_sku, sku in self._listed_skus().items()}

    def listing_count(self) -> int:
        """Products on the shop that are not deleted (duplicates count twice)."""
        with self.server.lock:
            return len(self._live_products())

    def external_references(self) -> dict[str, list[str]]:
        """TikTok order id -> the store order ids referenced on it, for orders that have any."""
        with self.server.lock:
            return {
                order.id: [reference["id"] for reference in order.external_orders.values()]
                for order in self.server.orders.values()
                if order.external_orders
            }

    def tracking(self) -> dict[str, str]:
        """TikTok order id -> the tracking number of its shipped package(s), comma-joined when several."""
        with self.server.lock:
            numbers: dict[str, list[str]] = {}
            for package in sorted(self.server.packages.values(), key=lambda p: int(p.id)):
                if package.status in _UNSHIPPED_PACKAGES or not package.tracking_number:
                    continue
                for order_id in package.order_ids:
                    found = numbers.setdefault(order_id, [])
                    if package.tracking_number not in found:
                        found.append(package.tracking_number)
            return {order_id: ",".join(found) for order_id, found in numbers.items()}

    def _live_products(self) -> list[Product]:
        products = (p for p in self.server.products.values() if p.status != "DELETED")
        return sorted(products, key=lambda p: int(p.id))

    def _listed_skus(self) -> dict[str, Sku]:
        # The oldest product wins a duplicated seller SKU; `listing_count` is what exposes duplicates.
        found: dict[str, Sku] = {}
        for product in self._live_products():
            for sku in product.skus:
                found.setdefault(sku.seller_sku, sku)
        return found
