"""Helpers shared by the TikTok Shop connector tests (this module holds no tests).

The connector talks real HTTP to `FakeTikTokShop`; source images for listings come from `ImageHost`, a tiny
server standing in for a store's CDN. Both run on 127.0.0.1 and read time from the test's ManualClock.
"""

from __future__ import annotations

import struct
import threading
import zlib
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from pydantic import SecretStr

from connectors.tiktok_shop.config import TikTokShopConfig
from connectors.tiktok_shop.connector import TikTokShopConnector
from connectors.tiktok_shop.fake import FakeTikTokShop
from syncd.domain import Listing, ListingSpec, Money, Product, Variant
from syncd.http import ManualClock
from syncd.testing import FakeServer, Request, Response, route

CATEGORY_TSHIRTS = "601302"  # a leaf category of the emulator's catalog (seed/catalog.json)
BRAND_NORTHWIND = "7082427311584347905"
ATTRIBUTE_MATERIAL = "100198"  # "Material" of category 601302; value 1000041 is "Cotton"
DEFAULT_WAREHOUSE = "7068517275539719942"
OVERFLOW_WAREHOUSE = "7068517275539719943"
PROVIDER_USPS = "6617675021119438849"
WRONG_SECRET = "not-the-app-secret-0000000000000000000000"
WRONG_TOKEN = "ROW_not-a-token-issued-by-the-emulator-000"


def png(width: int = 1, height: int = 1) -> bytes:
    """A valid, tiny RGB PNG image."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + b"\xcc\x33\x33" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


class ImageHost(FakeServer):
    """A store's image CDN: serves a PNG for every `/img/<name>`, answers 404 for the names in `missing`."""

    def __init__(self) -> None:
        super().__init__(rate_limit=None)
        self.missing: set[str] = set()
        self.served = 0
        self._count_lock = threading.Lock()

    @route("GET", "/img/{name}", auth=False)
    def image(self, request: Request) -> Response:
        name = request.path_params["name"]
        if name in self.missing:
            return Response.text("not found", status=404)
        with self._count_lock:
            self.served += 1
        return Response(200, png(), {"Content-Type": "image/png"})


def make_config(fake: FakeTikTokShop, *, valid: bool = True, **overrides: Any) -> TikTokShopConfig:
    """A config for the emulator's app and shop; wrong secret and token when `valid` is False."""
    values: dict[str, Any] = {
        "app_key": fake.app_key,
        "app_secret": SecretStr(fake.app_secret if valid else WRONG_SECRET),
        "shop_cipher": fake.shop["cipher"],
        "access_token": SecretStr(fake.access_token if valid else WRONG_TOKEN),
        "refresh_token": SecretStr(fake.refresh_token if valid else WRONG_TOKEN),
        "api_base_url": fake.base_url,
        "auth_base_url": fake.base_url,
        "timeout": timedelta(seconds=2),
        "requests_per_second": 20.0,
        "burst": 20,
        "max_attempts": 4,
        "retry_budget": timedelta(seconds=60),
        "page_size": 10,
    }
    values.update(overrides)
    return TikTokShopConfig(**values)


def make_connector(fake: FakeTikTokShop, clock: ManualClock, **overrides: Any) -> TikTokShopConnector:
    """A connector on the emulator sharing the test's clock."""
    return TikTokShopConnector(make_config(fake, **overrides), clock=clock)


def start_fake(clock: ManualClock, **kwargs: Any) -> FakeTikTokShop:
    """A started emulator on `clock` (wall time for signatures and records, monotonic for its rate limit)."""
    fake = FakeTikTokShop(now=lambda: clock.now().timestamp(), clock=clock.monotonic, **kwargs)
    return fake.start()


def source_product(
    key: str,
    image_urls: Sequence[str],
    *,
    skus: Sequence[tuple[str, str, dict[str, str]]] = (),
    title: str | None = None,
) -> Product:
    """A store product to list: `skus` are (sku, price, options); one plain SKU `<key>-1` by default."""
    rows = list(skus) or [(f"{key}-1", "24.00", {})]
    return Product(
        external_id=key,
        title=title or f"Organic Cotton Tee {key}",
        description_html="<p>Heavyweight organic cotton.</p>",
        image_urls=tuple(image_urls),
        variants=tuple(
            Variant(
                external_id=f"{key}-v{index}",
                sku=sku,
                price=Money(amount=Decimal(price), currency="USD"),
                options=options,
            )
            for index, (sku, price, options) in enumerate(rows)
        ),
        updated_at=datetime(2025, 1, 1, tzinfo=UTC),
    )


def new_listing(product: Product, quantities: dict[str, int] | None = None) -> Listing:
    """A listing to create in the T-shirts category with a brand, a material and a 450 g parcel."""
    spec = ListingSpec(
        category_id=CATEGORY_TSHIRTS,
        brand_id=BRAND_NORTHWIND,
        attributes={ATTRIBUTE_MATERIAL: "1000041"},
        package_weight_grams=450,
    )
    return Listing(product=product, spec=spec, quantities=quantities or {v.sku: 5 for v in product.variants})
