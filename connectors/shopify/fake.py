"""FakeShopify: an emulator of the Shopify Admin API parts syncd uses, served over real HTTP on 127.0.0.1.

- `POST /admin/api/{version}/graphql.json`: any valid query over the subset schema in `schema.graphql`, executed
  by graphql-core; `X-Shopify-Access-Token` checked (401 with Shopify's body); cost-based throttling (a bucket
  of 2000 points refilled at 100/s by default; `extensions.cost` on every answer, `THROTTLED` errors, refunds
  of requested minus actual cost); `@idempotent` keys; opaque cursors; a subset of the search syntax.
- Bulk query operations with the JSONL file served from this server (`/bulk-operations/...`).
- `GET /admin/oauth/authorize` and `POST /admin/oauth/access_token`: the OAuth install flow, auto-approved.
- Signed webhook deliveries to subscriptions made with `webhookSubscriptionCreate`.

Standalone: `python -m connectors.shopify.fake --port 8081 [--seed FILE] [--products N]`.
"""

from __future__ import annotations

import argparse
import hmac
import json
import ssl
import uuid
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, Self

from graphql import (
    DocumentNode,
    GraphQLError,
    GraphQLSchema,
    OperationDefinitionNode,
    OperationType,
    execute_sync,
    get_operation_ast,
    parse,
    validate,
)

from connectors.shopify import fake_state as st
from connectors.shopify.fake_cost import actual_cost, requested_cost
from connectors.shopify.fake_graphql import Context, build_executable_schema, default_resolver, version_tuple
from connectors.shopify.fake_helpers import ShopHelpers
from connectors.shopify.fake_oauth import OAuthRoutes
from connectors.shopify.fake_services import ShopServices
from connectors.shopify.fake_webhooks import WebhookDispatcher, topic_name
from syncd.testing import FakeServer, RateLimit, Request, Response, route
from syncd.testing.standalone import serve_until_interrupted
from syncd.testing.throttle import ServerBuckets

DEFAULT_SHOP = "syncd-test.myshopify.com"
DEFAULT_TOKEN = "shpat_fake_0123456789abcdef"  # noqa: S105 - the emulator's published test credential
DEFAULT_API_KEY = "fake-app-client-id"
DEFAULT_API_SECRET = "fake-app-client-secret-0123456789"  # noqa: S105 - likewise
DEFAULT_VERSION = "2026-10"
# Versions the fake serves as asked; any other falls forward to the oldest, as Shopify does.
SUPPORTED_VERSIONS = ("2025-10", "2026-01", "2026-04", "2026-07", "2026-10", "2027-01", "unstable")
MAX_QUERY_COST = 1000
UNAUTHORIZED_BODY = {"errors": "[API] Invalid API key or access token (unrecognized login or wrong password)"}


@lru_cache(maxsize=1)
def _schema() -> GraphQLSchema:
    return build_executable_schema()


@lru_cache(maxsize=256)
def _prepare(query: str) -> DocumentNode | list[Any]:
    """The parsed and validated document, or the formatted errors; cached, as clients repeat their queries."""
    try:
        document = parse(query)
    except GraphQLError as exc:
        return [exc.formatted]
    problems = validate(_schema(), document)
    return [p.formatted for p in problems] if problems else document


class CostBuckets(ServerBuckets):
    """Server buckets that can give back the part of a query's requested cost it did not use."""

    def refund(self, credential: str | None, tokens: float) -> None:
        """Return `tokens` to `credential`'s bucket (never above its capacity)."""
        if tokens <= 0:
            return
        key = self._key(credential)
        with self._lock:
            now = self._clock()
            self._buckets[key] = (min(self.limit.capacity, self._refilled(key, now) + tokens), now)


class FakeShopify(ShopHelpers, OAuthRoutes, FakeServer):
    """One Shopify shop in memory, served as the Admin API serves it."""

    platform_rate_limit = RateLimit(capacity=2000, per_second=100)

    def __init__(
        self,
        *,
        shop_domain: str = DEFAULT_SHOP,
        tokens: Iterable[str] = (DEFAULT_TOKEN,),
        api_key: str = DEFAULT_API_KEY,
        api_secret: str = DEFAULT_API_SECRET,
        epoch: datetime = st.DEFAULT_EPOCH,
        now: Callable[[], datetime] | None = None,
        throttle_status: int = 200,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.shop_domain = shop_domain
        self.tokens = dict.fromkeys(tokens, shop_domain)
        self.api_key = api_key
        self.api_secret = api_secret
        # Wall time for OAuth timestamps; records use the logical clock of the shop data instead.
        self.now = now or (lambda: datetime.now(UTC))
        # Shopify answers a throttled GraphQL call with HTTP 200; some report 429, which this can emulate.
        self.throttle_status = throttle_status
        self.data = st.ShopData(
            shop=st.ShopInfo(name="Syncd Test Shop", domain=shop_domain), clock=st.LogicalClock(epoch)
        )
        self.dispatcher = WebhookDispatcher(secret=api_secret, shop_domain=shop_domain, api_version=DEFAULT_VERSION)
        self.services = ShopServices(self.data, self._emit, lambda: self.base_url)
        self._codes: dict[str, str] = {}

    # -- lifecycle --------------------------------------------------------------------------------------------

    def start(self, port: int = 0, tls: ssl.SSLContext | None = None) -> Self:
        """Serve on `port` (a free one when 0), over TLS with `tls`, and start webhook delivery."""
        super().start(port, tls)
        self.dispatcher.start()
        return self

    def stop(self) -> None:
        """Stop serving and delivering."""
        super().stop()
        self.dispatcher.stop()

    def set_rate_limit(self, limit: RateLimit | None) -> None:
        """Enforce a cost budget of `limit.capacity` points refilled at `limit.per_second`."""
        super().set_rate_limit(limit)
        if limit is not None:
            self._buckets = CostBuckets(limit, self.clock)

    # -- credentials, cost and throttling ---------------------------------------------------------------------

    def authenticate(self, request: Request) -> str | None:
        """The shop an access token belongs to; None for a missing or unknown token."""
        return self.tokens.get(request.header("X-Shopify-Access-Token") or "")

    def unauthorized_response(self, request: Request) -> Response:
        """Shopify's 401 for a bad token."""
        return Response.json(UNAUTHORIZED_BODY, status=401)

    def request_cost(self, request: Request) -> float:
        """The requested cost of a GraphQL call (0 for other routes)."""
        if request.route != "graphql":
            return 0.0
        found = self._operation(request)
        return float(found[2]) if found is not None else 1.0

    def throttle_response(self, request: Request, retry_after: float) -> Response:
        """Shopify's THROTTLED error, with the cost figures a client needs to wait the right time."""
        found = self._operation(request)
        requested = found[2] if found is not None else 1
        body = {
            "errors": [
                {
                    "message": "Throttled",
                    "extensions": {"code": "THROTTLED", "documentation": "https://shopify.dev/api/usage/rate-limits"},
                }
            ],
            "extensions": {"cost": self._cost(requested, None, request.credential)},
        }
        return Response.json(body, status=self.throttle_status)

    def _cost(self, requested: int, actual: int | None, credential: str | None) -> dict[str, Any]:
        limit = self.rate_limit
        available = self.budget_left(credential)
        return {
            "requestedQueryCost": requested,
            "actualQueryCost": actual,
            "throttleStatus": {
                "maximumAvailable": float(limit.capacity) if limit else 2000.0,
                "currentlyAvailable": int(available) if available is not None else 2000,
                "restoreRate": float(limit.per_second) if limit else 100.0,
            },
        }

    def _operation(self, request: Request) -> tuple[DocumentNode, OperationDefinitionNode, int] | None:
        try:
            body = request.json()
            document = _prepare(body["query"])
        except (ValueError, KeyError, TypeError):
            return None
        if isinstance(document, list):
            return None
        operation = get_operation_ast(document, body.get("operationName"))
        if operation is None:
            return None
        return document, operation, requested_cost(_schema(), document, operation, body.get("variables"))

    def served_version(self, asked: str) -> str:
        """The version a request is served as (unsupported ones fall forward to the oldest supported)."""
        return asked if asked in SUPPORTED_VERSIONS else SUPPORTED_VERSIONS[0]

    # -- GraphQL ----------------------------------------------------------------------------------------------

    @route("POST", "/admin/api/{version}/graphql.json")
    def graphql(self, request: Request) -> Response:
        """Execute one GraphQL request."""
        version = self.served_version(request.path_params["version"])
        headers = {"X-Shopify-API-Version": version, "X-Request-Id": str(uuid.uuid4())}
        try:
            body = request.json()
            query, variables = body["query"], body.get("variables") or {}
        except (ValueError, KeyError, TypeError):
            return Response.json({"errors": "Bad Request: body must be JSON with a query"}, 400, headers)
        document = _prepare(str(query))
        if isinstance(document, list):
            return Response.json({"errors": document}, 200, headers)
        operation = get_operation_ast(document, body.get("operationName"))
        if operation is None:
            return Response.json({"errors": [{"message": "An operation name is required"}]}, 200, headers)
        requested = requested_cost(_schema(), document, operation, variables)
        if requested > MAX_QUERY_COST:
            message = f"Query cost is {requested}, which exceeds the single query max cost limit ({MAX_QUERY_COST})."
            error = {"message": message, "extensions": {"code": "MAX_COST_EXCEEDED", "cost": requested}}
            refused = {"errors": [error], "extensions": {"cost": self._cost(requested, None, request.credential)}}
            return Response.json(refused, 200, headers)
        context = Context(data=self.data, version=version_tuple(version), services=self.services)
        result = execute_sync(
            _schema(),
            document,
            context_value=context,
            variable_values=variables,
            operation_name=body.get("operationName"),
            field_resolver=default_resolver,
        )
        mutations = len(operation.selection_set.selections) if operation.operation is OperationType.MUTATION else 0
        actual = actual_cost(result.data, requested, mutations)
        if isinstance(self._buckets, CostBuckets):
            self._buckets.refund(request.credential, min(requested, self._buckets.limit.capacity) - actual)
        payload: dict[str, Any] = {"data": result.data}
        if result.errors:
            payload["errors"] = [error.formatted for error in result.errors]
        payload["extensions"] = {"cost": self._cost(requested, actual, request.credential)}
        if context.warnings:
            payload["extensions"]["search"] = context.warnings
        return Response.json(payload, 200, headers)

    @route("GET", "/bulk-operations/{op_id}/{token}.jsonl", auth=False)
    def bulk_download(self, request: Request) -> Response:
        """The JSONL result of a completed bulk operation (a signed URL: the token is the credential)."""
        op = self.services.bulk_operations.get(
            int(request.path_params["op_id"]) if request.path_params["op_id"].isdigit() else -1
        )
        if op is None or op.status != "COMPLETED" or not hmac.compare_digest(op.token, request.path_params["token"]):
            return Response.text("AccessDenied", status=403)
        return Response(200, op.body, {"Content-Type": "application/jsonl"})

    # -- webhooks ---------------------------------------------------------------------------------------------

    def _emit(self, topic: str, payload: dict[str, Any]) -> None:
        for subscription in self.services.webhook_subscriptions():
            if topic_name(subscription.topic) == topic:
                self.dispatcher.enqueue(topic, subscription.uri, payload)

    def wait_for_webhooks(self, timeout: float = 10.0) -> bool:
        """Block until every webhook queued so far was delivered (or failed); False on timeout."""
        return self.dispatcher.wait_idle(timeout)


def main(argv: Sequence[str] | None = None) -> None:
    """Run the emulator until interrupted, printing what a client needs to reach it."""
    parser = argparse.ArgumentParser(prog="python -m connectors.shopify.fake", description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default: any free port)")
    parser.add_argument("--seed", type=Path, help="a REST-shaped seed document (see connectors/shopify/seed/)")
    parser.add_argument("--sample", action="store_true", help="load the bundled sample shop (seed/)")
    parser.add_argument("--products", type=int, default=0, help="also add this many generated products")
    parser.add_argument("--variants-per-product", type=int, default=1)
    parser.add_argument("--token", default=DEFAULT_TOKEN, help="the access token to accept")
    parser.add_argument("--no-rate-limit", action="store_true", help="do not throttle by query cost")
    args = parser.parse_args(argv)
    fake = FakeShopify(tokens=[args.token], rate_limit=None if args.no_rate_limit else "platform")
    if args.sample:
        fake.load_sample()
    if args.seed:
        fake.load_seed(json.loads(args.seed.read_text(encoding="utf-8")))
    if args.products:
        fake.add_products(args.products, variants_per_product=args.variants_per_product)
    fake.start(args.port)
    lines = (
        f"shop_domain: {fake.shop_domain}",
        f"access_token: {args.token}",
        f"api_version: {DEFAULT_VERSION}",
        f"base_url: {fake.base_url}",
        f"api_key: {fake.api_key}",
        f"api_secret: {fake.api_secret}",
    )
    serve_until_interrupted(fake, lines)


if __name__ == "__main__":
    main()
