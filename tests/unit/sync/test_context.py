"""JobContext's capability lookup, on the real emulators: a Shopify store of record and TikTok Shop."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from syncd.config import load_settings
from syncd.connector import CatalogSink, CatalogSource, OrderReferenceSink, OrderSink, StockSink, StockSource
from syncd.errors import ConfigError, SyncError
from syncd.runtime import Runtime
from syncd.sandbox.merchant import start_merchant
from syncd.store import migrate
from syncd.sync.context import JobContext


@pytest.fixture
def ctx(tmp_path: Path) -> Iterator[JobContext]:
    url = f"sqlite:///{tmp_path / 'syncd.db'}"
    migrate.upgrade(url)
    with start_merchant((("main", "shopify"),), products=1, variants=1) as merchant:
        runtime = Runtime(load_settings(merchant.write_config(tmp_path / "config.yaml", url), environ={}))
        try:
            with JobContext(runtime) as context:
                yield context
        finally:
            runtime.close()


def test_a_capability_is_the_channels_own_connector(ctx: JobContext) -> None:
    store: object = ctx.connector("main")
    tiktok: object = ctx.connector(ctx.tiktok_channel)

    found: list[object] = [
        ctx.capability("main", StockSource),
        ctx.capability("main", StockSink),
        ctx.optional_capability("main", CatalogSource),
    ]
    assert all(capability is store for capability in found)  # the connector opened once, cached by the context
    assert ctx.capability(ctx.tiktok_channel, OrderReferenceSink) is tiktok


def test_a_missing_capability_names_the_channel_the_connector_and_the_capability(ctx: JobContext) -> None:
    with pytest.raises(ConfigError) as raised:
        ctx.capability(ctx.tiktok_channel, OrderSink)

    assert isinstance(raised.value, SyncError)  # the runner reports it as the job's failure
    assert raised.value.problems == [f"{ctx.tiktok_channel}: the tiktok_shop connector has no OrderSink capability"]
    with pytest.raises(ConfigError, match="main: the shopify connector has no CatalogSink capability"):
        ctx.capability("main", CatalogSink)


def test_an_optional_capability_a_connector_lacks_is_none(ctx: JobContext) -> None:
    assert ctx.optional_capability("main", CatalogSink) is None
    assert ctx.optional_capability(ctx.tiktok_channel, OrderSink) is None
