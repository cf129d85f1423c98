"""The fulfilment job: tracking numbers of shipped store orders go to TikTok, which marks the order shipped.

It reads the fulfilments of the store orders that TikTok has no shipment for yet (linked or created order
links without `shipped_at`), maps each carrier name to a TikTok shipping provider id through
`sync.fulfilment.carriers` (case-insensitive), sends the shipment, and marks the link shipped so the next run
leaves it alone. TikTok answering UNCHANGED (already shipped there) counts as shipped too.

The whole TikTok order ships with the store's first usable tracking number: store line ids mean nothing to
TikTok, so a split shipment in the store shows as one shipment on TikTok. The job keeps no cursor: the links
not yet shipped are its work list, read in id order, and each batch is recorded as soon as TikTok answered.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime

from syncd.connector import FulfilmentSink, FulfilmentSource, WriteResult, WriteStatus
from syncd.domain import Fulfilment
from syncd.errors import AuthError, SyncError
from syncd.store import orders
from syncd.store.models import OrderLink
from syncd.sync.context import JobContext, Window
from syncd.sync.order_protocol import now_of
from syncd.sync.report import RunReport

KIND = "fulfilment"  # quarantine kind, keyed by TikTok order id
BATCH = 50
CARRIERS_KEY = "sync.fulfilment.carriers"
_LATEST = datetime.max.replace(tzinfo=UTC)


def run(ctx: JobContext, window: Window) -> RunReport:
    """Send the tracking of every store order shipped since the last run to TikTok."""
    report = RunReport(job="fulfilment")
    shipper = _Shipper(ctx, report)
    after_id = 0
    while not ctx.stop.is_set():
        with ctx.session() as session:
            links = orders.list_unshipped(session, shipper.store_channel_id, after_id=after_id, limit=BATCH)
        if not links:
            break
        after_id = links[-1].id or after_id
        shipper.ship(links)
    return report


def retry_fulfilment(ctx: JobContext, tiktok_order_id: str) -> RunReport:
    """Try one order's shipment again (`syncd retry`), e.g. after its carrier was added to the config."""
    report = RunReport(job="fulfilment")
    shipper = _Shipper(ctx, report)
    with ctx.session() as session:
        link = orders.get_order_link(session, tiktok_order_id)
    if link is None or link.store_order_id is None or link.shipped_at is not None:
        report.note(f"TikTok order {tiktok_order_id} has no store order waiting to ship")
    else:
        shipper.ship([link])
    ctx.collect_api_calls(report)
    return report


class _Shipper:
    """Reads fulfilments from the store of record and writes shipments to TikTok, one batch of links at a time."""

    def __init__(self, ctx: JobContext, report: RunReport) -> None:
        self.ctx = ctx
        self.report = report
        self.store_channel = ctx.catalog_store
        self.store_channel_id = ctx.channel_id(self.store_channel)
        self.source = ctx.capability(self.store_channel, FulfilmentSource)
        self.sink = ctx.capability(ctx.tiktok_channel, FulfilmentSink)
        self.tiktok_platform = ctx.connector(ctx.tiktok_channel).name
        self.carriers = {name.casefold(): provider for name, provider in ctx.settings.sync.fulfilment.carriers.items()}
        self.now = now_of(ctx)

    def ship(self, links: Sequence[OrderLink]) -> None:
        """One batch: read, map, send, record; a bad order is quarantined and the others go on."""
        by_store_id = {link.store_order_id: link for link in links if link.store_order_id}
        try:
            found = self.source.read_fulfilments(list(by_store_id))
        except AuthError:
            raise
        except SyncError as exc:
            self.report.failed += 1
            self.report.note(f"fulfilments of {len(by_store_id)} {self.store_channel} orders: {exc}")
            return
        self.report.read += len(found)
        grouped: dict[str, list[Fulfilment]] = defaultdict(list)
        for fulfilment in found:
            grouped[fulfilment.order_external_id].append(fulfilment)
        outgoing: list[tuple[OrderLink, Fulfilment]] = []
        for store_order_id, link in by_store_id.items():
            if store_order_id not in grouped:
                continue  # not shipped in the store yet
            chosen = choose(grouped[store_order_id], self.carriers)
            if isinstance(chosen, str):
                self._quarantine(link, chosen)
            else:
                outgoing.append((link, _for_tiktok(link, *chosen)))
        if not outgoing:
            return
        if self.ctx.dry_run:
            for link, shipment in outgoing:
                detail = f"tracking {shipment.tracking_number} via provider {shipment.carrier}"
                self.ctx.plan(self.report, self.ctx.tiktok_channel, "ship_order", link.tiktok_order_id, detail)
            return
        try:
            results = self.sink.write_fulfilments([shipment for _, shipment in outgoing])
        except AuthError:
            raise
        except SyncError as exc:
            results = [WriteResult.failed(shipment.external_id, str(exc), retryable=True) for _, shipment in outgoing]
        self.report.wrote(self.tiktok_platform, len(outgoing))
        for (link, shipment), result in zip(outgoing, results, strict=True):
            self._record(link, shipment, result)

    def _record(self, link: OrderLink, shipment: Fulfilment, result: WriteResult) -> None:
        tiktok_order_id = link.tiktok_order_id
        if result.ok:
            with self.ctx.session() as session:
                orders.mark_shipped(session, tiktok_order_id, shipment.tracking_number, now=self.now)
                self.ctx.release_quarantine(session, self.ctx.tiktok_channel, KIND, tiktok_order_id)
            if result.status is WriteStatus.UNCHANGED:
                self.report.unchanged += 1
            else:
                self.report.created += 1
        elif result.retryable:
            # Unpaid or on hold on TikTok, or a platform hiccup: the link stays unshipped for the next run.
            self.report.deferred += 1
            self.report.note(f"TikTok order {tiktok_order_id}: shipment deferred: {result.error}")
        else:
            self._quarantine(link, f"TikTok refused the shipment (tracking {shipment.tracking_number}): {result.error}")

    def _quarantine(self, link: OrderLink, reason: str) -> None:
        payload = {"tiktok_order_id": link.tiktok_order_id, "store_order_id": link.store_order_id or ""}
        with self.ctx.session() as session:
            self.ctx.quarantine(
                session,
                self.report,
                self.ctx.tiktok_channel,
                KIND,
                link.tiktok_order_id,
                f"TikTok order {link.tiktok_order_id} ({self.store_channel} order {link.store_order_id}): {reason}",
                payload,
            )


def choose(fulfilments: Sequence[Fulfilment], carriers: Mapping[str, str]) -> tuple[Fulfilment, str] | str:
    """The earliest fulfilment with a tracking number and a mapped carrier, with its provider id; else why not.

    `carriers` maps casefolded carrier names to TikTok shipping provider ids.
    """
    ordered = sorted(fulfilments, key=lambda f: (f.created_at or _LATEST, f.external_id))
    tracked = [f for f in ordered if f.tracking_number]
    for fulfilment in tracked:
        provider = carriers.get((fulfilment.carrier or "").strip().casefold())
        if provider:
            return fulfilment, provider
    if not tracked:
        return "shipped in the store without a tracking number; TikTok needs one to mark the order shipped"
    first = tracked[0]
    if not first.carrier:
        return f"tracking {first.tracking_number} has no carrier; TikTok needs a shipping provider"
    return f"carrier {first.carrier!r} has no TikTok shipping provider id: add it under {CARRIERS_KEY} in the config"


def _for_tiktok(link: OrderLink, fulfilment: Fulfilment, provider_id: str) -> Fulfilment:
    """The store's fulfilment addressed to the TikTok order, with TikTok's provider id as the carrier."""
    return Fulfilment(
        order_external_id=link.tiktok_order_id,
        external_id=fulfilment.external_id,
        tracking_number=fulfilment.tracking_number,
        carrier=provider_id,
        tracking_url=fulfilment.tracking_url,
        created_at=fulfilment.created_at,
    )
