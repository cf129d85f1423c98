"""`syncd run` as a real subprocess on fast schedules: it keeps TikTok in step within seconds, refuses a second
daemon on the same SQLite file, and stops promptly and cleanly on SIGTERM."""

from __future__ import annotations

import signal
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from syncd.sandbox import checks
from syncd.sync.leases import daemon_lock
from tests.e2e.e2e_support import Scene, clean_env, command, scene, table_names, wait_until

EVERY_SECOND: dict[str, object] = {"every": "1s", "jitter": "0s"}
SCHEDULES: dict[str, dict[str, object]] = {
    "catalog": EVERY_SECOND,
    "stock": EVERY_SECOND,
    "orders": EVERY_SECOND,
    "fulfilment": EVERY_SECOND,
    "returns": EVERY_SECOND,
    "reconcile": {"enabled": False},
}
FIRST_SYNC = 30.0  # seconds for the first runs to list every product
STOCK_CHANGE = 8.0  # seconds for a stock change in the store to show on TikTok (stock runs every second)
STOP = 5.0  # seconds SIGTERM may take (it takes well under one)


def tail(log: Path) -> str:
    """The end of a daemon's output, for a failure message."""
    return log.read_text()[-4000:]


@contextmanager
def daemon(sc: Scene, log: Path) -> Iterator[subprocess.Popen[str]]:
    """`syncd run` in the background, its output in `log`; killed afterwards if the test left it running."""
    with log.open("w") as output:
        process = subprocess.Popen(  # noqa: S603 - our own console script
            command("run", config=sc.config), env=clean_env(), stdout=output, stderr=subprocess.STDOUT, text=True
        )
        try:
            yield process
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()


def test_daemon_syncs_a_stock_change_refuses_a_second_daemon_and_stops_on_sigterm(tmp_path: Path) -> None:
    with scene(tmp_path, (("main", "shopify"),), products=4) as sc:
        merchant = sc.merchant
        record = merchant.stores["main"]
        sc.set_schedules(SCHEDULES)
        sc.upgrade()
        log = tmp_path / "daemon.log"
        with daemon(sc, log) as first:
            # Only the listings: the first stock run races the first catalog run, and loses (see below).
            assert wait_until(lambda: checks.listings_match(merchant).ok, FIRST_SYNC), tail(log)

            sku = merchant.products[2].variants[1].sku
            lowered = record.stock_by_sku()[sku] - 5
            record.set_stock(sku, lowered)
            assert wait_until(lambda: merchant.tiktok.stock_by_sku()[sku] == lowered, STOCK_CHANGE), tail(log)

            second = sc.syncd("run", timeout=30)
            assert second.returncode == 2, second.stderr
            assert "another syncd daemon" in second.stderr
            assert str(sc.database) in second.stderr
            assert first.poll() is None, "the refused daemon must leave the running one alone"

            first.send_signal(signal.SIGTERM)
            assert first.wait(timeout=STOP) == 0, tail(log)
        output = log.read_text()
        assert "received SIGTERM" in output
        assert "Traceback" not in output


def test_stock_read_before_the_catalog_reaches_the_new_listings(tmp_path: Path) -> None:
    # The daemon runs its jobs in whatever order their schedules fire; on a fresh database the stock job may
    # well run first (its default cadence is 2 minutes, the catalog's 15).
    with scene(tmp_path, (("main", "shopify"),), products=3) as sc:
        sc.upgrade()
        for job in ("stock", "catalog", "stock"):
            sc.run_once("--job", job)
        assert checks.listings_match(sc.merchant).ok
        stocked = checks.stock_match(sc.merchant, sc.settings)
        assert stocked.ok, stocked.problems


def test_second_daemon_is_refused_before_it_touches_the_database(tmp_path: Path) -> None:
    # The lock is held here, on a database never migrated: a refused daemon must leave it as it found it (an
    # upgrade run by a newer syncd under a running older one would change the schema beneath it).
    with scene(tmp_path, (("main", "shopify"),), products=1) as sc, daemon_lock(f"sqlite:///{sc.database}"):
        result = sc.syncd("run", timeout=30)

        assert result.returncode == 2, result.stderr
        assert "another syncd daemon" in result.stderr
        assert not sc.database.exists() or table_names(sc.database) == set()
