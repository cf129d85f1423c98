"""Fixtures for the command tests: a small seeded merchant on the emulators, its config, and the CLI in-process."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from connectors.shopify.fake import FakeShopify
from syncd.cli import main
from syncd.config import load_settings
from syncd.runtime import Runtime
from syncd.sandbox.merchant import Merchant, start_merchant
from syncd.store import migrate

Syncd = Callable[..., Result]


@pytest.fixture
def shop() -> Iterator[Merchant]:
    """TikTok Shop and a Shopify store of record with 3 products of 2 variants."""
    with start_merchant((("main", "shopify"),), products=3, variants=2) as seeded:
        yield seeded


@pytest.fixture
def config(shop: Merchant, tmp_path: Path) -> Path:
    """The merchant's config file, on a migrated SQLite database."""
    url = f"sqlite:///{tmp_path / 'syncd.db'}"
    migrate.upgrade(url)
    return shop.write_config(tmp_path / "config.yaml", url)


@pytest.fixture
def runtime(config: Path) -> Iterator[Runtime]:
    """A runtime on the same config and database as the CLI."""
    made = Runtime(load_settings(config, environ={}))
    yield made
    made.close()


@pytest.fixture
def syncd(config: Path) -> Iterator[Syncd]:
    """Run the real CLI in-process with `--config`; the root logger it reconfigures is restored afterwards."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level

    def invoke(*args: str) -> Result:
        return CliRunner().invoke(main, ["--config", str(config), "--log-format", "text", *args])

    yield invoke
    root.handlers[:] = handlers
    root.setLevel(level)


@pytest.fixture
def as_mug(shop: Merchant) -> Callable[[int], str]:
    """Make a seeded product a mug in the store (the config has no category rule for mugs); return its GID."""
    server = shop.stores["main"].server
    assert isinstance(server, FakeShopify)

    def make(product: int) -> str:
        with server.lock:
            variant = server.data.variant_by_sku(shop.products[product].variants[0].sku)
        assert variant is not None
        gid = f"gid://shopify/Product/{variant.product_id}"
        server.touch_product(gid, product_type="Mugs")
        return gid

    return make
