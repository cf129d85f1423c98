"""Product endpoints (§4.3): create, edit, partial edit, get, search, inventory, prices, status changes."""

from __future__ import annotations

from typing import Any

from connectors.tiktok_shop.fake.api import (
    INVENTORY_QUANTITY,
    JSON,
    PARAM_INVALID,
    PRODUCT_LIMIT,
    ApiCall,
    ApiError,
    CursorPager,
    bad_field,
    checked_int,
    endpoint,
)
from connectors.tiktok_shop.fake.core import DAY
from connectors.tiktok_shop.fake.listing import MAX_QUANTITY, Draft, ListingRules
from connectors.tiktok_shop.fake.render import render_product, render_product_summary
from connectors.tiktok_shop.fake.state import PRODUCT_STATUSES, Product, Sku

# Which statuses each bulk action accepts, and the status it sets.
BULK_ACTIONS = {
    "activate": ({"SELLER_DEACTIVATED", "ACTIVATE", "DRAFT"}, "ACTIVATE"),
    "deactivate": ({"ACTIVATE", "PENDING", "SELLER_DEACTIVATED"}, "SELLER_DEACTIVATED"),
    "delete": (set(PRODUCT_STATUSES) - {"DELETED"}, "DELETED"),
    "recover": ({"DELETED"}, ""),
}


class ProductAPI(ListingRules):
    """The shop's listings."""

    # -- create and edit -----------------------------------------------------------------------------------

    @endpoint("POST", "/product/{version}/products")
    def create_product(self, call: ApiCall) -> JSON:
        key = call.field("idempotency_key", str)
        if key and key in self.idempotency_keys:
            # A retried create with the same key returns the product the first call created.
            return self._write_result(self.products[self.idempotency_keys[key]])
        draft = self.parse_product(call.body)
        save_mode = call.field("save_mode", str, "LISTING")
        if save_mode not in ("LISTING", "DRAFT"):
            raise bad_field("save_mode", "unknown value", "LISTING or DRAFT")
        self._count_creation()
        product = self.new_product(draft, listed=save_mode == "LISTING")
        if key:
            self.idempotency_keys[key] = product.id
        return self._write_result(product)

    def _count_creation(self) -> None:
        day = self.unix_now() // DAY
        created = self.created_per_day.get(day, 0)
        if self.daily_product_cap is not None and created >= self.daily_product_cap:
            raise ApiError(PRODUCT_LIMIT, "The number of products listed today has reached the daily limit.")
        self.created_per_day[day] = created + 1

    def new_product(self, draft: Draft, *, listed: bool, status: str | None = None) -> Product:
        """Store a product built from a validated draft."""
        now = self.unix_now()
        product_id = self.ids.next("product")
        fields = draft.fields
        product = Product(
            id=product_id,
            title=fields["title"],
            description=fields["description"],
            status=status or ("DRAFT" if not listed else "ACTIVATE" if self.auto_approve_products else "PENDING"),
            category_id=fields["category_id"],
            skus=[self.build_sku(product_id, spec) for spec in draft.skus],
            create_time=now,
            update_time=now,
            brand_id=fields.get("brand_id", ""),
            main_images=fields["main_images"],
            package_weight=fields["package_weight"],
            package_dimensions=fields.get("package_dimensions"),
            product_attributes=list(fields.get("product_attributes") or []),
            external_product_id=str(fields.get("external_product_id") or ""),
        )
        self.products[product.id] = product
        self.index_product(product)
        return product

    @endpoint("PUT", "/product/{version}/products/{product_id}", versions=("202309", "202509"))
    def edit_product(self, call: ApiCall) -> JSON:
        product = self.product_for(call)
        draft = self.parse_product(call.body)
        self._apply_draft(product, draft, replace_skus=True)
        return self._write_result(product)

    @endpoint("POST", "/product/{version}/products/{product_id}/partial_edit", versions=("202309", "202509"))
    def partial_edit_product(self, call: ApiCall) -> JSON:
        product = self.product_for(call)
        self._apply_draft(product, self.parse_product(call.body, partial=True), replace_skus=False)
        return self._write_result(product)

    def _apply_draft(self, product: Product, draft: Draft, *, replace_skus: bool) -> None:
        by_id = {sku.id: sku for sku in product.skus}
        for spec in draft.skus:
            if spec.get("id") and spec["id"] not in by_id:
                raise bad_field("skus.id", f"SKU {spec['id']} does not belong to product {product.id}")
        for name, value in draft.fields.items():
            setattr(product, name, value)
        if draft.skus:
            kept = [self.build_sku(product.id, spec, by_id.get(spec.get("id") or "")) for spec in draft.skus]
            if replace_skus:
                for dropped in set(by_id) - {sku.id for sku in kept}:
                    del self.skus[dropped]
                product.skus = kept
            else:
                product.skus += [sku for sku in kept if sku.id not in by_id]
            self.index_product(product)
        product.update_time = self.unix_now()

    def _write_result(self, product: Product) -> JSON:
        skus = [
            {
                "id": s.id,
                "seller_sku": s.seller_sku,
                "external_sku_id": s.external_sku_id,
                "sales_attributes": [{"id": a["id"], "value_id": a["value_id"]} for a in s.sales_attributes],
            }
            for s in product.skus
        ]
        return {"product_id": product.id, "skus": skus, "warnings": []}

    # -- read ----------------------------------------------------------------------------------------------

    @endpoint("GET", "/product/{version}/products/{product_id}")
    def get_product(self, call: ApiCall) -> JSON:
        return render_product(self.product_for(call), self.catalog)

    @endpoint("POST", "/product/{version}/products/search", versions=("202309", "202312", "202502"))
    def search_products(self, call: ApiCall) -> JSON:
        size = call.page_size(100)
        status = call.field("status", str, "ALL")
        if status != "ALL" and status not in PRODUCT_STATUSES:
            raise bad_field("status", "unknown status")
        seller_skus = set(call.str_list("seller_skus") or [])
        sku_ids = set(call.str_list("sku_ids") or [])
        bounds = {name: checked_int(name, call.body[name]) for name in _TIME_BOUNDS if name in call.body}

        def wanted(product: Product) -> bool:
            if (status == "ALL" and product.status == "DELETED") or status not in ("ALL", product.status):
                return False
            if seller_skus and not any(s.seller_sku in seller_skus for s in product.skus):
                return False
            if sku_ids and not any(s.id in sku_ids for s in product.skus):
                return False
            return _within(product.create_time, product.update_time, bounds)

        matching = [p for p in self.products.values() if wanted(p)]
        pager = CursorPager({"route": "products", "body": call.body})
        page, token, total = pager.page(
            matching, lambda p: (p.create_time, p.id), call.arg("page_token"), size, descending=True
        )
        region = self.shop["region"]
        return {
            "products": [render_product_summary(p, region) for p in page],
            "total_count": total,
            "next_page_token": token,
        }

    # -- stock and prices ----------------------------------------------------------------------------------

    @endpoint("POST", "/product/{version}/products/{product_id}/inventory/update")
    def update_inventory(self, call: ApiCall) -> JSON:
        product = self.product_for(call)
        entries = call.body.get("skus")
        if not isinstance(entries, list) or not entries:
            raise bad_field("skus", "at least one SKU is required")
        errors = [error for entry in entries if (error := self._update_sku_stock(product, entry))]
        product.update_time = self.unix_now()
        # Per-SKU failures come back in data.errors with code 0; the other SKUs are saved.
        return {"errors": errors} if errors else {}

    def _update_sku_stock(self, product: Product, entry: Any) -> JSON | None:
        sku_id = str(entry.get("id", "")) if isinstance(entry, dict) else ""
        sku = self.skus.get(sku_id)
        if sku is None or sku.product_id != product.id:
            return _sku_error(PARAM_INVALID, f"SKU {sku_id} does not belong to product {product.id}.", sku_id)
        inventory = entry.get("inventory")
        if not isinstance(inventory, list) or not inventory:
            return _sku_error(PARAM_INVALID, "inventory is required.", sku_id)
        updates: dict[str, int] = {}
        extra: list[JSON] = []
        for line in inventory:
            line = line if isinstance(line, dict) else {}
            # One warehouse: warehouse_id may be left out (the documented rule).
            warehouse_id = str(
                line.get("warehouse_id") or (next(iter(sku.inventory)) if len(sku.inventory) == 1 else "")
            )
            quantity = line.get("quantity")
            if warehouse_id not in self.catalog.sales_warehouse_ids():
                extra.append({"warehouse_id": warehouse_id, "code": PARAM_INVALID, "message": "Invalid warehouse_id."})
            elif isinstance(quantity, bool) or not isinstance(quantity, int) or not 0 <= quantity <= MAX_QUANTITY:
                message = f"The quantity must be between 0 and {MAX_QUANTITY}."
                extra.append({"warehouse_id": warehouse_id, "code": INVENTORY_QUANTITY, "message": message})
            else:
                updates[warehouse_id] = quantity
        if extra:
            return {
                "code": extra[0]["code"],
                "message": "Failed to update the SKU's inventory.",
                "detail": {"sku_id": sku_id, "extra_errors": extra},
            }
        sku.inventory.update(updates)
        return None

    @endpoint("POST", "/product/{version}/inventory/search")
    def search_inventory(self, call: ApiCall) -> JSON:
        product_ids = call.str_list("product_ids") or []
        sku_ids = set(call.str_list("sku_ids") or [])
        if not product_ids and not sku_ids:
            raise bad_field("product_ids", "set product_ids or sku_ids")
        owners = [self.skus[s].product_id for s in sku_ids if s in self.skus]
        products = [self.products[i] for i in dict.fromkeys([*product_ids, *owners]) if i in self.products]
        inventory = []
        for product in products:
            skus = [s for s in product.skus if not sku_ids or s.id in sku_ids]
            inventory.append({"product_id": product.id, "skus": [_stock(s) for s in skus]})
        return {"inventory": inventory}

    @endpoint("POST", "/product/{version}/products/{product_id}/prices/update")
    def update_prices(self, call: ApiCall) -> JSON:
        product = self.product_for(call)
        entries = call.body.get("skus")
        if not isinstance(entries, list) or not entries:
            raise bad_field("skus", "at least one SKU is required")
        changes: list[tuple[Sku, dict[str, Any]]] = []
        for entry in entries:
            sku = self.skus.get(str(entry.get("id", "")) if isinstance(entry, dict) else "")
            if sku is None or sku.product_id != product.id:
                raise bad_field("skus.id", f"the SKU does not belong to product {product.id}")
            price = entry.get("price")
            if not isinstance(price, dict) or not price.get("amount") or not price.get("currency"):
                raise bad_field("skus.price", "amount and currency are required")
            changes.append((sku, entry))
        for sku, entry in changes:  # all or nothing: validated above, applied here
            sku.price, sku.currency = str(entry["price"]["amount"]), str(entry["price"]["currency"])
            sku.list_price = entry.get("list_price", sku.list_price)
        product.update_time = self.unix_now()
        return {}

    # -- status changes ------------------------------------------------------------------------------------

    @endpoint("POST", "/product/{version}/products/activate")
    def activate_products(self, call: ApiCall) -> JSON:
        return self._bulk(call, "activate")

    @endpoint("POST", "/product/{version}/products/deactivate")
    def deactivate_products(self, call: ApiCall) -> JSON:
        return self._bulk(call, "deactivate")

    @endpoint("DELETE", "/product/{version}/products")
    def delete_products(self, call: ApiCall) -> JSON:
        return self._bulk(call, "delete")

    @endpoint("POST", "/product/{version}/products/recover")
    def recover_products(self, call: ApiCall) -> JSON:
        return self._bulk(call, "recover")

    def _bulk(self, call: ApiCall, action: str) -> JSON:
        ids = call.str_list("product_ids")
        if not ids:
            raise bad_field("product_ids", "at least one product id is required")
        allowed, target = BULK_ACTIONS[action]
        errors = []
        for product_id in ids:
            product = self.products.get(product_id)
            if product is None or product.status not in allowed:
                reason = "does not exist" if product is None else f"cannot {action} a product in {product.status}"
                errors.append(
                    {
                        "code": PARAM_INVALID,
                        "message": f"Product {product_id} {reason}.",
                        "detail": {"product_id": product_id},
                    }
                )
                continue
            if action == "delete":
                product.status_before_delete = product.status
            self.set_product_status(product, target or product.status_before_delete)
        return {"errors": errors} if errors else {}

    def set_product_status(self, product: Product, status: str) -> None:
        """Change a product's status, bump its update time and send PRODUCT_STATUS_CHANGE."""
        product.status = status
        product.update_time = self.unix_now()
        # product_id is a JSON number in this webhook (§7): clients must not parse it as a float.
        self.emit(
            "PRODUCT_STATUS_CHANGE",
            {
                "product_id": int(product.id),
                "status": "PRODUCT_STATUS_CHANGED",
                "suspended_reason": "",
                "update_time": product.update_time,
            },
        )

    def product_for(self, call: ApiCall) -> Product:
        """The product named by the path, or the product API's not-found error."""
        product = self.products.get(call.path("product_id"))
        if product is None:
            raise bad_field("product_id", "the product does not exist")
        return product


_TIME_BOUNDS = ("create_time_ge", "create_time_le", "update_time_ge", "update_time_le")


def _within(create_time: int, update_time: int, bounds: dict[str, int]) -> bool:
    times = {"create_time": create_time, "update_time": update_time}
    for name, bound in bounds.items():
        value = times[name.rsplit("_", 1)[0]]
        if (name.endswith("_ge") and value < bound) or (name.endswith("_le") and value > bound):
            return False
    return True


def _sku_error(code: int, message: str, sku_id: str) -> JSON:
    return {"code": code, "message": message, "detail": {"sku_id": sku_id, "extra_errors": []}}


def _stock(sku: Sku) -> JSON:
    available = sum(sku.inventory.values())
    return {
        "id": sku.id,
        "seller_sku": sku.seller_sku,
        "total_available_quantity": available,
        "total_committed_quantity": sku.committed,
        "warehouse_inventory": [
            {"warehouse_id": w, "available_quantity": q, "committed_quantity": 0} for w, q in sku.inventory.items()
        ],
    }
