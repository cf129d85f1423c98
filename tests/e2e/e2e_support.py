"""Helpers for the end-to-end tests (this module holds no tests): the `syncd` command run as a real subprocess
against emulators started in the test process, which write calls each emulator received, and snapshots of what
the emulators and the database hold.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from graphql import FieldNode, GraphQLError, OperationDefinitionNode, OperationType, parse

from syncd.config import Settings, load_settings
from syncd.sandbox.merchant import Merchant, platform_of, start_merchant
from syncd.testing import Request
from syncd.testing.calllog import Call
from syncd.testing.faults import Fault
from syncd.testing.sandbox import SeedOrderLine

ROOT = Path(__file__).parents[2]
SYNCD = Path(sys.executable).parent / "syncd"
# Variables that would leak the developer's own configuration into the command under test.
FOREIGN_ENV = ("SYNCD_", "TIKTOK_", "SHOPIFY_", "WOO")
COMMAND_TIMEOUT = 120.0
CLIENT_RATE = 1000  # requests per second (and burst) of the TikTok and WooCommerce clients
# TikTok routes that are POSTs but only read (searches and checks); every other non-GET route changes the shop.
TIKTOK_POST_READS = frozenset({"recommend_category", "check_listing", "calculate_refund"})
# Shopify mutations that start a read (bulk queries) rather than change the shop.
SHOPIFY_READ_MUTATIONS = frozenset({"bulkOperationRunQuery", "bulkOperationCancel"})


def syncd(*args: str, config: Path | None = None, timeout: float = COMMAND_TIMEOUT) -> subprocess.CompletedProcess[str]:
    """Run the installed `syncd` console script (with `--config` when given) and wait for it."""
    return subprocess.run(  # noqa: S603 - our own console script
        command(*args, config=config), env=clean_env(), cwd=ROOT, capture_output=True, text=True, timeout=timeout
    )


def command(*args: str, config: Path | None = None) -> list[str]:
    """The argv of a `syncd` invocation."""
    return [str(SYNCD), *(["--config", str(config)] if config else []), *args]


def clean_env() -> dict[str, str]:
    """The test's environment without syncd or platform settings of the machine running it."""
    return {k: v for k, v in os.environ.items() if not k.startswith(FOREIGN_ENV)}


def wait_until(condition: Callable[[], bool], timeout: float, interval: float = 0.1) -> bool:
    """Poll `condition` until it holds or `timeout` seconds pass; True when it held."""
    deadline = time.monotonic() + timeout
    while True:
        if condition():
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(interval)


# -- write calls ---------------------------------------------------------------------------------------------


def is_shopify_write(request: Request) -> bool:
    """True for a GraphQL mutation that changes the shop (bulk-query mutations only start a read)."""
    try:
        document = parse(str(request.json()["query"]))
    except (ValueError, KeyError, TypeError, GraphQLError):
        return False
    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode) and definition.operation is OperationType.MUTATION:
            selections = definition.selection_set.selections
            names = {selection.name.value for selection in selections if isinstance(selection, FieldNode)}
            if names - SHOPIFY_READ_MUTATIONS:
                return True
    return False


def _tiktok_write(call: Call) -> bool:
    if call.method == "GET":
        return False
    route = call.route or ""
    return not route.startswith("search_") and route not in TIKTOK_POST_READS


def _rest_write(call: Call) -> bool:
    return call.method not in ("GET", "HEAD", "OPTIONS")


def _shopify_write(call: Call) -> bool:
    # Every Shopify call is `POST graphql`; the pass-through marker armed by `CallWatch` tags the mutations.
    return call.route == "graphql" and call.fault == "delay"


class CallWatch:
    """Which write calls each emulator of a merchant received since `start()`.

    Shopify's call log names every GraphQL request `graphql`; a zero-second "delay" fault that answers normally,
    armed on the mutations that change the shop, tags exactly those calls in the log without changing them. A
    fake applies the first armed fault that matches, so create the watch after injecting any fault meant for a
    Shopify mutation.
    """

    def __init__(self, merchant: Merchant) -> None:
        self.merchant = merchant
        self._servers = {"tiktok": merchant.tiktok.server, **{n: s.server for n, s in merchant.stores.items()}}
        self._kinds = {"tiktok": "tiktok_shop", **{n: platform_of(s) for n, s in merchant.stores.items()}}
        for name, kind in self._kinds.items():
            if kind == "shopify":
                self._servers[name].inject(
                    Fault.delay(0.0, respond=True, route="graphql", when=is_shopify_write, times=None)
                )
        self._start: dict[str, int] = {}
        self.start()

    def start(self) -> None:
        """Forget the calls so far."""
        self._start = {name: len(server.calls) for name, server in self._servers.items()}

    def calls(self) -> dict[str, list[Call]]:
        """Every call per channel since `start()`."""
        return {name: server.calls.all()[self._start[name] :] for name, server in self._servers.items()}

    def writes(self) -> dict[str, list[str]]:
        """Channel -> the write calls since `start()` as `METHOD path`, only channels that received any."""
        checks = {"tiktok_shop": _tiktok_write, "shopify": _shopify_write, "woocommerce": _rest_write}
        found: dict[str, list[str]] = {}
        for name, calls in self.calls().items():
            writes = [f"{c.method} {c.path}" for c in calls if checks[self._kinds[name]](c)]
            if writes:
                found[name] = writes
        return found


# -- state ---------------------------------------------------------------------------------------------------


def merchant_state(merchant: Merchant) -> dict[str, Any]:
    """Everything the checks look at on every emulator, as plain values to compare before and after."""
    tiktok = merchant.tiktok
    state: dict[str, Any] = {
        "tiktok": {
            "stock": tiktok.stock_by_sku(),
            "listings": tiktok.listings_by_sku(),
            "listing_count": tiktok.listing_count(),
            "references": tiktok.external_references(),
            "tracking": tiktok.tracking(),
        }
    }
    for name, store in merchant.stores.items():
        state[name] = {"stock": store.stock_by_sku(), "orders": store.orders()}
    return state


def table_counts(database: Path, tables: Sequence[str]) -> dict[str, int]:
    """Rows in each table of a SQLite file."""
    with sqlite3.connect(database) as connection:
        return {table: connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0] for table in tables}  # noqa: S608


def table_names(database: Path) -> set[str]:
    """The tables of a SQLite file."""
    with sqlite3.connect(database) as connection:
        return {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def total_writes(report: dict[str, Any]) -> int:
    """Writes a `run-once --json` output says it sent, over every job and platform."""
    return sum(sum(job["writes"].values()) for job in report["jobs"].values())


# -- a merchant with syncd configured against it -------------------------------------------------------------


@dataclass
class Scene:
    """A seeded merchant on the emulators, a config.yaml pointing syncd at them, and a SQLite file.

    The emulators' rate limits are lifted and the clients' own raised: these tests are about what syncd writes,
    and at the platforms' real rates a 200-product backfill spends most of its time waiting (the connectors'
    tests cover throttling; `syncd sandbox` runs at the real rates).
    """

    merchant: Merchant
    directory: Path
    config: Path = field(init=False)
    database: Path = field(init=False)

    def __post_init__(self) -> None:
        self.database = self.directory / "syncd.db"
        self.config = self.merchant.write_config(self.directory / "config.yaml", f"sqlite:///{self.database}")
        self._unthrottle()

    def _unthrottle(self) -> None:
        for emulator in [self.merchant.tiktok, *self.merchant.stores.values()]:
            emulator.server.set_rate_limit(None)
        config = yaml.safe_load(self.config.read_text())
        client_rate = {"requests_per_second": CLIENT_RATE, "burst": CLIENT_RATE}
        config["tiktok"].update(client_rate)
        for store in config["stores"]:
            if store["platform"] == "woocommerce":
                store["woocommerce"].update(client_rate)
        self.config.write_text(yaml.safe_dump(config, sort_keys=False))

    @property
    def settings(self) -> Settings:
        """The settings syncd loads from the config."""
        return load_settings(self.config, environ={})

    def set_schedules(self, schedules: dict[str, dict[str, object]]) -> None:
        """Write `schedules:` into the config."""
        config = yaml.safe_load(self.config.read_text())
        config["schedules"] = schedules
        self.config.write_text(yaml.safe_dump(config, sort_keys=False))

    def syncd(self, *args: str, timeout: float = COMMAND_TIMEOUT) -> subprocess.CompletedProcess[str]:
        """Run `syncd` with this scene's config."""
        return syncd(*args, config=self.config, timeout=timeout)

    def upgrade(self) -> None:
        """`syncd db upgrade`, which must succeed."""
        result = self.syncd("db", "upgrade")
        assert result.returncode == 0, result.stderr

    def run_once(self, *args: str) -> dict[str, Any]:
        """`syncd run-once --json` (plus `args`), which must succeed; its parsed output."""
        result = self.syncd("run-once", "--json", *args)
        assert result.returncode == 0, f"run-once exited {result.returncode}\n{result.stdout}\n{result.stderr[-4000:]}"
        output: dict[str, Any] = json.loads(result.stdout)
        return output

    def place(self, *lines: tuple[str, int]) -> str:
        """A buyer's TikTok order of (SKU, quantity) lines; returns its id."""
        return self.merchant.tiktok.place_order([SeedOrderLine(sku, quantity) for sku, quantity in lines])


@contextmanager
def scene(
    directory: Path,
    stores: Sequence[tuple[str, str]],
    *,
    products: int,
    variants: int = 2,
    stock: int = 20,
) -> Iterator[Scene]:
    """Start a seeded merchant and write syncd's config for it; the emulators stop afterwards."""
    with start_merchant(stores, products=products, variants=variants, stock=stock) as merchant:
        yield Scene(merchant, directory)
        for emulator in [merchant.tiktok, *merchant.stores.values()]:
            emulator.server.raise_handler_errors()
