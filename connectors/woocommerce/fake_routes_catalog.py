"""The emulator's product and variation routes, batch endpoints included."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from connectors.woocommerce.fake_routes import API, WooRoutes, answers, item_id_of, json_body, path_id
from connectors.woocommerce.fake_state import Params, StoreError
from syncd.testing import Request, Response, route

BATCH_LIMIT = 100


class CatalogRoutes(WooRoutes):
    """`/products`, `/products/<id>`, `/products/batch`, `/products/<id>/variations[/<id>|/batch]`."""

    # -- products --------------------------------------------------------------------------------------

    @route("GET", f"{API}/products")
    @answers
    def list_products(self, request: Request) -> Response:
        """Products (and, with `sku`, variations)."""
        return self.list_answer(request, self.catalog.query_products(Params.of(request)), self.render_any)

    @route("POST", f"{API}/products")
    @answers
    def create_product(self, request: Request) -> Response:
        """A new product."""
        return Response.json(self.catalog.create_product(json_body(request)), status=201)

    @route("GET", f"{API}/products/{{product_id}}")
    @answers
    def get_product(self, request: Request) -> Response:
        """One product."""
        product_id = path_id(request.path_params["product_id"])
        if product_id not in self.catalog.products:
            raise StoreError("woocommerce_rest_product_invalid_id", "Invalid ID.", 404)
        return Response.json(self.catalog.render(product_id))

    @route("PUT", f"{API}/products/{{product_id}}")
    @answers
    def update_product(self, request: Request) -> Response:
        """Update a product."""
        product_id = path_id(request.path_params["product_id"])
        return Response.json(self.catalog.update(product_id, json_body(request)))

    @route("DELETE", f"{API}/products/{{product_id}}")
    @answers
    def delete_product(self, request: Request) -> Response:
        """Trash a product, or delete it with `force=true`."""
        product_id = path_id(request.path_params["product_id"])
        if product_id not in self.catalog.products:
            raise StoreError("woocommerce_rest_product_invalid_id", "Invalid ID.", 404)
        shown = self.catalog.render(product_id)
        if Params.of(request).boolean("force"):
            self.catalog.delete(product_id)
            return Response.json(shown)
        return Response.json(self.catalog.update(product_id, {"status": "trash"}))

    @route("POST", f"{API}/products/batch")
    @answers
    def batch_products(self, request: Request) -> Response:
        """Create, update and delete up to 100 products; failures are reported per item."""
        return self._batch(
            json_body(request),
            create=self.catalog.create_product,
            update=lambda item_id, item: self.catalog.update(item_id, item),
            delete=self._force_delete,
        )

    def _force_delete(self, item_id: int) -> dict[str, Any]:
        if self.catalog.get(item_id) is None:
            raise StoreError("woocommerce_rest_product_invalid_id", "Invalid ID.", 404)
        shown = self.render_any(item_id)
        self.catalog.delete(item_id)
        return shown

    # -- variations ------------------------------------------------------------------------------------

    def _parent(self, request: Request) -> int:
        product_id = path_id(request.path_params["product_id"])
        if product_id not in self.catalog.products:
            raise StoreError("woocommerce_rest_product_invalid_id", "Invalid ID.", 404)
        return product_id

    def _variation(self, request: Request, parent_id: int) -> int:
        variation_id = path_id(request.path_params["variation_id"])
        if variation_id not in self.catalog.children.get(parent_id, []):
            raise StoreError("woocommerce_rest_product_variation_invalid_id", "Invalid ID.", 404)
        return variation_id

    @route("GET", f"{API}/products/{{product_id}}/variations")
    @answers
    def list_variations(self, request: Request) -> Response:
        """A product's variations."""
        parent_id = self._parent(request)
        ids = self.catalog.query_variations(parent_id, Params.of(request))
        return self.list_answer(request, ids, self.catalog.render)

    @route("GET", f"{API}/products/{{product_id}}/variations/{{variation_id}}")
    @answers
    def get_variation(self, request: Request) -> Response:
        """One variation."""
        return Response.json(self.catalog.render(self._variation(request, self._parent(request))))

    @route("PUT", f"{API}/products/{{product_id}}/variations/{{variation_id}}")
    @answers
    def update_variation(self, request: Request) -> Response:
        """Update a variation."""
        variation_id = self._variation(request, self._parent(request))
        return Response.json(self.catalog.update(variation_id, json_body(request), "product_variation"))

    @route("POST", f"{API}/products/{{product_id}}/variations/batch")
    @answers
    def batch_variations(self, request: Request) -> Response:
        """Update or delete up to 100 variations of one product; failures are reported per item."""
        parent_id = self._parent(request)

        def update(item_id: int, item: dict[str, Any]) -> dict[str, Any]:
            if item_id not in self.catalog.children.get(parent_id, []):
                raise StoreError("woocommerce_rest_product_variation_invalid_id", "Invalid ID.", 400)
            return self.catalog.update(item_id, item, "product_variation")

        def delete(item_id: int) -> dict[str, Any]:
            if item_id not in self.catalog.children.get(parent_id, []):
                raise StoreError("woocommerce_rest_product_variation_invalid_id", "Invalid ID.", 404)
            return self._force_delete(item_id)

        def create(item: Any) -> dict[str, Any]:
            raise StoreError("woocommerce_rest_cannot_create", "Creating variations is not emulated.", 501)

        return self._batch(json_body(request), create=create, update=update, delete=delete)

    def _batch(
        self,
        body: Any,
        *,
        create: Callable[[Any], dict[str, Any]],
        update: Callable[[int, dict[str, Any]], dict[str, Any]],
        delete: Callable[[int], dict[str, Any]],
    ) -> Response:
        if not isinstance(body, dict):
            raise StoreError("rest_invalid_json", "Invalid JSON body passed.", 400)
        actions = {name: body.get(name) or [] for name in ("create", "update", "delete")}
        if any(not isinstance(items, list) for items in actions.values()):
            raise StoreError("rest_invalid_param", "Invalid parameter(s): create, update, delete", 400)
        if sum(len(items) for items in actions.values()) > BATCH_LIMIT:
            message = f"Unable to accept more than {BATCH_LIMIT} items for this request."
            raise StoreError("woocommerce_rest_request_entity_too_large", message, 413)
        answer: dict[str, list[dict[str, Any]]] = {}
        for name, items in actions.items():
            if name not in body:
                continue
            answer[name] = []
            for item in items:
                item_id = item_id_of(item if name != "delete" else {"id": item})
                try:
                    if name == "create":
                        answer[name].append(create(item))
                    elif name == "update":
                        answer[name].append(update(item_id, item))
                    else:
                        answer[name].append(delete(item_id))
                except StoreError as error:
                    answer[name].append({"id": item_id, "error": error.body()})
        return Response.json(answer)
