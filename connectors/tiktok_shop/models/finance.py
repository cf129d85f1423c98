"""Finance payloads: statements, payments, withdrawals and transactions (ref §4.8; every call is a GET)."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from connectors.tiktok_shop.models.base import Amount, CursorPage, TikTokModel


class Statement(TikTokModel):
    """A daily statement of settled money."""

    id: str
    statement_time: int | None = None
    currency: str | None = None
    settlement_amount: Amount = None
    revenue_amount: Amount = None
    fee_amount: Amount = None
    adjustment_amount: Amount = None
    net_sales_amount: Amount = None
    shipping_cost_amount: Amount = None
    payment_status: str | None = None
    payment_id: str | None = None


class StatementPage(CursorPage):
    """One page of `GET /finance/202309/statements`."""

    items_field = "statements"
    statements: list[Statement] = Field(default_factory=list)


class MoneyValue(TikTokModel):
    """An amount with its currency, as payments report it."""

    value: Amount = None
    currency: str | None = None


class Payment(TikTokModel):
    """A payout to the seller's bank account."""

    id: str
    create_time: int | None = None
    paid_time: int | None = None
    status: str | None = None
    amount: MoneyValue | None = None
    settlement_amount: MoneyValue | None = None
    reserve_amount: MoneyValue | None = None
    bank_account: str | None = None


class PaymentPage(CursorPage):
    """One page of `GET /finance/202309/payments`."""

    items_field = "payments"
    payments: list[Payment] = Field(default_factory=list)


class Withdrawal(TikTokModel):
    """A withdrawal, settlement, transfer or reversal."""

    id: str
    type: str | None = None
    amount: Amount = None
    currency: str | None = None
    status: str | None = None
    create_time: int | None = None


class WithdrawalPage(CursorPage):
    """One page of `GET /finance/202309/withdrawals`."""

    items_field = "withdrawals"
    withdrawals: list[Withdrawal] = Field(default_factory=list)


class StatementTransaction(TikTokModel):
    """One order, adjustment or reserve movement in a statement (202501 shape)."""

    id: str
    type: str | None = None
    order_id: str | None = None
    order_create_time: int | None = None
    adjustment_id: str | None = None
    adjustment_order_id: str | None = None
    settlement_amount: Amount = None
    revenue_amount: Amount = None
    shipping_cost_amount: Amount = None
    fee_tax_amount: Amount = None
    adjustment_amount: Amount = None
    revenue_breakdown: dict[str, Any] | None = None
    fee_tax_breakdown: dict[str, Any] | None = None
    shipping_cost_breakdown: dict[str, Any] | None = None


class StatementTransactionPage(CursorPage):
    """One page of `GET /finance/202501/statements/{statement_id}/statement_transactions`."""

    items_field = "transactions"
    id: str | None = None
    status: str | None = None
    create_time: int | None = None
    currency: str | None = None
    payable_amount: Amount = None
    total_settlement_amount: Amount = None
    total_reserve_amount: Amount = None
    total_settlement_breakdown: dict[str, Any] | None = None
    transactions: list[StatementTransaction] = Field(default_factory=list)


class SkuTransaction(TikTokModel):
    """One SKU's share of an order's settlement."""

    sku_id: str | None = None
    sku_name: str | None = None
    product_name: str | None = None
    quantity: int | None = None
    statement_id: str | None = None
    settlement_amount: Amount = None
    revenue_amount: Amount = None
    fee_tax_amount: Amount = None
    shipping_cost_amount: Amount = None
    revenue_breakdown: dict[str, Any] | None = None
    fee_tax_breakdown: dict[str, Any] | None = None
    shipping_cost_breakdown: dict[str, Any] | None = None


class OrderTransactions(TikTokModel):
    """`data` of `GET /finance/202501/orders/{order_id}/statement_transactions`."""

    order_id: str | None = None
    order_create_time: int | None = None
    currency: str | None = None
    revenue_amount: Amount = None
    fee_and_tax_amount: Amount = None
    shipping_cost_amount: Amount = None
    settlement_amount: Amount = None
    sku_transactions: list[SkuTransaction] = Field(default_factory=list)
