"""The package behind the toolkit: failures classified by whether the store may have acted, retries within the
policy, a client-side limit, and no key or signature in logs or errors."""

from __future__ import annotations

import logging
import socket
from urllib.parse import quote

import pytest
from woo_helpers import make_config

from connectors.woocommerce import WooCommerceConnector
from connectors.woocommerce.fake import FakeWooCommerce
from syncd.errors import FatalApiError, TransientApiError
from syncd.http import ManualClock
from syncd.testing import Fault


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_a_refused_connection_is_retried_even_for_a_create_and_leaks_nothing(
    store: FakeWooCommerce, clock: ManualClock
) -> None:
    config = make_config(store, max_attempts=3)
    nowhere = f"http://127.0.0.1:{_closed_port()}"
    with (
        WooCommerceConnector(config, base_url=nowhere, clock=clock) as connector,
        pytest.raises(TransientApiError) as failed,
    ):
        connector.client.send("POST", "orders", body={}, idempotent=False)
    message = str(failed.value)
    # Nothing reached a store, so even a create may be repeated: all attempts were made, waiting between them.
    assert "gave up after 3 attempt(s)" in message
    assert len(clock.sleeps) == 2
    assert "Connection refused" in message
    assert store.key.consumer_key not in message
    assert "oauth" not in message


def test_a_connection_dropped_after_sending_a_create_is_not_repeated(
    store: FakeWooCommerce, connector: WooCommerceConnector
) -> None:
    store.inject(Fault.drop(route="create_order", times=1))
    with pytest.raises(TransientApiError, match="may already have been applied"):
        connector.client.send("POST", "orders", body={"line_items": []}, idempotent=False)
    assert store.calls.count("create_order") == 1


def test_reads_are_retried_through_server_errors_and_validation_errors_carry_the_store_code(
    store: FakeWooCommerce, connector: WooCommerceConnector
) -> None:
    store.add_products(1)
    store.inject(Fault.error(502, route="list_products", times=2))
    assert len(connector.client.json("GET", "products")) == 1
    assert store.calls.count("list_products") == 3
    with pytest.raises(FatalApiError) as refused:
        connector.client.json("GET", "products", params={"per_page": 500})
    assert (refused.value.status, refused.value.code) == (400, "rest_invalid_param")
    assert "Invalid parameter(s): per_page" in str(refused.value)


def test_the_client_side_limiter_waits_instead_of_hitting_the_store_limit(clock: ManualClock) -> None:
    with FakeWooCommerce(clock=clock.monotonic, now=clock.now) as fake:  # bursts of 10, 5 per second
        config = make_config(fake, requests_per_second=5.0, burst=5)
        with WooCommerceConnector(config, clock=clock) as connector:
            for _ in range(30):
                connector.check()
        assert fake.calls.throttled == 0
        assert clock.elapsed >= 5.0  # 25 calls beyond the burst at 5 per second


def test_urllib3_request_lines_are_scrubbed(
    store: FakeWooCommerce, connector: WooCommerceConnector, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    connector.check()
    (call,) = store.calls.all()
    signature = call.query["oauth_signature"][0]
    assert "oauth_signature=***" in caplog.text
    assert "oauth_consumer_key=***" in caplog.text
    assert signature not in caplog.text
    assert quote(signature, safe="") not in caplog.text
    assert store.key.consumer_key not in caplog.text
    assert store.key.consumer_secret not in caplog.text


def test_api_calls_counts_every_request_sent(store: FakeWooCommerce, connector: WooCommerceConnector) -> None:
    before = len(store.calls.all())
    connector.check()
    list(connector.read_products(None))
    assert connector.api_calls() == len(store.calls.all()) - before
    assert connector.api_calls() > 0
