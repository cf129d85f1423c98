"""The Shopify emulator as the sandbox and the engine's end-to-end tests use it (`EmulatedStore`).

The shop keeps its stock at one location. Orders report `status` as "open", "partially_fulfilled",
"fulfilled" or "cancelled". Product images are served by the emulator itself, as Shopify's CDN serves a
shop's files, so a seeded product without an image URL still has one that TikTok listings can use.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Sequence
from typing import Any

from connectors.shopify import fake_state as st
from connectors.shopify.fake import DEFAULT_TOKEN, FakeShopify
from connectors.shopify.mapping import ORDER_TAG_PREFIX
from syncd.testing import Request, Response, route
from syncd.testing.sandbox import SeedProduct, StoreOrder

IMAGE_PATH = "/s/files/1/products"


def placeholder_png() -> bytes:
    """A valid 1x1 RGB PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\x96\x7b\xb6")
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


class SandboxShopify(FakeShopify):
    """FakeShopify that also serves product image files, as the shop's CDN would."""

    @route("GET", IMAGE_PATH + "/{name}", auth=False)
    def product_image(self, request: Request) -> Response:
        """The placeholder image, whatever the file name."""
        return Response(200, placeholder_png(), {"Content-Type": "image/png"})


class Emulator:
    """A running Shopify emulator and what the sandbox reads back from it."""

    def __init__(self, *, seed: int = 0) -> None:
        self.server = SandboxShopify(tokens=[DEFAULT_TOKEN], seed=seed)
        self.server.start()

    def close(self) -> None:
        """Stop the fake."""
        self.server.stop()

    def config_block(self) -> dict[str, Any]:
        """The `shopify:` block for the fake shop (secrets inline: sandbox only)."""
        return {
            "shop_domain": self.server.shop_domain,
            "access_token": DEFAULT_TOKEN,
            "webhook_secret": self.server.api_secret,
            "base_url": self.server.base_url,
            "timeout": "5s",
            "page_size": 10,
            "variants_page_size": 10,
            "stock_page_size": 50,
        }

    # -- seeding and merchant actions --------------------------------------------------------------------

    def seed_catalog(self, products: Sequence[SeedProduct]) -> None:
        """Create the products, their variants and their stock at the shop's one location."""
        with self.server.lock:
            first = len(self.server.data.products)
            self.server.load_seed({"products": [self._rest_product(p, first + n) for n, p in enumerate(products)]})

    def _rest_product(self, product: SeedProduct, number: int) -> dict[str, Any]:
        optioned = any(v.option for v in product.variants)
        image = product.image_url or f"{self.server.base_url}{IMAGE_PATH}/sandbox-{number + 1}.png"
        return {
            "title": product.title,
            "body_html": product.description,
            "vendor": product.vendor,
            "product_type": product.product_type,
            "status": "active",
            "options": [{"name": "Size" if optioned else "Title"}],
            "images": [{"src": image}],
            "variants": [
                {
                    "sku": variant.sku,
                    "title": variant.option or "Default Title",
                    "option1": variant.option or "Default Title",
                    "price": str(variant.price),
                    "grams": variant.weight_grams,
                    "inventory_management": "shopify",
                    "inventory_quantity": variant.stock,
                }
                for variant in product.variants
            ],
        }

    def set_stock(self, sku: str, quantity: int) -> None:
        """Set the available quantity at the SKU's location, as a stock take in the admin would."""
        with self.server.lock:
            data = self.server.data
            variant = data.variant_by_sku(sku)
            if variant is None:
                raise KeyError(f"no variant with SKU {sku!r} in the shop")
            levels = data.levels_of_item(variant.inventory_item_id)
            location = levels[0].location_id if levels else min(data.locations)
            self.server.set_available(sku, st.gid("Location", location), quantity)

    def fulfil(self, order_id: str, tracking_number: str, carrier: str) -> None:
        """Ship every line of the order with one tracking number and carrier, as the merchant does in the admin."""
        self.server.fulfill_order(order_id, number=tracking_number, company=carrier)

    # -- reading back ------------------------------------------------------------------------------------

    def stock_by_sku(self) -> dict[str, int]:
        """Available quantity per SKU, summed over locations."""
        with self.server.lock:
            data = self.server.data
            stock: dict[str, int] = {}
            for variant in sorted(data.variants.values(), key=lambda v: v.id):
                if variant.sku and variant.sku not in stock:
                    levels = data.levels_of_item(variant.inventory_item_id)
                    stock[variant.sku] = sum(level.quantity("available") for level in levels)
            return stock

    def orders(self) -> list[StoreOrder]:
        """Every order, oldest first; ids are GIDs, as the connector reports them."""
        with self.server.lock:
            return [
                StoreOrder(
                    id=st.gid("Order", order.id),
                    source_order_id=_source_order_id(order),
                    status=_status(order),
                    lines=_lines(order),
                )
                for order in self.server.orders()
            ]


def _source_order_id(order: st.Order) -> str | None:
    # The connector puts the TikTok order id in `sourceIdentifier` and in a tag; either identifies it.
    if order.source_identifier:
        return order.source_identifier
    tagged = (tag for tag in order.tags if tag.lower().startswith(ORDER_TAG_PREFIX.lower()))
    return next((tag[len(ORDER_TAG_PREFIX) :] for tag in tagged), None)


def _lines(order: st.Order) -> dict[str, int]:
    lines: dict[str, int] = {}
    for line in order.line_items:
        key = line.sku or line.title
        lines[key] = lines.get(key, 0) + line.quantity
    return lines


def _status(order: st.Order) -> str:
    if order.cancelled_at is not None:
        return "cancelled"
    ordered = sum(line.quantity for line in order.line_items)
    shipped = sum(quantity for f in order.fulfillments if f.status == "SUCCESS" for _, quantity in f.line_items)
    if ordered and shipped >= ordered:
        return "fulfilled"
    return "partially_fulfilled" if shipped else "open"
