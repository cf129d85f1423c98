"""Importing a TikTok order into the store of record exactly once (DESIGN 2.2), and cancelling it there.

Every step reads the order link first, so running the steps again after a crash repairs instead of repeating:
1. the link is inserted (`pending`, deterministic idempotency key) with the order's reservation; 2. its lock is
taken; 3. the store is asked for an order made with that key; 4. only then is the order created, and its id is
committed at once (`created`) with the release of the reservation (the store took the units from its own
stock); 5. the external order reference goes to TikTok (`linked`).

The lock is held across the store's find-and-create, so two workers on PostgreSQL cannot both create. TikTok is
never called inside a transaction: its token refresh writes to the database, which SQLite's single writer
would refuse while the lock is held.
"""

from __future__ import annotations

import logging
from collections import Counter
from datetime import datetime

from sqlmodel import Session

from syncd.connector import OrderReferenceSink, OrderSink, WriteResult, WriteStatus
from syncd.domain import Order, OrderReference
from syncd.store import catalog, orders, reservations
from syncd.store.enums import OrderLinkState
from syncd.store.models import OrderLink
from syncd.store.types import utcnow
from syncd.sync.context import JobContext
from syncd.sync.report import RunReport

log = logging.getLogger("syncd.sync.orders")

ORDER_KIND = "order"  # quarantine kind of a TikTok order
# Links whose order needs nothing more from the import.
FINISHED = frozenset({OrderLinkState.LINKED, OrderLinkState.CANCELLED, OrderLinkState.PLATFORM})
# Links that have no store order and may still get one.
OPEN = frozenset({OrderLinkState.PENDING, OrderLinkState.QUARANTINED})


def now_of(ctx: JobContext) -> datetime:
    """The current time on the runtime's clock (injectable in tests)."""
    clock = ctx.runtime.clock
    return clock.now() if clock is not None else utcnow()


class OrderSteps:
    """The protocol's steps for one run, between TikTok and the store of record."""

    def __init__(self, ctx: JobContext, report: RunReport) -> None:
        self.ctx = ctx
        self.report = report
        self.store_channel = ctx.catalog_store
        self.store_channel_id = ctx.channel_id(self.store_channel)
        # Opened here, before any lock is taken: opening a connector may read its credentials from the database.
        self.store = ctx.capability(self.store_channel, OrderSink)
        self.references = ctx.capability(ctx.tiktok_channel, OrderReferenceSink)
        self.store_platform = ctx.connector(self.store_channel).name
        self.tiktok_platform = ctx.connector(ctx.tiktok_channel).name
        self.now = now_of(ctx)

    # -- reading and recording ---------------------------------------------------------------------------

    def link(self, tiktok_order_id: str) -> OrderLink | None:
        """The order's link, if it was recorded."""
        with self.ctx.session() as session:
            return orders.get_order_link(session, tiktok_order_id)

    def record_intent(self, order: Order) -> OrderLink:
        """Step 1: the link (pending) and a reservation of the order's units, in one unit of work."""
        with self.ctx.session() as session:
            link, _ = orders.insert_order_link(session, order.external_id, self.store_channel_id, now=self.now)
            if link.state in OPEN and link.store_order_id is None:
                self._reserve(session, order)
        return link

    def _reserve(self, session: Session, order: Order) -> None:
        wanted = Counter[str]()
        for line in order.lines:
            if line.sku:
                wanted[line.sku] += line.quantity
        variant_ids = catalog.variant_ids_by_sku(session, wanted)
        for sku, quantity in wanted.items():
            if sku in variant_ids:
                reservations.reserve(session, order.external_id, variant_ids[sku], quantity, now=self.now)
        unknown = sorted(set(wanted) - set(variant_ids))
        if unknown:
            # Nothing to hold them against until the catalog job has the SKUs; the store still decides on import.
            self.report.note(f"TikTok order {order.external_id}: {', '.join(unknown)} not in the catalog, not reserved")

    def record_platform(self, order: Order) -> None:
        """An order TikTok ships from its own warehouses: recorded, nothing reserved, never sent to the store."""
        tiktok_order_id = order.external_id
        with self.ctx.session() as session:
            link, _ = orders.insert_order_link(session, tiktok_order_id, self.store_channel_id, now=self.now)
            if link.state not in OPEN or link.store_order_id is not None:
                self.report.unchanged += 1
                return
            orders.transition(session, tiktok_order_id, OrderLinkState.PLATFORM, now=self.now)
            reservations.release(session, tiktok_order_id, now=self.now)
            self.ctx.release_quarantine(session, self.ctx.tiktok_channel, ORDER_KIND, tiktok_order_id)
        self.report.updated += 1
        self.report.note(f"TikTok order {tiktok_order_id} is fulfilled by TikTok: recorded, not sent to the store")

    # -- steps 2 to 5 --------------------------------------------------------------------------------------

    def import_order(self, order: Order) -> None:
        """Steps 2-5 for an order whose link is recorded: find or create the store order, then reference it."""
        tiktok_order_id = order.external_id
        found_earlier = True
        with self.ctx.session() as session:
            link = orders.lock_order_link(session, tiktok_order_id)
            if link is None:
                raise LookupError(f"TikTok order {tiktok_order_id} has no order link")
            if link.state in FINISHED:
                self.report.unchanged += 1  # finished by another worker while this one waited for the lock
                return
            store_order_id = link.store_order_id
            if store_order_id is None:
                store_order_id = self.store.find_order(link.idempotency_key, tiktok_order_id)
            if store_order_id is not None and link.store_order_id is None:
                self._record_created(session, tiktok_order_id, store_order_id)
                self.report.updated += 1
                self.report.note(f"TikTok order {tiktok_order_id}: adopted {self.store_channel} order {store_order_id}")
            elif store_order_id is None and self.ctx.dry_run:
                self.ctx.plan(self.report, self.store_channel, "create_order", tiktok_order_id, _describe(order))
                self.ctx.plan(self.report, self.ctx.tiktok_channel, "add_order_reference", tiktok_order_id)
                return
            elif store_order_id is None:
                result = self.store.create_order(order, link.idempotency_key)
                self.report.wrote(self.store_platform)
                if not result.ok or not result.external_id:
                    self._create_failed(session, tiktok_order_id, result)
                    return
                store_order_id = result.external_id
                # Committed when this block ends, before anything else is sent: the record of the store order.
                self._record_created(session, tiktok_order_id, store_order_id)
                found_earlier = result.status is not WriteStatus.CREATED
                if found_earlier:
                    self.report.updated += 1
                else:
                    self.report.created += 1
        self.add_reference(tiktok_order_id, store_order_id, check_first=found_earlier)

    def _record_created(self, session: Session, tiktok_order_id: str, store_order_id: str) -> None:
        orders.transition(session, tiktok_order_id, OrderLinkState.CREATED, store_order_id=store_order_id, now=self.now)
        reservations.release(session, tiktok_order_id, now=self.now)
        self.ctx.release_quarantine(session, self.ctx.tiktok_channel, ORDER_KIND, tiktok_order_id)

    def _create_failed(self, session: Session, tiktok_order_id: str, result: WriteResult) -> None:
        error = result.error or "the store returned no order id"
        if result.retryable:
            # Left pending: the next run looks in the store again before trying again.
            orders.record_failure(session, tiktok_order_id, error, now=self.now)
            self.report.failed += 1
            self.report.note(f"TikTok order {tiktok_order_id}: {self.store_channel} failed for now: {error}")
            return
        self.quarantine(session, tiktok_order_id, f"{self.store_channel} refused the order: {error}")

    def add_reference(self, tiktok_order_id: str, store_order_id: str, *, check_first: bool) -> None:
        """Step 5: the external order reference on TikTok, then `linked`; looked up first when resuming."""
        if check_first:
            found = self.references.find_order_by_reference(self.store_platform, store_order_id)
            if found == tiktok_order_id:
                with self.ctx.session() as session:
                    orders.transition(session, tiktok_order_id, OrderLinkState.LINKED, now=self.now)
                self.report.updated += 1
                return
        if self.ctx.dry_run:
            self.ctx.plan(self.report, self.ctx.tiktok_channel, "add_order_reference", tiktok_order_id, store_order_id)
            return
        reference = OrderReference(
            order_external_id=tiktok_order_id, store_order_id=store_order_id, store_platform=self.store_platform
        )
        results = self.references.add_order_references([reference])
        self.report.wrote(self.tiktok_platform)
        result = results[0] if results else WriteResult.failed(tiktok_order_id, "TikTok returned no result")
        with self.ctx.session() as session:
            if result.ok:
                orders.transition(session, tiktok_order_id, OrderLinkState.LINKED, now=self.now)
                self.report.updated += 1
                return
            # Stays `created`; the next run's sweep sends it again.
            orders.record_failure(session, tiktok_order_id, f"order reference: {result.error}", now=self.now)
        self.report.failed += 1
        self.report.note(f"TikTok order {tiktok_order_id}: the order reference failed: {result.error}")

    # -- cancellation ----------------------------------------------------------------------------------------

    def cancel(self, tiktok_order_id: str) -> None:
        """TikTok cancelled the order: cancel its store order with restock, or just release its reservation."""
        link = self.link(tiktok_order_id)
        if link is None or link.state is OrderLinkState.CANCELLED:
            with self.ctx.session() as session:
                released = reservations.release(session, tiktok_order_id, now=self.now)
            if released:
                self.report.updated += 1
            else:
                self.report.unchanged += 1
            return
        if link.shipped_at is not None:
            with self.ctx.session() as session:
                self.quarantine(
                    session,
                    tiktok_order_id,
                    f"cancelled on TikTok after {self.store_channel} order {link.store_order_id} shipped; "
                    "the store order was left as it is",
                )
            return
        with self.ctx.session() as session:
            locked = orders.lock_order_link(session, tiktok_order_id)
            if locked is None or locked.state is OrderLinkState.CANCELLED:
                self.report.unchanged += 1
                return
            store_order_id = locked.store_order_id
            if store_order_id is None and locked.state is not OrderLinkState.PLATFORM:
                # A crash between create and record leaves a store order only the store knows about.
                store_order_id = self.store.find_order(locked.idempotency_key, tiktok_order_id)
            if store_order_id is not None:
                if self.ctx.dry_run:
                    self.ctx.plan(self.report, self.store_channel, "cancel_order", tiktok_order_id, store_order_id)
                    return
                result = self.store.cancel_order(store_order_id, restock=True)
                self.report.wrote(self.store_platform)
                if not result.ok:
                    orders.record_failure(session, tiktok_order_id, f"cancel: {result.error}", now=self.now)
                    reason = f"cancelled on TikTok, but {self.store_channel} order {store_order_id} was not"
                    self.quarantine(session, tiktok_order_id, f"{reason}: {result.error}")
                    return
            new_id = store_order_id if locked.store_order_id is None else None
            orders.transition(session, tiktok_order_id, OrderLinkState.CANCELLED, store_order_id=new_id, now=self.now)
            reservations.release(session, tiktok_order_id, now=self.now)
            self.ctx.release_quarantine(session, self.ctx.tiktok_channel, ORDER_KIND, tiktok_order_id)
        self.report.updated += 1

    # -- problems --------------------------------------------------------------------------------------------

    def quarantine(self, session: Session, tiktok_order_id: str, reason: str) -> None:
        """Set the order aside with `reason` (its link too, unless it already has a store order)."""
        link = orders.get_order_link(session, tiktok_order_id)
        if link is not None and link.state in OPEN and link.store_order_id is None:
            orders.transition(session, tiktok_order_id, OrderLinkState.QUARANTINED, error=reason, now=self.now)
        payload = {"tiktok_order_id": tiktok_order_id, "store": self.store_channel}
        self.ctx.quarantine(
            session,
            self.report,
            self.ctx.tiktok_channel,
            ORDER_KIND,
            tiktok_order_id,
            f"TikTok order {tiktok_order_id}: {reason}",
            payload,
        )

    def fail(self, tiktok_order_id: str, error: str) -> None:
        """Count a failed attempt at an order (a platform error); the next run tries again."""
        with self.ctx.session() as session:
            if orders.get_order_link(session, tiktok_order_id) is not None:
                orders.record_failure(session, tiktok_order_id, error, now=self.now)
        self.report.failed += 1
        self.report.note(f"TikTok order {tiktok_order_id}: {error}")
        log.warning("TikTok order %s failed: %s", tiktok_order_id, error)


def _describe(order: Order) -> str:
    """The lines of an order for a planned write: SKUs and quantities, nothing about the buyer."""
    return ", ".join(f"{line.quantity} x {line.sku or '?'}" for line in order.lines)
