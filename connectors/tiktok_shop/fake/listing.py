"""Listing rules and reference data: the product payload check, categories, brands, uploads, prerequisites.

`ListingRules.parse_product` validates a create/edit body the way the documentation describes (required
fields, a leaf category, known warehouses, 1-100 SKUs, quantities 0-99,999) and builds the SKUs.
"""

from __future__ import annotations

import email.parser
import email.policy
import zlib
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from connectors.tiktok_shop.fake.api import (
    INVENTORY_QUANTITY,
    JSON,
    TOO_MANY_SKUS,
    ApiCall,
    ApiError,
    CursorPager,
    bad_field,
    endpoint,
    invalid,
)
from connectors.tiktok_shop.fake.core import FakeCore
from connectors.tiktok_shop.fake.state import Product, Sku

MAX_SKUS = 100
MAX_QUANTITY = 99_999
# The items Check Listing Prerequisites reports on (the 202312 documentation's list).
PREREQUISITES = (
    "SHOP_STATUS",
    "SHOP_TAX",
    "PICKUP_WAREHOUSE",
    "RETURN_WAREHOUSE",
    "DELIVERY_OPTION",
    "SHIPPING_TEMPLATE",
    "PRODUCT_QUANTITY_LIMIT",
    "CONTACT_INFO",
)
IMAGE_USE_CASES = frozenset({"MAIN_IMAGE", "ATTRIBUTE_IMAGE", "DESCRIPTION_IMAGE", "CERTIFICATION_IMAGE"})


@dataclass(slots=True)
class Draft:
    """A validated product payload, before it is applied to a record."""

    fields: dict[str, Any]
    skus: list[dict[str, Any]]


class ListingRules(FakeCore):
    """Product payload validation plus the category, brand and upload endpoints."""

    # -- payload validation --------------------------------------------------------------------------------

    def parse_product(self, body: JSON, *, partial: bool = False) -> Draft:
        """Check a create/edit body; with `partial`, only the fields present are checked."""
        fields: dict[str, Any] = {}
        if not partial or "title" in body:
            title = body.get("title")
            if not isinstance(title, str) or not 1 <= len(title) <= 255:
                raise bad_field("title", "it must be 1 to 255 characters")
            fields["title"] = title
        if not partial or "description" in body:
            description = body.get("description")
            if not isinstance(description, str) or not description:
                raise bad_field("description", "it is required")
            fields["description"] = description
        if not partial or "category_id" in body:
            category = self.catalog.category(str(body.get("category_id", "")))
            if category is None or not category["is_leaf"]:
                raise bad_field("category_id", "it must be a leaf category", "an id from Get Categories")
            fields["category_id"] = category["id"]
        if not partial or "main_images" in body:
            images = body.get("main_images")
            if (
                not isinstance(images, list)
                or not images
                or not all(isinstance(i, dict) and i.get("uri") for i in images)
            ):
                raise bad_field("main_images", "at least one image with a uri is required")
            fields["main_images"] = [{"uri": str(image["uri"])} for image in images]
        if not partial or "package_weight" in body:
            weight = body.get("package_weight")
            if not isinstance(weight, dict) or weight.get("unit") not in ("KILOGRAM", "POUND"):
                raise bad_field("package_weight", "value and unit are required", "unit KILOGRAM or POUND")
            _decimal("package_weight.value", weight.get("value"))
            fields["package_weight"] = {"value": str(weight["value"]), "unit": weight["unit"]}
        if body.get("brand_id"):
            if not any(brand["id"] == body["brand_id"] for brand in self.catalog.brands):
                raise bad_field("brand_id", "the brand does not exist")
            fields["brand_id"] = str(body["brand_id"])
        for name in ("package_dimensions", "product_attributes", "external_product_id"):
            if name in body:
                fields[name] = body[name]
        skus = body.get("skus")
        if partial and skus is None:
            return Draft(fields, [])
        if not isinstance(skus, list) or not skus:
            raise bad_field("skus", "at least one SKU is required")
        if len(skus) > MAX_SKUS:
            raise ApiError(TOO_MANY_SKUS, f"A product can have at most {MAX_SKUS} SKUs.")
        return Draft(fields, [self._parse_sku(index, sku, partial=partial) for index, sku in enumerate(skus)])

    def _parse_sku(self, index: int, raw: Any, *, partial: bool) -> dict[str, Any]:
        if not isinstance(raw, dict):
            raise bad_field(f"skus[{index}]", "it must be an object")
        sku: dict[str, Any] = {"id": raw.get("id")}
        existing = partial and bool(raw.get("id"))
        if not existing or "price" in raw:
            price = raw.get("price")
            if not isinstance(price, dict) or not isinstance(price.get("currency"), str):
                raise bad_field(f"skus[{index}].price", "amount and currency are required")
            amount = _decimal(f"skus[{index}].price.amount", price.get("amount"))
            if amount <= 0:
                raise bad_field(f"skus[{index}].price.amount", "it must be positive")
            sku["price"], sku["currency"] = str(price["amount"]), price["currency"]
        if not existing or "inventory" in raw:
            sku["inventory"] = self.parse_inventory(f"skus[{index}].inventory", raw.get("inventory"))
        for name in ("seller_sku", "external_sku_id"):
            if name in raw or not existing:
                sku[name] = str(raw.get(name) or "")
        for name in ("list_price", "identifier_code"):
            if name in raw:
                sku[name] = raw[name]
        if "sales_attributes" in raw or not existing:
            sku["sales_attributes"] = [self._sales_attribute(a) for a in raw.get("sales_attributes") or []]
        return sku

    def parse_inventory(self, name: str, raw: Any) -> dict[str, int]:
        """`[{warehouse_id, quantity}]` as a warehouse -> quantity map, checked against the shop's warehouses."""
        if not isinstance(raw, list) or not raw:
            raise bad_field(name, "at least one warehouse entry is required")
        inventory: dict[str, int] = {}
        for entry in raw:
            warehouse_id = str(entry.get("warehouse_id", "")) if isinstance(entry, dict) else ""
            if warehouse_id not in self.catalog.sales_warehouse_ids():
                raise bad_field(f"{name}.warehouse_id", "the warehouse does not exist or cannot sell")
            quantity = entry.get("quantity")
            if isinstance(quantity, bool) or not isinstance(quantity, int) or not 0 <= quantity <= MAX_QUANTITY:
                raise ApiError(INVENTORY_QUANTITY, f"The inventory quantity must be between 0 and {MAX_QUANTITY}.")
            inventory[warehouse_id] = quantity
        return inventory

    def _sales_attribute(self, raw: Any) -> dict[str, Any]:
        if not isinstance(raw, dict) or not (raw.get("id") or raw.get("name")):
            raise bad_field("sales_attributes", "each needs an id or a name")
        # Custom names get ids, as the platform assigns them on creation.
        return {
            "id": str(raw.get("id") or _custom_id(raw.get("name"))),
            "name": str(raw.get("name") or ""),
            "value_id": str(raw.get("value_id") or _custom_id(raw.get("value_name"))),
            "value_name": str(raw.get("value_name") or ""),
        }

    def build_sku(self, product_id: str, spec: dict[str, Any], previous: Sku | None = None) -> Sku:
        """A SKU record from a parsed SKU (keeping `previous`'s id and unset fields on an edit)."""
        if previous is not None:
            for name in ("price", "currency", "inventory", "seller_sku", "external_sku_id", "sales_attributes"):
                if name in spec:
                    setattr(previous, name, spec[name])
            previous.list_price = spec.get("list_price", previous.list_price)
            previous.identifier_code = spec.get("identifier_code", previous.identifier_code)
            return previous
        return Sku(
            id=self.ids.next("sku"),
            product_id=product_id,
            seller_sku=spec["seller_sku"],
            price=spec["price"],
            currency=spec["currency"],
            inventory=spec["inventory"],
            sales_attributes=spec["sales_attributes"],
            external_sku_id=spec["external_sku_id"],
            list_price=spec.get("list_price"),
            identifier_code=spec.get("identifier_code"),
        )

    def index_product(self, product: Product) -> None:
        """Make the product's SKUs findable by id."""
        for sku in product.skus:
            self.skus[sku.id] = sku

    # -- categories and brands -----------------------------------------------------------------------------

    @endpoint("GET", "/product/{version}/categories")
    def get_categories(self, call: ApiCall) -> JSON:
        keyword = (call.arg("keyword") or "").lower()
        return {"categories": [dict(c) for c in self.catalog.categories if keyword in c["local_name"].lower()]}

    @endpoint("POST", "/product/{version}/categories/recommend")
    def recommend_category(self, call: ApiCall) -> JSON:
        call.field("product_title", str, required=True)
        leaf = next(c for c in self.catalog.categories if c["is_leaf"])
        chain = self.catalog.category_chain(leaf["id"])
        levels = [
            {**c, "name": c["local_name"], "level": n + 1, "permission_statuses": ["AVAILABLE"]}
            for n, c in enumerate(chain)
        ]
        return {"leaf_category_id": leaf["id"], "categories": levels}

    @endpoint("GET", "/product/{version}/categories/{category_id}/rules")
    def get_category_rules(self, call: ApiCall) -> JSON:
        return dict(self.catalog.rules(self._known_category(call)))

    @endpoint("GET", "/product/{version}/categories/{category_id}/attributes")
    def get_attributes(self, call: ApiCall) -> JSON:
        return {"attributes": [dict(a) for a in self.catalog.attributes(self._known_category(call))]}

    def _known_category(self, call: ApiCall) -> str:
        category_id = call.path("category_id")
        if self.catalog.category(category_id) is None:
            raise bad_field("category_id", "the category does not exist")
        return category_id

    @endpoint("GET", "/product/{version}/brands")
    def get_brands(self, call: ApiCall) -> JSON:
        size = call.page_size(100)
        name = (call.arg("brand_name") or "").lower()
        brands = [dict(b) for b in self.catalog.brands if name in b["name"].lower()]
        pager = CursorPager({"route": "brands", "name": name, "category": call.arg("category_id")})
        page, token, total = pager.page(brands, lambda b: (b["id"],), call.arg("page_token"), size, descending=False)
        return {"brands": page, "total_count": total, "next_page_token": token}

    @endpoint("POST", "/product/{version}/brands", cipher=False)
    def create_custom_brand(self, call: ApiCall) -> JSON:
        name = call.field("name", str, required=True) or ""
        if any(b["name"].lower() == name.lower() for b in self.catalog.brands):
            raise bad_field("name", "a brand with this name exists")
        brand = {
            "id": self.ids.next("brand"),
            "name": name,
            "authorized_status": "UNAUTHORIZED",
            "is_t1_brand": False,
            "brand_status": "AVAILABLE",
        }
        self.catalog.brands.append(brand)
        return {"id": brand["id"]}

    @endpoint("GET", "/product/{version}/prerequisites", versions=("202309", "202312"))
    def get_prerequisites(self, call: ApiCall) -> JSON:
        created_today = self.created_per_day.get(self.unix_now() // 86_400, 0)
        capped = self.daily_product_cap is not None and created_today >= self.daily_product_cap
        failures = {"PRODUCT_QUANTITY_LIMIT": ["The number of products created today has reached the limit."]}
        return {
            "check_results": [
                {
                    "check_item": item,
                    "is_failed": capped and item in failures,
                    "fail_reasons": failures.get(item, []) if capped else [],
                }
                for item in PREREQUISITES
            ]
        }

    @endpoint("POST", "/product/{version}/products/listing_check")
    def check_listing(self, call: ApiCall) -> JSON:
        try:
            self.parse_product(call.body)
        except ApiError as error:
            return {"check_result": "FAILED", "fail_reasons": [{"message": error.message}], "diagnoses": []}
        return {"check_result": "PASS", "fail_reasons": [], "diagnoses": []}

    # -- uploads: multipart, no cipher, the body is not signed ---------------------------------------------

    @endpoint("POST", "/product/{version}/images/upload", cipher=False)
    def upload_product_image(self, call: ApiCall) -> JSON:
        parts = multipart_fields(call)
        use_case = parts.get("use_case", b"MAIN_IMAGE").decode()
        if not parts.get("data"):
            raise invalid("data (the image file) is required")
        if use_case not in IMAGE_USE_CASES:
            raise invalid(f"use_case must be one of {sorted(IMAGE_USE_CASES)}")
        uri = f"tos-maliva-i-o3syd03w52-us/{self.ids.next('image')}"
        url = f"https://p16-oec-va.ibyteimg.com/{uri}~tplv-o3syd03w52-origin-jpeg.jpeg"
        return {"uri": uri, "url": url, "width": 800, "height": 800, "use_case": use_case}

    @endpoint("POST", "/product/{version}/files/upload", cipher=False)
    def upload_product_file(self, call: ApiCall) -> JSON:
        parts = multipart_fields(call)
        if not parts.get("data"):
            raise invalid("data (the file) is required")
        name = parts.get("name", b"file.pdf").decode()
        file_id = self.ids.next("image")
        return {
            "id": file_id,
            "url": f"https://p16-oec-va.ibyteimg.com/files/{file_id}",
            "name": name,
            "format": name.rsplit(".", 1)[-1].upper(),
        }


def multipart_fields(call: ApiCall) -> dict[str, bytes]:
    """The fields of a multipart/form-data body, by name; 36009004 if the body is not multipart."""
    content_type = call.request.header("content-type") or ""
    if not content_type.lower().startswith("multipart/form-data"):
        raise invalid("the body must be multipart/form-data")
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode()
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + call.request.body)
    fields: dict[str, bytes] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True)
        if isinstance(name, str) and isinstance(payload, bytes):
            fields[name] = payload
    return fields


def _decimal(name: str, raw: Any) -> Decimal:
    try:
        return Decimal(str(raw))
    except (InvalidOperation, ValueError):
        raise bad_field(name, "it must be a decimal number") from None


def _custom_id(name: Any) -> str:
    # Stable across runs (unlike hash()), so the same custom attribute gets the same id.
    return f"7{zlib.crc32(str(name).encode()):017d}"
