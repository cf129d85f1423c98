"""Checkpoints of incremental reads: the newest `date_modified_gmt` read, plus the ids read just before it.

WooCommerce filters with `modified_after` (strictly after, one-second resolution). A read resumes from the
checkpoint minus an overlap, so a save that was committed a moment after a later one is still seen; the ids
already read inside that overlap travel in the checkpoint, so a resumed read skips them instead of repeating
them. The id list is capped (a bulk edit can touch thousands of products in one second); past the cap the
overlap is simply read again, which is safe because the engine applies records idempotently.
"""

from __future__ import annotations

from collections import deque
from datetime import datetime, timedelta

from connectors.woocommerce.models import format_gmt, parse_gmt

MAX_CHECKPOINT_IDS = 1000


class Watermark:
    """The position of one read; `advance` after each record is handled, `encode` to checkpoint."""

    def __init__(self, overlap: timedelta, at: datetime | None = None, seen: dict[str, datetime] | None = None):
        self.overlap = overlap
        self.at = at
        # id -> newest date_modified read for it, for ids inside the overlap window only.
        self._recent: dict[str, datetime] = dict(seen or {})
        # Insertion order, for pruning without scanning the whole dict on every record.
        self._order: deque[tuple[datetime, str]] = deque(sorted((t, k) for k, t in self._recent.items()))

    @classmethod
    def parse(cls, checkpoint: str | None, overlap: timedelta) -> Watermark:
        """A watermark from a checkpoint this module wrote, or from a bare ISO datetime (a first run's `since`)."""
        if checkpoint is None or not checkpoint.strip():
            return cls(overlap)
        stamp, _, ids = checkpoint.partition("|")
        try:
            at = parse_gmt(stamp.strip().removesuffix("Z"))
        except ValueError as exc:
            raise ValueError(f"not a WooCommerce checkpoint: {checkpoint[:60]!r}") from exc
        if at is None:
            return cls(overlap)
        # The exact time of each id is not kept; `at` bounds it, which is all `is_new` needs.
        seen = {key: at for key in ids.split(",") if key}
        return cls(overlap, at, seen)

    def encode(self) -> str | None:
        """The checkpoint string, or None before anything was read."""
        if self.at is None:
            return None
        self._prune()
        stamp = format_gmt(self.at) + "Z"
        if not self._recent or len(self._recent) > MAX_CHECKPOINT_IDS:
            return stamp
        return stamp + "|" + ",".join(sorted(self._recent, key=_id_order))

    def lower_bound(self) -> datetime | None:
        """The `modified_after` to ask for: the newest time read, less the overlap."""
        return None if self.at is None else self.at - self.overlap

    @property
    def in_window(self) -> int:
        """How many ids read so far fall inside the overlap (a re-anchored page would return them again)."""
        self._prune()
        return len(self._recent)

    def is_new(self, key: str, modified: datetime) -> bool:
        """False for a record already read in this version (same id, not modified since)."""
        seen = self._recent.get(key)
        return seen is None or modified > seen

    def advance(self, key: str, modified: datetime) -> None:
        """Record that `key`, modified at `modified`, has been handled."""
        previous = self._recent.get(key)
        if previous is None or modified > previous:
            self._recent[key] = modified
            self._order.append((modified, key))
        if self.at is None or modified > self.at:
            self.at = modified

    def _prune(self) -> None:
        bound = self.lower_bound()
        if bound is None:
            return
        while self._order and self._order[0][0] <= bound:
            stamp, key = self._order.popleft()
            if self._recent.get(key) == stamp:
                del self._recent[key]


def _id_order(key: str) -> tuple[int, str]:
    return (int(key), "") if key.isdigit() else (0, key)
