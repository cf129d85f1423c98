"""Finance (ref §4.8): statements, payments, withdrawals and transactions. Every call is a GET, all in the query."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from connectors.tiktok_shop.api.base import ApiModule, paging
from connectors.tiktok_shop.models.finance import (
    OrderTransactions,
    PaymentPage,
    StatementPage,
    StatementTransactionPage,
    WithdrawalPage,
)
from connectors.tiktok_shop.transport import QueryValue

WITHDRAWAL_TYPES = ("WITHDRAW", "SETTLE", "TRANSFER", "REVERSE")


class FinanceApi(ApiModule):
    """`shop.finance`."""

    name = "finance"

    def statements(
        self,
        *,
        statement_time_ge: int | None = None,
        statement_time_lt: int | None = None,
        payment_status: str | None = None,
        page_size: int = 20,
        page_token: str | None = None,
        sort_field: str = "statement_time",
        sort_order: str | None = None,
        version: str | None = None,
    ) -> StatementPage:
        """One page of statements (`sort_field` is required by TikTok). ref: GET /finance/202309/statements"""
        path = self._path("/finance/{version}/statements", self._version("statements", version, "202309"))
        query = self._statement_query(statement_time_ge, statement_time_lt, payment_status)
        query.update(paging(page_size, page_token, sort_field, sort_order))
        return self._model(StatementPage, self._call("GET", path, query=query))

    def iter_statements(
        self,
        *,
        statement_time_ge: int | None = None,
        statement_time_lt: int | None = None,
        payment_status: str | None = None,
        page_size: int = 20,
        sort_field: str = "statement_time",
        sort_order: str | None = None,
        version: str | None = None,
    ) -> Iterator[StatementPage]:
        """Every page of `statements`."""
        path = self._path("/finance/{version}/statements", self._version("statements", version, "202309"))
        query = self._statement_query(statement_time_ge, statement_time_lt, payment_status)
        query.update(paging(page_size, None, sort_field, sort_order))
        return self._pages(StatementPage, "GET", path, query=query)

    def payments(
        self,
        *,
        create_time_ge: int | None = None,
        create_time_lt: int | None = None,
        page_size: int = 20,
        page_token: str | None = None,
        sort_field: str = "create_time",
        sort_order: str | None = None,
        version: str | None = None,
    ) -> PaymentPage:
        """One page of payouts. ref: GET /finance/202309/payments (PY latest 202605)"""
        path = self._path("/finance/{version}/payments", self._version("payments", version, "202309"))
        query: dict[str, QueryValue] = {"create_time_ge": create_time_ge, "create_time_lt": create_time_lt}
        query.update(paging(page_size, page_token, sort_field, sort_order))
        return self._model(PaymentPage, self._call("GET", path, query=query))

    def iter_payments(
        self,
        *,
        create_time_ge: int | None = None,
        create_time_lt: int | None = None,
        page_size: int = 20,
        sort_field: str = "create_time",
        sort_order: str | None = None,
        version: str | None = None,
    ) -> Iterator[PaymentPage]:
        """Every page of `payments`."""
        path = self._path("/finance/{version}/payments", self._version("payments", version, "202309"))
        query: dict[str, QueryValue] = {"create_time_ge": create_time_ge, "create_time_lt": create_time_lt}
        query.update(paging(page_size, None, sort_field, sort_order))
        return self._pages(PaymentPage, "GET", path, query=query)

    def withdrawals(
        self,
        *,
        types: Sequence[str] = WITHDRAWAL_TYPES,
        create_time_ge: int | None = None,
        create_time_lt: int | None = None,
        page_size: int = 20,
        page_token: str | None = None,
        version: str | None = None,
    ) -> WithdrawalPage:
        """One page of withdrawals (`types` is required; all by default). ref: GET /finance/202309/withdrawals"""
        path = self._path("/finance/{version}/withdrawals", self._version("withdrawals", version, "202309"))
        query = self._withdrawal_query(types, create_time_ge, create_time_lt)
        query.update(paging(page_size, page_token))
        return self._model(WithdrawalPage, self._call("GET", path, query=query))

    def iter_withdrawals(
        self,
        *,
        types: Sequence[str] = WITHDRAWAL_TYPES,
        create_time_ge: int | None = None,
        create_time_lt: int | None = None,
        page_size: int = 20,
        version: str | None = None,
    ) -> Iterator[WithdrawalPage]:
        """Every page of `withdrawals`."""
        path = self._path("/finance/{version}/withdrawals", self._version("withdrawals", version, "202309"))
        query = self._withdrawal_query(types, create_time_ge, create_time_lt)
        query.update(paging(page_size))
        return self._pages(WithdrawalPage, "GET", path, query=query)

    def statement_transactions(
        self,
        statement_id: str,
        *,
        page_size: int = 20,
        page_token: str | None = None,
        sort_field: str = "order_create_time",
        sort_order: str | None = None,
        version: str | None = None,
    ) -> StatementTransactionPage:
        """One page of a statement's transactions.

        ref: GET /finance/202501/statements/{statement_id}/statement_transactions (PHP calls 202309, whose
        response is flat; 202501 is the current one and groups amounts into breakdowns)
        """
        path = self._transactions_path(statement_id, version)
        query = paging(page_size, page_token, sort_field, sort_order)
        return self._model(StatementTransactionPage, self._call("GET", path, query=query))

    def iter_statement_transactions(
        self,
        statement_id: str,
        *,
        page_size: int = 20,
        sort_field: str = "order_create_time",
        sort_order: str | None = None,
        version: str | None = None,
    ) -> Iterator[StatementTransactionPage]:
        """Every page of `statement_transactions`."""
        path = self._transactions_path(statement_id, version)
        query = paging(page_size, None, sort_field, sort_order)
        return self._pages(StatementTransactionPage, "GET", path, query=query)

    def order_transactions(self, order_id: str, *, version: str | None = None) -> OrderTransactions:
        """An order's settlement per SKU. ref: GET /finance/202501/orders/{order_id}/statement_transactions"""
        version = self._version("order_transactions", version, "202501")
        template = "/finance/{version}/orders/{order_id}/statement_transactions"
        return self._model(OrderTransactions, self._call("GET", self._path(template, version, order_id=order_id)))

    def _transactions_path(self, statement_id: str, version: str | None) -> str:
        version = self._version("statement_transactions", version, "202501")
        template = "/finance/{version}/statements/{statement_id}/statement_transactions"
        return self._path(template, version, statement_id=statement_id)

    @staticmethod
    def _statement_query(ge: int | None, lt: int | None, payment_status: str | None) -> dict[str, QueryValue]:
        return {"statement_time_ge": ge, "statement_time_lt": lt, "payment_status": payment_status}

    @staticmethod
    def _withdrawal_query(types: Sequence[str], ge: int | None, lt: int | None) -> dict[str, QueryValue]:
        if not types:
            raise ValueError("types must name at least one withdrawal type")
        return {"types": list(types), "create_time_ge": ge, "create_time_lt": lt}
