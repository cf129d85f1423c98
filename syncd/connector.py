"""The connector contract: a base class, small capability protocols, pages with checkpoints, write results.

A connector declares what it can do by implementing capabilities; the engine checks them with `isinstance`.
Reads yield `Page`s whose `checkpoint` is an opaque string the engine stores as the stream's cursor only after
the page has been applied, and hands back on the next run. Writes return one `WriteResult` per input record, so
a batch call that half-fails says which half.
"""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from types import TracebackType
from typing import Any, ClassVar, Generic, Protocol, Self, TypeVar, runtime_checkable

from pydantic import BaseModel

from syncd.config.types import Duration, PositiveDuration, Secret
from syncd.config.types import Section as ConnectorConfig
from syncd.domain import (
    Fulfilment,
    Listing,
    Order,
    OrderReference,
    Product,
    Return,
    StockLevel,
    StockUpdate,
    WebhookNotice,
)
from syncd.http.clock import Clock, SystemClock

__all__ = [
    "CAPABILITIES",
    "Account",
    "AccountDirectory",
    "CatalogSink",
    "CatalogSource",
    "Connector",
    "ConnectorConfig",
    "CredentialVault",
    "Duration",
    "FulfilmentSink",
    "FulfilmentSource",
    "InMemoryVault",
    "InteractiveAuth",
    "OrderReferenceSink",
    "OrderSink",
    "OrderSource",
    "Page",
    "PositiveDuration",
    "RejectedRecord",
    "ReturnSource",
    "Secret",
    "StockSink",
    "StockSource",
    "WebhookRegistrar",
    "WebhookSource",
    "WriteResult",
    "WriteStatus",
    "capabilities_of",
]

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One page of records read from a platform, and the checkpoint to resume after it."""

    records: Sequence[T]
    checkpoint: str | None = None
    # Problems with single records on this page (bad payloads); the rest of the page is still usable.
    rejected: Sequence[RejectedRecord] = ()


@dataclass(frozen=True, slots=True)
class RejectedRecord:
    """A record the connector could not parse, with the reason; the engine quarantines it."""

    key: str
    reason: str


class WriteStatus(StrEnum):
    """What happened to one record of a write."""

    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class WriteResult:
    """The outcome of writing one record; `key` is the caller's key for it (SKU, order id)."""

    key: str
    status: WriteStatus
    external_id: str | None = None
    error: str | None = None
    retryable: bool = False
    details: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """True unless the write failed."""
        return self.status is not WriteStatus.FAILED

    @classmethod
    def failed(cls, key: str, error: str, *, retryable: bool = False) -> WriteResult:
        """A failed write of `key`."""
        return cls(key=key, status=WriteStatus.FAILED, error=error, retryable=retryable)


@runtime_checkable
class CredentialVault(Protocol):
    """Where a connector keeps credentials it obtains itself (OAuth tokens), encrypted at rest by the daemon."""

    def load(self) -> dict[str, Any] | None:
        """The values last saved, or None."""
        ...

    def save(self, values: dict[str, Any]) -> None:
        """Replace the saved values."""
        ...


class InMemoryVault:
    """A `CredentialVault` in process memory, for tests and one-off scripts."""

    def __init__(self, values: dict[str, Any] | None = None) -> None:
        self._lock = threading.Lock()
        self._values = dict(values) if values is not None else None

    def load(self) -> dict[str, Any] | None:
        """The values last saved."""
        with self._lock:
            return dict(self._values) if self._values is not None else None

    def save(self, values: dict[str, Any]) -> None:
        """Replace the saved values."""
        with self._lock:
            self._values = dict(values)


@dataclass(frozen=True, slots=True)
class Account:
    """One account (shop) the connector's credentials can reach, for `syncd <platform> shops`."""

    id: str
    name: str
    handle: str
    details: dict[str, str] = field(default_factory=dict)


class Connector(ABC):
    """Base of every connector: a name, a config model, and an HTTP client it owns and closes."""

    name: ClassVar[str]
    config_model: ClassVar[type[BaseModel]]

    def __init__(
        self,
        config: BaseModel,
        *,
        base_url: str | None = None,
        clock: Clock | None = None,
        vault: CredentialVault | None = None,
    ) -> None:
        if not isinstance(config, self.config_model):
            raise TypeError(f"{type(self).__name__} needs a {self.config_model.__name__} config")
        self.config = config
        self.base_url = base_url
        self.vault: CredentialVault = vault if vault is not None else InMemoryVault()
        # Injected so tests and the fakes share one manual clock and nothing sleeps for real.
        self.clock: Clock = clock or SystemClock()

    @abstractmethod
    def check(self) -> None:
        """Make one cheap authenticated call; raise `AuthError` if the credentials are rejected."""

    def close(self) -> None:  # noqa: B027 - optional hook, most connectors close an HTTP client here
        """Release the connector's resources."""

    def api_calls(self) -> int:
        """Requests this connector has sent so far (for run reports); 0 when it does not count them."""
        return 0

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


@runtime_checkable
class InteractiveAuth(Protocol):
    """Connectors whose credentials come from a consent flow (`syncd auth <channel> url|exchange`)."""

    def authorization_url(self, state: str) -> str:
        """The page where the merchant grants access; it redirects back with a code and `state`."""
        ...

    def exchange_code(self, code: str) -> dict[str, str]:
        """Trade the code for tokens, save them to the vault, and describe the grant (no secrets)."""
        ...


@runtime_checkable
class AccountDirectory(Protocol):
    """Connectors whose credentials reach several accounts (TikTok shops)."""

    def accounts(self) -> list[Account]:
        """Every account the credentials can reach."""
        ...


@runtime_checkable
class WebhookSource(Protocol):
    """Connectors whose platform pushes webhooks: verification and parsing of one delivery."""

    def verify_webhook(self, body: bytes, headers: Mapping[str, str]) -> bool:
        """True when the delivery is signed with this connector's secret (constant time; headers lower-case)."""
        ...

    def parse_webhook(self, body: bytes, headers: Mapping[str, str]) -> WebhookNotice:
        """The delivery as a notice; raises ValueError naming what is wrong with a malformed one."""
        ...


@runtime_checkable
class WebhookRegistrar(Protocol):
    """Connectors that can subscribe their platform's webhooks to an address (`syncd webhooks register`)."""

    def register_webhooks(self, address: str) -> list[WriteResult]:
        """Subscribe every topic syncd uses to `address`; one result per topic (UNCHANGED if already there)."""
        ...

    def list_webhooks(self) -> dict[str, str]:
        """The platform's current subscriptions: topic -> address."""
        ...


@runtime_checkable
class CatalogSource(Protocol):
    """Reads products and their variants changed since a checkpoint."""

    def read_products(self, since: str | None) -> Iterator[Page[Product]]:
        """Yield pages of products changed after `since` (all products when None)."""
        ...


@runtime_checkable
class CatalogSink(Protocol):
    """Finds and writes listings."""

    def find_variants_by_sku(self, skus: Sequence[str]) -> dict[str, Product]:
        """Map each SKU that already exists on the channel to the channel's product holding it."""
        ...

    def upsert_listings(self, listings: Sequence[Listing]) -> list[WriteResult]:
        """Create or update each listing; one result per listing, keyed by the source product's external id.

        A created listing's result carries the channel's product id in `external_id` and each SKU's channel id
        in `details` (SKU -> id).
        """
        ...


@runtime_checkable
class StockSource(Protocol):
    """Reads stock levels changed since a checkpoint."""

    def read_stock(self, since: str | None) -> Iterator[Page[StockLevel]]:
        """Yield pages of stock levels changed after `since` (all levels when None)."""
        ...


@runtime_checkable
class StockSink(Protocol):
    """Writes sellable quantities."""

    def write_stock(self, updates: Sequence[StockUpdate]) -> list[WriteResult]:
        """Set each quantity; one result per update, keyed by SKU."""
        ...


@runtime_checkable
class OrderSource(Protocol):
    """Reads orders changed since a checkpoint."""

    def read_orders(self, since: str | None) -> Iterator[Page[Order]]:
        """Yield pages of orders changed after `since`."""
        ...

    def get_orders(self, external_ids: Sequence[str]) -> list[Order]:
        """Fetch these orders by id (missing ids are left out)."""
        ...


@runtime_checkable
class OrderReferenceSink(Protocol):
    """Records on a marketplace which store order fulfils each of its orders."""

    def add_order_references(self, references: Sequence[OrderReference]) -> list[WriteResult]:
        """Attach each reference; one result per reference, keyed by the marketplace order id."""
        ...

    def find_order_by_reference(self, store_platform: str, store_order_id: str) -> str | None:
        """The marketplace order the store order is referenced from, if any."""
        ...


@runtime_checkable
class ReturnSource(Protocol):
    """Reads cancellations, refunds and returns changed since a checkpoint."""

    def read_returns(self, since: str | None) -> Iterator[Page[Return]]:
        """Yield pages of returns and cancellations changed after `since`."""
        ...


@runtime_checkable
class OrderSink(Protocol):
    """Creates and cancels orders in a store, exactly once."""

    def find_order(self, idempotency_key: str, source_order_id: str) -> str | None:
        """Return the store order id already created for this source order, if any."""
        ...

    def create_order(self, order: Order, idempotency_key: str) -> WriteResult:
        """Create the order; the result's `external_id` is the store order id."""
        ...

    def cancel_order(self, store_order_id: str, *, restock: bool) -> WriteResult:
        """Cancel the store order, restocking its items when asked."""
        ...


@runtime_checkable
class FulfilmentSource(Protocol):
    """Reads fulfilments of orders."""

    def read_fulfilments(self, store_order_ids: Sequence[str]) -> list[Fulfilment]:
        """Return the fulfilments of these store orders."""
        ...


@runtime_checkable
class FulfilmentSink(Protocol):
    """Marks orders shipped."""

    def write_fulfilments(self, fulfilments: Sequence[Fulfilment]) -> list[WriteResult]:
        """Record each shipment; one result per fulfilment, keyed by its external id."""
        ...


CAPABILITIES: tuple[type, ...] = (
    CatalogSource,
    CatalogSink,
    StockSource,
    StockSink,
    OrderSource,
    OrderSink,
    OrderReferenceSink,
    FulfilmentSource,
    FulfilmentSink,
    ReturnSource,
    InteractiveAuth,
    AccountDirectory,
    WebhookSource,
    WebhookRegistrar,
)


def capabilities_of(connector: object) -> list[str]:
    """Names of the capabilities `connector` implements."""
    return [cap.__name__ for cap in CAPABILITIES if isinstance(connector, cap)]
