"""AcmeConnector: a tiny but complete connector, the example of how one is built on `syncd.http`.

It reads products and stock levels (cursor-paged, checkpointed by Acme's change number `seq`) and writes
stock in batches of 50 with a result per item. Everything HTTP comes from the toolkit: `build_client`
(timeouts, redacted logs, the limiter), `retrying_sender` (Retry-After, backoff, auth errors), a
`JSONCursorPaginator`, and a `TokenBucket` set to Acme's published limit.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterator, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any, TypeVar

import httpx
from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError

from syncd.connector import Connector, Page, RejectedRecord, WriteResult, WriteStatus
from syncd.domain import Money, Product, ProductStatus, StockLevel, StockUpdate, Variant
from syncd.errors import TransientApiError
from syncd.http import (
    Action,
    BodyRule,
    Clock,
    JSONCursorPaginator,
    Limiter,
    ResponseClassifier,
    RetryPolicy,
    TokenBucket,
    build_client,
    is_malformed_json,
    paginate,
    retrying_sender,
)

T = TypeVar("T")
BATCH_SIZE = 50


class AcmeConfig(BaseModel):
    """One Acme shop: its API token and how hard to push the API."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    api_token: SecretStr
    base_url: str = "https://api.acme.example"
    page_size: int = Field(default=50, ge=1, le=100)
    timeout_seconds: float = Field(default=30.0, gt=0)
    max_attempts: int = Field(default=5, ge=1)
    # Acme's published limit: bursts of 5, refilled at 2 per second.
    requests_per_second: float = Field(default=2.0, gt=0)
    burst: int = Field(default=5, ge=1)


class BearerAuth(httpx.Auth):
    """Sends the token as `Authorization: Bearer`; runs on every attempt, like any `httpx.Auth`."""

    def __init__(self, token: SecretStr) -> None:
        self._token = token

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = f"Bearer {self._token.get_secret_value()}"
        yield request


def product_to_domain(raw: dict[str, Any]) -> Product:
    """Map an Acme product payload to a domain `Product`."""
    variants = tuple(
        Variant(
            external_id=v["id"],
            sku=v["sku"],
            price=Money(amount=Decimal(v["price"]["amount"]), currency=v["price"]["currency"]),
        )
        for v in raw["variants"]
    )
    return Product(
        external_id=raw["id"],
        title=raw["name"],
        status=ProductStatus(raw["state"]),
        variants=variants,
        updated_at=datetime.fromisoformat(raw["modified"]),
    )


def level_to_domain(raw: dict[str, Any]) -> StockLevel:
    """Map an Acme stock payload to a domain `StockLevel`."""
    return StockLevel(
        sku=raw["sku"],
        location_id=raw["location"],
        on_hand=raw["available"],
        updated_at=datetime.fromisoformat(raw["modified"]),
    )


class AcmeConnector(Connector):
    """Catalog and stock source, stock sink, for one Acme shop."""

    name = "acme"
    config_model = AcmeConfig

    def __init__(self, config: BaseModel, *, base_url: str | None = None, clock: Clock | None = None) -> None:
        super().__init__(config, base_url=base_url, clock=clock)
        assert isinstance(config, AcmeConfig)  # checked by the base class; narrows the type
        self.settings = config
        clock = self.clock
        self._client = build_client(
            platform=self.name,
            base_url=base_url or config.base_url,
            timeout=config.timeout_seconds,
            auth=BearerAuth(config.api_token),
            limiter=self.build_limiter(config, clock),
            clock=clock,
        )
        # A 200 with half a JSON body is a cut connection, not an answer: retry it like one.
        truncated = BodyRule(Action.RETRY, is_malformed_json, "truncated body", frozenset({200}))
        self._send = retrying_sender(
            self._client,
            policy=RetryPolicy(max_attempts=config.max_attempts, clock=clock),
            classifier=ResponseClassifier(rules=[truncated]),
            platform=self.name,
        )

    def build_limiter(self, config: AcmeConfig, clock: Clock) -> Limiter | None:
        """The client-side limiter that keeps this connector under Acme's limit."""
        return TokenBucket(rate=config.requests_per_second, capacity=config.burst, clock=clock)

    def close(self) -> None:
        """Close the HTTP client."""
        self._client.close()

    def check(self) -> None:
        """Fetch the shop; a rejected token raises `AuthError`."""
        self._send(self._client.build_request("GET", "/v1/shop"))

    def read_products(self, since: str | None) -> Iterator[Page[Product]]:
        """Products changed after the change number `since`, oldest change first."""
        return self._read("/v1/products", "products", since, product_to_domain, lambda raw: str(raw.get("id")))

    def read_stock(self, since: str | None) -> Iterator[Page[StockLevel]]:
        """Stock levels changed after the change number `since`, oldest change first."""
        return self._read("/v1/stock", "levels", since, level_to_domain, lambda raw: str(raw.get("sku")))

    def _read(
        self,
        path: str,
        field: str,
        since: str | None,
        to_domain: Callable[[dict[str, Any]], T],
        key: Callable[[dict[str, Any]], str],
    ) -> Iterator[Page[T]]:
        params: dict[str, str | int] = {"limit": self.settings.page_size}
        if since is not None:
            params["changed_after"] = since
        request = self._client.build_request("GET", path, params=params)
        paginator = JSONCursorPaginator(cursor_path="next_cursor", param="cursor")
        checkpoint = since
        for raw_records, _response in paginate(self._send, request, paginator, records_path=field):
            records: list[T] = []
            rejected: list[RejectedRecord] = []
            for raw in raw_records:
                try:
                    records.append(to_domain(raw))
                except (KeyError, TypeError, ValueError, ValidationError) as exc:
                    rejected.append(RejectedRecord(key=key(raw), reason=f"{type(exc).__name__}: {exc}"))
            # Sorted by change number, so the last one on the page is where to resume.
            if raw_records:
                checkpoint = str(raw_records[-1]["seq"])
            yield Page(records=records, checkpoint=checkpoint, rejected=rejected)

    def write_stock(self, updates: Sequence[StockUpdate]) -> list[WriteResult]:
        """Set quantities in batches; one result per update, keyed by SKU."""
        results: list[WriteResult] = []
        for start in range(0, len(updates), BATCH_SIZE):
            results.extend(self._write_batch(updates[start : start + BATCH_SIZE]))
        return results

    def _write_batch(self, batch: Sequence[StockUpdate]) -> list[WriteResult]:
        body = {"updates": [{"sku": u.sku, "location_id": u.location_id, "quantity": u.quantity} for u in batch]}
        request = self._client.build_request("POST", "/v1/stock/batch", json=body)
        try:
            # Setting an absolute quantity is idempotent, so the batch may be retried as a whole.
            answers = self._send(request).json()["results"]
        except TransientApiError as exc:
            return [WriteResult.failed(u.sku, str(exc), retryable=True) for u in batch]
        results = []
        for index, update in enumerate(batch):
            answer = answers[index] if index < len(answers) and isinstance(answers[index], dict) else None
            if answer is None or answer.get("sku") != update.sku:
                results.append(WriteResult.failed(update.sku, "Acme returned no result for this update"))
            elif not answer.get("ok"):
                results.append(WriteResult.failed(update.sku, str(answer.get("error") or "rejected")))
            else:
                status = WriteStatus.UNCHANGED if answer.get("status") == "unchanged" else WriteStatus.UPDATED
                results.append(WriteResult(key=update.sku, status=status))
        return results
