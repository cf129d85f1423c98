"""FakeWooCommerce: an emulator of the WooCommerce REST API v3 (`/wp-json/wc/v3/`) over real HTTP.

What it serves: products (list, get, create, update, delete), variations (list, get, update), the product and
variation batch endpoints, orders (list, get, create, update) with their notes, webhooks, and the current
currency. Lists take `page`/`per_page` (1-100) and answer `X-WP-Total`, `X-WP-TotalPages` and `Link`; errors
are `{"code", "message", "data": {"status"}}`, and an unknown route is `rest_no_route`. Credentials are checked
as WooCommerce checks them (see `fake_auth`). The limit it enforces (429 with `Retry-After`) stands for the
host or firewall in front of a store: WooCommerce core does not throttle REST v3 itself.

Run it alone with `python -m connectors.woocommerce.fake --port 8081 [--seed FILE]`.
"""

from __future__ import annotations

import argparse
import json
import math
import ssl
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from secrets import token_hex
from typing import Any, Literal, Self

from connectors.woocommerce import fake_seed
from connectors.woocommerce.fake_auth import ApiKey, AuthOutcome, WooAuthenticator
from connectors.woocommerce.fake_catalog import Catalog
from connectors.woocommerce.fake_hooks import WebhookHub
from connectors.woocommerce.fake_orders import OrderBook
from connectors.woocommerce.fake_routes_catalog import CatalogRoutes
from connectors.woocommerce.fake_routes_orders import OrderRoutes
from connectors.woocommerce.fake_state import Ids, Params, Stamps, StoreError
from connectors.woocommerce.transport import guard_logs
from syncd.testing import RateLimit, Request, Response
from syncd.testing.standalone import serve_until_interrupted


class FakeWooCommerce(CatalogRoutes, OrderRoutes):
    """A WooCommerce store in memory.

    Args:
        keys: the REST API keys it accepts (one read/write key is made up when None; see `key`).
        now: the store's clock for dates (a test's `ManualClock.now`); `wall_time` is what OAuth timestamps are
            checked against, real time by default because the package stamps requests with real time.
        site_offset: the site's timezone; `date_*` fields are in it, `date_*_gmt` in UTC.
        store_url: the home URL WordPress reports (OAuth signs it); the server's own URL by default.
        tls: serve https with this context (WooCommerce then expects Basic auth or query keys).
        order_storage: which storage's `search=` to behave like, "hpos" or "legacy" (posts).
    """

    platform_rate_limit = RateLimit(capacity=10, per_second=5)

    def __init__(
        self,
        *,
        keys: Sequence[ApiKey] | None = None,
        now: Callable[[], datetime] | None = None,
        wall_time: Callable[[], float] = time.time,
        site_offset: timedelta = timedelta(hours=-3),
        store_url: str | None = None,
        currency: str = "USD",
        tls: ssl.SSLContext | None = None,
        order_storage: Literal["hpos", "legacy"] = "hpos",
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        # The base's access log prints each request line, and clients put keys and signatures in the query.
        guard_logs("syncd.testing.fakeserver")
        self._tls = tls
        self.keys = list(keys) if keys is not None else [ApiKey(f"ck_{token_hex(20)}", f"cs_{token_hex(20)}")]
        self.auth = WooAuthenticator(self.keys, wall_time=wall_time)
        self._home = store_url.rstrip("/") if store_url else None
        self.currency = currency
        self.stamps = Stamps(now or (lambda: datetime.now(UTC)), site_offset, timedelta(seconds=1))
        self.hub = WebhookHub(self.stamps, lambda: self.store_url)
        ids = Ids()
        self.catalog = Catalog(self.stamps, ids, lambda: self.store_url, self.hub.publish)
        self.orders = OrderBook(self.catalog, self.stamps, ids, currency, self.hub.publish, self.rng, order_storage)
        self._auth_failure = threading.local()
        self._after_apply: list[dict[str, Any]] = []

    @property
    def key(self) -> ApiKey:
        """The first key, the one tests and the standalone mode hand out."""
        return self.keys[0]

    @property
    def store_url(self) -> str:
        """The home URL as the store reports it."""
        if self._home is not None:
            return self._home
        return self.base_url if self.running else "http://127.0.0.1"

    # -- lifecycle -------------------------------------------------------------------------------------

    def start(self, port: int = 0, tls: ssl.SSLContext | None = None) -> Self:
        """Serve on a free port, or on `port` (standalone mode); over TLS with `tls` or the one it was built with."""
        return super().start(port, tls if tls is not None else self._tls)

    def stop(self) -> None:
        """Stop serving and finish queued webhook deliveries."""
        super().stop()
        self.hub.stop()

    # -- credentials, throttling, routing errors -------------------------------------------------------

    def authenticate(self, request: Request) -> str | None:
        outcome = self.auth.authenticate(request, self.store_url)
        self._auth_failure.outcome = outcome
        return outcome.key.identity if outcome.key is not None else None

    def unauthorized_response(self, request: Request) -> Response:
        outcome: AuthOutcome = getattr(self._auth_failure, "outcome", None) or AuthOutcome()
        self._auth_failure.outcome = None
        if outcome.code is not None and outcome.message is not None:
            return StoreError(outcome.code, outcome.message, 401).response()
        return StoreError(*_refusal(request), 401).response()

    def throttle_response(self, request: Request, retry_after: float) -> Response:
        seconds = max(1, math.ceil(retry_after))
        # The shape of WooCommerce's own (Store API) limiter.
        error = StoreError("rate_limit_exceeded", f"Too many requests. Please wait {seconds} seconds.", 429)
        return Response.json(error.body(), status=429, headers={"Retry-After": str(seconds)})

    def not_found_response(self, request: Request, status: int) -> Response:
        # WordPress answers an unknown path and a known path with the wrong method alike.
        return StoreError("rest_no_route", "No route was found matching the URL and request method.", 404).response()

    # -- faults the base cannot express ----------------------------------------------------------------

    def apply_then_fail(self, route_name: str, *, status: int | None = None, hold: float = 0.0, times: int = 1) -> None:
        """Let the next `times` successful `route_name` requests take effect, then lose their answer.

        The client gets `status` (a gateway error, say) or, when None, a dropped connection, after `hold`
        seconds: the store did the work but the client cannot know it (an ambiguous failure).
        """
        with self.lock:
            self._after_apply.append({"route": route_name, "status": status, "hold": hold, "left": times})

    def dispatch(self, request: Request) -> Response | None:
        response = super().dispatch(request)
        if response is None or not 200 <= response.status < 300:
            return response
        found = self.router.match(request.method, request.path).spec
        with self.lock:
            rule = next((r for r in self._after_apply if found and r["route"] == found.name and r["left"] > 0), None)
            if rule is not None:
                rule["left"] -= 1
        if rule is None:
            return response
        if rule["hold"] > 0:
            self._stopping.wait(rule["hold"])
        if rule["status"] is None:
            return None
        error = StoreError("internal_server_error", "Gateway timeout.", rule["status"])
        return Response.json(error.body(), status=rule["status"])

    # -- seeding and inspection (thread-safe) ----------------------------------------------------------

    def add_products(
        self,
        count: int,
        *,
        variations_per_product: int = 0,
        stock: int | None = 10,
        spacing: float = 1.0,
        price: str = "19.99",
        sku_prefix: str = "WOO",
    ) -> list[str]:
        """Add `count` products, simple or variable, each newer than any before; returns their ids.

        `stock` None makes them not manage stock; `spacing` is the seconds between their modification times
        (0 stamps them all in one second, as a bulk edit does).
        """
        with self.lock:
            return fake_seed.add_products(
                self.catalog, count, variations_per_product, stock, timedelta(seconds=spacing), price, sku_prefix
            )

    def load_seed(self, seed: Mapping[str, Any]) -> None:
        """Load `{"products": [...], "variations": {"<parent id>": [...]}, "orders": [...]}` (REST shapes)."""
        with self.lock:
            fake_seed.load(self.catalog, self.orders, seed)

    def product_by_sku(self, sku: str) -> dict[str, Any] | None:
        """The product or variation with this SKU, as the products endpoint shows it."""
        with self.lock:
            found = self.catalog.query_products(Params({"sku": sku}))
            return self.render_any(found[0]) if found else None

    def set_stock(self, sku: str, quantity: int) -> None:
        """Set a quantity as a merchant would in the admin (a save: dates move, webhooks fire)."""
        with self.lock:
            found = self.catalog.query_products(Params({"sku": sku}))
            if not found:
                raise KeyError(sku)
            kind = "product_variation" if found[0] in self.catalog.variations else "product"
            self.catalog.update(found[0], {"stock_quantity": quantity}, kind)

    def order(self, order_id: int) -> dict[str, Any]:
        """An order as the REST API shows it."""
        with self.lock:
            return self.orders.render(order_id)

    def order_ids(self) -> list[int]:
        """Every order id, oldest first."""
        with self.lock:
            return sorted(self.orders.orders)

    def edit_order(self, order_id: int, changes: Mapping[str, Any]) -> dict[str, Any]:
        """Change an order as the admin or a plugin would (status, meta such as shipment tracking)."""
        with self.lock:
            return self.orders.update(order_id, dict(changes))

    def add_order_note(self, order_id: int, text: str) -> None:
        """A private note, as a merchant writes one."""
        with self.lock:
            self.orders.add_note(order_id, text, by_user=True)


def _refusal(request: Request) -> tuple[str, str]:
    """What a route answers a request that carries no usable credentials."""
    name = request.route or ""
    if name.startswith("batch"):
        return "woocommerce_rest_cannot_batch", "Sorry, you are not allowed to batch manipulate this resource."
    if request.method == "POST":
        return "woocommerce_rest_cannot_create", "Sorry, you are not allowed to create resources."
    if request.method == "PUT":
        return "woocommerce_rest_cannot_edit", "Sorry, you are not allowed to edit this resource."
    if request.method == "DELETE":
        return "woocommerce_rest_cannot_delete", "Sorry, you are not allowed to delete this resource."
    if name.startswith("list") or name == "current_currency":
        return "woocommerce_rest_cannot_view", "Sorry, you cannot list resources."
    return "woocommerce_rest_cannot_view", "Sorry, you cannot view this resource."


def main(argv: Sequence[str] | None = None) -> int:
    """Serve a seeded store until interrupted, printing what a client needs to reach it."""
    parser = argparse.ArgumentParser(prog="python -m connectors.woocommerce.fake", description=__doc__)
    parser.add_argument("--port", type=int, default=8081, help="port on 127.0.0.1 (0 picks a free one)")
    parser.add_argument("--seed", type=Path, help="JSON seed file; default: the bundled sample store")
    parser.add_argument("--no-rate-limit", action="store_true", help="do not throttle")
    args = parser.parse_args(argv)
    fake = FakeWooCommerce(rate_limit=None if args.no_rate_limit else "platform")
    fake.load_seed(json.loads(args.seed.read_text("utf-8")) if args.seed else fake_seed.default_seed())
    fake.start(port=args.port)
    # Printing the key pair is the point of standalone mode: it is a throw-away sandbox credential.
    lines = (
        f"url: {fake.base_url}",
        f"consumer_key: {fake.key.consumer_key}",
        f"consumer_secret: {fake.key.consumer_secret}",
    )
    serve_until_interrupted(fake, lines)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
