"""A seeded merchant on emulated platforms, and the config.yaml that points syncd at them."""

from __future__ import annotations

import importlib
import random
import socket
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from syncd.config import TIKTOK_CONNECTOR
from syncd.registry import ConnectorRegistry
from syncd.testing.sandbox import EmulatedMarketplace, EmulatedStore, SeedProduct, SeedVariant

CATEGORY_ID = "601302"  # T-shirts, a leaf category in the emulator


def emulator_class(platform: str, registry: ConnectorRegistry | None = None) -> type[Any]:
    """The `Emulator` adapter shipped beside the connector registered as `platform`."""
    connector = (registry or ConnectorRegistry()).get(platform)
    package = connector.__module__.rsplit(".", 1)[0]
    try:
        module = importlib.import_module(f"{package}.sandbox")
    except ModuleNotFoundError as exc:
        raise LookupError(f"connector {platform!r} ships no emulator ({package}.sandbox)") from exc
    emulator: type[Any] = module.Emulator
    return emulator


def seed_products(count: int, variants: int = 3, *, stock: int = 20, seed: int = 1) -> list[SeedProduct]:
    """A deterministic catalog: `count` products with `variants` sizes each, SKUs `SBX-<n>-<size>`."""
    rng = random.Random(seed)  # noqa: S311 - sample data, reproducible by seed
    sizes = ["S", "M", "L", "XL", "XXL", "3XL"]
    products = []
    for number in range(1, count + 1):
        price = Decimal(rng.randrange(900, 4900)) / 100
        products.append(
            SeedProduct(
                title=f"Sandbox Tee {number}",
                description=f"<p>Soft cotton tee number {number}.</p>",
                variants=tuple(
                    SeedVariant(
                        sku=f"SBX-{number:05d}-{sizes[i % len(sizes)]}{'' if i < len(sizes) else i}",
                        price=price,
                        stock=stock + rng.randrange(0, 10),
                        option=sizes[i % len(sizes)],
                    )
                    for i in range(variants)
                ),
            )
        )
    return products


@dataclass
class Merchant:
    """The emulators of one merchant: TikTok Shop and one or more stores, the first the store of record."""

    tiktok: EmulatedMarketplace
    stores: dict[str, EmulatedStore]
    catalog_store: str
    products: list[SeedProduct] = field(default_factory=list)

    def config(
        self,
        database_url: str,
        *,
        webhooks: bool = False,
        schedules: dict[str, dict[str, object]] | None = None,
        **sync: Any,
    ) -> dict[str, Any]:
        """A complete config.yaml (as a mapping) for this merchant; secrets inline (sandbox only).

        With `webhooks`, `http.public_url` is the loopback address syncd serves on, so the emulators (on the same
        machine) can deliver to it; `schedules` replaces the default job schedules.
        """
        stores = [
            {
                "name": name,
                "platform": platform_of(store),
                "catalog_source": name == self.catalog_store,
                platform_of(store): store.config_block(),
            }
            for name, store in self.stores.items()
        ]
        rules: dict[str, Any] = {
            "catalog": {
                "categories": [{"match": {"product_type": "T-Shirts"}, "category_id": CATEGORY_ID}],
                "default_package_weight_grams": 250,
            },
            "orders": {"on_hold_window": "0s"},
            "fulfilment": {"carriers": {"UPS": "6617675021119438850", "USPS": "6617675021119438849"}},
        }
        for section, values in sync.items():
            rules.setdefault(section, {}).update(values)
        port = free_port()
        config: dict[str, Any] = {
            "database": {"url": database_url, "require_encryption": False},
            # Loopback only, on a port free now: the sandbox must never listen on every interface.
            "http": {"host": "127.0.0.1", "port": port, "public_url": f"http://127.0.0.1:{port}" if webhooks else None},
            "tiktok": self.tiktok.config_block(),
            "stores": stores,
            "sync": rules,
            "logging": {"level": "INFO", "format": "text"},
        }
        if schedules is not None:
            config["schedules"] = schedules
        return config

    def write_config(
        self,
        path: Path,
        database_url: str,
        *,
        webhooks: bool = False,
        schedules: dict[str, dict[str, object]] | None = None,
        **sync: Any,
    ) -> Path:
        """Write the config (see `config`) to `path` and return it."""
        config = self.config(database_url, webhooks=webhooks, schedules=schedules, **sync)
        path.write_text(yaml.safe_dump(config, sort_keys=False))
        return path

    def close(self) -> None:
        """Stop every emulator."""
        self.tiktok.close()
        for store in self.stores.values():
            store.close()

    def __enter__(self) -> Merchant:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def platform_of(store: EmulatedStore) -> str:
    """The connector name of a store emulator (its adapter's module names the package)."""
    return type(store).__module__.split(".")[-2]


def start_merchant(
    stores: Sequence[tuple[str, str]] = (("main", "shopify"),),
    *,
    products: int = 20,
    variants: int = 3,
    stock: int = 20,
    seed: int = 1,
    registry: ConnectorRegistry | None = None,
) -> Merchant:
    """Start TikTok Shop and the stores (name, platform), the first the store of record, seeded with products."""
    registry = registry or ConnectorRegistry()
    catalog = seed_products(products, variants, stock=stock, seed=seed)
    started: list[Any] = []
    try:
        tiktok = emulator_class(TIKTOK_CONNECTOR, registry)(seed=seed)
        started.append(tiktok)
        store_emulators: dict[str, EmulatedStore] = {}
        for name, platform in stores:
            store = emulator_class(platform, registry)(seed=seed)
            started.append(store)
            store_emulators[name] = store
    except BaseException:
        for emulator in started:
            emulator.close()
        raise
    record = stores[0][0]
    store_emulators[record].seed_catalog(catalog)
    # The other stores sell the same SKUs (same catalog, same physical stock).
    for name, store in store_emulators.items():
        if name != record:
            store.seed_catalog(catalog)
    return Merchant(tiktok=tiktok, stores=store_emulators, catalog_store=record, products=catalog)
