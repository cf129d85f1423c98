"""Products (ref §4.3): create, edit, read, search, lifecycle, prices, inventory, images, prerequisites."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

from connectors.tiktok_shop.api.base import ApiModule, paging, unique_ids
from connectors.tiktok_shop.models.base import BatchResult, ItemError, outcomes_from_errors
from connectors.tiktok_shop.models.inventory import (
    InventorySearchData,
    InventoryUpdateResult,
    ProductInventory,
    SkuInventoryUpdate,
    inventory_outcomes,
)
from connectors.tiktok_shop.models.products import (
    ListingCheckResult,
    PrerequisiteCheck,
    PrerequisitesData,
    Product,
    ProductFields,
    ProductInput,
    ProductSearchFilter,
    ProductSearchPage,
    ProductWriteResult,
    SkuPriceUpdate,
    UploadedImage,
)

IMAGE_USE_CASES = ("MAIN_IMAGE", "ATTRIBUTE_IMAGE", "DESCRIPTION_IMAGE", "CERTIFICATION_IMAGE")


class ProductsApi(ApiModule):
    """`shop.products`."""

    name = "products"

    def create(self, product: ProductInput, *, version: str | None = None) -> ProductWriteResult:
        """Create a product. ref: POST /product/202309/products"""
        path = self._path("/product/{version}/products", self._version("create", version, "202309"))
        # Without an idempotency key a repeat after a lost response could list the product twice.
        data = self._call("POST", path, body=product, idempotent=product.idempotency_key is not None)
        return self._model(ProductWriteResult, data)

    def edit(self, product_id: str, product: ProductInput, *, version: str | None = None) -> ProductWriteResult:
        """Replace a product entirely. ref: PUT /product/202309/products/{product_id} (PY latest 202509)"""
        version = self._version("edit", version, "202309")
        path = self._path("/product/{version}/products/{product_id}", version, product_id=product_id)
        return self._model(ProductWriteResult, self._call("PUT", path, body=product))

    def partial_edit(self, product_id: str, fields: ProductFields, *, version: str | None = None) -> ProductWriteResult:
        """Change only the fields set. ref: POST /product/202309/products/{product_id}/partial_edit"""
        version = self._version("partial_edit", version, "202309")
        path = self._path("/product/{version}/products/{product_id}/partial_edit", version, product_id=product_id)
        return self._model(ProductWriteResult, self._call("POST", path, body=fields))

    def get(
        self, product_id: str, *, return_under_review_version: bool | None = None, version: str | None = None
    ) -> Product:
        """One product with its SKUs. ref: GET /product/202309/products/{product_id}"""
        version = self._version("get", version, "202309")
        path = self._path("/product/{version}/products/{product_id}", version, product_id=product_id)
        query = {"return_under_review_version": return_under_review_version}
        return self._model(Product, self._call("GET", path, query=query))

    def search(
        self,
        filters: ProductSearchFilter | None = None,
        *,
        page_size: int = 20,
        page_token: str | None = None,
        version: str | None = None,
    ) -> ProductSearchPage:
        """One page of products. ref: POST /product/202502/products/search (paging in the query)"""
        path = self._path("/product/{version}/products/search", self._version("search", version, "202502"))
        data = self._call("POST", path, query=paging(page_size, page_token), body=filters)
        return self._model(ProductSearchPage, data)

    def iter_search(
        self, filters: ProductSearchFilter | None = None, *, page_size: int = 20, version: str | None = None
    ) -> Iterator[ProductSearchPage]:
        """Every page of `search`."""
        path = self._path("/product/{version}/products/search", self._version("search", version, "202502"))
        return self._pages(ProductSearchPage, "POST", path, query=paging(page_size), body=filters)

    def _batch(self, method: str, action: str, product_ids: Iterable[str], **extra: object) -> BatchResult:
        ids = unique_ids(product_ids, "product_ids")
        suffix = f"/{action}" if action else ""
        path = self._path("/product/{version}/products" + suffix, self._version(action or "delete", None, "202309"))
        body = {"product_ids": ids, **{k: v for k, v in extra.items() if v is not None}}
        data = self._call(method, path, body=body) or {}
        errors = [ItemError.model_validate(e) for e in data.get("errors") or []]
        return BatchResult(outcomes=outcomes_from_errors(ids, errors, "product_id"), errors=errors)

    def delete(self, product_ids: Iterable[str]) -> BatchResult:
        """Delete products; per-product outcomes. ref: DELETE /product/202309/products (JSON body)"""
        return self._batch("DELETE", "", product_ids)

    def recover(self, product_ids: Iterable[str]) -> BatchResult:
        """Restore deleted products. ref: POST /product/202309/products/recover"""
        return self._batch("POST", "recover", product_ids)

    def activate(self, product_ids: Iterable[str], *, listing_platforms: Sequence[str] | None = None) -> BatchResult:
        """List products again. ref: POST /product/202309/products/activate"""
        platforms = list(listing_platforms) if listing_platforms else None
        return self._batch("POST", "activate", product_ids, listing_platforms=platforms)

    def deactivate(self, product_ids: Iterable[str], *, listing_platforms: Sequence[str] | None = None) -> BatchResult:
        """Unlist products. ref: POST /product/202309/products/deactivate"""
        platforms = list(listing_platforms) if listing_platforms else None
        return self._batch("POST", "deactivate", product_ids, listing_platforms=platforms)

    def check_listing(self, product: ProductInput, *, version: str | None = None) -> ListingCheckResult:
        """Dry-run a create. ref: POST /product/202309/products/listing_check"""
        version = self._version("check_listing", version, "202309")
        path = self._path("/product/{version}/products/listing_check", version)
        return self._model(ListingCheckResult, self._call("POST", path, body=product))

    def update_prices(self, product_id: str, skus: Sequence[SkuPriceUpdate], *, version: str | None = None) -> None:
        """Set SKU prices. ref: POST /product/202309/products/{product_id}/prices/update"""
        version = self._version("update_prices", version, "202309")
        path = self._path("/product/{version}/products/{product_id}/prices/update", version, product_id=product_id)
        self._call("POST", path, body={"skus": [sku.to_body() for sku in skus]})

    def update_inventory(
        self, product_id: str, skus: Sequence[SkuInventoryUpdate], *, version: str | None = None
    ) -> InventoryUpdateResult:
        """Set SKU stock (absolute, so safe to repeat); failures come back per SKU and warehouse.

        ref: POST /product/202309/products/{product_id}/inventory/update; `data.errors` arrives with code 0.
        """
        if not skus:
            raise ValueError("skus must not be empty")
        version = self._version("update_inventory", version, "202309")
        path = self._path("/product/{version}/products/{product_id}/inventory/update", version, product_id=product_id)
        data = self._call("POST", path, body={"skus": [sku.to_body() for sku in skus]}) or {}
        errors = [ItemError.model_validate(e) for e in data.get("errors") or []]
        return InventoryUpdateResult(product_id=product_id, outcomes=inventory_outcomes(skus, errors), errors=errors)

    def search_inventory(
        self,
        *,
        product_ids: Sequence[str] | None = None,
        sku_ids: Sequence[str] | None = None,
        version: str | None = None,
    ) -> list[ProductInventory]:
        """Available and committed stock per SKU and warehouse. ref: POST /product/202309/inventory/search"""
        path = self._path("/product/{version}/inventory/search", self._version("search_inventory", version, "202309"))
        body = {"product_ids": list(product_ids or []) or None, "sku_ids": list(sku_ids or []) or None}
        data = self._call("POST", path, body={k: v for k, v in body.items() if v})
        return self._model(InventorySearchData, data).inventory

    def upload_image(
        self,
        data: bytes,
        *,
        use_case: str = "MAIN_IMAGE",
        filename: str = "image",
        content_type: str = "application/octet-stream",
        version: str | None = None,
    ) -> UploadedImage:
        """Upload an image for use in products (multipart; the body is not signed; no shop cipher).

        ref: POST /product/202309/images/upload
        """
        if use_case not in IMAGE_USE_CASES:
            raise ValueError(f"use_case must be one of {', '.join(IMAGE_USE_CASES)}, got {use_case!r}")
        if not data:
            raise ValueError("image data must not be empty")
        path = self._path("/product/{version}/images/upload", self._version("upload_image", version, "202309"))
        files = {"data": (filename, data, content_type)}
        # Unlike NPM, the upload's envelope is checked like any other response.
        return self._model(UploadedImage, self._call("POST", path, files=files, data={"use_case": use_case}))

    def prerequisites(self, *, version: str | None = None) -> list[PrerequisiteCheck]:
        """Whether the shop meets the listing prerequisites; a failed check is data, not an error.

        ref: GET /product/202312/prerequisites. 202312 is the documented version (PY's latest, and the path in
        the copy of the official page in lywzx/tiktok-partner-api); NPM still calls 202309.
        """
        path = self._path("/product/{version}/prerequisites", self._version("prerequisites", version, "202312"))
        return self._model(PrerequisitesData, self._call("GET", path)).check_results
