"""Fixtures for the Shopify connector tests: the emulator and a connector pointed at it, on one manual clock."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from shopify_support import APP_SECRET, TOKEN, make_config

from connectors.shopify.connector import ShopifyConnector
from connectors.shopify.fake import FakeShopify
from syncd.http import ManualClock


@pytest.fixture
def clock() -> ManualClock:
    """The clock emulator and connector share."""
    return ManualClock()


@pytest.fixture
def fake(clock: ManualClock) -> Iterator[FakeShopify]:
    """A running emulator with the default cost budget; handler errors fail the test."""
    server = FakeShopify(tokens=[TOKEN], api_secret=APP_SECRET, clock=clock.monotonic, now=clock.now)
    server.start()
    try:
        yield server
    finally:
        server.stop()
    server.raise_handler_errors()


@pytest.fixture
def connector(fake: FakeShopify, clock: ManualClock) -> Iterator[ShopifyConnector]:
    """A connector on the emulator."""
    with ShopifyConnector(make_config(fake), base_url=fake.base_url, clock=clock) as made:
        yield made
