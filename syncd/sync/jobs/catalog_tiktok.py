"""The TikTok half of the catalog job: link, create and update the listings of one page of store products.

A page goes through three steps, none of which holds a database transaction open across a TikTok call:
`prepare` links products whose SKUs TikTok already has and decides what to create or update, `send` writes
(or, in a dry run, plans) the listings in batches, and `apply` records the outcome in the caller's unit of
work, which also commits the page's cursor. A crash between `send` and `apply` loses nothing: the next run finds
the created listing by seller SKU and links it, and a retried creation carries the same idempotency key.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlmodel import Session

from syncd.connector import CatalogSink, WriteResult, WriteStatus
from syncd.domain import Listing, Product, ProductStatus
from syncd.store import bindings, stock
from syncd.store.enums import BindingKind
from syncd.store.sql import chunked
from syncd.sync import canonical
from syncd.sync.canonical import CanonicalRef, ChannelBinding
from syncd.sync.context import JobContext
from syncd.sync.jobs.catalog_listings import (
    best_holder,
    channel_product,
    initial_quantities,
    is_daily_cap,
    listing_digest,
)
from syncd.sync.report import RunReport
from syncd.sync.rules import listing_spec

LISTING = "listing"  # quarantine kind on the TikTok channel, keyed by the store product's external id
# One creation per call: the connector creates products one by one anyway, and this way nothing more is sent
# after the first creation TikTok refuses for a retryable reason (past the daily cap every further attempt
# would be refused too, each after its own retries).
CREATE_BATCH = 1
UPDATE_BATCH = 25


@dataclass(frozen=True, slots=True)
class StagedProduct:
    """A store-of-record product whose canonical records are in place."""

    product: Product
    ref: CanonicalRef


@dataclass(frozen=True, slots=True)
class PendingListing:
    """A listing to create (`listing.external_id` None) or update, with what to record once it went through."""

    staged: StagedProduct
    listing: Listing
    digest: str
    # Variant id -> quantity a new listing starts with, recorded as pushed and confirmed when it is created.
    pushed: dict[int, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Outcome:
    """What happened to a pending listing: a result, planned (dry run, no result), or deferred to a later run."""

    pending: PendingListing
    result: WriteResult | None = None
    deferred: bool = False


@dataclass
class Prepared:
    """The writes one page needs."""

    creates: list[PendingListing] = field(default_factory=list)
    updates: list[PendingListing] = field(default_factory=list)


class TikTokListings:
    """Links, creates and updates the TikTok listings of the store of record's products, page by page."""

    def __init__(self, ctx: JobContext, report: RunReport, *, verify_listings: bool = False) -> None:
        self.ctx = ctx
        self.report = report
        # Reconcile: read bound listings back and put back what was edited on TikTok (the digest only knows
        # what syncd last sent).
        self.verify_listings = verify_listings
        self.channel = ctx.tiktok_channel
        self.channel_id = ctx.channel_id(self.channel)
        self.sink = ctx.capability(self.channel, CatalogSink)
        self.connector = ctx.connector(self.channel)
        self.platform = self.connector.name
        self.settings = ctx.settings
        # Set at the first creation TikTok refuses for a retryable reason: the rest wait for the next run.
        self.creations_stopped = False
        self.linked = 0
        self.inactive = 0  # products not active in the store: never created on TikTok
        self.not_created = 0  # products left unlisted because creation is off

    # -- prepare -------------------------------------------------------------------------------------------

    def prepare(self, staged: Sequence[StagedProduct]) -> Prepared:
        """Link what TikTok already lists, then decide which listings to create and which to update."""
        with self.ctx.session() as session:
            bound = canonical.channel_products(session, self.channel_id, [s.ref.product_id for s in staged])
        unbound = [s for s in staged if s.ref.product_id not in bound]
        checked = [s for s in staged if s.ref.product_id in bound] if self.verify_listings else []
        skus = sorted({v.sku for s in [*unbound, *checked] for v in s.product.variants})
        found = self.sink.find_variants_by_sku(skus) if skus else {}
        self._forget_edited(checked, found, bound)
        with self.ctx.session() as session:
            skipped = self._link(session, unbound, found, bound)
            return self._plan(session, [s for s in staged if s.ref.product_id not in skipped], bound)

    def _forget_edited(
        self, checked: Sequence[StagedProduct], found: dict[str, Product], bound: dict[int, ChannelBinding]
    ) -> None:
        """Drop the recorded digest of listings whose title or prices differ on TikTok, so they are updated."""
        for item in checked:
            binding = bound[item.ref.product_id]
            shown = best_holder(item.product, found)
            if shown is None or shown.external_id != binding.external_id:
                continue
            expected = channel_product(item.product, self.settings.sync.prices)
            prices = {v.sku: v.price for v in expected.variants}
            edited = shown.title != expected.title or any(
                v.price is not None and prices.get(v.sku) is not None and v.price != prices[v.sku]
                for v in shown.variants
            )
            if edited:
                bound[item.ref.product_id] = ChannelBinding(binding.external_id, None)
                self.report.note(f"TikTok listing {binding.external_id} was edited on TikTok; putting it back")

    def _link(
        self,
        session: Session,
        unbound: Sequence[StagedProduct],
        found: dict[str, Product],
        bound: dict[int, ChannelBinding],
    ) -> set[int]:
        """Bind products whose SKUs a TikTok product already holds; return the ones that must be left alone."""
        claimed: dict[str, str] = {}  # TikTok product id -> the store product linked to it on this page
        skipped: set[int] = set()
        for staged in unbound:
            product, ref = staged.product, staged.ref
            holder = best_holder(product, found)
            if holder is None:
                continue
            if holder.external_id in claimed:
                reason = (
                    f"its SKUs are listed on TikTok product {holder.external_id}, which also lists product "
                    f"{claimed[holder.external_id]}; split the TikTok listing or merge the store products"
                )
                self._quarantine(session, product, reason)
                skipped.add(ref.product_id)
                continue
            claimed[holder.external_id] = product.external_id
            # No digest: the fields the store owns are pushed to the linked listing right after.
            bindings.bind(session, self.channel_id, BindingKind.PRODUCT, holder.external_id, ref.product_id)
            self._bind_skus(session, ref, {v.sku: v.external_id for v in holder.variants})
            bound[ref.product_id] = ChannelBinding(holder.external_id, None)
            self.linked += 1
            elsewhere = sorted(
                v.sku for v in product.variants if v.sku in found and found[v.sku].external_id != holder.external_id
            )
            if elsewhere:
                self.report.note(f"{product.external_id}: SKUs {', '.join(elsewhere)} are on another TikTok listing")
        return skipped

    def _plan(self, session: Session, staged: Sequence[StagedProduct], bound: dict[int, ChannelBinding]) -> Prepared:
        prepared = Prepared()
        rules = self.settings.sync.catalog
        for item in staged:
            product = channel_product(item.product, self.settings.sync.prices)
            digest = listing_digest(product)
            binding = bound.get(item.ref.product_id)
            if binding is not None:
                if binding.digest == digest:
                    self.report.unchanged += 1
                    continue
                listing = Listing(product=product, external_id=binding.external_id)
                prepared.updates.append(PendingListing(item, listing, digest))
                continue
            if item.product.status is not ProductStatus.ACTIVE:
                self.inactive += 1
                continue
            if not rules.create_listings:
                self.not_created += 1
                continue
            spec = listing_spec(item.product, rules)
            if isinstance(spec, str):
                self._quarantine(session, item.product, spec)
                continue
            quantities, pushed = initial_quantities(session, self.settings, self.channel, item.ref.variant_ids)
            listing = Listing(product=product, spec=spec, quantities=quantities)
            prepared.creates.append(PendingListing(item, listing, digest, pushed))
        return prepared

    # -- send ----------------------------------------------------------------------------------------------

    def send(self, prepared: Prepared) -> list[Outcome]:
        """Write (or plan) the updates, then the creations until TikTok refuses one for a retryable reason."""
        outcomes: list[Outcome] = []
        for batch in chunked(prepared.updates, UPDATE_BATCH):
            outcomes += self._write(batch, "update_listing")
        for batch in chunked(prepared.creates, CREATE_BATCH):
            if self.creations_stopped:
                outcomes += [Outcome(pending, deferred=True) for pending in batch]
                continue
            outcomes += self._write(batch, "create_listing")
        return outcomes

    def _write(self, batch: list[PendingListing], action: str) -> list[Outcome]:
        if self.ctx.dry_run:
            for pending in batch:
                product = pending.listing.product
                key = pending.listing.external_id or product.external_id
                self.ctx.plan(self.report, self.channel, action, key, f"{product.title} ({len(product.variants)} SKUs)")
            return [Outcome(pending) for pending in batch]
        results = {result.key: result for result in self.sink.upsert_listings([p.listing for p in batch])}
        self.report.wrote(self.platform, len(batch))
        outcomes = []
        for pending in batch:
            key = pending.listing.product.external_id
            result = results.get(key) or WriteResult.failed(key, "TikTok returned no result for it", retryable=True)
            if pending.listing.external_id is None and not result.ok and result.retryable:
                self.creations_stopped = True
            outcomes.append(Outcome(pending, result))
        return outcomes

    # -- apply ---------------------------------------------------------------------------------------------

    def apply(self, session: Session, outcomes: Sequence[Outcome]) -> bool:
        """Record the outcomes; True when one of them must be tried again (so the cursor stays before the page)."""
        retry = False
        for outcome in outcomes:
            pending, result = outcome.pending, outcome.result
            creating = pending.listing.external_id is None
            if outcome.deferred:
                self.report.deferred += 1
                retry = True
            elif result is None:  # planned in a dry run
                if creating:
                    self.report.created += 1
                else:
                    self.report.updated += 1
            elif creating:
                retry |= self._created(session, pending, result)
            else:
                retry |= self._updated(session, pending, result)
        return retry

    def _created(self, session: Session, pending: PendingListing, result: WriteResult) -> bool:
        product, ref = pending.staged.product, pending.staged.ref
        if result.ok and result.external_id:
            bindings.bind(
                session, self.channel_id, BindingKind.PRODUCT, result.external_id, ref.product_id, digest=pending.digest
            )
            self._bind_skus(session, ref, result.details)
            # TikTok now shows these quantities: the stock job need not send them again.
            for variant_id, quantity in pending.pushed.items():
                stock.record_pushed(session, self.channel_id, variant_id, quantity)
                stock.record_confirmed(session, self.channel_id, variant_id, quantity)
            self.ctx.release_quarantine(session, self.channel, LISTING, product.external_id)
            self.report.created += 1
            return False
        if result.retryable or result.ok:
            # Left unbound: the product is read again next run (the cursor stays) and created then.
            if is_daily_cap(result.error):
                self.report.deferred += 1
            else:
                self.report.failed += 1
                self.report.note(f"{product.external_id}: TikTok listing not created, retried next run: {result.error}")
            return True
        self._quarantine(session, product, f"TikTok refused the listing: {result.error}")
        return False

    def _updated(self, session: Session, pending: PendingListing, result: WriteResult) -> bool:
        product = pending.staged.product
        external_id = pending.listing.external_id
        assert external_id is not None  # an update always names the listing
        if result.ok:
            bindings.record_synced(session, self.channel_id, BindingKind.PRODUCT, external_id, digest=pending.digest)
            self._bind_skus(session, pending.staged.ref, result.details)
            self.ctx.release_quarantine(session, self.channel, LISTING, product.external_id)
            if result.status is WriteStatus.UNCHANGED:
                self.report.unchanged += 1
            else:
                self.report.updated += 1
            return False
        bindings.record_error(session, self.channel_id, BindingKind.PRODUCT, external_id, result.error or "failed")
        if result.retryable:
            self.report.failed += 1
            self.report.note(
                f"{product.external_id}: TikTok listing {external_id} not updated, retried: {result.error}"
            )
            return True
        self._quarantine(session, product, f"TikTok refused the update of listing {external_id}: {result.error}")
        return False

    # -- helpers -------------------------------------------------------------------------------------------

    def _bind_skus(self, session: Session, ref: CanonicalRef, sku_ids: dict[str, str]) -> None:
        for sku, sku_id in sku_ids.items():
            variant_id = ref.variant_ids.get(sku)
            if variant_id is not None and sku_id:
                bindings.bind(session, self.channel_id, BindingKind.VARIANT, sku_id, variant_id)

    def _quarantine(self, session: Session, product: Product, reason: str) -> None:
        payload = {"title": product.title, "skus": [v.sku for v in product.variants]}
        self.ctx.quarantine(session, self.report, self.channel, LISTING, product.external_id, reason, payload)

    def finish(self) -> None:
        """Add the run's summary notes."""
        if self.linked:
            self.report.note(f"linked {self.linked} existing TikTok listing(s) by seller SKU")
        if self.inactive:
            self.report.note(f"{self.inactive} product(s) not listed on TikTok: not active in the store")
        if self.not_created:
            self.report.note(f"{self.not_created} product(s) not listed on TikTok: sync.catalog.create_listings is off")
