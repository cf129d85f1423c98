"""The WooCommerce emulator as the sandbox and the engine's end-to-end tests use it (`EmulatedStore`).

A seeded product with one variant becomes a simple product, one with several a variable product with a
"Size" attribute and one variation per variant; every item manages its stock. Orders report WooCommerce's
own `status` ("processing", "completed", "cancelled", ...). Product images are served by the emulator from
`wp-content/uploads`, as a WordPress site serves its media, so a seeded product always has one.
"""

from __future__ import annotations

import hashlib
import random
import re
import struct
import zlib
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from connectors.woocommerce.config import WooCommerceConfig
from connectors.woocommerce.fake import FakeWooCommerce
from connectors.woocommerce.fake_auth import ApiKey
from connectors.woocommerce.fake_shapes import product_doc, variation_doc
from syncd.testing import RateLimit, Request, Response, route
from syncd.testing.sandbox import SeedProduct, SeedVariant, StoreOrder

UPLOADS_PATH = "/wp-content/uploads"
# The client may send 50 calls a second in bursts of 50; the fake (the host in front of the store) allows
# twice that, so two connectors sharing the store stay under it too.
CLIENT_RATE = 50
FAKE_LIMIT = RateLimit(capacity=2 * CLIENT_RATE, per_second=2 * CLIENT_RATE)
# Where the connector looks for the TikTok order id and for tracking: its own defaults.
ORDER_META_KEY: str = WooCommerceConfig.model_fields["order_meta_key"].default
TRACKING_META_KEY: str = WooCommerceConfig.model_fields["tracking_meta_key"].default


def placeholder_png() -> bytes:
    """A valid 1x1 RGB PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\x7f\x54\xb3")
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


class SandboxWooCommerce(FakeWooCommerce):
    """FakeWooCommerce that also serves uploaded media, as the WordPress site would."""

    @route("GET", UPLOADS_PATH + "/{name}", auth=False)
    def upload(self, request: Request) -> Response:
        """The placeholder image, whatever the file name."""
        return Response(200, placeholder_png(), {"Content-Type": "image/png"})


class Emulator:
    """A running WooCommerce emulator and what the sandbox reads back from it."""

    def __init__(self, *, seed: int = 0) -> None:
        rng = random.Random(f"woocommerce-sandbox:{seed}")  # noqa: S311 - a reproducible sandbox credential
        key = ApiKey(f"ck_{rng.getrandbits(160):040x}", f"cs_{rng.getrandbits(160):040x}")
        self.server = SandboxWooCommerce(keys=[key], currency="USD", rate_limit=FAKE_LIMIT, seed=seed)
        self.server.start()
        self._categories: dict[str, int] = {}

    def close(self) -> None:
        """Stop the fake."""
        self.server.stop()

    def config_block(self) -> dict[str, Any]:
        """The `woocommerce:` block for the fake store (secrets inline: sandbox only)."""
        return {
            "url": self.server.base_url,
            "consumer_key": self.server.key.consumer_key,
            "consumer_secret": self.server.key.consumer_secret,
            "currency": "USD",
            "timeout": "5s",
            "requests_per_second": CLIENT_RATE,
            "burst": CLIENT_RATE,
            "page_size": 50,
        }

    # -- seeding and merchant actions --------------------------------------------------------------------

    def seed_catalog(self, products: Sequence[SeedProduct]) -> None:
        """Create the products (simple, or variable with variations) with their stock, as one import."""
        server = self.server
        with server.lock:
            # One timestamp for the whole import, as a CSV import saves everything within the same second.
            stamp = server.stamps.next()
            for product in products:
                self._insert(product, stamp)

    def _insert(self, product: SeedProduct, stamp: datetime) -> None:
        catalog = self.server.catalog
        product_id = catalog.ids.next()
        single = len(product.variants) == 1
        first = product.variants[0]
        if single:
            doc = product_doc(product_id, product.title, "simple", first.sku, str(first.price), first.stock)
            doc["weight"] = _kilograms(first)
        else:
            lowest = str(min(v.price for v in product.variants))
            doc = product_doc(product_id, product.title, "variable", "", lowest, None)
            sizes = [v.option or v.sku for v in product.variants]
            doc["attributes"] = [
                {"id": 0, "name": "Size", "position": 0, "visible": True, "variation": True, "options": sizes}
            ]
        image = product.image_url or f"{self.server.base_url}{UPLOADS_PATH}/sandbox-{product_id}.png"
        doc.update(
            description=product.description,
            categories=[self._category(product.product_type)],
            images=[{"id": catalog.ids.next(), "src": image, "name": "", "alt": product.title}],
        )
        catalog.insert_product(doc, stamp, stamp)
        if single:
            return
        for variant in product.variants:
            size = {"Size": variant.option or variant.sku}
            variation = variation_doc(
                catalog.ids.next(), product_id, variant.sku, str(variant.price), variant.stock, size
            )
            variation["weight"] = _kilograms(variant)
            catalog.insert_variation(variation, stamp, stamp)

    def _category(self, name: str) -> dict[str, Any]:
        # WordPress term ids are their own sequence; 15 is "Uncategorized" on a fresh site.
        term_id = self._categories.setdefault(name, 16 + len(self._categories))
        return {"id": term_id, "name": name, "slug": re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")}

    def set_stock(self, sku: str, quantity: int) -> None:
        """Set a SKU's stock quantity as a save in the admin would (dates move, webhooks fire)."""
        self.server.set_stock(sku, quantity)

    def fulfil(self, order_id: str, tracking_number: str, carrier: str) -> None:
        """Add a tracking entry and complete the order, as the Shipment Tracking extension does from the admin.

        The carrier is saved as a custom provider, so the connector reports it exactly as given here.
        """
        with self.server.lock:
            number = int(order_id)
            meta = self.server.order(number)["meta_data"]
            existing = next((m["value"] for m in meta if m["key"] == TRACKING_META_KEY), None)
            items = list(existing) if isinstance(existing, list) else []
            items.append(
                {
                    "tracking_provider": "",
                    "custom_tracking_provider": carrier,
                    "custom_tracking_link": "",
                    "tracking_number": tracking_number,
                    "date_shipped": str(int(self.server.stamps.now().timestamp())),
                    "tracking_id": hashlib.md5(f"{order_id}:{tracking_number}".encode()).hexdigest(),  # noqa: S324
                }
            )
            changes = {"meta_data": [{"key": TRACKING_META_KEY, "value": items}], "status": "completed"}
            self.server.edit_order(number, changes)

    # -- reading back ------------------------------------------------------------------------------------

    def stock_by_sku(self) -> dict[str, int]:
        """Stock quantity per SKU of every item that manages stock (a variation on its parent's: the parent's)."""
        with self.server.lock:
            catalog = self.server.catalog
            stock: dict[str, int] = {}
            for item_id in sorted([*catalog.products, *catalog.variations]):
                doc = catalog.get(item_id)
                holder = catalog.stock_holder(item_id)
                if doc is None or holder is None or not doc["sku"] or doc.get("status") == "trash":
                    continue
                stock.setdefault(doc["sku"], holder["stock_quantity"] or 0)
            return stock

    def orders(self) -> list[StoreOrder]:
        """Every order, oldest first; ids are the store's numeric ids, as the connector reports them."""
        with self.server.lock:
            return [_store_order(self.server.order(order_id)) for order_id in self.server.order_ids()]


def _kilograms(variant: SeedVariant) -> str:
    # The connector's default weight unit is kg, as is WooCommerce's.
    return format(Decimal(variant.weight_grams) / 1000, "f")


def _store_order(doc: dict[str, Any]) -> StoreOrder:
    source = next((m["value"] for m in doc["meta_data"] if m["key"] == ORDER_META_KEY), None)
    lines: dict[str, int] = {}
    for item in doc["line_items"]:
        key = item.get("sku") or item["name"]
        lines[key] = lines.get(key, 0) + int(item["quantity"])
    return StoreOrder(
        id=str(doc["id"]),
        source_order_id=str(source) if source not in (None, "") else None,
        status=doc["status"],
        lines=lines,
    )
