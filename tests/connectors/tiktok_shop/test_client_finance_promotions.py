"""The client's finance and promotion calls against the emulator."""

from __future__ import annotations

from decimal import Decimal

from connectors.tiktok_shop import ShopClient
from connectors.tiktok_shop.fake import FakeTikTokShop
from connectors.tiktok_shop.models import (
    ActivityCreate,
    ActivityProductInput,
    ActivitySearchFilter,
    ActivityUpdate,
    CouponSearchFilter,
)
from syncd.http import ManualClock

DAY = 86_400


def seed_three_days(fake: FakeTikTokShop, clock: ManualClock) -> list[str]:
    """One $100 order on each of the last three days; returns their ids."""
    sku = fake.add_product(skus=[{"price": "100.00", "quantity": 50}]).skus[0]
    now = int(clock.now().timestamp())
    return [fake.add_order([(sku, 1)], create_time=now - n * DAY - 600).id for n in (1, 2, 3)]


def test_statements_and_their_transactions(shop: ShopClient, fake: FakeTikTokShop, clock: ManualClock) -> None:
    order_ids = seed_three_days(fake, clock)

    pages = list(shop.finance.iter_statements(page_size=2))
    statements = [s for page in pages for s in page.statements]
    one = shop.finance.statements(statement_time_ge=statements[0].statement_time, page_size=5)
    transactions = [
        t for p in shop.finance.iter_statement_transactions(statements[0].id, page_size=1) for t in p.transactions
    ]
    first_page = shop.finance.statement_transactions(statements[0].id)

    assert [len(page.statements) for page in pages] == [2, 1]
    assert [s.settlement_amount for s in statements] == [Decimal("92.00")] * 3
    assert [s.id for s in one.statements] == [statements[0].id]
    assert [t.order_id for t in transactions] == [order_ids[0]]
    assert first_page.total_settlement_amount == Decimal("92.00")


def test_payments_withdrawals_and_order_transactions(
    shop: ShopClient, fake: FakeTikTokShop, clock: ManualClock
) -> None:
    order_ids = seed_three_days(fake, clock)

    payments = [p for page in shop.finance.iter_payments(page_size=2) for p in page.payments]
    one_payment = shop.finance.payments(page_size=1)
    withdrawals = [w for page in shop.finance.iter_withdrawals(types=["SETTLE"]) for w in page.withdrawals]
    every_type = shop.finance.withdrawals()
    order = shop.finance.order_transactions(order_ids[1])

    assert len(payments) == 3
    assert payments[0].amount is not None
    assert payments[0].amount.value == Decimal("92.00")
    assert one_payment.has_next_page
    assert len(withdrawals) == len(every_type.withdrawals) == 3
    assert (order.order_id, order.settlement_amount) == (order_ids[1], Decimal("92.00"))
    assert [(s.quantity, s.revenue_amount) for s in order.sku_transactions] == [(1, Decimal("100.00"))]


def test_an_activity_from_creation_to_deactivation(shop: ShopClient, fake: FakeTikTokShop, clock: ManualClock) -> None:
    product = fake.add_product()
    now = int(clock.now().timestamp())

    created = shop.promotions.create_activity(
        ActivityCreate(
            title="Spring sale",
            activity_type="DIRECT_DISCOUNT",
            begin_time=now + 60,
            end_time=now + DAY,
            product_level="PRODUCT",
        )
    )
    assert created.activity_id is not None
    activity_id = created.activity_id
    updated = shop.promotions.update_activity(
        activity_id, ActivityUpdate(title="Spring sale+", begin_time=now + 60, end_time=now + 2 * DAY)
    )
    with_products = shop.promotions.update_activity_products(
        activity_id,
        [ActivityProductInput(id=product.id, discount=Decimal("10"), quantity_limit=-1, quantity_per_user=-1)],
    )
    fetched = shop.promotions.get_activity(activity_id)
    removed = shop.promotions.remove_activity_products(activity_id, product_ids=[product.id])
    ended = shop.promotions.deactivate_activity(activity_id)

    assert (created.status, updated.title, with_products.total_count) == ("NOT_START", "Spring sale+", 1)
    assert fetched.activity_id == activity_id
    assert [p["id"] for p in fetched.products] == [product.id]
    assert removed.activity_id == activity_id
    assert ended.status == "DEACTIVATED"
    assert shop.promotions.get_activity(activity_id).products == []


def test_activity_search_pages_in_the_body(shop: ShopClient, clock: ManualClock) -> None:
    now = int(clock.now().timestamp())
    for n in range(5):
        shop.promotions.create_activity(
            ActivityCreate(
                title=f"Deal {n}",
                activity_type="FLASHSALE",
                begin_time=now + 60,
                end_time=now + DAY,
                product_level="PRODUCT",
            )
        )

    pages = list(shop.promotions.iter_search_activities(page_size=2))
    filtered = shop.promotions.search_activities(ActivitySearchFilter(activity_title="deal 3"))

    assert [len(p.activities) for p in pages] == [2, 2, 1]
    assert [a.title for a in filtered.activities] == ["Deal 3"]


def test_coupons(shop: ShopClient) -> None:
    ongoing = [
        c for page in shop.promotions.iter_search_coupons(CouponSearchFilter(status=["ONGOING"])) for c in page.coupons
    ]
    every = shop.promotions.search_coupons(page_size=10)

    assert [c.status for c in ongoing] == ["ONGOING"]
    assert len(every.coupons) == 2
    assert shop.promotions.get_coupon(ongoing[0].id).title == ongoing[0].title
