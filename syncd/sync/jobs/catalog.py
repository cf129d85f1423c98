"""The catalog job: store-of-record products -> canonical products and variants -> TikTok listings.

Each page of products changed since the cursor is applied in order: canonical records by SKU first, then the
TikTok listings (link an existing listing by seller SKU, else create it, else update the fields the store
owns when their digest changed), then the cursor, in the unit of work that records the TikTok outcome. A page
with a listing to retry (the daily creation cap, a transient failure) holds the cursor where it is, so the next
run reads it again; everything else on it is already recorded and is not written twice. The other stores
(sales channels) are read last, only to bind their ids to the canonical variants with the same SKUs.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC

from sqlmodel import Session

from syncd.connector import CatalogSource, Page, RejectedRecord
from syncd.domain import Product
from syncd.store import cursors
from syncd.sync import canonical
from syncd.sync.context import JobContext, Window
from syncd.sync.jobs.catalog_tiktok import StagedProduct, TikTokListings
from syncd.sync.report import RunReport

STREAM = "catalog"
STOCK_STREAM = "stock"  # the stock job's cursor on the same store
PRODUCT = "product"  # quarantine kind on a store channel, keyed by the store's product id
UNKNOWN_SKUS_SHOWN = 10


def run(ctx: JobContext, window: Window, *, verify_listings: bool = False) -> RunReport:
    """Sync the store of record's catalog to the canonical catalog and TikTok, then bind the other stores' ids.

    With `verify_listings` (reconcile), bound listings are read back and hand edits on TikTok are put back.
    """
    report = RunReport(job="catalog")
    since = _since(window, report)
    sources = {store: ctx.capability(store, CatalogSource) for store in [ctx.catalog_store, *ctx.sales_stores]}
    listings = TikTokListings(ctx, report, verify_listings=verify_listings)
    if ctx.dry_run:
        # A dry run's transaction holds SQLite's write lock from its first statement to the end of the run, so
        # TikTok must load its token from the database (a call does) before that transaction begins.
        listings.connector.check()
    try:
        if not _sync_store_of_record(ctx, report, sources[ctx.catalog_store], listings, since):
            return report
        for store in ctx.sales_stores:
            if ctx.stop.is_set() or not _bind_sales_store(ctx, report, sources[store], store, since):
                return report
        return report
    finally:
        listings.finish()


def _since(window: Window, report: RunReport) -> str | None:
    """`window.since` as a checkpoint: the built-in stores take an ISO UTC time as one."""
    if window.until is not None:
        report.note("window.until is ignored: catalog reads run up to now")
    if window.since is None:
        return None
    since = window.since.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    report.note(f"reading products changed since {since} (window.since), not from the cursor")
    return since


def _start(ctx: JobContext, channel: str, since: str | None) -> tuple[str | None, bool]:
    """Where the read starts, and whether its checkpoints may become the cursor.

    An explicit `since` re-reads a window: it moves the cursor only when there is none yet, since a window
    earlier than the cursor would move it back and one later than it would skip what lies between.
    """
    with ctx.session() as session:
        stored = ctx.get_cursor(session, channel, STREAM)
    if since is None:
        return stored, True
    return since, stored is None


# -- the store of record -----------------------------------------------------------------------------------


def _sync_store_of_record(
    ctx: JobContext, report: RunReport, source: CatalogSource, listings: TikTokListings, since: str | None
) -> bool:
    """Apply every changed page; False when a stop was requested."""
    store = ctx.catalog_store
    start, commit = _start(ctx, store, since)
    held = False
    for page in source.read_products(start):
        report.read += len(page.records)
        with ctx.session() as session:
            staged = _stage(ctx, report, session, store, page)
        outcomes = listings.send(listings.prepare(staged))
        with ctx.session() as session:
            # Once a page holds the cursor, later pages cannot move it either: cursors only go forward.
            held = listings.apply(session, outcomes) or held
            if commit and not held:
                ctx.set_cursor(session, store, STREAM, page.checkpoint)
        if ctx.stop.is_set():
            report.note("stopped on request after a page; the next run resumes from the cursor")
            return False
    if held:
        report.note("some listings wait for the next run; the catalog cursor stays before them")
    return True


def _stage(
    ctx: JobContext, report: RunReport, session: Session, store: str, page: Page[Product]
) -> list[StagedProduct]:
    """Upsert the page's canonical products and variants; products sharing a SKU are quarantined instead."""
    channel_id = ctx.channel_id(store)
    _quarantine_rejected(ctx, report, session, store, page.rejected)
    reasons: dict[str, list[str]] = defaultdict(list)
    for sku, holders in canonical.duplicate_skus(page.records).items():
        for holder in dict.fromkeys(holders):
            reasons[holder].append(canonical.describe_duplicate(sku, holders))
    staged = []
    for product in page.records:
        if product.external_id in reasons:
            payload = {"title": product.title, "skus": [v.sku for v in product.variants]}
            reason = "; ".join(reasons[product.external_id])
            ctx.quarantine(session, report, store, PRODUCT, product.external_id, reason, payload)
            continue
        digest = canonical.payload_digest(product)
        ref = None
        if canonical.store_digest(session, channel_id, product) == digest:
            ref = canonical.lookup_store_product(session, channel_id, product)
        if ref is None:
            ref = canonical.upsert_store_product(session, channel_id, product, digest=digest)
            if ref.new_skus:
                # The stock job skips levels of SKUs it does not know yet and moves on; restarting its cursor
                # makes the next stock run read these SKUs' stock instead of waiting for them to change.
                cursors.reset_cursor(session, channel_id, STOCK_STREAM)
        ctx.release_quarantine(session, store, PRODUCT, product.external_id)
        staged.append(StagedProduct(product, ref))
    return staged


def _quarantine_rejected(
    ctx: JobContext, report: RunReport, session: Session, store: str, rejected: Sequence[RejectedRecord]
) -> None:
    for record in rejected:
        ctx.quarantine(session, report, store, PRODUCT, record.key, record.reason)


# -- the other stores --------------------------------------------------------------------------------------


def _bind_sales_store(ctx: JobContext, report: RunReport, source: CatalogSource, store: str, since: str | None) -> bool:
    """Bind a sales store's products and variants to the canonical ones by SKU; False when a stop was requested."""
    channel_id = ctx.channel_id(store)
    start, commit = _start(ctx, store, since)
    unknown: list[str] = []
    for page in source.read_products(start):
        with ctx.session() as session:
            _quarantine_rejected(ctx, report, session, store, page.rejected)
            for product in page.records:
                unknown += canonical.bind_channel_product(session, channel_id, product)
            if commit:
                ctx.set_cursor(session, store, STREAM, page.checkpoint)
        if ctx.stop.is_set():
            report.note(f"stopped on request while reading store {store!r}")
            return False
    if unknown:
        # A SKU the store of record does not sell has nothing to bind to; reconcile binds it once it does.
        shown = ", ".join(sorted(set(unknown))[:UNKNOWN_SKUS_SHOWN])
        report.note(f"store {store!r}: {len(set(unknown))} SKU(s) not in the store of record's catalog: {shown}")
    return True
