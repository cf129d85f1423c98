"""The emulator's orders and order notes, with WooCommerce's stock effects.

- An order reaching `processing`, `on-hold` or `completed` (or paid with `set_paid`) reduces the stock of its
  managed items once (`wc_maybe_reduce_stock_levels`); reaching `cancelled` or `pending` afterwards puts it
  back (`wc_maybe_increase_stock_levels`). Both leave a system note, as WooCommerce does.
- Line items name their product by `sku`, else `variation_id`, else `product_id` (`get_product_id`).
- `search` behaves as on the chosen order storage. HPOS: the order id, `transaction_id`, billing and shipping
  fields, order item names (products, shipping and fee lines). Legacy posts: the order id, address fields and
  order item names, and only when those find nothing, the customer note (the post excerpt). There is no meta
  filter on either.
"""

from __future__ import annotations

import random
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

from connectors.woocommerce.fake_catalog import Catalog, Emit, merge_meta
from connectors.woocommerce.fake_shapes import order_doc
from connectors.woocommerce.fake_state import Ids, Params, Stamps, StoreError, invalid_param

STATUS_LABELS = {
    "pending": "Pending payment",
    "processing": "Processing",
    "on-hold": "On hold",
    "completed": "Completed",
    "cancelled": "Cancelled",
    "refunded": "Refunded",
    "failed": "Failed",
    "checkout-draft": "Draft",
    "trash": "Trash",
}
REDUCES_STOCK = frozenset({"processing", "on-hold", "completed"})
RESTORES_STOCK = frozenset({"cancelled", "pending"})
_EDITABLE = ("currency", "customer_note", "transaction_id", "payment_method", "payment_method_title")


def _money(value: Decimal) -> str:
    return str(value.quantize(Decimal("0.01")))


def _amount(raw: Any, name: str) -> Decimal:
    try:
        return Decimal(str(raw))
    except InvalidOperation:
        raise invalid_param(name, f"{name} is not a number.") from None


class OrderBook:
    """Orders by id, their notes, and which quantities each one took from stock."""

    def __init__(
        self,
        catalog: Catalog,
        stamps: Stamps,
        ids: Ids,
        currency: str,
        emit: Emit,
        rng: random.Random,
        storage: Literal["hpos", "legacy"] = "hpos",
    ) -> None:
        self.catalog = catalog
        # Which order storage `search=` behaves like: HPOS (the default for stores since WooCommerce 8.2) or posts.
        self.storage = storage
        self.stamps = stamps
        self.ids = ids
        self.currency = currency
        self.emit = emit
        self.rng = rng
        self.orders: dict[int, dict[str, Any]] = {}
        self.times: dict[int, dict[str, datetime | None]] = {}
        self.notes: dict[int, list[dict[str, Any]]] = {}
        # order id -> line item id -> (stock holder id, quantity taken), while the order holds stock.
        self.reduced: dict[int, dict[int, tuple[int, int]]] = {}
        self.item_ids = Ids(start=50_000)
        self.note_ids = Ids(start=70_000)
        self.meta_ids = Ids(start=90_000)

    # -- reading ---------------------------------------------------------------------------------------

    def get(self, order_id: int) -> dict[str, Any]:
        """The stored order document, or WooCommerce's 404."""
        doc = self.orders.get(order_id)
        if doc is None:
            raise StoreError("woocommerce_rest_shop_order_invalid_id", "Invalid ID.", 404)
        return doc

    def render(self, order_id: int) -> dict[str, Any]:
        """An order as the REST API returns it."""
        doc = dict(self.get(order_id))
        times = self.times[order_id]
        for field in ("created", "modified", "paid", "completed"):
            doc.update(self.stamps.fields(f"date_{field}", times[field]))
        doc["_links"] = {"self": [{"href": f"{self.catalog.store_url}/wp-json/wc/v3/orders/{order_id}"}]}
        return doc

    def query(self, params: Params) -> list[int]:
        """Ids of the orders the list parameters select, in their order."""
        gmt = params.boolean("dates_are_gmt")
        after = params.date("modified_after", self.stamps, gmt=gmt)
        include = params.id_list("include")
        statuses = {s.strip() for s in (params.get("status") or "any").split(",") if s.strip()}
        term = (params.get("search") or "").strip()
        chosen = []
        for order_id, doc in self.orders.items():
            if include is not None and order_id not in include:
                continue
            if ("any" in statuses and doc["status"] == "trash") or (
                "any" not in statuses and doc["status"] not in statuses
            ):
                continue
            if after is not None and (self.times[order_id]["modified"] or datetime.min) <= after:
                continue
            chosen.append(order_id)
        if term:
            chosen = self.search(chosen, term)
        orderby = params.choice("orderby", "date", ("date", "id", "include", "title", "slug", "modified"))
        descending = params.choice("order", "desc", ("asc", "desc")) == "desc"
        if orderby in ("date", "modified"):
            field = "created" if orderby == "date" else "modified"
            return sorted(chosen, key=lambda i: (self.times[i][field], i), reverse=descending)
        if orderby == "include" and include:
            return sorted(chosen, key=include.index)
        return sorted(chosen, reverse=descending)

    def search(self, candidates: list[int], term: str) -> list[int]:
        """What `search=` finds on this store's order storage (see the module docstring)."""
        folded = term.casefold()

        def has(texts: list[str]) -> bool:
            return any(folded in text.casefold() for text in texts)

        def item_names(doc: dict[str, Any]) -> list[str]:
            names = [item["name"] for item in doc["line_items"] + doc.get("fee_lines", [])]
            return names + [line["method_title"] for line in doc["shipping_lines"]]

        def addresses(doc: dict[str, Any]) -> list[str]:
            return [str(value) for part in ("billing", "shipping") for value in doc[part].values() if value]

        by_id = [i for i in candidates if term.isdigit() and int(term) == i]
        if self.storage == "hpos":
            return by_id + [
                i
                for i in candidates
                if i not in by_id
                and has([self.orders[i]["transaction_id"], *addresses(self.orders[i]), *item_names(self.orders[i])])
            ]
        # wc_order_search: address indexes and item names; only when it finds nothing does WordPress search the
        # post itself, whose excerpt is the customer note.
        found = by_id + [i for i in candidates if has([*addresses(self.orders[i]), *item_names(self.orders[i])])]
        return found or [i for i in candidates if has([self.orders[i]["customer_note"]])]

    # -- writing ---------------------------------------------------------------------------------------

    def create(self, body: Any) -> dict[str, Any]:
        """`POST /orders`: created `pending`, then moved to the requested status; `set_paid` pays it."""
        if not isinstance(body, dict):
            raise StoreError("rest_invalid_json", "Invalid JSON body passed.", 400)
        status = body.get("status", "pending")
        if status not in STATUS_LABELS:
            raise invalid_param("status", f"status is not one of {', '.join(STATUS_LABELS)}.")
        lines = [self._line_item(raw) for raw in body.get("line_items") or []]
        shipping = [self._shipping_line(raw) for raw in body.get("shipping_lines") or []]
        order_id = self.ids.next()
        stamp = self.stamps.next()
        token = "".join(self.rng.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(13))
        doc = order_doc(order_id, f"wc_order_{token}", body.get("currency") or self.currency, lines, shipping)
        self._edit(doc, body)
        self._totals(doc)
        self.orders[order_id] = doc
        self.times[order_id] = {"created": stamp, "modified": stamp, "paid": None, "completed": None}
        self.notes[order_id] = []
        self._transition(order_id, status)
        if body.get("set_paid") is True:
            self._pay(order_id)
        self.emit("order.created", self.render(order_id))
        return self.render(order_id)

    def update(self, order_id: int, body: Any) -> dict[str, Any]:
        """`PUT /orders/<id>`: fields, meta and status (with its stock effects)."""
        doc = self.get(order_id)
        if not isinstance(body, dict):
            raise StoreError("rest_invalid_json", "Invalid JSON body passed.", 400)
        status = body.get("status")
        if status is not None and status not in STATUS_LABELS:
            raise invalid_param("status", f"status is not one of {', '.join(STATUS_LABELS)}.")
        self._edit(doc, body)
        self.times[order_id]["modified"] = self.stamps.next()
        if status is not None:
            self._transition(order_id, status)
        if body.get("set_paid") is True:
            self._pay(order_id)
        self.emit("order.updated", self.render(order_id))
        return self.render(order_id)

    def _edit(self, doc: dict[str, Any], body: dict[str, Any]) -> None:
        for name in _EDITABLE:
            if name in body and body[name] is not None:
                doc[name] = str(body[name])
        for part in ("billing", "shipping"):
            if isinstance(body.get(part), dict):
                doc[part].update({k: str(v) for k, v in body[part].items() if k in doc[part]})
        if "meta_data" in body:
            merge_meta(doc["meta_data"], body["meta_data"], self.meta_ids)

    def _line_item(self, raw: Any) -> dict[str, Any]:
        if not isinstance(raw, dict):
            raise invalid_param("line_items", "line_items[0] is not of type object.")
        if raw.get("sku"):
            found = self.catalog.query_products(Params({"sku": str(raw["sku"])}))
            item_id = found[0] if found else 0
        elif raw.get("variation_id"):
            item_id = int(raw["variation_id"])
        elif raw.get("product_id"):
            item_id = int(raw["product_id"])
        else:
            raise StoreError("woocommerce_rest_required_product_reference", "Product ID or SKU is required.", 400)
        doc = self.catalog.get(item_id)
        if doc is None:
            raise StoreError("woocommerce_rest_invalid_product_id", "Product is invalid.", 400)
        quantity = int(raw.get("quantity", 1))
        if quantity <= 0:
            raise invalid_param("line_items", "quantity must be a positive number.")
        price = _amount(doc.get("price") or "0", "price")
        subtotal = _amount(raw["subtotal"], "subtotal") if raw.get("subtotal") else price * quantity
        total = _amount(raw["total"], "total") if raw.get("total") else subtotal
        variation = item_id in self.catalog.variations
        rendered = self.catalog.render_as_product(item_id) if variation else self.catalog.render(item_id)
        return {
            "id": self.item_ids.next(), "name": rendered["name"],
            "product_id": doc["parent_id"] if variation else item_id, "variation_id": item_id if variation else 0,
            "quantity": quantity, "tax_class": "", "subtotal": _money(subtotal), "subtotal_tax": "0.00",
            "total": _money(total), "total_tax": "0.00", "taxes": [], "meta_data": [], "sku": doc["sku"],
            "price": float(total / quantity),
        }  # fmt: skip

    def _shipping_line(self, raw: Any) -> dict[str, Any]:
        if not isinstance(raw, dict):
            raise invalid_param("shipping_lines", "shipping_lines[0] is not of type object.")
        total = _amount(raw.get("total") or "0", "total")
        return {
            "id": self.item_ids.next(), "method_title": str(raw.get("method_title", "")),
            "method_id": str(raw.get("method_id", "")), "total": _money(total), "total_tax": "0.00",
            "taxes": [], "meta_data": [],
        }  # fmt: skip

    @staticmethod
    def _totals(doc: dict[str, Any]) -> None:
        shipping = sum((Decimal(line["total"]) for line in doc["shipping_lines"]), Decimal(0))
        items = sum((Decimal(item["total"]) for item in doc["line_items"]), Decimal(0))
        doc["shipping_total"], doc["total"] = _money(shipping), _money(items + shipping)
        doc.update(discount_total="0.00", discount_tax="0.00", shipping_tax="0.00", cart_tax="0.00", total_tax="0.00")

    def _pay(self, order_id: int) -> None:
        # WC_Order::payment_complete: paid now, on to processing, stock reduced if not done yet.
        self.times[order_id]["paid"] = self.stamps.now().replace(microsecond=0)
        if self.orders[order_id]["status"] in ("pending", "failed", "on-hold", "cancelled", "checkout-draft"):
            self._transition(order_id, "processing")
        self._reduce(order_id)

    def _transition(self, order_id: int, status: str) -> None:
        doc = self.orders[order_id]
        old = doc["status"]
        if old == status:
            return
        doc["status"] = status
        self.add_note(order_id, f"Order status changed from {STATUS_LABELS[old]} to {STATUS_LABELS[status]}.")
        if status == "completed":
            self.times[order_id]["completed"] = self.stamps.now().replace(microsecond=0)
        if status in REDUCES_STOCK:
            self._reduce(order_id)
        elif status in RESTORES_STOCK:
            self._restore(order_id)

    def _reduce(self, order_id: int) -> None:
        if order_id in self.reduced:
            return
        taken: dict[int, tuple[int, int]] = {}
        changes = []
        for item in self.orders[order_id]["line_items"]:
            target = item["variation_id"] or item["product_id"]
            moved = self.catalog.adjust_stock(target, -item["quantity"])
            if moved is not None:
                holder = self.catalog.stock_holder(target)
                taken[item["id"]] = (holder["id"] if holder else target, item["quantity"])
                changes.append(f"{moved[0]} {moved[1]}&rarr;{moved[2]}")
        self.reduced[order_id] = taken
        if changes:
            self.add_note(order_id, "Stock levels reduced: " + ", ".join(changes))

    def _restore(self, order_id: int) -> None:
        taken = self.reduced.pop(order_id, None)
        if not taken:
            return
        changes = []
        for holder_id, quantity in taken.values():
            moved = self.catalog.adjust_stock(holder_id, quantity)
            if moved is not None:
                changes.append(f"{moved[0]} {moved[1]}&rarr;{moved[2]}")
        if changes:
            self.add_note(order_id, "Stock levels increased: " + ", ".join(changes))

    # -- notes -----------------------------------------------------------------------------------------

    def add_note(
        self, order_id: int, text: str, *, customer_note: bool = False, by_user: bool = False
    ) -> dict[str, Any]:
        """Add an order note; system notes are authored by WooCommerce."""
        self.get(order_id)
        stamp = self.stamps.now().replace(microsecond=0)
        note = {
            "id": self.note_ids.next(),
            "author": "admin" if by_user else "WooCommerce",
            **self.stamps.fields("date_created", stamp),
            "note": text,
            "customer_note": customer_note,
        }
        self.notes[order_id].append(note)
        return note

    def list_notes(self, order_id: int, kind: str) -> list[dict[str, Any]]:
        """An order's notes, newest first; `kind` is any, customer or internal."""
        self.get(order_id)
        notes = [n for n in self.notes[order_id] if kind == "any" or n["customer_note"] == (kind == "customer")]
        return list(reversed(notes))
