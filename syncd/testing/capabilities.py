"""What the conformance suite knows about each capability: which method reads or writes, and how records are keyed.

Kept as data so a new capability is one row here, not a new family of suite tests.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, SecretStr

from syncd.connector import (
    CatalogSink,
    CatalogSource,
    FulfilmentSink,
    OrderReferenceSink,
    OrderSource,
    Page,
    ReturnSource,
    StockSink,
    StockSource,
    WriteResult,
)
from syncd.domain import Fulfilment, Listing, Order, OrderReference, Product, Return, StockLevel, StockUpdate


def stock_key(sku: str, location_id: str) -> str:
    """The key the suite gives a stock level: `<sku>@<location_id>`."""
    return f"{sku}@{location_id}"


@dataclass(frozen=True, slots=True)
class ReadStream:
    """A paged read capability: `method(since)` yields `Page`s of `model` records; `key` names one record."""

    capability: type
    method: str
    model: type
    key: Callable[[Any], str]

    @property
    def name(self) -> str:
        """The capability's name (the test id)."""
        return self.capability.__name__

    def read(self, connector: object, since: str | None) -> Iterator[Page[Any]]:
        """Call the read method on `connector`."""
        pages: Iterator[Page[Any]] = getattr(connector, self.method)(since)
        return pages


@dataclass(frozen=True, slots=True)
class WriteTarget:
    """A batch write capability: `method(records)` returns one `WriteResult` per record, keyed by `key`."""

    capability: type
    method: str
    key: Callable[[Any], str]

    @property
    def name(self) -> str:
        """The capability's name (the test id)."""
        return self.capability.__name__

    def write(self, connector: object, records: Sequence[Any]) -> list[WriteResult]:
        """Call the write method on `connector`."""
        results: list[WriteResult] = getattr(connector, self.method)(records)
        return results


def _product_key(product: Product) -> str:
    return product.external_id


def _listing_key(listing: Listing) -> str:
    return listing.product.external_id


def _return_key(record: Return) -> str:
    return record.external_id


def _reference_key(reference: OrderReference) -> str:
    return reference.order_external_id


def _level_key(level: StockLevel) -> str:
    return stock_key(level.sku, level.location_id)


def _order_key(order: Order) -> str:
    return order.external_id


def _update_key(update: StockUpdate) -> str:
    return update.sku


def _fulfilment_key(fulfilment: Fulfilment) -> str:
    return fulfilment.external_id


READ_STREAMS: tuple[ReadStream, ...] = (
    ReadStream(CatalogSource, "read_products", Product, _product_key),
    ReadStream(StockSource, "read_stock", StockLevel, _level_key),
    ReadStream(OrderSource, "read_orders", Order, _order_key),
    ReadStream(ReturnSource, "read_returns", Return, _return_key),
)

# Keys as `syncd.connector` documents them: products by external id, stock updates by SKU.
WRITE_TARGETS: tuple[WriteTarget, ...] = (
    WriteTarget(CatalogSink, "upsert_listings", _listing_key),
    WriteTarget(OrderReferenceSink, "add_order_references", _reference_key),
    WriteTarget(StockSink, "write_stock", _update_key),
    WriteTarget(FulfilmentSink, "write_fulfilments", _fulfilment_key),
)


def implemented(connector_class: type, rows: Sequence[Any]) -> list[Any]:
    """The rows whose capability `connector_class` implements (method-only protocols allow issubclass)."""
    return [row for row in rows if issubclass(connector_class, row.capability)]


def secret_values(value: object) -> list[str]:
    """Every non-empty `SecretStr` value in a config model, however deeply nested."""
    found: list[str] = []
    if isinstance(value, SecretStr):
        raw = value.get_secret_value()
        if raw:
            found.append(raw)
    elif isinstance(value, BaseModel):
        for name in type(value).model_fields:
            found.extend(secret_values(getattr(value, name)))
    elif isinstance(value, dict):
        for item in value.values():
            found.extend(secret_values(item))
    elif isinstance(value, list | tuple | set | frozenset):
        for item in value:
            found.extend(secret_values(item))
    return found
