"""What the emulator's route mixins share: the resources they serve, error handling, list responses."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from connectors.woocommerce.fake_catalog import Catalog
from connectors.woocommerce.fake_hooks import WebhookHub
from connectors.woocommerce.fake_orders import OrderBook
from connectors.woocommerce.fake_state import Params, StoreError, list_response, paginate
from syncd.testing import FakeServer, Request, Response

API = "/wp-json/wc/v3"
R = TypeVar("R", bound="WooRoutes")


class WooRoutes(FakeServer):
    """Base of the route mixins: the store's resources, and list answers with WordPress's headers."""

    catalog: Catalog
    orders: OrderBook
    hub: WebhookHub
    currency: str

    @property
    def store_url(self) -> str:
        """The home URL as the store reports it."""
        raise NotImplementedError

    def list_answer(self, request: Request, ids: list[int], render: Callable[[int], dict[str, Any]]) -> Response:
        """One page of `ids`, rendered, with `X-WP-Total`, `X-WP-TotalPages`, `Link`, and `_fields` applied."""
        params = Params.of(request)
        paged = paginate(ids, params)
        fields = fields_of(params)
        body = [only_fields(render(i), fields) for i in paged.items]
        return list_response(paged, body, self.url(request.path), params)

    def render_any(self, item_id: int) -> dict[str, Any]:
        """A product, or a variation as the products endpoint shows one."""
        if item_id in self.catalog.variations:
            return self.catalog.render_as_product(item_id)
        return self.catalog.render(item_id)


def answers(handler: Callable[[R, Request], Response]) -> Callable[[R, Request], Response]:
    """Turn a `StoreError` raised by a handler into WooCommerce's error response."""

    @functools.wraps(handler)
    def wrapped(self: R, request: Request) -> Response:
        try:
            return handler(self, request)
        except StoreError as error:
            return error.response()

    return wrapped


def path_id(raw: str) -> int:
    """An id from the path; WooCommerce's routes take digits only, anything else matches no route at all."""
    if not raw.isdigit():
        raise StoreError("rest_no_route", "No route was found matching the URL and request method.", 404)
    return int(raw)


def json_body(request: Request) -> Any:
    """The JSON body (an empty body is `{}`), or WordPress's `rest_invalid_json`."""
    try:
        return request.json() if request.body.strip() else {}
    except ValueError:
        raise StoreError("rest_invalid_json", "Invalid JSON body passed.", 400) from None


def fields_of(params: Params) -> set[str] | None:
    """WordPress's global `_fields` parameter: only these top-level fields are returned."""
    raw = params.get("_fields")
    return {name.strip() for name in raw.split(",") if name.strip()} if raw else None


def only_fields(doc: dict[str, Any], fields: set[str] | None) -> dict[str, Any]:
    """`doc` cut down to `fields` (all of it when None)."""
    return doc if fields is None else {key: value for key, value in doc.items() if key in fields}


def item_id_of(item: Any) -> int:
    """The `id` of a batch item, 0 when it has none."""
    raw = item.get("id") if isinstance(item, dict) else None
    return int(raw) if isinstance(raw, int | str) and str(raw).isdigit() else 0
