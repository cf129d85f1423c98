"""`syncd retry`: quarantined records fed back to the job that set them aside, each kind its own way.

Orders, shipments and held restocks are retried one by one through their job's retry function. Products and
listings go through a full re-read of the catalog (products already in step are skipped by digest, and the
cursor never moves back), and refused quantities and unreadable stock levels through the stock job, so these
run once however many entries wait. A sale another store made that the store of record refused to take off
its stock cannot be retried: the merchant lowers the stock by hand and dismisses the entry.

The catalog and stock jobs leave a record alone while its entry is open (the stock job never resends a
quantity a channel refused), so their entries are resolved first and the run sets aside again whatever still
fails; a run that fails as a whole reopens them. An entry counts as gone through when it is resolved after its
attempt; otherwise it is still quarantined, with the reason its job recorded on this attempt (or the old one,
when the job did not get to it again).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from functools import partial
from typing import Any

from syncd.errors import SyncError
from syncd.store import quarantine
from syncd.store.models import QuarantineEntry
from syncd.sync import return_restock, stock_push
from syncd.sync.context import JobContext, Window
from syncd.sync.jobs import catalog, catalog_tiktok, fulfilment, orders, returns, stock, stock_sales
from syncd.sync.order_protocol import ORDER_KIND
from syncd.sync.report import RunReport

log = logging.getLogger("syncd.sync.retry")

# Reading from the epoch re-reads the whole catalog; an existing cursor is never moved back by it.
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

# Every kind the jobs quarantine, with what its entries are. `--all` works in this order: the catalog first
# (an order often waits for a SKU the catalog brings), then orders, stock, shipments and returns.
KINDS: dict[str, str] = {
    catalog.PRODUCT: "a store product the catalog job could not read or apply (key: the store's product id)",
    catalog_tiktok.LISTING: "a TikTok listing not created or updated (key: the store of record's product id)",
    ORDER_KIND: "a TikTok order not imported into the store of record (key: TikTok order id)",
    stock_push.STOCK_KIND: "a quantity a channel refused (key: SKU)",
    stock_sales.LEVEL_KIND: "a stock level a store's connector could not read (key: SKU or inventory item id)",
    fulfilment.KIND: "a shipment TikTok did not get (key: TikTok order id)",
    return_restock.KIND: "a TikTok cancellation or return not applied to the store (key: TikTok return id)",
    stock_sales.SALE_KIND: "units sold in another store not taken off the store of record's stock (key: SKU)",
}
CATALOG_KINDS = frozenset({catalog.PRODUCT, catalog_tiktok.LISTING})
STOCK_KINDS = frozenset({stock_push.STOCK_KIND, stock_sales.LEVEL_KIND})


class State(StrEnum):
    """Where an entry stands after `retry`."""

    RESOLVED = "gone through"
    QUARANTINED = "still quarantined"
    MANUAL = "needs a fix by hand"
    DISMISSED = "dismissed"


@dataclass(frozen=True, slots=True)
class Entry:
    """An open quarantine entry, with its channel by name."""

    channel: str
    channel_id: int
    kind: str
    key: str
    reason: str
    payload: dict[str, Any]
    attempts: int

    def label(self) -> str:
        """`kind key on channel`, for messages."""
        return f"{self.kind} {self.key} on {self.channel}"


@dataclass(frozen=True, slots=True)
class Outcome:
    """What became of one entry: its state, its reason now, and what the attempt said about it."""

    entry: Entry
    state: State
    reason: str
    details: tuple[str, ...] = ()

    @property
    def open(self) -> bool:
        """True while the entry is still quarantined."""
        return self.state in (State.QUARANTINED, State.MANUAL)


@dataclass
class RetryResult:
    """The outcome of each entry, and the reports of the catalog and stock runs that retried several at once."""

    outcomes: list[Outcome] = field(default_factory=list)
    reports: list[RunReport] = field(default_factory=list)

    @property
    def still_open(self) -> list[Outcome]:
        """The entries still quarantined."""
        return [outcome for outcome in self.outcomes if outcome.open]


def open_entries(
    ctx: JobContext, *, kind: str | None = None, key: str | None = None, channel: str | None = None
) -> list[Entry]:
    """Open entries, oldest first; only those of `kind`, `key` and `channel` when given."""
    names = {ctx.channel_id(name): name for name in ctx.settings.channels}
    with ctx.session() as session:
        rows = quarantine.list_open(session, kind=kind)
    entries = [_entry(row, names) for row in rows if key is None or row.record_key == key]
    return [entry for entry in entries if channel is None or entry.channel == channel]


def retry(ctx: JobContext, entries: Sequence[Entry]) -> RetryResult:
    """Retry the entries, each kind through its job; the catalog and stock runs happen once for all of theirs."""
    result = RetryResult()
    waiting = [entry for entry in entries if entry.kind in KINDS]
    catalog_entries = [entry for entry in waiting if entry.kind in CATALOG_KINDS]
    if catalog_entries:
        _step(ctx, result, catalog_entries, lambda: catalog.run(ctx, Window(since=EPOCH)), grouped=True)
    for entry in _of_kind(waiting, ORDER_KIND):
        _step(ctx, result, [entry], partial(orders.retry_order, ctx, entry.key))
    stock_entries = [entry for entry in waiting if entry.kind in STOCK_KINDS]
    if stock_entries:
        _step(ctx, result, stock_entries, lambda: _stock(ctx, stock_entries), grouped=True)
    for entry in _of_kind(waiting, fulfilment.KIND):
        _step(ctx, result, [entry], partial(fulfilment.retry_fulfilment, ctx, entry.key))
    for entry in _of_kind(waiting, return_restock.KIND):
        _step(ctx, result, [entry], partial(returns.retry_return, ctx, entry.key))
    for entry in _of_kind(waiting, stock_sales.SALE_KIND):
        result.outcomes.append(Outcome(entry, State.MANUAL, entry.reason, (_sale_fix(ctx, entry),)))
    for entry in entries:
        if entry.kind not in KINDS:
            # A kind from a newer syncd or a plugin: nothing here knows how to run it again.
            result.outcomes.append(Outcome(entry, State.QUARANTINED, entry.reason, (f"unknown kind {entry.kind!r}",)))
    return result


def dismiss(ctx: JobContext, entries: Sequence[Entry]) -> RetryResult:
    """Close the entries without running anything (the merchant fixed the record by hand)."""
    result = RetryResult()
    with ctx.session() as session:
        for entry in entries:
            quarantine.resolve(session, entry.channel_id, entry.kind, entry.key)
    for entry in entries:
        log.info("dismissed quarantined %s", entry.label())
        result.outcomes.append(Outcome(entry, State.DISMISSED, entry.reason))
    return result


def _of_kind(entries: Sequence[Entry], kind: str) -> list[Entry]:
    return [entry for entry in entries if entry.kind == kind]


def _step(
    ctx: JobContext,
    result: RetryResult,
    entries: Sequence[Entry],
    attempt: Callable[[], RunReport],
    *,
    grouped: bool = False,
) -> None:
    """Run one attempt and record where each of its entries stands; a failure fails these entries only.

    A grouped attempt (a catalog or stock run) resolves its entries first and keeps its report; a single
    record's attempt passes its notes on to the record's outcome instead.
    """
    report: RunReport | None = None
    error: str | None = None
    if grouped:
        with ctx.session() as session:
            for entry in entries:
                quarantine.resolve(session, entry.channel_id, entry.kind, entry.key)
    try:
        report = attempt()
    except SyncError as exc:
        error = str(exc)
    except Exception as exc:  # a bug in one job must not stop the retries of the others
        log.exception("retrying %s failed unexpectedly", ", ".join(entry.label() for entry in entries))
        error = f"{type(exc).__name__}: {exc}"
    if report is not None and grouped:
        ctx.collect_api_calls(report)  # the per-record retry functions count their own calls
        result.reports.append(report)
    said = tuple(report.notes) if report is not None and not grouped else ()
    if error is not None:
        said += (f"the retry failed: {error}",)
    if error is not None and grouped:
        _reopen(ctx, entries)
    with ctx.session() as session:
        for entry in entries:
            row = quarantine.get_entry(session, entry.channel_id, entry.kind, entry.key)
            if row is None or row.resolved_at is not None:
                result.outcomes.append(Outcome(entry, State.RESOLVED, entry.reason, said))
            else:
                result.outcomes.append(Outcome(entry, State.QUARANTINED, row.reason, said))


def _reopen(ctx: JobContext, entries: Sequence[Entry]) -> None:
    """Quarantine the entries again as they were, after a run that failed before it could look at them."""
    with ctx.session() as session:
        for entry in entries:
            if not quarantine.is_quarantined(session, entry.channel_id, entry.kind, entry.key):
                quarantine.quarantine(
                    session, entry.channel_id, entry.kind, entry.key, entry.reason, payload=entry.payload
                )


def _stock(ctx: JobContext, entries: Sequence[Entry]) -> RunReport:
    """The stock job; with unreadable levels waiting, a full read of the stores that had them first."""
    levels = {entry.channel for entry in entries if entry.kind == stock_sales.LEVEL_KIND}
    if not levels:
        return stock.run(ctx, Window())
    report = RunReport(job="stock")
    # Only a full read sees a level again that did not change since it was set aside.
    if not stock.read_store_of_record(ctx, report, full=True):
        return report
    for store in ctx.sales_stores:
        if store in levels and not stock_sales.apply_sales(ctx, report, store, full=True):
            report.note(f"{store}: its stock was not all read")
        if ctx.stop.is_set():
            return report
    stock.push_everywhere(ctx, report)
    return report


def _sale_fix(ctx: JobContext, entry: Entry) -> str:
    """What the merchant does about a sale the store of record refused to take off its stock."""
    units = entry.payload.get("units")
    store = entry.payload.get("store", entry.channel)
    record = ctx.catalog_store
    by = f" by {units}" if isinstance(units, int) else ""
    return (
        f"{units if isinstance(units, int) else 'the'} unit(s) of {entry.key} sold in {store} are still counted in "
        f"{record}'s stock (payload {json.dumps(entry.payload, sort_keys=True)}): lower {entry.key}'s stock in "
        f"{record}{by} by hand, then run `syncd retry {entry.kind} {entry.key} --dismiss`"
    )


def _entry(row: QuarantineEntry, names: dict[int, str]) -> Entry:
    return Entry(
        channel=names.get(row.channel_id, str(row.channel_id)),
        channel_id=row.channel_id,
        kind=row.kind,
        key=row.record_key,
        reason=row.reason,
        payload=dict(row.payload or {}),
        attempts=row.attempts,
    )
