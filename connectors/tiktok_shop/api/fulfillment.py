"""Fulfillment (ref §4.5): packages, shipping with tracking, tracking events, documents, split and combine.

Shipping calls are not repeated after a failure that may have been applied (a timeout, a 5xx): shipping a
package twice is refused by TikTok, so a blind retry would turn a success into an error.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from connectors.tiktok_shop.api.base import ApiModule, paging, unique_ids
from connectors.tiktok_shop.models.base import BatchResult, ItemError, outcomes_from_errors
from connectors.tiktok_shop.models.fulfillment import (
    CombinablePackagePage,
    CombinePackageInput,
    MarkShippedRequest,
    MarkShippedResult,
    PackageDetail,
    PackageSearchFilter,
    PackageSearchPage,
    PackagesResult,
    ShipPackageItem,
    ShipPackageRequest,
    ShippingDocument,
    ShippingInfoUpdate,
    SplitAttribute,
    SplitAttributesData,
    SplittableGroup,
    TrackingData,
    TrackingEvent,
)


class FulfillmentApi(ApiModule):
    """`shop.fulfillment`."""

    name = "fulfillment"

    def search_packages(
        self,
        filters: PackageSearchFilter | None = None,
        *,
        page_size: int = 50,
        page_token: str | None = None,
        sort_field: str | None = None,
        sort_order: str | None = None,
        version: str | None = None,
    ) -> PackageSearchPage:
        """One page of packages. ref: POST /fulfillment/202309/packages/search (paging in the query)"""
        path = self._path("/fulfillment/{version}/packages/search", self._version("search_packages", version, "202309"))
        query = paging(page_size, page_token, sort_field, sort_order)
        return self._model(PackageSearchPage, self._call("POST", path, query=query, body=filters))

    def iter_search_packages(
        self,
        filters: PackageSearchFilter | None = None,
        *,
        page_size: int = 50,
        sort_field: str | None = None,
        sort_order: str | None = None,
        version: str | None = None,
    ) -> Iterator[PackageSearchPage]:
        """Every page of `search_packages`."""
        path = self._path("/fulfillment/{version}/packages/search", self._version("search_packages", version, "202309"))
        query = paging(page_size, None, sort_field, sort_order)
        return self._pages(PackageSearchPage, "POST", path, query=query, body=filters)

    def get_package(self, package_id: str, *, version: str | None = None) -> PackageDetail:
        """A package's detail. ref: GET /fulfillment/202309/packages/{package_id}"""
        version = self._version("get_package", version, "202309")
        path = self._path("/fulfillment/{version}/packages/{package_id}", version, package_id=package_id)
        return self._model(PackageDetail, self._call("GET", path))

    def ship_package(
        self, package_id: str, request: ShipPackageRequest | None = None, *, version: str | None = None
    ) -> None:
        """Arrange shipment of one package. ref: POST /fulfillment/202309/packages/{package_id}/ship"""
        version = self._version("ship_package", version, "202309")
        path = self._path("/fulfillment/{version}/packages/{package_id}/ship", version, package_id=package_id)
        self._call("POST", path, body=request, idempotent=False)

    def batch_ship_packages(self, packages: Sequence[ShipPackageItem], *, version: str | None = None) -> BatchResult:
        """Ship several packages; an outcome per package id. ref: POST /fulfillment/202309/packages/ship"""
        keys = unique_ids((package.id for package in packages), "package ids")
        path = self._path(
            "/fulfillment/{version}/packages/ship", self._version("batch_ship_packages", version, "202309")
        )
        body = {"packages": [package.to_body() for package in packages]}
        data = self._call("POST", path, body=body, idempotent=False) or {}
        errors = [ItemError.model_validate(e) for e in data.get("errors") or []]
        return BatchResult(outcomes=outcomes_from_errors(keys, errors, "package_id"), errors=errors)

    def mark_package_shipped(
        self,
        order_id: str,
        tracking_number: str,
        shipping_provider_id: str,
        *,
        order_line_item_ids: Sequence[str] | None = None,
        version: str | None = None,
    ) -> MarkShippedResult:
        """Seller shipping: report the carrier and tracking number for an order's line items.

        ref: POST /fulfillment/202309/orders/{order_id}/packages (PY latest 202610)
        """
        version = self._version("mark_package_shipped", version, "202309")
        path = self._path("/fulfillment/{version}/orders/{order_id}/packages", version, order_id=order_id)
        line_items = list(order_line_item_ids) if order_line_item_ids else None
        body = MarkShippedRequest(
            tracking_number=tracking_number, shipping_provider_id=shipping_provider_id, order_line_item_ids=line_items
        )
        return self._model(MarkShippedResult, self._call("POST", path, body=body, idempotent=False))

    def update_shipping_info(
        self, order_id: str, tracking_number: str, shipping_provider_id: str, *, version: str | None = None
    ) -> None:
        """Correct an order's tracking number or carrier.

        ref: POST /fulfillment/202309/orders/{order_id}/shipping_info/update
        """
        version = self._version("update_shipping_info", version, "202309")
        path = self._path("/fulfillment/{version}/orders/{order_id}/shipping_info/update", version, order_id=order_id)
        body = ShippingInfoUpdate(tracking_number=tracking_number, shipping_provider_id=shipping_provider_id)
        self._call("POST", path, body=body)

    def update_package_shipping_info(
        self, package_id: str, tracking_number: str, shipping_provider_id: str, *, version: str | None = None
    ) -> None:
        """Correct a package's tracking. ref: POST /fulfillment/202309/packages/{package_id}/shipping_info/update"""
        version = self._version("update_package_shipping_info", version, "202309")
        template = "/fulfillment/{version}/packages/{package_id}/shipping_info/update"
        path = self._path(template, version, package_id=package_id)
        body = ShippingInfoUpdate(tracking_number=tracking_number, shipping_provider_id=shipping_provider_id)
        self._call("POST", path, body=body)

    def get_tracking(self, order_id: str, *, version: str | None = None) -> list[TrackingEvent]:
        """Carrier scans of an order. ref: GET /fulfillment/202309/orders/{order_id}/tracking"""
        version = self._version("get_tracking", version, "202309")
        path = self._path("/fulfillment/{version}/orders/{order_id}/tracking", version, order_id=order_id)
        return self._model(TrackingData, self._call("GET", path)).tracking

    def shipping_documents(
        self,
        package_id: str,
        document_type: str,
        *,
        document_size: str | None = None,
        version: str | None = None,
    ) -> ShippingDocument:
        """A label or packing slip URL. ref: GET /fulfillment/202309/packages/{package_id}/shipping_documents"""
        version = self._version("shipping_documents", version, "202309")
        template = "/fulfillment/{version}/packages/{package_id}/shipping_documents"
        path = self._path(template, version, package_id=package_id)
        query = {"document_type": document_type, "document_size": document_size}
        return self._model(ShippingDocument, self._call("GET", path, query=query))

    def split_attributes(self, order_ids: Sequence[str], *, version: str | None = None) -> list[SplitAttribute]:
        """Whether orders can be split. ref: GET /fulfillment/202309/orders/split_attributes?order_ids="""
        ids = unique_ids(order_ids, "order ids")
        path = self._path(
            "/fulfillment/{version}/orders/split_attributes", self._version("split_attributes", version, "202309")
        )
        return self._model(SplitAttributesData, self._call("GET", path, query={"order_ids": ids})).split_attributes

    def split_order(
        self, order_id: str, splittable_groups: Sequence[SplittableGroup], *, version: str | None = None
    ) -> PackagesResult:
        """Split an order into packages. ref: POST /fulfillment/202309/orders/{order_id}/split"""
        version = self._version("split_order", version, "202309")
        path = self._path("/fulfillment/{version}/orders/{order_id}/split", version, order_id=order_id)
        body = {"splittable_groups": [group.to_body() for group in splittable_groups]}
        return self._model(PackagesResult, self._call("POST", path, body=body, idempotent=False))

    def search_combinable_packages(
        self, *, page_size: int = 20, page_token: str | None = None, version: str | None = None
    ) -> CombinablePackagePage:
        """One page of packages that can be combined. ref: GET /fulfillment/202309/combinable_packages/search"""
        version = self._version("search_combinable_packages", version, "202309")
        path = self._path("/fulfillment/{version}/combinable_packages/search", version)
        return self._model(CombinablePackagePage, self._call("GET", path, query=paging(page_size, page_token)))

    def iter_combinable_packages(
        self, *, page_size: int = 20, version: str | None = None
    ) -> Iterator[CombinablePackagePage]:
        """Every page of `search_combinable_packages`."""
        version = self._version("search_combinable_packages", version, "202309")
        path = self._path("/fulfillment/{version}/combinable_packages/search", version)
        return self._pages(CombinablePackagePage, "GET", path, query=paging(page_size))

    def combine_packages(
        self, packages: Sequence[CombinePackageInput], *, version: str | None = None
    ) -> PackagesResult:
        """Combine packages. ref: POST /fulfillment/202309/packages/combine"""
        path = self._path(
            "/fulfillment/{version}/packages/combine", self._version("combine_packages", version, "202309")
        )
        body = {"combinable_packages": [package.to_body() for package in packages]}
        return self._model(PackagesResult, self._call("POST", path, body=body, idempotent=False))

    def uncombine_package(
        self, package_id: str, order_ids: Sequence[str] | None = None, *, version: str | None = None
    ) -> PackagesResult:
        """Take orders out of a combined package. ref: POST /fulfillment/202309/packages/{package_id}/uncombine"""
        version = self._version("uncombine_package", version, "202309")
        path = self._path("/fulfillment/{version}/packages/{package_id}/uncombine", version, package_id=package_id)
        body = {"order_ids": list(order_ids)} if order_ids else None
        return self._model(PackagesResult, self._call("POST", path, body=body, idempotent=False))
