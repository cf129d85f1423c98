"""Every WooCommerce call: through the `woocommerce` package, rate limited, retried as the toolkit retries, with
HTTP errors raised as `syncd.errors` classes carrying WooCommerce's own `code` and `message`."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import urlsplit

import httpx
import woocommerce

import syncd
from connectors.woocommerce.config import WooCommerceConfig
from connectors.woocommerce.transport import WooCommerceTransport, guard_logs
from syncd.errors import FatalApiError
from syncd.http import (
    Action,
    BodyRule,
    Clock,
    PageNumberPaginator,
    ResponseClassifier,
    RetryPolicy,
    TokenBucket,
    build_client,
    is_malformed_json,
    paginate,
    register_secret,
    retrying_sender,
    send_with_retry,
)

PLATFORM = "woocommerce"
Params = Mapping[str, str | int]


def classifier() -> ResponseClassifier:
    """WooCommerce errors are `{"code","message","data":{"status"}}`, which the default error fields read.

    401/403 are credential problems (there is no token to refresh); a 2xx whose JSON is cut short is a
    dropped connection, not an answer.
    """
    truncated = BodyRule(Action.RETRY, is_malformed_json, "truncated JSON body", frozenset({200, 201}))
    return ResponseClassifier(rules=[truncated])


class WooClient:
    """One store's API: `send` for single calls, `pages` for page-numbered lists."""

    def __init__(self, config: WooCommerceConfig, *, store_url: str, clock: Clock) -> None:
        guard_logs()
        # Scrubbed from every log line and error message from now on, wherever they surface.
        register_secret(config.consumer_key)
        register_secret(config.consumer_secret)
        store_url = store_url.rstrip("/")
        timeout = config.timeout_seconds
        api = woocommerce.API(
            url=store_url,
            consumer_key=config.consumer_key.get_secret_value(),
            consumer_secret=config.consumer_secret.get_secret_value(),
            version=config.api_version,
            timeout=timeout,
            verify_ssl=config.verify_ssl,
            query_string_auth=config.query_string_auth,
            user_agent=f"syncd/{syncd.__version__} WooCommerce-Python-REST-API/{woocommerce.__version__}",
        )
        api_root = f"{urlsplit(store_url).path}/wp-json/{config.api_version}/"
        self.page_size = config.page_size
        # Over http the package signs the query with OAuth 1.0a, but leaves `/` unencoded where WooCommerce
        # encodes it: a query value containing `/` can never be signed correctly on that path.
        self.oauth_in_query = urlsplit(store_url).scheme == "http"
        self.http = build_client(
            platform=PLATFORM,
            base_url=f"{store_url}/wp-json/{config.api_version}/",
            timeout=timeout,
            transport=WooCommerceTransport(api, api_root),
            limiter=TokenBucket(rate=config.requests_per_second, capacity=config.burst, clock=clock),
            clock=clock,
        )
        self.policy = RetryPolicy(
            max_attempts=config.max_attempts, max_elapsed=config.retry_budget.total_seconds(), clock=clock
        )
        self.classifier = classifier()

    def close(self) -> None:
        """Close the HTTP client."""
        self.http.close()

    def can_send(self, value: str) -> bool:
        """False for a query value this client cannot sign (a `/` over http)."""
        return not (self.oauth_in_query and "/" in value)

    def build(self, method: str, endpoint: str, *, params: Params | None = None, body: Any = None) -> httpx.Request:
        """A request for `endpoint` (relative to `wp-json/<version>/`)."""
        query = {name: str(value) for name, value in (params or {}).items()}
        if body is None:
            return self.http.build_request(method, endpoint, params=query)
        return self.http.build_request(method, endpoint, params=query, json=body)

    def send(
        self,
        method: str,
        endpoint: str,
        *,
        params: Params | None = None,
        body: Any = None,
        idempotent: bool = True,
    ) -> httpx.Response:
        """One call, retried within the policy; `idempotent=False` never repeats a call the store may have applied."""
        response = send_with_retry(
            self.http,
            lambda: self.build(method, endpoint, params=params, body=body),
            policy=self.policy,
            classifier=self.classifier,
            platform=PLATFORM,
            idempotent=idempotent,
        )
        return _detached(response)

    def json(
        self,
        method: str,
        endpoint: str,
        *,
        params: Params | None = None,
        body: Any = None,
        idempotent: bool = True,
    ) -> Any:
        """`send`, then the parsed JSON body."""
        response = self.send(method, endpoint, params=params, body=body, idempotent=idempotent)
        try:
            return response.json()
        except ValueError as exc:
            raise FatalApiError(f"{method} {endpoint}: body is not JSON", status=response.status_code) from exc

    def pages(self, endpoint: str, params: Params | None = None) -> Iterator[list[Any]]:
        """Every page of a list endpoint, `page` by `page` until `X-WP-TotalPages` (or an empty page)."""
        query: dict[str, str | int] = {"per_page": self.page_size, **(params or {})}
        sender = retrying_sender(self.http, policy=self.policy, classifier=self.classifier, platform=PLATFORM)
        paginator = PageNumberPaginator("page", total_pages_header="X-WP-TotalPages")

        def send(request: httpx.Request) -> httpx.Response:
            return _detached(sender(request))

        for records, _response in paginate(send, self.build("GET", endpoint, params=query), paginator):
            yield records


def _detached(response: httpx.Response) -> httpx.Response:
    """The response with its stream replaced by the body it already read.

    httpx ties a response and its stream in a reference cycle, so every page of a long read would wait, body
    and all, for the cyclic garbage collector; with the cycle cut, a page is freed as soon as it is used.
    """
    response.stream = httpx.ByteStream(response.content)
    return response
