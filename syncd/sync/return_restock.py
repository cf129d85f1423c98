"""Putting returned units back into the store of record's stock, at most once per return and SKU.

A return's units are recorded as due in the `return_restocks` ledger. Settling a due row reads the SKU's
on-hand quantity in the store, records the quantity before and after (`sending`, committed), and only then
sets the new quantity. Stock writes are absolute, so a row found in `sending` on a later run (a crash, or an
answer that never came) is settled by looking, not by adding again: the store shows the "after" quantity, so
it landed; it still shows "before", so it is sent again; anything else means the stock moved meanwhile and
nobody can tell, so the row is held and quarantined for the merchant to check and `syncd retry`.

Restocking reads the store's whole stock once per run that has rows to settle (stock sources read by
checkpoint, not by SKU); returns are rare next to the stock job's reads.
"""

from __future__ import annotations

from collections.abc import Iterable

from syncd.connector import StockSink, StockSource, WriteResult
from syncd.domain import Return, StockLevel, StockUpdate
from syncd.store import restocks
from syncd.store.enums import RestockState
from syncd.store.models import ReturnRestock
from syncd.sync.context import JobContext
from syncd.sync.order_protocol import now_of
from syncd.sync.report import RunReport

KIND = "return"  # quarantine kind, keyed by TikTok return id
SETTLE_LIMIT = 500


class Restocker:
    """Records returned units and settles them against the store of record's stock."""

    def __init__(self, ctx: JobContext, report: RunReport) -> None:
        self.ctx = ctx
        self.report = report
        self.store_channel = ctx.catalog_store
        self.store_channel_id = ctx.channel_id(self.store_channel)
        self.source = ctx.capability(self.store_channel, StockSource)
        self.sink = ctx.capability(self.store_channel, StockSink)
        self.store_platform = ctx.connector(self.store_channel).name
        self.now = now_of(ctx)
        self._levels: dict[str, StockLevel] | None = None

    def record(self, record: Return) -> bool:
        """Note the units of a received return as due (once); False if it names a line without a SKU."""
        quantities: dict[str, int] = {}
        for line in record.lines:
            if not line.sku:
                return False
            quantities[line.sku] = quantities.get(line.sku, 0) + line.quantity
        with self.ctx.session() as session:
            new = [
                restocks.record_due(
                    session,
                    record.external_id,
                    record.order_external_id,
                    self.store_channel_id,
                    sku,
                    quantity,
                    now=self.now,
                )
                for sku, quantity in quantities.items()
            ]
        if not any(new):
            self.report.unchanged += 1
        return True

    def settle(self, return_id: str | None = None) -> None:
        """Send every due row (of one return, when given) and settle the ones left in `sending`."""
        with self.ctx.session() as session:
            rows = restocks.list_restocks(
                session,
                [RestockState.DUE, RestockState.SENDING],
                store_channel_id=self.store_channel_id,
                return_id=return_id,
                limit=SETTLE_LIMIT,
            )
        if not rows:
            return
        if self.ctx.dry_run:
            for row in rows:
                detail = f"+{row.quantity} {row.sku}" if row.state is RestockState.DUE else f"check {row.sku}"
                self.ctx.plan(self.report, self.store_channel, "restock", row.return_id, detail)
            return
        levels = self.levels({row.sku for row in rows})
        for row in rows:
            if self.ctx.stop.is_set():
                return
            self._settle(row, levels)

    def levels(self, skus: Iterable[str]) -> dict[str, StockLevel]:
        """The store's current level of each SKU (its first location), read once per run."""
        if self._levels is None:
            wanted = set(skus)
            found: dict[str, StockLevel] = {}
            for page in self.source.read_stock(None):
                for level in page.records:
                    if level.sku in wanted and level.sku not in found:
                        found[level.sku] = level
            self._levels = found
        return self._levels

    def _settle(self, row: ReturnRestock, levels: dict[str, StockLevel]) -> None:
        level = levels.get(row.sku)
        if level is None:
            self._hold(row, f"SKU {row.sku} has no stock level in {self.store_channel}")
            return
        if row.state is RestockState.DUE:
            before, after = level.on_hand, level.on_hand + row.quantity
            with self.ctx.session() as session:
                restocks.start_sending(
                    session,
                    row.return_id,
                    row.sku,
                    location_id=level.location_id,
                    on_hand_before=before,
                    on_hand_after=after,
                    now=self.now,
                )
        elif level.on_hand == row.on_hand_after:
            self._applied(row, level, level.on_hand)  # it landed before the answer (or the record) got lost
            return
        elif level.on_hand == row.on_hand_before and row.on_hand_after is not None:
            before, after = level.on_hand, row.on_hand_after
        else:
            self._hold(
                row,
                f"a restock of {row.quantity} x {row.sku} may or may not have reached {self.store_channel} "
                f"(on hand was {row.on_hand_before}, would be {row.on_hand_after}, is {level.on_hand}); "
                "check the stock, then retry",
            )
            return
        update = StockUpdate(
            sku=row.sku,
            location_id=row.location_id or level.location_id,
            quantity=after,
            expected=before,
            variant_external_id=level.variant_external_id,
        )
        results = self.sink.write_stock([update])
        self.report.wrote(self.store_platform)
        result = results[0] if results else WriteResult.failed(row.sku, "the store returned no result")
        if result.ok:
            self._applied(row, level, after)
        elif result.retryable:
            # Left `sending`: the next run looks at the store's stock before doing anything again.
            self.report.failed += 1
            self.report.note(f"return {row.return_id}: restock of {row.sku} failed for now: {result.error}")
        else:
            self._hold(row, f"{self.store_channel} refused the restock of {row.quantity} x {row.sku}: {result.error}")

    def _applied(self, row: ReturnRestock, level: StockLevel, on_hand: int) -> None:
        with self.ctx.session() as session:
            restocks.mark_applied(session, row.return_id, row.sku, now=self.now)
            held = restocks.list_restocks(session, [RestockState.HELD], return_id=row.return_id)
            if not held:
                self.ctx.release_quarantine(session, self.ctx.tiktok_channel, KIND, row.return_id)
        if self._levels is not None:
            # Later rows of the same SKU build on the quantity just set.
            self._levels[row.sku] = level.model_copy(update={"on_hand": on_hand})
        self.report.updated += 1

    def _hold(self, row: ReturnRestock, reason: str) -> None:
        with self.ctx.session() as session:
            restocks.hold(session, row.return_id, row.sku, reason, now=self.now)
            self.ctx.quarantine(
                session,
                self.report,
                self.ctx.tiktok_channel,
                KIND,
                row.return_id,
                f"return {row.return_id} of TikTok order {row.tiktok_order_id}: {reason}",
                {"return_id": row.return_id, "tiktok_order_id": row.tiktok_order_id, "sku": row.sku},
            )
