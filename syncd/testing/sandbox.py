"""Emulated platforms for the sandbox and the engine's end-to-end tests.

A connector opts in with a module `sandbox.py` beside its connector module that defines `Emulator`, a class
implementing `EmulatedStore` or `EmulatedMarketplace` whose constructor takes keyword `seed: int` and starts the
fake on a free port. The adapter gives the config block that points the connector at its fake, and reads the
fake's own state back, so checks compare what the platform really holds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Protocol, runtime_checkable

from syncd.testing.fakeserver import FakeServer


@dataclass(frozen=True, slots=True)
class SeedVariant:
    """A variant of a seeded product."""

    sku: str
    price: Decimal
    stock: int
    option: str = ""
    weight_grams: int = 250


@dataclass(frozen=True, slots=True)
class SeedProduct:
    """A product the sandbox's merchant sells."""

    title: str
    variants: tuple[SeedVariant, ...]
    product_type: str = "T-Shirts"
    vendor: str = "Syncd Sandbox"
    image_url: str | None = None
    description: str = ""


@dataclass(frozen=True, slots=True)
class SeedOrderLine:
    """A line of a marketplace order: the SKU and how many."""

    sku: str
    quantity: int


@dataclass(frozen=True, slots=True)
class StoreOrder:
    """An order as a store emulator holds it."""

    id: str
    source_order_id: str | None
    status: str
    lines: dict[str, int] = field(default_factory=dict)


@runtime_checkable
class EmulatedPlatform(Protocol):
    """What every emulated platform offers the sandbox."""

    @property
    def server(self) -> FakeServer:
        """The running fake."""
        ...

    def config_block(self) -> dict[str, Any]:
        """The connector's config block (as YAML values) pointing at the running fake."""
        ...

    def stock_by_sku(self) -> dict[str, int]:
        """Sellable or on-hand quantity per SKU, as the platform shows it."""
        ...

    def close(self) -> None:
        """Stop the fake."""
        ...


@runtime_checkable
class EmulatedStore(EmulatedPlatform, Protocol):
    """A store emulator (Shopify, WooCommerce)."""

    def seed_catalog(self, products: Sequence[SeedProduct]) -> None:
        """Create the products with their stock."""
        ...

    def set_stock(self, sku: str, quantity: int) -> None:
        """Change on-hand stock of a SKU, as a sale or a stock take in the store would."""
        ...

    def orders(self) -> list[StoreOrder]:
        """Every order in the store."""
        ...

    def fulfil(self, order_id: str, tracking_number: str, carrier: str) -> None:
        """Ship an order with tracking, as the merchant would in the store's admin."""
        ...


@runtime_checkable
class EmulatedMarketplace(EmulatedPlatform, Protocol):
    """The TikTok Shop emulator."""

    def listings_by_sku(self) -> dict[str, str]:
        """Seller SKU -> the marketplace product id listing it (one per SKU when nothing is duplicated)."""
        ...

    def list_existing(self, products: Sequence[SeedProduct]) -> None:
        """List these products on the marketplace by hand, with the same seller SKUs (syncd must link them)."""
        ...

    def listing_count(self) -> int:
        """How many products are listed (duplicates show as more products than expected)."""
        ...

    def place_order(self, lines: Sequence[SeedOrderLine], *, status: str = "AWAITING_SHIPMENT") -> str:
        """A buyer's order, as if placed on the marketplace; returns its id."""
        ...

    def set_order_status(self, order_id: str, status: str) -> None:
        """Move an order (e.g. to CANCELLED, as a buyer cancellation would)."""
        ...

    def external_references(self) -> dict[str, list[str]]:
        """Marketplace order id -> the store order ids referenced on it."""
        ...

    def tracking(self) -> dict[str, str]:
        """Marketplace order id -> the tracking number it was marked shipped with."""
        ...
