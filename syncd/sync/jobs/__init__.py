"""The jobs, by name: each is `run(ctx, window) -> RunReport`, idempotent and resumable."""

from __future__ import annotations

from collections.abc import Callable

from syncd.sync.context import JobContext, Window
from syncd.sync.jobs import catalog, fulfilment, orders, reconcile, returns, stock
from syncd.sync.report import RunReport

JOBS: dict[str, Callable[[JobContext, Window], RunReport]] = {
    "catalog": catalog.run,
    "stock": stock.run,
    "orders": orders.run,
    "fulfilment": fulfilment.run,
    "returns": returns.run,
    "reconcile": reconcile.run,
}
