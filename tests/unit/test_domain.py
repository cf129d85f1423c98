"""Domain records: immutable, aware UTC datetimes, Decimal money, unknown fields rejected."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from pydantic import ValidationError

from syncd.connector import Page, WriteResult, WriteStatus
from syncd.domain import Money, Order, OrderLine, OrderStatus, Product, Variant

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


def make_order(**changes: object) -> Order:
    line = OrderLine(external_id="1", sku="SKU-1", quantity=2, unit_price=Money(amount=Decimal("9.99"), currency="USD"))
    fields: dict[str, object] = {
        "external_id": "576461413038785752",
        "status": OrderStatus.AWAITING_SHIPMENT,
        "lines": (line,),
        "currency": "USD",
        "created_at": NOW,
        "updated_at": NOW,
    }
    fields.update(changes)
    return Order.model_validate(fields)


def test_datetimes_are_normalised_to_utc() -> None:
    plus_two = datetime(2026, 11, 28, 14, 0, tzinfo=timezone(timedelta(hours=2)))
    order = make_order(updated_at=plus_two)
    assert order.updated_at == NOW
    assert order.updated_at.tzinfo is UTC


def test_naive_datetimes_are_rejected() -> None:
    with pytest.raises(ValidationError, match="timezone-aware"):
        make_order(created_at=datetime(2026, 11, 28, 12, 0))


def test_money_keeps_decimal_precision_from_strings() -> None:
    money = Money.model_validate({"amount": "0.10", "currency": "EUR"})
    assert money.amount + Decimal("0.20") == Decimal("0.30")
    with pytest.raises(ValidationError):
        Money.model_validate({"amount": "1", "currency": "euro"})


def test_records_are_frozen_and_strict() -> None:
    order = make_order()
    with pytest.raises(ValidationError):
        order.status = OrderStatus.CANCELLED  # type: ignore[misc]
    with pytest.raises(ValidationError, match="extra"):
        Variant.model_validate({"external_id": "1", "sku": "A", "colour": "red"})


def test_products_need_at_least_an_id_and_sku_per_variant() -> None:
    with pytest.raises(ValidationError):
        Product(external_id="1", title="T", variants=(Variant(external_id="2", sku=""),), updated_at=NOW)


def test_write_results_and_pages() -> None:
    failed = WriteResult.failed("SKU-1", "rejected", retryable=True)
    assert not failed.ok
    assert failed.retryable
    assert failed.status is WriteStatus.FAILED
    assert WriteResult("SKU-2", WriteStatus.UNCHANGED).ok
    page = Page(records=[1, 2], checkpoint="cursor-2")
    assert page.checkpoint == "cursor-2"
    assert list(page.records) == [1, 2]
