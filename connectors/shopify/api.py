"""GraphQL over the project's HTTP client, paced by the cost budget Shopify reports.

Every response carries `extensions.cost`: the requested cost of the query and the bucket's `throttleStatus`.
The client keeps a `TokenBucket` in step with those figures and takes each call's requested cost from it before
sending (a query never sent before is assumed to cost `max_query_cost`; afterwards its real cost is known), so
the daemon waits for budget instead of bouncing off Shopify. A `THROTTLED` error (HTTP 200, or 429) is retried
after the wait the bucket figures imply. GraphQL errors in a 200 become `GraphQLFailure`; `userErrors` are
left to the caller, which turns them into per-record results.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import httpx
from pydantic import SecretStr

from connectors.shopify.config import ShopifyConfig
from connectors.shopify.models import QueryCost
from syncd.errors import FatalApiError, TransientApiError
from syncd.http import (
    COST_EXTENSION,
    MALFORMED,
    Action,
    ApiClient,
    Clock,
    GraphQLPageInfoPaginator,
    Resolution,
    ResponseClassifier,
    RetryPolicy,
    TokenBucket,
    build_client,
    paginate,
    rebuild_request,
    redact_text,
    send_with_retry,
)

PLATFORM = "shopify"
# The query document of a request, kept beside it so each attempt can look up that document's cost.
QUERY_EXTENSION = "syncd.shopify.query"
_RETRYABLE_CODES = frozenset({"INTERNAL_SERVER_ERROR", "SERVICE_UNAVAILABLE", "TIMEOUT"})


class GraphQLFailure(FatalApiError):
    """The API answered with GraphQL errors (a bad query, a missing scope, a cost above the maximum)."""


class CostTracker:
    """Remembers each query document's requested cost and keeps the bucket in step with Shopify's."""

    def __init__(self, bucket: TokenBucket, default_cost: float) -> None:
        self.bucket = bucket
        self.default_cost = float(default_cost)
        self._costs: dict[str, float] = {}
        self._lock = threading.Lock()

    def estimate(self, query: str | None) -> float:
        """Tokens to take before sending `query`: its last requested cost, else the default."""
        with self._lock:
            cost = self._costs.get(query, self.default_cost) if query is not None else self.default_cost
        return max(1.0, min(cost, self.bucket.capacity))

    def observe(self, query: str | None, body: Mapping[str, Any]) -> QueryCost | None:
        """Learn from a response body: the query's requested cost and the bucket's current state."""
        raw = (body.get("extensions") or {}).get("cost")
        if not isinstance(raw, dict):
            return None
        cost = QueryCost.model_validate(raw)
        if cost.requested_query_cost is not None and query is not None:
            with self._lock:
                if len(self._costs) > 500:  # queries are constants; this only guards against misuse
                    self._costs.clear()
                self._costs[query] = float(cost.requested_query_cost)
        status = cost.throttle_status
        if status is not None and status.maximum_available > 0 and status.restore_rate > 0:
            self.bucket.sync(status.currently_available, status.restore_rate, status.maximum_available)
        return cost

    def wait_hint(self, cost: QueryCost | None) -> float | None:
        """Seconds until a throttled query's requested cost is back in the bucket; None if unknown."""
        if cost is None or cost.throttle_status is None or cost.requested_query_cost is None:
            return None
        status = cost.throttle_status
        missing = min(cost.requested_query_cost, status.maximum_available) - status.currently_available
        return missing / status.restore_rate if missing > 0 and status.restore_rate > 0 else None


class CostLimiter:
    """The client's limiter: takes a call's cost from the bucket, never more than the bucket can hold."""

    def __init__(self, bucket: TokenBucket) -> None:
        self.bucket = bucket

    def acquire(self, tokens: float = 1.0) -> float:
        """Wait for `tokens` (capped at the bucket's capacity) and take them."""
        return self.bucket.acquire(max(1e-3, min(tokens, self.bucket.capacity)))


def _errors(body: Any) -> list[dict[str, Any]]:
    errors = body.get("errors") if isinstance(body, dict) else None
    if isinstance(errors, list):
        return [e for e in errors if isinstance(e, dict)]
    if isinstance(errors, str):
        return [{"message": errors}]
    return []


def _code(error: Mapping[str, Any]) -> str | None:
    extensions = error.get("extensions")
    code = extensions.get("code") if isinstance(extensions, dict) else None
    return str(code) if code is not None else None


def _error_fields(body: Any) -> tuple[str | None, str | None]:
    errors = _errors(body)
    if not errors:
        return None, None
    return _code(errors[0]), redact_text(str(errors[0].get("message", "")))[:300]


class ShopifyClassifier(ResponseClassifier):
    """Reads every response once: updates the cost tracker, then maps THROTTLED, internal errors and bad bodies."""

    def __init__(self, costs: CostTracker) -> None:
        super().__init__(error_fields=_error_fields)
        self.costs = costs

    def classify(self, response: httpx.Response, *, now: datetime | None = None) -> Resolution:
        """The resolution for one GraphQL response."""
        status = response.status_code
        try:
            body: Any = json.loads(response.content) if response.content.strip() else None
        except ValueError:
            body = MALFORMED
        if body is MALFORMED and status == 200:
            return Resolution(Action.RETRY, "HTTP 200: truncated or malformed body", status=status)
        cost = (
            self.costs.observe(response.request.extensions.get(QUERY_EXTENSION), body)
            if isinstance(body, dict)
            else None
        )
        codes = [_code(error) for error in _errors(body)]
        if "THROTTLED" in codes:
            hint = self.costs.wait_hint(cost)
            return Resolution(
                Action.RATE_LIMITED, f"HTTP {status}: THROTTLED", retry_after=hint, status=status, code="THROTTLED"
            )
        if status == 200 and any(code in _RETRYABLE_CODES for code in codes):
            code = next(code for code in codes if code in _RETRYABLE_CODES)
            return Resolution(Action.RETRY, f"HTTP 200: {code}", status=status, code=code)
        return super().classify(response, now=now)


def server_time(response: httpx.Response) -> datetime | None:
    """The platform's clock when it answered (the `Date` header), for cursors that must not outrun it."""
    value = response.headers.get("Date")
    if not value:
        return None
    try:
        return parsedate_to_datetime(value).astimezone(UTC)
    except (TypeError, ValueError):
        return None


class ShopifyGraphQL:
    """Sends GraphQL documents to one shop's Admin API at the pinned version."""

    def __init__(
        self, config: ShopifyConfig, clock: Clock, *, access_token: SecretStr, base_url: str | None = None
    ) -> None:
        self.config = config
        self.clock = clock
        self.bucket = TokenBucket(rate=config.cost_restore_rate, capacity=config.cost_bucket_size, clock=clock)
        self.costs = CostTracker(self.bucket, config.max_query_cost)
        timeout = config.timeout.total_seconds()
        self.client: ApiClient = build_client(
            platform=PLATFORM,
            base_url=(base_url or config.api_root).rstrip("/"),
            timeout=timeout,
            headers={"X-Shopify-Access-Token": access_token.get_secret_value(), "Accept": "application/json"},
            limiter=CostLimiter(self.bucket),
            clock=clock,
        )
        # Bulk results live on a storage host: no token goes there, and downloads cost no query budget.
        self.downloads: ApiClient = build_client(platform=PLATFORM, base_url="", timeout=timeout, clock=clock)
        self.policy = RetryPolicy(max_attempts=config.max_attempts, clock=clock)
        self.classifier = ShopifyClassifier(self.costs)
        self.last_server_time: datetime | None = None

    def close(self) -> None:
        """Close both HTTP clients."""
        self.client.close()
        self.downloads.close()

    def request(self, query: str, variables: Mapping[str, Any] | None = None) -> httpx.Request:
        """A GraphQL request for `query` with `variables`."""
        body = {"query": query, "variables": dict(variables or {})}
        request = self.client.build_request("POST", self.config.graphql_path, json=body)
        request.extensions[QUERY_EXTENSION] = query
        return request

    def _attempt(self, request: httpx.Request) -> httpx.Request:
        fresh = rebuild_request(request)
        fresh.extensions[COST_EXTENSION] = self.costs.estimate(fresh.extensions.get(QUERY_EXTENSION))
        return fresh

    def send(self, request: httpx.Request, *, idempotent: bool = True) -> httpx.Response:
        """Send through retries and the cost budget; raises `GraphQLFailure` on GraphQL errors."""
        response = send_with_retry(
            self.client,
            lambda: self._attempt(request),
            policy=self.policy,
            classifier=self.classifier,
            platform=PLATFORM,
            idempotent=idempotent,
        )
        self.last_server_time = server_time(response) or self.last_server_time
        self.data_of(response)
        return response

    def execute(
        self, query: str, variables: Mapping[str, Any] | None = None, *, idempotent: bool = True
    ) -> dict[str, Any]:
        """Run one document; returns its `data`."""
        return self.data_of(self.send(self.request(query, variables), idempotent=idempotent))

    @staticmethod
    def data_of(response: httpx.Response) -> dict[str, Any]:
        """The `data` of a response; `GraphQLFailure` when it carries errors."""
        try:
            body = response.json()
        except ValueError as exc:
            raise TransientApiError(
                "response body is not JSON", status=response.status_code, platform=PLATFORM
            ) from exc
        errors = _errors(body)
        if errors:
            codes = sorted({c for c in (_code(e) for e in errors) if c})
            messages = "; ".join(redact_text(str(e.get("message", "")))[:200] for e in errors[:3])
            hint = " (lower page_size or variants_page_size)" if "MAX_COST_EXCEEDED" in codes else ""
            raise GraphQLFailure(
                f"{messages}{hint}", status=response.status_code, code=",".join(codes) or None, platform=PLATFORM
            )
        data = body.get("data") if isinstance(body, dict) else None
        if not isinstance(data, dict):
            raise GraphQLFailure("response has no data", status=response.status_code, platform=PLATFORM)
        return data

    def pages(
        self, query: str, variables: Mapping[str, Any], connection: str
    ) -> Iterator[tuple[list[Any], httpx.Response]]:
        """Yield (nodes, response) for each page of the connection at dotted path `connection` under `data`."""
        paginator = GraphQLPageInfoPaginator(f"data.{connection}.pageInfo")
        send: Callable[[httpx.Request], httpx.Response] = self.send
        yield from paginate(send, self.request(query, variables), paginator, records_path=f"data.{connection}.nodes")
