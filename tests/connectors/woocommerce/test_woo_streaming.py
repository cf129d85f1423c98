"""A 10,000-variation catalog streams from the emulator page by page, in memory far below the catalog's size."""

from __future__ import annotations

import tracemalloc

from woo_helpers import make_config

from connectors.woocommerce import WooCommerceConnector
from connectors.woocommerce.fake import FakeWooCommerce
from syncd.http import ManualClock

PRODUCTS, VARIATIONS = 100, 100


def test_ten_thousand_variations_stream_page_by_page_in_bounded_memory(
    store: FakeWooCommerce, clock: ManualClock
) -> None:
    store.add_products(PRODUCTS, variations_per_product=VARIATIONS)
    config = make_config(store, page_size=100, timeout=10.0, requests_per_second=10_000.0, burst=100)
    with WooCommerceConnector(config, clock=clock) as connector:
        # What holding the catalog costs: the first tenth of it, kept.
        tracemalloc.start()
        baseline = tracemalloc.get_traced_memory()[0]
        stream = connector.read_products(None)
        kept = [next(stream) for _ in range(PRODUCTS // 10)]
        tenth = tracemalloc.get_traced_memory()[0] - baseline
        tracemalloc.stop()
        assert sum(len(p.variants) for page in kept for p in page.records) == PRODUCTS * VARIATIONS // 10
        del kept, stream

        store.calls.clear()
        tracemalloc.start()
        pages = variants = largest = 0
        calls_at_first_page = None
        for page in connector.read_products(None):
            if calls_at_first_page is None:
                calls_at_first_page = len(store.calls)
            pages += 1
            size = sum(len(product.variants) for product in page.records)
            variants += size
            largest = max(largest, size)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()

    assert variants == PRODUCTS * VARIATIONS
    # Pages came one by one, each about a page of variants, the first after only a few calls.
    assert pages >= PRODUCTS
    assert largest <= 2 * config.page_size
    assert calls_at_first_page is not None
    assert calls_at_first_page <= 3 < len(store.calls)
    whole_catalog = tenth * 10
    assert peak < whole_catalog / 8, f"peak {peak} bytes against {whole_catalog} for the whole catalog"
