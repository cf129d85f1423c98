"""`syncd sandbox`: the three emulators with a seeded merchant, and syncd running against them."""

from __future__ import annotations

import json
import logging
import sys
import tempfile
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from syncd.runtime import Runtime
    from syncd.sandbox.merchant import Merchant

log = logging.getLogger("syncd.sandbox")
# Fast schedules so a newcomer sees every job within a minute.
LIVE_SCHEDULES: dict[str, dict[str, object]] = {
    "catalog": {"every": "20s", "jitter": "0s"},
    "stock": {"every": "5s", "jitter": "0s"},
    "orders": {"every": "5s", "jitter": "0s"},
    "fulfilment": {"every": "10s", "jitter": "0s"},
    "returns": {"every": "15s", "jitter": "0s"},
    "reconcile": {"every": "120s", "cron": None, "jitter": "0s"},
}


@click.command("sandbox")
@click.option("--products", default=20, show_default=True, help="Products in the seeded catalog.")
@click.option("--variants", default=3, show_default=True, help="Variants per product.")
@click.option("--stock", default=20, show_default=True, help="Units per variant (plus a little noise).")
@click.option("--orders", default=5, show_default=True, help="TikTok orders placed before the first run.")
@click.option("--order-every", default=10.0, show_default=True, help="Seconds between new TikTok orders (live mode).")
@click.option("--second-store/--no-second-store", default=True, show_default=True, help="Add a WooCommerce store.")
@click.option("--once", is_flag=True, help="Run every job twice, check the emulators, and exit.")
@click.option("--json", "as_json", is_flag=True, help="With --once: print one JSON object.")
@click.option("--emulators-only", is_flag=True, help="Only serve the seeded emulators until interrupted.")
@click.option("--config-out", type=click.Path(dir_okay=False), default=None, help="Where to write the config.")
@click.option("--seed", default=1, show_default=True, help="Seed of the sample data.")
def sandbox(
    products: int,
    variants: int,
    stock: int,
    orders: int,
    order_every: float,
    second_store: bool,
    once: bool,
    as_json: bool,
    emulators_only: bool,
    config_out: str | None,
    seed: int,
) -> None:
    """Run syncd against built-in emulated TikTok Shop, Shopify and WooCommerce stores."""
    from syncd.config import load_settings
    from syncd.runtime import Runtime
    from syncd.sandbox.merchant import start_merchant
    from syncd.sandbox.scenario import prepare_marketplace, two_passes
    from syncd.store import migrate

    stores = [("main", "shopify")] + ([("woo", "woocommerce")] if second_store else [])
    workdir = Path(tempfile.mkdtemp(prefix="syncd-sandbox-"))
    database_url = f"sqlite:///{workdir / 'syncd.db'}"
    with start_merchant(stores, products=products, variants=variants, stock=stock, seed=seed) as merchant:
        placed = prepare_marketplace(merchant, orders=orders, seed=seed)
        path = Path(config_out) if config_out else workdir / "config.yaml"
        # Live, syncd serves webhooks on loopback and the emulators deliver there; the fast polls stay as the
        # safety net. `--once` runs the jobs directly and serves nothing.
        merchant.write_config(path, database_url, webhooks=not once, schedules=None if once else LIVE_SCHEDULES)
        if emulators_only:
            click.echo(f"emulators are running; config written to {path}")
            click.echo(f"try: syncd --config {path} db upgrade && syncd --config {path} run-once")
            click.echo(f"then: syncd --config {path} run, and syncd --config {path} webhooks register once it serves")
            click.echo("press Ctrl-C to stop")
            _wait_for_interrupt()
            return
        migrate.upgrade(database_url)
        runtime = Runtime(load_settings(path, environ={}))
        try:
            if once:
                result = two_passes(merchant, runtime, placed)
                _report(result, as_json)
                if not all(result["checks"].values()) or any(result["passes"][1]["writes"].values()):
                    sys.exit(1)
                return
            _live(merchant, runtime, order_every, seed, path)
        finally:
            runtime.close()


def _live(merchant: Merchant, runtime: Runtime, order_every: float, seed: int, path: Path) -> None:
    from syncd.sandbox.scenario import OrderStream
    from syncd.sandbox.webhooks import public_url, start_subscriber
    from syncd.sync.scheduler import Daemon

    click.echo(
        f"sandbox: config {path}; TikTok {merchant.tiktok.server.base_url}; stores "
        + ", ".join(f"{n} {s.server.base_url}" for n, s in merchant.stores.items())
    )
    click.echo(
        f"sandbox: syncd serves webhooks on {public_url(runtime.settings)} and runs every job on a fast "
        "schedule; press Ctrl-C to stop"
    )
    stream = OrderStream(merchant, order_every, seed)
    stream.start()
    # The daemon owns the main thread (it stops on Ctrl-C); the subscriber registers the webhooks once it serves.
    start_subscriber(runtime.settings)
    try:
        Daemon(runtime).start()
    finally:
        stream.stop()


def _wait_for_interrupt() -> None:
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        click.echo("stopped")


def _report(result: dict[str, Any], as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps(result))
        return
    passes: list[dict[str, Any]] = result["passes"]
    for number, one_pass in enumerate(passes, start=1):
        click.echo(f"pass {number}: {one_pass}")
    checks: dict[str, bool] = result["checks"]
    for name, ok in checks.items():
        click.echo(f"{name}: {'ok' if ok else 'FAILED'}")
    problems: dict[str, list[str]] = result["problems"]
    for name, lines in problems.items():
        for line in lines:
            click.echo(f"  {name}: {line}")
