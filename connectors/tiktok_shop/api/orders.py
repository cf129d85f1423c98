"""Orders (ref §4.4, §5): search, details in batches, price detail, external order references in batches."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

from connectors.tiktok_shop.api.base import ApiModule, chunks, paging, unique_ids
from connectors.tiktok_shop.errors import TikTokFatalError, TikTokTransientError
from connectors.tiktok_shop.models.base import (
    BatchResult,
    ItemError,
    ItemOutcome,
    failed_outcomes,
    outcomes_from_errors,
)
from connectors.tiktok_shop.models.orders import (
    ExternalOrder,
    ExternalOrderMatch,
    ExternalOrderReference,
    ExternalOrdersData,
    ExternalOrderSearchData,
    Order,
    OrderDetailData,
    OrderPriceDetail,
    OrderSearchFilter,
    OrderSearchPage,
)

DETAIL_BATCH_SIZE = 50  # ids per order-detail call (ref §6.4)
EXTERNAL_REFERENCE_BATCH_SIZE = 100  # orders per add-external-references call (ref §5.1)


class OrdersApi(ApiModule):
    """`shop.orders`."""

    name = "orders"

    def search(
        self,
        filters: OrderSearchFilter | None = None,
        *,
        page_size: int = 50,
        page_token: str | None = None,
        sort_field: str | None = None,
        sort_order: str | None = None,
        version: str | None = None,
    ) -> OrderSearchPage:
        """One page of orders. ref: POST /order/202309/orders/search (paging and sort in the query)"""
        path = self._path("/order/{version}/orders/search", self._version("search", version, "202309"))
        query = paging(page_size, page_token, sort_field, sort_order)
        return self._model(OrderSearchPage, self._call("POST", path, query=query, body=filters))

    def iter_search(
        self,
        filters: OrderSearchFilter | None = None,
        *,
        page_size: int = 50,
        sort_field: str | None = None,
        sort_order: str | None = None,
        version: str | None = None,
    ) -> Iterator[OrderSearchPage]:
        """Every page of `search`."""
        path = self._path("/order/{version}/orders/search", self._version("search", version, "202309"))
        query = paging(page_size, None, sort_field, sort_order)
        return self._pages(OrderSearchPage, "POST", path, query=query, body=filters)

    def get_details(self, ids: Iterable[str], *, version: str | None = None) -> list[Order]:
        """Full orders for any number of ids, fetched 50 per call. ref: GET /order/202309/orders?ids= (PY 202507)"""
        wanted = unique_ids(ids, "order ids")
        path = self._path("/order/{version}/orders", self._version("get_details", version, "202309"))
        orders: list[Order] = []
        for batch in chunks(wanted, DETAIL_BATCH_SIZE):
            orders.extend(self._model(OrderDetailData, self._call("GET", path, query={"ids": batch})).orders)
        return orders

    def price_detail(self, order_id: str, *, version: str | None = None) -> OrderPriceDetail:
        """How an order's price was made up. ref: GET /order/202407/orders/{order_id}/price_detail"""
        version = self._version("price_detail", version, "202407")
        path = self._path("/order/{version}/orders/{order_id}/price_detail", version, order_id=order_id)
        return self._model(OrderPriceDetail, self._call("GET", path))

    def add_external_references(
        self, references: Sequence[ExternalOrderReference], *, version: str | None = None
    ) -> BatchResult:
        """Link TikTok orders to OMS orders, 100 per call; an outcome per order (keyed by TikTok order id).

        This only attaches references; it creates no order anywhere (ref §5). Calling again with the same OMS
        edits the reference, so the call is safe to repeat. Per-order errors arrive with code 0 and string
        codes. A batch that fails as a whole marks its orders failed (auth errors still raise).
        ref: POST /order/202406/orders/external_orders
        """
        path = self._path(
            "/order/{version}/orders/external_orders", self._version("add_external_references", version, "202406")
        )
        outcomes: list[ItemOutcome] = []
        errors: list[ItemError] = []
        for batch in chunks(list(references), EXTERNAL_REFERENCE_BATCH_SIZE):
            keys = [reference.id for reference in batch]
            try:
                data = self._call("POST", path, body={"orders": [reference.to_body() for reference in batch]}) or {}
            except (TikTokFatalError, TikTokTransientError) as exc:
                retryable = isinstance(exc, TikTokTransientError)
                outcomes.extend(failed_outcomes(keys, exc.code, exc.platform_message, retryable=retryable))
                continue
            batch_errors = [ItemError.model_validate(e) for e in data.get("errors") or []]
            errors.extend(batch_errors)
            outcomes.extend(outcomes_from_errors(keys, batch_errors, "order_id"))
        return BatchResult(outcomes=outcomes, errors=errors)

    def get_external_references(
        self, order_id: str, platform: str, *, version: str | None = None
    ) -> list[ExternalOrder]:
        """The OMS orders linked to a TikTok order on `platform`.

        ref: GET /order/202406/orders/{order_id}/external_orders?platform=
        """
        version = self._version("get_external_references", version, "202406")
        path = self._path("/order/{version}/orders/{order_id}/external_orders", version, order_id=order_id)
        data = self._call("GET", path, query={"platform": platform})
        return self._model(ExternalOrdersData, data).external_orders

    def search_by_external_reference(
        self, platform: str, external_order_id: str, *, version: str | None = None
    ) -> list[ExternalOrderMatch]:
        """TikTok orders linked to an OMS order: the dedupe check before importing an order again.

        A POST whose parameters are all in the query, with no body.
        ref: POST /order/202406/orders/external_order_search?platform=&external_order_id=
        """
        version = self._version("search_by_external_reference", version, "202406")
        path = self._path("/order/{version}/orders/external_order_search", version)
        query = {"platform": platform, "external_order_id": external_order_id}
        return self._model(ExternalOrderSearchData, self._call("POST", path, query=query)).orders
