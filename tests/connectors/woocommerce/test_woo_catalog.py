"""Incremental catalog reads: checkpoints, the overlap window, saves during a read, bulk edits in one second."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from woo_helpers import make_config

from connectors.woocommerce import WooCommerceConnector
from connectors.woocommerce.fake import FakeWooCommerce
from connectors.woocommerce.watermark import MAX_CHECKPOINT_IDS, Watermark
from syncd.http import ManualClock


def _keys(connector: WooCommerceConnector, since: str | None) -> tuple[list[str], str | None]:
    keys: list[str] = []
    checkpoint = since
    for page in connector.read_products(since):
        keys.extend(product.external_id for product in page.records)
        checkpoint = page.checkpoint
    return keys, checkpoint


@pytest.fixture
def small_pages(store: FakeWooCommerce, clock: ManualClock) -> WooCommerceConnector:
    return WooCommerceConnector(make_config(store, page_size=5), clock=clock)


def test_a_product_saved_during_the_read_does_not_push_another_out_of_it(
    store: FakeWooCommerce, small_pages: WooCommerceConnector
) -> None:
    ids = store.add_products(12, spacing=60)
    seen: list[str] = []
    pages = small_pages.read_products(None)
    first = next(pages)
    seen.extend(p.external_id for p in first.records)
    # An already-read product is saved: it moves to the end of the modified order. With plain page numbers
    # every later product would shift one place left and the one at the next page boundary would be missed.
    store.set_stock(f"WOO-{ids[0]}", 3)
    for page in pages:
        seen.extend(p.external_id for p in page.records)
    small_pages.close()
    assert set(seen) == set(ids)
    assert seen.count(ids[0]) == 2  # its new version is read again, at the end


def test_a_bulk_edit_in_one_second_is_paged_through_and_resumes_without_repeats(
    store: FakeWooCommerce, small_pages: WooCommerceConnector
) -> None:
    ids = store.add_products(23, spacing=0)  # all stamped in the same second: the overlap holds them all
    keys, checkpoint = _keys(small_pages, None)
    assert sorted(keys) == sorted(ids)
    assert checkpoint is not None
    assert checkpoint.count(",") == 22
    again, _ = _keys(small_pages, checkpoint)
    assert again == []
    added = store.add_products(2, spacing=0)
    later, _ = _keys(small_pages, checkpoint)
    small_pages.close()
    assert sorted(later) == sorted(added)


def test_requests_use_gmt_dates_ascending_by_modified(store: FakeWooCommerce, connector: WooCommerceConnector) -> None:
    store.add_products(2, spacing=60)
    _, checkpoint = _keys(connector, None)
    store.add_products(1, spacing=60)
    _keys(connector, checkpoint)
    call = store.calls.all()[-1]
    query = {name: values[-1] for name, values in call.query.items()}
    assert (query["orderby"], query["order"], query["dates_are_gmt"]) == ("modified", "asc", "true")
    assert checkpoint is not None
    expected = Watermark.parse(checkpoint, timedelta(seconds=5)).lower_bound()
    assert expected is not None
    assert query["modified_after"] == expected.strftime("%Y-%m-%dT%H:%M:%S")
    # The package sends every parameter twice over http (once signed into the URL, once as params).
    assert call.query["orderby"] == ["modified", "modified"]


def test_without_dates_are_gmt_the_store_reads_modified_after_in_site_time(
    store: FakeWooCommerce, connector: WooCommerceConnector
) -> None:
    (product_id,) = store.add_products(1)
    product = store.product_by_sku(f"WOO-{product_id}")
    assert product is not None
    just_before = (datetime.fromisoformat(product["date_modified_gmt"]) - timedelta(minutes=1)).isoformat()
    as_gmt = connector.client.json("GET", "products", params={"modified_after": just_before, "dates_are_gmt": "true"})
    as_site_time = connector.client.json("GET", "products", params={"modified_after": just_before})
    assert [p["id"] for p in as_gmt] == [int(product_id)]
    assert as_site_time == []  # the site is at UTC-3: "one minute before" in site time is hours later


def test_grouped_products_are_skipped_and_bad_payloads_rejected_without_stopping_the_read(
    store: FakeWooCommerce, connector: WooCommerceConnector
) -> None:
    (good,) = store.add_products(1, spacing=60)
    connector.client.json("POST", "products", body={"name": "Bundle", "type": "grouped"})
    store.load_seed(
        {"products": [{"id": 7, "name": "Broken", "type": "simple", "sku": "BROKEN", "status": "publish",
                       "manage_stock": True, "stock_quantity": "lots", "date_modified_gmt": "2030-01-01T00:00:00"}]}
    )  # fmt: skip
    pages = list(connector.read_products(None))
    assert [p.external_id for page in pages for p in page.records] == [good]
    rejected = [r for page in pages for r in page.rejected]
    assert [r.key for r in rejected] == ["product:7"]
    assert "stock_quantity" in rejected[0].reason
    assert pages[-1].checkpoint is not None
    assert pages[-1].checkpoint.startswith("2030-01-01T00:00:00Z")


def test_checkpoints_round_trip_and_cap_their_id_list() -> None:
    overlap = timedelta(seconds=5)
    start = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
    mark = Watermark(overlap)
    assert mark.encode() is None
    assert mark.lower_bound() is None
    mark.advance("10", start)
    mark.advance("11", start + timedelta(seconds=9))
    mark.advance("12", start + timedelta(seconds=10))
    assert mark.encode() == "2025-03-01T12:00:10Z|11,12"  # 10 fell out of the window
    parsed = Watermark.parse(mark.encode(), overlap)
    assert parsed.at == start + timedelta(seconds=10)
    assert not parsed.is_new("11", start + timedelta(seconds=9))
    assert parsed.is_new("11", start + timedelta(seconds=11))  # saved again since
    assert Watermark.parse("2025-03-01T12:00:00+00:00", overlap).at == start  # a hand-written `since`
    with pytest.raises(ValueError, match="checkpoint"):
        Watermark.parse("yesterday", overlap)
    bulk = Watermark(overlap)
    for number in range(MAX_CHECKPOINT_IDS + 1):
        bulk.advance(str(number), start)
    assert bulk.encode() == "2025-03-01T12:00:00Z"  # too many to carry: the overlap is simply read again
