"""Returns, refunds and cancellations (ref §4.7).

Approve and reject calls carry an `idempotency_key` in the query (PHP makes one per call). One key is made
per method call and reused by its retries, so a retried approval cannot be applied twice.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

from connectors.tiktok_shop.api.base import ApiModule, paging
from connectors.tiktok_shop.models.returns import (
    AftersaleEligibility,
    ApproveReturnRequest,
    CancellationSearchFilter,
    CancellationSearchPage,
    CancelOrderRequest,
    CancelOrderResult,
    RefundCalculation,
    RefundCalculationRequest,
    RejectCancellationRequest,
    RejectReason,
    RejectReasonsData,
    RejectReturnRequest,
    ReturnRecord,
    ReturnRecordsData,
    ReturnSearchFilter,
    ReturnSearchPage,
)


def _key(idempotency_key: str | None) -> str:
    return idempotency_key or uuid.uuid4().hex


class ReturnsApi(ApiModule):
    """`shop.returns`."""

    name = "returns"

    def search_returns(
        self,
        filters: ReturnSearchFilter | None = None,
        *,
        page_size: int = 50,
        page_token: str | None = None,
        sort_field: str | None = None,
        sort_order: str | None = None,
        version: str | None = None,
    ) -> ReturnSearchPage:
        """One page of returns. ref: POST /return_refund/202309/returns/search (PY latest 202602)"""
        path = self._path("/return_refund/{version}/returns/search", self._version("search_returns", version, "202309"))
        query = paging(page_size, page_token, sort_field, sort_order)
        return self._model(ReturnSearchPage, self._call("POST", path, query=query, body=filters))

    def iter_search_returns(
        self,
        filters: ReturnSearchFilter | None = None,
        *,
        page_size: int = 50,
        sort_field: str | None = None,
        sort_order: str | None = None,
        version: str | None = None,
    ) -> Iterator[ReturnSearchPage]:
        """Every page of `search_returns`."""
        path = self._path("/return_refund/{version}/returns/search", self._version("search_returns", version, "202309"))
        query = paging(page_size, None, sort_field, sort_order)
        return self._pages(ReturnSearchPage, "POST", path, query=query, body=filters)

    def approve_return(
        self,
        return_id: str,
        request: ApproveReturnRequest,
        *,
        idempotency_key: str | None = None,
        version: str | None = None,
    ) -> None:
        """Approve a return or refund. ref: POST /return_refund/202309/returns/{return_id}/approve"""
        version = self._version("approve_return", version, "202309")
        path = self._path("/return_refund/{version}/returns/{return_id}/approve", version, return_id=return_id)
        self._call("POST", path, query={"idempotency_key": _key(idempotency_key)}, body=request)

    def reject_return(
        self,
        return_id: str,
        request: RejectReturnRequest,
        *,
        idempotency_key: str | None = None,
        version: str | None = None,
    ) -> None:
        """Reject a return or refund. ref: POST /return_refund/202309/returns/{return_id}/reject"""
        version = self._version("reject_return", version, "202309")
        path = self._path("/return_refund/{version}/returns/{return_id}/reject", version, return_id=return_id)
        self._call("POST", path, query={"idempotency_key": _key(idempotency_key)}, body=request)

    def return_records(
        self, return_id: str, *, locale: str | None = None, version: str | None = None
    ) -> list[ReturnRecord]:
        """A return's history. ref: GET /return_refund/202309/returns/{return_id}/records"""
        version = self._version("return_records", version, "202309")
        path = self._path("/return_refund/{version}/returns/{return_id}/records", version, return_id=return_id)
        return self._model(ReturnRecordsData, self._call("GET", path, query={"locale": locale})).records

    def reject_reasons(
        self, *, return_or_cancel_id: str | None = None, locale: str | None = None, version: str | None = None
    ) -> list[RejectReason]:
        """Reasons a seller may give when rejecting. ref: GET /return_refund/202309/reject_reasons"""
        path = self._path("/return_refund/{version}/reject_reasons", self._version("reject_reasons", version, "202309"))
        query = {"return_or_cancel_id": return_or_cancel_id, "locale": locale}
        return self._model(RejectReasonsData, self._call("GET", path, query=query)).reasons

    def aftersale_eligibility(self, order_id: str, *, version: str | None = None) -> AftersaleEligibility:
        """What after-sale requests an order allows.

        ref: GET /return_refund/202309/orders/{order_id}/aftersale_eligibility
        """
        version = self._version("aftersale_eligibility", version, "202309")
        template = "/return_refund/{version}/orders/{order_id}/aftersale_eligibility"
        return self._model(AftersaleEligibility, self._call("GET", self._path(template, version, order_id=order_id)))

    def cancel_order(self, request: CancelOrderRequest, *, version: str | None = None) -> CancelOrderResult:
        """Cancel an order as the seller. ref: POST /return_refund/202309/cancellations"""
        path = self._path("/return_refund/{version}/cancellations", self._version("cancel_order", version, "202309"))
        # No idempotency key on this endpoint: a repeat after a lost response would be refused as a duplicate.
        return self._model(CancelOrderResult, self._call("POST", path, body=request, idempotent=False))

    def search_cancellations(
        self,
        filters: CancellationSearchFilter | None = None,
        *,
        page_size: int = 50,
        page_token: str | None = None,
        sort_field: str | None = None,
        sort_order: str | None = None,
        version: str | None = None,
    ) -> CancellationSearchPage:
        """One page of cancellations. ref: POST /return_refund/202309/cancellations/search (paging in the query)"""
        version = self._version("search_cancellations", version, "202309")
        path = self._path("/return_refund/{version}/cancellations/search", version)
        query = paging(page_size, page_token, sort_field, sort_order)
        return self._model(CancellationSearchPage, self._call("POST", path, query=query, body=filters))

    def iter_search_cancellations(
        self,
        filters: CancellationSearchFilter | None = None,
        *,
        page_size: int = 50,
        sort_field: str | None = None,
        sort_order: str | None = None,
        version: str | None = None,
    ) -> Iterator[CancellationSearchPage]:
        """Every page of `search_cancellations`."""
        version = self._version("search_cancellations", version, "202309")
        path = self._path("/return_refund/{version}/cancellations/search", version)
        query = paging(page_size, None, sort_field, sort_order)
        return self._pages(CancellationSearchPage, "POST", path, query=query, body=filters)

    def approve_cancellation(
        self, cancel_id: str, *, idempotency_key: str | None = None, version: str | None = None
    ) -> None:
        """Accept a buyer's cancellation request. ref: POST /return_refund/202309/cancellations/{cancel_id}/approve"""
        version = self._version("approve_cancellation", version, "202309")
        path = self._path("/return_refund/{version}/cancellations/{cancel_id}/approve", version, cancel_id=cancel_id)
        self._call("POST", path, query={"idempotency_key": _key(idempotency_key)})

    def reject_cancellation(
        self,
        cancel_id: str,
        request: RejectCancellationRequest,
        *,
        idempotency_key: str | None = None,
        version: str | None = None,
    ) -> None:
        """Refuse a buyer's cancellation request. ref: POST /return_refund/202309/cancellations/{cancel_id}/reject"""
        version = self._version("reject_cancellation", version, "202309")
        path = self._path("/return_refund/{version}/cancellations/{cancel_id}/reject", version, cancel_id=cancel_id)
        self._call("POST", path, query={"idempotency_key": _key(idempotency_key)}, body=request)

    def calculate_refund(self, request: RefundCalculationRequest, *, version: str | None = None) -> RefundCalculation:
        """What a cancellation or return would refund. ref: POST /return_refund/202309/refunds/calculate"""
        path = self._path(
            "/return_refund/{version}/refunds/calculate", self._version("calculate_refund", version, "202309")
        )
        return self._model(RefundCalculation, self._call("POST", path, body=request))
