"""Fixtures of the WooCommerce connector tests: a manual clock, the emulator on it, a connector pointed at it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from woo_helpers import make_config

from connectors.woocommerce import WooCommerceConnector
from connectors.woocommerce.fake import FakeWooCommerce
from syncd.http import ManualClock


@pytest.fixture
def clock() -> ManualClock:
    """The clock the store and the connector share."""
    return ManualClock()


@pytest.fixture
def store(clock: ManualClock) -> Iterator[FakeWooCommerce]:
    """A running, empty emulator without a rate limit; handler errors fail the test."""
    fake = FakeWooCommerce(clock=clock.monotonic, now=clock.now, rate_limit=None)
    with fake:
        yield fake


@pytest.fixture
def connector(store: FakeWooCommerce, clock: ManualClock) -> Iterator[WooCommerceConnector]:
    """A connector on the emulator."""
    with WooCommerceConnector(make_config(store), clock=clock) as made:
        yield made
