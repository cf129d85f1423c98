"""Cost-based throttling: the client paces itself by the figures Shopify reports, and rides out THROTTLED."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from shopify_support import TOKEN, gql, make_config

from connectors.shopify import queries
from connectors.shopify.api import GraphQLFailure
from connectors.shopify.connector import ShopifyConnector
from connectors.shopify.fake import FakeShopify
from syncd.http import ManualClock
from syncd.testing import RateLimit

BUDGET = RateLimit(capacity=100, per_second=10)
# Another client's heavy read: 90 points requested, about 80 actually spent.
DRAIN = """{
  products(first: 8) {
    nodes { id variants(first: 2) { nodes { inventoryItem { measurement { weight { value } } } } } }
  }
}"""


@pytest.fixture(params=[200, 429], ids=["throttled-200", "throttled-429"])
def small_fake(request: pytest.FixtureRequest, clock: ManualClock) -> Iterator[FakeShopify]:
    """An emulator with a 100-point budget, answering THROTTLED with HTTP 200 (Shopify) or 429 (also reported)."""
    server = FakeShopify(
        tokens=[TOKEN], clock=clock.monotonic, now=clock.now, rate_limit=BUDGET, throttle_status=request.param
    )
    server.start()
    try:
        yield server
    finally:
        server.stop()
    server.raise_handler_errors()


def test_rides_out_throttled_when_the_budget_is_spent_elsewhere(small_fake: FakeShopify, clock: ManualClock) -> None:
    """Another client of the same app drains the shared bucket mid-read: one THROTTLED, a wait, and no failure."""
    seeded = small_fake.add_products(12, variants_per_product=2)
    config = make_config(small_fake, page_size=1, variants_page_size=2)
    with ShopifyConnector(config, base_url=small_fake.base_url, clock=clock) as shop:
        pages = shop.read_products(None)
        first = next(pages)
        drained = [gql(small_fake, DRAIN) for _ in range(2)]
        assert any("errors" in body for body in drained), "the drain did not empty the bucket"
        small_fake.calls.clear()
        before = len(clock.sleeps)
        rest = list(pages)
        cost = shop.api.costs.estimate(queries.PRODUCTS)

    keys = [p.external_id for page in [first, *rest] for p in page.records]
    assert sorted(keys) == sorted(seeded)
    assert small_fake.calls.throttled == 1
    # The wait after THROTTLED is what the reported figures imply (the missing points over 10 points/s): more
    # than a first backoff step (at most 0.5 s) and no more than the whole query's cost would take to refill.
    assert 0.5 < clock.sleeps[before] <= cost / BUDGET.per_second


def test_each_call_takes_its_requested_cost_from_a_bucket_synced_to_shopify(
    small_fake: FakeShopify, clock: ManualClock
) -> None:
    small_fake.add_products(6)
    config = make_config(small_fake, page_size=2, variants_page_size=2)
    with ShopifyConnector(config, base_url=small_fake.base_url, clock=clock) as shop:
        assert shop.api.bucket.capacity == 2000  # the configured guess, until Shopify says otherwise
        list(shop.read_products(None))
        learned = shop.api.costs.estimate(queries.PRODUCTS)
        bucket = shop.api.bucket

    variables = {"first": 2, "variants": 2, "query": None}
    reported = gql(small_fake, queries.PRODUCTS, variables)["extensions"]["cost"]["requestedQueryCost"]
    assert learned == reported
    assert (bucket.capacity, bucket.rate) == (100, 10)
    assert small_fake.calls.throttled == 0


def test_a_query_above_the_single_query_maximum_fails_with_a_hint(fake: FakeShopify, clock: ManualClock) -> None:
    fake.add_products(1)
    config = make_config(fake, page_size=50, variants_page_size=50)
    with (
        ShopifyConnector(config, base_url=fake.base_url, clock=clock) as shop,
        pytest.raises(GraphQLFailure, match="lower page_size"),
    ):
        list(shop.read_products(None))
