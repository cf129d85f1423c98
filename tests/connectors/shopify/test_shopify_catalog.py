"""The paged catalog read: nested variant pages, checkpoints that are safe to resume from, rejected records."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from shopify_support import TOKEN, make_config

from connectors.shopify.checkpoints import parse_checkpoint
from connectors.shopify.connector import ShopifyConnector
from connectors.shopify.fake import FakeShopify
from syncd.http import ManualClock


def _rest_product(number: int, updated_at: str, skus: list[str | None]) -> dict[str, object]:
    return {
        "id": number,
        "title": f"Product {number}",
        "updated_at": updated_at,
        "created_at": updated_at,
        "variants": [{"id": number * 100 + n, "sku": sku, "price": "5.00"} for n, sku in enumerate(skus, start=1)],
    }


def test_products_with_more_variants_than_a_page_are_read_completely(fake: FakeShopify, clock: ManualClock) -> None:
    product = fake.add_products(1, variants_per_product=25)[0]
    config = make_config(fake, variants_page_size=3)
    with ShopifyConnector(config, base_url=fake.base_url, clock=clock) as shop:
        [read] = [p for page in shop.read_products(None) for p in page.records]
    assert [v.sku for v in read.variants] == fake.variant_skus(product)
    assert len(read.variants) == 25


def test_a_page_ending_inside_a_timestamp_tie_does_not_checkpoint_past_it(
    fake: FakeShopify, connector: ShopifyConnector
) -> None:
    """Shopify timestamps have whole seconds: three products changed in the same second, split over two pages."""
    tie, later = "2024-05-01T10:00:00Z", "2024-05-01T10:00:01Z"
    for number, when in ((1, tie), (2, tie), (3, tie), (4, later)):
        fake.load_seed({"products": [_rest_product(number, when, [f"T-{number}"])]})
    config = make_config(fake, page_size=2)
    with ShopifyConnector(config, base_url=fake.base_url, clock=ManualClock()) as shop:
        pages = list(shop.read_products(None))

    assert [[p.external_id[-1] for p in page.records] for page in pages] == [["1", "2"], ["3", "4"]]
    assert pages[0].checkpoint is None  # 10:00:00 is not finished: product 3 has it too
    assert pages[1].checkpoint == later


def test_checkpoint_stops_short_of_shopifys_clock_minus_the_lag(clock: ManualClock) -> None:
    """Records changed moments ago may not all be searchable yet: they are read again next time, not lost."""
    now = datetime.now(UTC)
    server = FakeShopify(tokens=[TOKEN], clock=clock.monotonic, now=clock.now, epoch=now)
    with server:
        server.add_products(3)
        config = make_config(server, cursor_lag=timedelta(seconds=60))
        with ShopifyConnector(config, base_url=server.base_url, clock=clock) as shop:
            pages = list(shop.read_products(None))
            checkpoint = parse_checkpoint(pages[-1].checkpoint)
            again = [p for page in shop.read_products(pages[-1].checkpoint) for p in page.records]

    assert checkpoint is not None
    assert checkpoint <= now - timedelta(seconds=59)
    assert len(again) == 3


def test_a_variant_without_sku_is_rejected_and_the_read_goes_on(fake: FakeShopify, connector: ShopifyConnector) -> None:
    fake.load_seed({"products": [_rest_product(7, "2024-05-01T10:00:00Z", ["OK-1", None])]})
    fake.load_seed({"products": [_rest_product(8, "2024-05-01T10:00:05Z", [None])]})
    pages = list(connector.read_products(None))

    products = [p for page in pages for p in page.records]
    rejected = {r.key: r.reason for page in pages for r in page.rejected}
    assert [p.external_id for p in products] == ["gid://shopify/Product/7"]
    assert [v.sku for v in products[0].variants] == ["OK-1"]
    assert rejected == {
        "gid://shopify/ProductVariant/702": "variant of gid://shopify/Product/7 has no SKU",
        "gid://shopify/ProductVariant/801": "variant of gid://shopify/Product/8 has no SKU",
        "gid://shopify/Product/8": "product has no variant with a SKU",
    }
    assert pages[-1].checkpoint == "2024-05-01T10:00:05Z"


def test_api_calls_counts_every_request_sent(fake: FakeShopify, connector: ShopifyConnector) -> None:
    before = len(fake.calls.all())
    connector.check()
    list(connector.read_products(None))
    assert connector.api_calls() == len(fake.calls.all()) - before
    assert connector.api_calls() > 0
