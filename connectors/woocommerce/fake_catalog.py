"""The emulator's products and variations, with WooCommerce's stock rules.

- A product or variation with `manage_stock` off has no quantity: a write of `stock_quantity` to it is dropped
  and the save still succeeds (as `WC_REST_Products_Controller` does).
- A variation may leave its stock to the parent (`manage_stock: "parent"`); it then shows the parent's figure.
- Saving a variation also saves its parent (WooCommerce's deferred product sync), so the parent's
  `date_modified` moves too; every save fires `product.updated` for the item saved.
- Listing by `sku` also returns variations (`type: variation`), as the real endpoint does.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from connectors.woocommerce.fake_shapes import derive_stock_status, product_doc
from connectors.woocommerce.fake_state import Ids, Params, Stamps, StoreError, invalid_param

Emit = Callable[[str, dict[str, Any]], None]
PRODUCT_TYPES = ("simple", "variable", "grouped", "external")
_PRODUCT_FIELDS = ("name", "description", "short_description", "status", "weight", "global_unique_id", "backorders")


class Catalog:
    """Products and variations by id; `emit(topic, payload)` announces changes to webhooks."""

    def __init__(self, stamps: Stamps, ids: Ids, store_url: Callable[[], str], emit: Emit) -> None:
        self.stamps = stamps
        self.ids = ids
        self._store_url = store_url
        self.emit = emit
        self.meta_ids = Ids(start=10_000)
        self.products: dict[int, dict[str, Any]] = {}
        self.variations: dict[int, dict[str, Any]] = {}
        self.children: dict[int, list[int]] = {}
        # id -> (created, modified), kept apart so documents hold only REST fields.
        self.times: dict[int, tuple[datetime, datetime]] = {}

    @property
    def store_url(self) -> str:
        """The store's home URL (the server's own address once it runs)."""
        return self._store_url()

    # -- building --------------------------------------------------------------------------------------

    def insert_product(self, doc: dict[str, Any], created: datetime, modified: datetime) -> None:
        """Store a product document."""
        self.products[doc["id"]] = doc
        # One list object: the document's `variations` is the index of its children.
        doc["variations"] = self.children.setdefault(doc["id"], [])
        self.times[doc["id"]] = (created, modified)
        self.ids.observe(doc["id"])
        self.stamps.observe(modified)

    def insert_variation(self, doc: dict[str, Any], created: datetime, modified: datetime) -> None:
        """Store a variation document under its parent."""
        self.variations[doc["id"]] = doc
        self.children[doc["parent_id"]].append(doc["id"])
        self.times[doc["id"]] = (created, modified)
        self.ids.observe(doc["id"])
        self.stamps.observe(modified)

    # -- reading ---------------------------------------------------------------------------------------

    def get(self, item_id: int) -> dict[str, Any] | None:
        """The product or variation document with this id."""
        return self.products.get(item_id) or self.variations.get(item_id)

    def render(self, item_id: int) -> dict[str, Any]:
        """A product or variation as the REST API returns it."""
        if item_id in self.variations:
            return self._render_variation(item_id)
        doc = dict(self.products[item_id])
        doc.setdefault("permalink", f"{self.store_url}/product/{doc.get('slug', item_id)}/")
        created, modified = self.times[item_id]
        doc.update(self.stamps.fields("date_created", created))
        doc.update(self.stamps.fields("date_modified", modified))
        doc["_links"] = {"self": [{"href": f"{self.store_url}/wp-json/wc/v3/products/{item_id}"}]}
        return doc

    def _render_variation(self, variation_id: int) -> dict[str, Any]:
        doc = dict(self.variations[variation_id])
        doc.setdefault("permalink", f"{self.store_url}/?p={variation_id}")
        parent = self.products[doc["parent_id"]]
        if doc["manage_stock"] == "parent":
            doc["stock_quantity"] = parent["stock_quantity"]
            doc["stock_status"] = parent["stock_status"]
        created, modified = self.times[variation_id]
        doc.update(self.stamps.fields("date_created", created))
        doc.update(self.stamps.fields("date_modified", modified))
        href = f"{self.store_url}/wp-json/wc/v3/products/{parent['id']}"
        doc["_links"] = {"self": [{"href": f"{href}/variations/{variation_id}"}], "up": [{"href": href}]}
        return doc

    def render_as_product(self, variation_id: int) -> dict[str, Any]:
        """A variation as the products endpoint (and `product.*` webhooks) show it."""
        doc = self._render_variation(variation_id)
        parent = self.products[doc["parent_id"]]
        options = ", ".join(a["option"] for a in doc["attributes"])
        doc.update(type="variation", name=f"{parent['name']} - {options}" if options else parent["name"])
        return doc

    def query_products(self, params: Params) -> list[int]:
        """Ids of the products (and, with `sku`, variations) the list parameters select, in their order."""
        gmt = params.boolean("dates_are_gmt")
        after = params.date("modified_after", self.stamps, gmt=gmt)
        include = params.id_list("include")
        status = params.get("status") or "any"
        kind = params.get("type")
        skus = _sku_terms(params.get("sku"))
        pool: Iterable[int] = list(self.products) + (list(self.variations) if skus is not None else [])
        chosen = []
        for item_id in pool:
            doc = self.get(item_id)
            assert doc is not None
            if include is not None and item_id not in include:
                continue
            if skus is not None and doc["sku"].casefold() not in skus:
                continue
            if (status == "any" and doc["status"] == "trash") or status not in ("any", doc["status"]):
                continue
            if kind is not None and doc.get("type", "variation") != kind:
                continue
            if after is not None and self.times[item_id][1] <= after:
                continue
            chosen.append(item_id)
        return self._sorted(chosen, params, include)

    def query_variations(self, parent_id: int, params: Params) -> list[int]:
        """Ids of a product's variations the list parameters select, in their order."""
        gmt = params.boolean("dates_are_gmt")
        after = params.date("modified_after", self.stamps, gmt=gmt)
        include = params.id_list("include")
        chosen = [
            vid
            for vid in self.children.get(parent_id, [])
            if (include is None or vid in include) and (after is None or self.times[vid][1] > after)
        ]
        return self._sorted(chosen, params, include)

    def _sorted(self, chosen: list[int], params: Params, include: list[int] | None) -> list[int]:
        orderby = params.choice("orderby", "date", ("date", "id", "include", "title", "slug", "modified", "menu_order"))
        descending = params.choice("order", "desc", ("asc", "desc")) == "desc"
        keys: dict[str, Callable[[int], Any]] = {
            "date": lambda i: (self.times[i][0], i),
            "modified": lambda i: (self.times[i][1], i),
            "id": lambda i: i,
            "title": lambda i: ((self.get(i) or {}).get("name", ""), i),
            "slug": lambda i: ((self.get(i) or {}).get("slug", ""), i),
            "menu_order": lambda i: ((self.get(i) or {}).get("menu_order", 0), i),
            "include": lambda i: (include.index(i) if include and i in include else 0, i),
        }
        return sorted(chosen, key=keys[orderby], reverse=descending and orderby != "include")

    # -- writing ---------------------------------------------------------------------------------------

    def touch(self, item_id: int) -> None:
        """Record a save: a new modification time, the parent's too for a variation, and the webhook."""
        stamp = self.stamps.next()
        self.times[item_id] = (self.times[item_id][0], stamp)
        if item_id in self.variations:
            parent_id = self.variations[item_id]["parent_id"]
            self.times[parent_id] = (self.times[parent_id][0], stamp)
            self.emit("product.updated", self.render_as_product(item_id))
        else:
            self.emit("product.updated", self.render(item_id))

    def update(self, item_id: int, changes: Any, kind: str = "product") -> dict[str, Any]:
        """Apply a REST update body to a product or variation (`kind` names it in errors); returns it saved."""
        doc = self.variations.get(item_id) if kind == "product_variation" else self.products.get(item_id)
        if doc is None:
            raise StoreError(f"woocommerce_rest_{kind}_invalid_id", "Invalid ID.", 400)
        if not isinstance(changes, dict):
            raise StoreError("rest_invalid_json", "Invalid JSON body passed.", 400)
        self._check_sku(item_id, changes)
        for name in _PRODUCT_FIELDS:
            if name in changes and name in doc:
                doc[name] = changes[name]
        if "sku" in changes:
            doc["sku"] = str(changes["sku"] or "")
        if "regular_price" in changes or "sale_price" in changes:
            doc["regular_price"] = str(changes.get("regular_price", doc["regular_price"]) or "")
            doc["sale_price"] = str(changes.get("sale_price", doc["sale_price"]) or "")
            doc["on_sale"] = bool(doc["sale_price"])
            doc["price"] = doc["sale_price"] or doc["regular_price"]
        self._apply_stock(doc, changes)
        if "meta_data" in changes:
            merge_meta(doc["meta_data"], changes["meta_data"], self.meta_ids)
        self.touch(item_id)
        return self.render(item_id)

    def _check_sku(self, item_id: int, changes: dict[str, Any]) -> None:
        sku = changes.get("sku")
        if not sku:
            return
        for other_id in list(self.products) + list(self.variations):
            other = self.get(other_id)
            if other_id != item_id and other is not None and other["sku"].casefold() == str(sku).casefold():
                raise StoreError("product_invalid_sku", "Invalid or duplicated SKU.", 400, resource_id=other_id)

    @staticmethod
    def _apply_stock(doc: dict[str, Any], changes: dict[str, Any]) -> None:
        if "manage_stock" in changes:
            value = changes["manage_stock"]
            doc["manage_stock"] = "parent" if value == "parent" else bool(value)
        if "backorders" in changes:
            doc["backorders_allowed"] = doc["backorders"] != "no"
        if doc["manage_stock"] is True:
            if "stock_quantity" in changes:
                quantity = changes["stock_quantity"]
                if isinstance(quantity, bool) or not isinstance(quantity, int | float | str):
                    raise invalid_param("stock_quantity", "stock_quantity is not of type integer.")
                try:
                    doc["stock_quantity"] = int(float(quantity))
                except ValueError:
                    raise invalid_param("stock_quantity", "stock_quantity is not of type integer.") from None
            elif doc["stock_quantity"] is None:
                doc["stock_quantity"] = 0
            derive_stock_status(doc)
        elif doc["manage_stock"] is False:
            # WooCommerce drops the quantity of an item that does not manage stock, and says nothing.
            doc["stock_quantity"] = None
            if changes.get("stock_status") in ("instock", "outofstock", "onbackorder"):
                doc["stock_status"] = changes["stock_status"]

    def stock_holder(self, item_id: int) -> dict[str, Any] | None:
        """The document whose quantity an order line for `item_id` moves (None: stock not managed)."""
        doc = self.get(item_id)
        if doc is None:
            return None
        if doc.get("manage_stock") == "parent":
            parent = self.products[doc["parent_id"]]
            return parent if parent["manage_stock"] is True else None
        return doc if doc["manage_stock"] is True else None

    def adjust_stock(self, item_id: int, delta: int) -> tuple[str, int, int] | None:
        """Move the managed quantity of `item_id` by `delta`; (label, old, new) for the order note, or None."""
        holder = self.stock_holder(item_id)
        if holder is None:
            return None
        old = holder["stock_quantity"] or 0
        holder["stock_quantity"] = old + delta
        derive_stock_status(holder)
        self.touch(holder["id"])
        label = holder.get("name") or self.render_as_product(holder["id"])["name"]
        return (f"{label} ({holder['sku']})" if holder["sku"] else label), old, old + delta

    def delete(self, item_id: int) -> None:
        """Remove a product (with its variations) or a variation for good."""
        if item_id in self.variations:
            doc = self.variations.pop(item_id)
            self.children[doc["parent_id"]].remove(item_id)
        else:
            for variation_id in list(self.children.pop(item_id, [])):
                self.variations.pop(variation_id, None)
                self.times.pop(variation_id, None)
            self.products.pop(item_id, None)
        self.times.pop(item_id, None)
        self.emit("product.deleted", {"id": item_id})

    def create_product(self, body: Any) -> dict[str, Any]:
        """`POST /products` with the fields syncd and the sandbox use."""
        if not isinstance(body, dict) or not body.get("name"):
            raise invalid_param("name", "name is required.")
        kind = body.get("type", "simple")
        if kind not in PRODUCT_TYPES:
            raise invalid_param("type", f"type is not one of {', '.join(PRODUCT_TYPES)}.")
        self._check_sku(0, body)
        product_id = self.ids.next()
        stamp = self.stamps.next()
        doc = product_doc(product_id, str(body["name"]), kind, str(body.get("sku") or ""), "", None)
        self.insert_product(doc, stamp, stamp)
        self.update(product_id, {k: v for k, v in body.items() if k not in ("name", "type", "sku")})
        self.emit("product.created", self.render(product_id))
        return self.render(product_id)


def _sku_terms(raw: str | None) -> set[str] | None:
    if raw is None or raw == "":
        return None
    parts = [part.strip() for part in raw.split(",") if part.strip()]
    terms = set(parts)
    if len(parts) > 1:
        terms.add(raw)  # WooCommerce also tries the whole string, so a SKU with a comma can be found
    return {term.casefold() for term in terms}


def merge_meta(existing: list[dict[str, Any]], changes: Any, ids: Ids) -> None:
    """`meta_data` updates: by `id` when given, else the first entry with the `key`, else a new entry."""
    if not isinstance(changes, list):
        raise invalid_param("meta_data", "meta_data is not of type array.")
    for change in changes:
        if not isinstance(change, dict) or "key" not in change:
            continue
        target = next((m for m in existing if change.get("id") and m["id"] == change["id"]), None)
        target = target or next((m for m in existing if m["key"] == change["key"]), None)
        if target is None:
            existing.append({"id": ids.next(), "key": str(change["key"]), "value": change.get("value")})
        else:
            target["value"] = change.get("value")
