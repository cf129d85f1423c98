"""The emulator's order, order note, webhook, index and data routes."""

from __future__ import annotations

from connectors.woocommerce.fake_routes import API, WooRoutes, answers, json_body, path_id
from connectors.woocommerce.fake_state import Params, StoreError
from syncd.testing import Request, Response, route


class OrderRoutes(WooRoutes):
    """`/orders[/<id>[/notes]]`, `/webhooks[/<id>]`, `/data/currencies/current` and the `/wp-json/` index."""

    # -- index and data --------------------------------------------------------------------------------

    @route("GET", "/wp-json/", auth=False)
    def index(self, request: Request) -> Response:
        """The REST index: the home URL OAuth signatures are built on."""
        url = self.store_url
        return Response.json({"name": "Fake WooCommerce", "url": url, "home": url, "namespaces": ["wc/v3"]})

    @route("GET", f"{API}/data/currencies/current")
    def current_currency(self, request: Request) -> Response:
        """The store currency."""
        return Response.json({"code": self.currency, "name": self.currency, "symbol": ""})

    # -- orders ----------------------------------------------------------------------------------------

    @route("GET", f"{API}/orders")
    @answers
    def list_orders(self, request: Request) -> Response:
        """Orders (`search`, `status`, `include`, `modified_after`, ...)."""
        return self.list_answer(request, self.orders.query(Params.of(request)), self.orders.render)

    @route("POST", f"{API}/orders")
    @answers
    def create_order(self, request: Request) -> Response:
        """A new order; `set_paid` pays it and reduces stock."""
        return Response.json(self.orders.create(json_body(request)), status=201)

    @route("GET", f"{API}/orders/{{order_id}}")
    @answers
    def get_order(self, request: Request) -> Response:
        """One order."""
        order_id = path_id(request.path_params["order_id"])
        self.orders.get(order_id)
        return Response.json(self.orders.render(order_id))

    @route("PUT", f"{API}/orders/{{order_id}}")
    @answers
    def update_order(self, request: Request) -> Response:
        """Update an order; status changes move stock as WooCommerce does."""
        order_id = path_id(request.path_params["order_id"])
        return Response.json(self.orders.update(order_id, json_body(request)))

    @route("GET", f"{API}/orders/{{order_id}}/notes")
    @answers
    def list_order_notes(self, request: Request) -> Response:
        """An order's notes, all of them (this endpoint is not paginated)."""
        order_id = path_id(request.path_params["order_id"])
        kind = Params.of(request).choice("type", "any", ("any", "customer", "internal"))
        return Response.json(self.orders.list_notes(order_id, kind))

    @route("POST", f"{API}/orders/{{order_id}}/notes")
    @answers
    def create_order_note(self, request: Request) -> Response:
        """Add a note to an order."""
        order_id = path_id(request.path_params["order_id"])
        body = json_body(request)
        if not isinstance(body, dict) or not body.get("note"):
            raise StoreError("woocommerce_rest_missing_parameter", "Missing parameter(s): note", 400)
        note = self.orders.add_note(order_id, str(body["note"]), customer_note=bool(body.get("customer_note")))
        return Response.json(note, status=201)

    # -- webhooks --------------------------------------------------------------------------------------

    @route("GET", f"{API}/webhooks")
    @answers
    def list_webhooks(self, request: Request) -> Response:
        """Webhooks."""
        return self.list_answer(request, sorted(self.hub.hooks), self.hub.render)

    @route("POST", f"{API}/webhooks")
    @answers
    def create_webhook(self, request: Request) -> Response:
        """A new webhook; an active one is pinged at once."""
        return Response.json(self.hub.create(json_body(request)), status=201)

    @route("GET", f"{API}/webhooks/{{webhook_id}}")
    @answers
    def get_webhook(self, request: Request) -> Response:
        """One webhook."""
        return Response.json(self.hub.render(path_id(request.path_params["webhook_id"])))

    @route("PUT", f"{API}/webhooks/{{webhook_id}}")
    @answers
    def update_webhook(self, request: Request) -> Response:
        """Change a webhook (re-activate a disabled one, rotate its secret)."""
        return Response.json(self.hub.update(path_id(request.path_params["webhook_id"]), json_body(request)))

    @route("DELETE", f"{API}/webhooks/{{webhook_id}}")
    @answers
    def delete_webhook(self, request: Request) -> Response:
        """Delete a webhook (webhooks cannot be trashed: `force=true` is required)."""
        if not Params.of(request).boolean("force"):
            raise StoreError("woocommerce_rest_trash_not_supported", "Webhooks do not support trashing.", 501)
        return Response.json(self.hub.delete(path_id(request.path_params["webhook_id"])))
