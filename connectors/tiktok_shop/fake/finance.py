"""Finance (§4.8): statements, payments, withdrawals and transactions, all GET with every parameter in the query.

The data is simple and derived: one statement per UTC day that has orders, settling those orders' totals
less a flat 8% fee, one payment per statement and one withdrawal per payment.
"""

from __future__ import annotations

from decimal import Decimal

from connectors.tiktok_shop.fake.api import JSON, ApiCall, CursorPager, endpoint, invalid
from connectors.tiktok_shop.fake.core import DAY
from connectors.tiktok_shop.fake.orders import OrderAPI
from connectors.tiktok_shop.fake.render import render_order
from connectors.tiktok_shop.fake.state import Order

FEE_RATE = Decimal("0.08")
WITHDRAWAL_TYPES = frozenset({"WITHDRAW", "SETTLE", "TRANSFER", "REVERSE"})


class FinanceAPI(OrderAPI):
    """Settlement reports derived from the shop's orders."""

    def _statements(self) -> list[JSON]:
        days: dict[int, list[Order]] = {}
        for order in self.orders.values():
            if order.status != "CANCELLED" and order.status != "UNPAID":
                days.setdefault(order.create_time // DAY * DAY, []).append(order)
        statements = []
        for day, orders in days.items():
            revenue = sum(
                (Decimal(render_order(o, self.packages, self.catalog)["payment"]["total_amount"]) for o in orders),
                Decimal(0),
            )
            fee = (revenue * FEE_RATE).quantize(Decimal("0.01"))
            currency = orders[0].currency
            statements.append(
                {
                    "id": f"7{day:018d}",
                    "statement_time": day,
                    "currency": currency,
                    "payment_status": "PAID",
                    "payment_id": f"8{day:018d}",
                    "revenue_amount": str(revenue),
                    "fee_amount": str(-fee),
                    "adjustment_amount": "0.00",
                    "settlement_amount": str(revenue - fee),
                    "shipping_cost_amount": "0.00",
                    "net_sales_amount": str(revenue),
                    "order_ids": [o.id for o in orders],
                }
            )
        return statements

    def _paged(self, call: ApiCall, route: str, records: list[JSON], time_key: str) -> tuple[list[JSON], str, int]:
        size = call.page_size(100, default=20)
        order = (call.arg("sort_order") or "DESC").upper()
        if order not in ("ASC", "DESC"):
            raise invalid("sort_order must be ASC or DESC")
        filters = {k: v for k, v in call.request.query.items() if k not in ("page_token", "sign", "timestamp")}
        pager = CursorPager({"route": route, "query": filters})
        return pager.page(
            records, lambda r: (r[time_key], r["id"]), call.arg("page_token"), size, descending=order == "DESC"
        )

    @endpoint("GET", "/finance/{version}/statements")
    def get_statements(self, call: ApiCall) -> JSON:
        if call.arg("sort_field") != "statement_time":
            raise invalid("sort_field is required and must be statement_time")
        low = call.int_arg("statement_time_ge", 0) or 0
        high = call.int_arg("statement_time_lt")
        status = call.arg("payment_status")
        statements = [
            {k: v for k, v in s.items() if k != "order_ids"}
            for s in self._statements()
            if s["statement_time"] >= low
            and (high is None or s["statement_time"] < high)
            and (status is None or s["payment_status"] == status)
        ]
        page, token, _ = self._paged(call, "statements", statements, "statement_time")
        return {"statements": page, "next_page_token": token}

    @endpoint("GET", "/finance/{version}/payments", versions=("202309", "202605"))
    def get_payments(self, call: ApiCall) -> JSON:
        if call.arg("sort_field") != "create_time":
            raise invalid("sort_field is required and must be create_time")
        payments = [
            {
                "id": s["payment_id"],
                "create_time": s["statement_time"] + DAY,
                "status": "PAID",
                "amount": {"value": s["settlement_amount"], "currency": s["currency"]},
                "settlement_amount": {"value": s["settlement_amount"], "currency": s["currency"]},
                "reserve_amount": {"value": "0.00", "currency": s["currency"]},
                "paid_time": s["statement_time"] + DAY,
                "bank_account": "****1234",
            }
            for s in self._statements()
        ]
        page, token, _ = self._paged(call, "payments", payments, "create_time")
        return {"payments": page, "next_page_token": token}

    @endpoint("GET", "/finance/{version}/withdrawals")
    def get_withdrawals(self, call: ApiCall) -> JSON:
        types = set((call.arg("types") or "").split(",")) - {""}
        if not types or not types <= WITHDRAWAL_TYPES:
            raise invalid(f"types is required: a comma-separated subset of {sorted(WITHDRAWAL_TYPES)}")
        withdrawals = [
            {
                "id": f"9{s['statement_time']:018d}",
                "type": "SETTLE",
                "amount": s["settlement_amount"],
                "currency": s["currency"],
                "status": "SUCCESS",
                "create_time": s["statement_time"] + DAY,
            }
            for s in self._statements()
            if "SETTLE" in types
        ]
        page, token, _ = self._paged(call, "withdrawals", withdrawals, "create_time")
        return {"withdrawals": page, "next_page_token": token}

    @endpoint(
        "GET", "/finance/{version}/statements/{statement_id}/statement_transactions", versions=("202309", "202501")
    )
    def get_statement_transactions(self, call: ApiCall) -> JSON:
        if call.arg("sort_field") != "order_create_time":
            raise invalid("sort_field is required and must be order_create_time")
        statement = next((s for s in self._statements() if s["id"] == call.path("statement_id")), None)
        if statement is None:
            raise invalid(f"statement {call.path('statement_id')} does not exist")
        rows = [self._transaction(self.orders[i], statement["id"]) for i in statement["order_ids"]]
        page, token, total = self._paged(call, "statement_transactions", rows, "order_create_time")
        return {
            "id": statement["id"],
            "statement_time": statement["statement_time"],
            "status": statement["payment_status"],
            "currency": statement["currency"],
            "total_settlement_amount": statement["settlement_amount"],
            "payable_amount": statement["settlement_amount"],
            "total_reserve_amount": "0.00",
            "transactions": page,
            "total_count": total,
            "next_page_token": token,
        }

    @endpoint("GET", "/finance/{version}/orders/{order_id}/statement_transactions", versions=("202309", "202501"))
    def get_order_transactions(self, call: ApiCall) -> JSON:
        order = self.order_for(call.path("order_id"))
        settled = order.status not in ("UNPAID", "CANCELLED")
        row = self._transaction(order, f"7{order.create_time // DAY * DAY:018d}")
        if call.version == "202309":
            return {"order_id": order.id, "statement_transactions": [row] if settled else []}
        # 202501 reports the order's totals and a share per SKU.
        skus: dict[str, JSON] = {}
        for item in order.line_items:
            if not item.cancelled and settled:
                entry = skus.setdefault(
                    item.sku_id,
                    {
                        "sku_id": item.sku_id,
                        "sku_name": item.sku_name,
                        "product_name": item.product_name,
                        "quantity": 0,
                        "statement_id": row["statement_id"],
                        "revenue": Decimal(0),
                    },
                )
                entry["quantity"] += 1
                entry["revenue"] += Decimal(item.sale_price)
        sku_rows = []
        for entry in skus.values():
            revenue = entry.pop("revenue")
            fee = (revenue * FEE_RATE).quantize(Decimal("0.01"))
            sku_rows.append(
                {
                    **entry,
                    "revenue_amount": str(revenue),
                    "fee_tax_amount": str(-fee),
                    "shipping_cost_amount": "0.00",
                    "settlement_amount": str(revenue - fee),
                }
            )
        return {
            "order_id": order.id,
            "order_create_time": order.create_time,
            "currency": order.currency,
            "revenue_amount": row["revenue_amount"] if settled else "0.00",
            "fee_and_tax_amount": row["fee_amount"] if settled else "0.00",
            "shipping_cost_amount": "0.00",
            "settlement_amount": row["settlement_amount"] if settled else "0.00",
            "sku_transactions": sku_rows,
        }

    def _transaction(self, order: Order, statement_id: str) -> JSON:
        revenue = Decimal(render_order(order, self.packages, self.catalog)["payment"]["total_amount"])
        fee = (revenue * FEE_RATE).quantize(Decimal("0.01"))
        return {
            "id": f"6{order.id}",
            "type": "ORDER",
            "statement_id": statement_id,
            "order_id": order.id,
            "order_create_time": order.create_time,
            "currency": order.currency,
            "revenue_amount": str(revenue),
            "fee_amount": str(-fee),
            "settlement_amount": str(revenue - fee),
        }
