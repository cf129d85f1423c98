"""Returns, refunds and cancellations (§4.7): search, the seller's decisions, and seller cancellation."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import TypeVar

from connectors.tiktok_shop.fake.api import JSON, ApiCall, CursorPager, checked_int, endpoint, invalid
from connectors.tiktok_shop.fake.orders import OrderAPI
from connectors.tiktok_shop.fake.render import render_cancellation, render_return
from connectors.tiktok_shop.fake.state import CANCELLABLE_STATUSES, Cancellation, Order, Return

R = TypeVar("R", Cancellation, Return)
# decision -> (statuses it applies to, status it leads to)
APPROVALS = {
    "APPROVE_REFUND": ({"RETURN_OR_REFUND_REQUEST_PENDING"}, "RETURN_OR_REFUND_REQUEST_COMPLETE"),
    "APPROVE_RETURN": ({"RETURN_OR_REFUND_REQUEST_PENDING"}, "AWAITING_BUYER_SHIP"),
    "APPROVE_RECEIVED_PACKAGE": ({"BUYER_SHIPPED_ITEM"}, "RETURN_OR_REFUND_REQUEST_COMPLETE"),
    "APPROVE_REPLACEMENT": ({"REPLACEMENT_REQUEST_PENDING"}, "REPLACEMENT_REQUEST_COMPLETE"),
    "ISSUE_REPLACEMENT_REFUND": ({"REPLACEMENT_REQUEST_PENDING"}, "REPLACEMENT_REQUEST_REFUND_SUCCESS"),
    "OFFER_PARTIAL_REFUND": ({"RETURN_OR_REFUND_REQUEST_PENDING"}, "RETURN_OR_REFUND_REQUEST_COMPLETE"),
}
REJECTIONS = {
    "REJECT_REFUND": ({"RETURN_OR_REFUND_REQUEST_PENDING"}, "REFUND_OR_RETURN_REQUEST_REJECT"),
    "REJECT_RETURN": ({"RETURN_OR_REFUND_REQUEST_PENDING"}, "REFUND_OR_RETURN_REQUEST_REJECT"),
    "REJECT_RECEIVED_PACKAGE": ({"BUYER_SHIPPED_ITEM"}, "REJECT_RECEIVE_PACKAGE"),
    "REJECT_REPLACEMENT": ({"REPLACEMENT_REQUEST_PENDING"}, "REPLACEMENT_REQUEST_REJECT"),
}
REJECT_REASONS = [
    {"name": "seller_reject_apply_product_has_been_used", "text": "The product has been used"},
    {"name": "seller_reject_apply_not_received_return", "text": "The returned item has not been received"},
    {"name": "seller_reject_apply_buyer_no_reason", "text": "The buyer gave no valid reason"},
]
_TIME_FILTERS = ("create_time_ge", "create_time_lt", "update_time_ge", "update_time_lt")
_VERSIONS = ("202309", "202602")


class AfterSalesAPI(OrderAPI):
    """What happens to an order after the buyer paid: cancellations, returns and refunds."""

    # -- cancellations -------------------------------------------------------------------------------------

    @endpoint("POST", "/return_refund/{version}/cancellations", versions=_VERSIONS)
    def cancel_order(self, call: ApiCall) -> JSON:
        order = self.order_for(call.field("order_id", str, required=True) or "")
        reason = call.field("cancel_reason", str, required=True) or ""
        if order.status not in CANCELLABLE_STATUSES:
            raise invalid(f"an order in {order.status} cannot be cancelled by the seller")
        live = [item.id for item in order.line_items if not item.cancelled]
        lines = call.str_list("order_line_item_ids") or live
        if unknown := set(lines) - set(live):
            raise invalid(f"order line items {sorted(unknown)} are not cancellable in this order")
        now = self.unix_now()
        cancel = Cancellation(
            self.ids.next("cancel"),
            order.id,
            lines,
            "CANCELLATION_REQUEST_COMPLETE",
            "SELLER",
            "CANCEL",
            reason,
            now,
            now,
        )
        self.cancellations[cancel.id] = cancel
        self.complete_cancellation(order, cancel)
        return {"cancel_id": cancel.id, "cancel_status": cancel.status}

    def complete_cancellation(self, order: Order, cancel: Cancellation) -> None:
        """Cancel the cancellation's lines (the whole order if none are left) and send the webhooks."""
        for item in order.line_items:
            if item.id in cancel.line_item_ids:
                self.cancel_line(item, cancel.reason)
        order.cancel_reason, order.cancellation_initiator = cancel.reason, cancel.role
        if all(item.cancelled for item in order.line_items):
            self.change_order_status(order, "CANCELLED")
        else:
            order.update_time = self.unix_now()
        self.emit_cancellation(cancel)

    def emit_cancellation(self, cancel: Cancellation) -> None:
        """Send CANCELLATION_STATUS_CHANGE for `cancel`."""
        self.emit(
            "CANCELLATION_STATUS_CHANGE",
            {
                "order_id": cancel.order_id,
                "cancellations_role": cancel.role,
                "cancel_status": cancel.status,
                "cancel_id": cancel.id,
                "create_time": cancel.create_time,
            },
        )

    @endpoint("POST", "/return_refund/{version}/cancellations/search", versions=_VERSIONS)
    def search_cancellations(self, call: ApiCall) -> JSON:
        chosen = self._filtered(call, self.cancellations.values(), "cancel_ids", "cancel_status", "cancel_types")
        page, token, total = self._page(call, chosen, "cancellations")
        rendered = [render_cancellation(c, self.orders[c.order_id]) for c in page]
        return {"cancellations": rendered, "total_count": total, "next_page_token": token}

    @endpoint("POST", "/return_refund/{version}/cancellations/{cancel_id}/approve", versions=_VERSIONS)
    def approve_cancellation(self, call: ApiCall) -> JSON:
        cancel = self._pending_cancellation(call)
        if cancel is not None:
            cancel.status, cancel.update_time = "CANCELLATION_REQUEST_COMPLETE", self.unix_now()
            self.complete_cancellation(self.orders[cancel.order_id], cancel)
        return {}

    @endpoint("POST", "/return_refund/{version}/cancellations/{cancel_id}/reject", versions=_VERSIONS)
    def reject_cancellation(self, call: ApiCall) -> JSON:
        call.field("reject_reason", str, required=True)
        cancel = self._pending_cancellation(call)
        if cancel is not None:
            cancel.status, cancel.update_time = "CANCELLATION_REQUEST_CANCEL", self.unix_now()
            self.emit_cancellation(cancel)
        return {}

    def _pending_cancellation(self, call: ApiCall) -> Cancellation | None:
        """The cancellation to decide on; None when this idempotency key already decided it."""
        cancel = self.cancellations.get(call.path("cancel_id"))
        if cancel is None:
            raise invalid(f"cancellation {call.path('cancel_id')} does not exist")
        if self._replayed(call):
            return None
        if cancel.status != "CANCELLATION_REQUEST_PENDING":
            raise invalid(f"cancellation {cancel.id} is {cancel.status}, not pending")
        return cancel

    def _replayed(self, call: ApiCall) -> bool:
        key = call.arg("idempotency_key")
        if not key:
            return False
        seen = key in self.idempotency_keys
        self.idempotency_keys[key] = call.request.path
        return seen

    # -- returns -------------------------------------------------------------------------------------------

    @endpoint("POST", "/return_refund/{version}/returns/search", versions=_VERSIONS)
    def search_returns(self, call: ApiCall) -> JSON:
        chosen = self._filtered(call, self.returns.values(), "return_ids", "return_status", "return_types")
        page, token, total = self._page(call, chosen, "returns")
        rendered = [render_return(r, self.orders[r.order_id]) for r in page]
        return {"return_orders": rendered, "total_count": total, "next_page_token": token}

    @endpoint("POST", "/return_refund/{version}/returns/{return_id}/approve", versions=_VERSIONS)
    def approve_return(self, call: ApiCall) -> JSON:
        self._decide(call, APPROVALS)
        return {}

    @endpoint("POST", "/return_refund/{version}/returns/{return_id}/reject", versions=(*_VERSIONS, "202606"))
    def reject_return(self, call: ApiCall) -> JSON:
        call.field("reject_reason", str, required=True)
        self._decide(call, REJECTIONS)
        return {}

    def _decide(self, call: ApiCall, decisions: dict[str, tuple[set[str], str]]) -> None:
        record = self.returns.get(call.path("return_id"))
        if record is None:
            raise invalid(f"return {call.path('return_id')} does not exist")
        decision = call.field("decision", str, required=True) or ""
        if decision not in decisions:
            raise invalid(f"decision must be one of {sorted(decisions)}")
        if self._replayed(call):
            return
        allowed, target = decisions[decision]
        if record.status not in allowed:
            raise invalid(f"return {record.id} is {record.status}; {decision} does not apply")
        self.set_return_status(record, target)

    def set_return_status(self, record: Return, status: str, *, actor: str = "SELLER") -> None:
        """Move a return to `status` (done by `actor`) and send RETURN_STATUS_CHANGE."""
        record.status, record.update_time = status, self.unix_now()
        record.history.append({"event": status, "role": actor, "description": "", "create_time": record.update_time})
        self.emit(
            "RETURN_STATUS_CHANGE",
            {
                "order_id": record.order_id,
                "return_role": record.role,
                "return_type": record.return_type,
                "return_status": record.status,
                "return_id": record.id,
                "create_time": record.create_time,
                "update_time": record.update_time,
            },
        )

    @endpoint("GET", "/return_refund/{version}/returns/{return_id}/records", versions=_VERSIONS)
    def get_return_records(self, call: ApiCall) -> JSON:
        record = self.returns.get(call.path("return_id"))
        if record is None:
            raise invalid(f"return {call.path('return_id')} does not exist")
        return {"records": [dict(event) for event in record.history]}

    @endpoint("GET", "/return_refund/{version}/reject_reasons", versions=_VERSIONS)
    def get_reject_reasons(self, call: ApiCall) -> JSON:
        return {"reasons": [dict(reason) for reason in REJECT_REASONS]}

    @endpoint("GET", "/return_refund/{version}/orders/{order_id}/aftersale_eligibility", versions=_VERSIONS)
    def get_aftersale_eligibility(self, call: ApiCall) -> JSON:
        order = self.order_for(call.path("order_id"))
        shipped = order.status in ("IN_TRANSIT", "DELIVERED", "COMPLETED")
        return {
            "sku_eligibility": [
                {
                    "order_line_item_id": item.id,
                    "sku_id": item.sku_id,
                    "eligible_request_type": ["REFUND", "RETURN_AND_REFUND"] if shipped and not item.cancelled else [],
                }
                for item in order.line_items
            ]
        }

    @endpoint("POST", "/return_refund/{version}/refunds/calculate", versions=_VERSIONS)
    def calculate_refund(self, call: ApiCall) -> JSON:
        order = self.order_for(call.field("order_id", str, required=True) or "")
        request_type = call.field("request_type", str, required=True)
        call.field("reason_name", str, required=True)
        if request_type not in ("CANCEL", "REFUND", "RETURN_AND_REFUND"):
            raise invalid("request_type must be CANCEL, REFUND or RETURN_AND_REFUND")
        live = {item.id: item for item in order.line_items if not item.cancelled}
        lines = call.str_list("order_line_item_ids") or list(live)
        if not lines or any(line not in live for line in lines):
            raise invalid("order_line_item_ids must be live lines of this order")
        subtotal = sum((Decimal(live[line].sale_price) for line in lines), Decimal(0))
        # A cancellation of everything refunds the shipping fee too; partial and return refunds do not.
        shipping = Decimal(order.shipping_fee) if request_type == "CANCEL" and len(lines) == len(live) else Decimal(0)
        return {
            "order_refund_amount": {
                "currency": order.currency,
                "refund_total": str(subtotal + shipping),
                "refund_subtotal": str(subtotal),
                "refund_shipping_fee": str(shipping),
                "refund_tax": "0.00",
                "retail_delivery_fee": "0.00",
            }
        }

    # -- shared search -------------------------------------------------------------------------------------

    def _filtered(
        self, call: ApiCall, records: Iterable[R], ids_field: str, status_field: str, types_field: str
    ) -> list[R]:
        ids = set(call.str_list(ids_field) or [])
        orders = set(call.str_list("order_ids") or [])
        buyers = set(call.str_list("buyer_user_ids") or [])
        statuses = set(call.str_list(status_field) or [])
        kinds = set(call.str_list(types_field) or [])
        bounds = {name: checked_int(name, call.body[name]) for name in _TIME_FILTERS if name in call.body}
        chosen: list[R] = []
        for record in records:
            times = {"create_time": record.create_time, "update_time": record.update_time}
            kind = record.cancel_type if isinstance(record, Cancellation) else record.return_type
            if any(
                (n.endswith("_ge") and times[n[:-3]] < b) or (n.endswith("_lt") and times[n[:-3]] >= b)
                for n, b in bounds.items()
            ):
                continue
            if (ids and record.id not in ids) or (orders and record.order_id not in orders):
                continue
            if buyers and self.orders[record.order_id].user_id not in buyers:
                continue
            if (statuses and record.status not in statuses) or (kinds and kind not in kinds):
                continue
            chosen.append(record)
        return chosen

    def _page(self, call: ApiCall, records: list[R], route: str) -> tuple[list[R], str, int]:
        size = call.int_arg("page_size", 10, low=1, high=50) or 10
        sort_field = call.arg("sort_field") or "create_time"
        sort_order = (call.arg("sort_order") or "ASC").upper()
        if sort_field not in ("create_time", "update_time") or sort_order not in ("ASC", "DESC"):
            raise invalid("sort_field must be create_time or update_time, sort_order ASC or DESC")
        pager = CursorPager({"route": route, "body": call.body, "sort": [sort_field, sort_order]})
        return pager.page(
            records,
            lambda r: (r.update_time if sort_field == "update_time" else r.create_time, r.id),
            call.arg("page_token"),
            size,
            descending=sort_order == "DESC",
        )
