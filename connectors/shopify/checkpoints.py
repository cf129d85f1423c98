"""When a read may checkpoint, and at what `updatedAt`.

A checkpoint T promises: every record changed at or before T has been yielded. The next read asks for
`updated_at:>'T'`. Two things can break that promise, and both are guarded here:

- Ties: Shopify timestamps have one-second resolution. If a page ends at T and the next page starts at T too,
  T is not safe yet. Sorted reads look one page ahead and checkpoint at the last time strictly before the tie.
- Late visibility: the search index trails writes by seconds, and a read that is not sorted by `updatedAt` (stock
  levels) can pass a record before it changes. So a checkpoint never goes past the platform's own clock at the
  start of the read (the first response's `Date`) minus `cursor_lag`; what changed in that window is read again
  next time (the engine dedupes by key).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta


def format_checkpoint(value: datetime) -> str:
    """The checkpoint string for a time: ISO 8601 in UTC with a `Z`."""
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def parse_checkpoint(value: str | None) -> datetime | None:
    """The time in a checkpoint; ValueError when it is not one of ours."""
    if value is None or not value.strip():
        return None
    parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        raise ValueError(f"checkpoint {value!r} has no timezone")
    return parsed.astimezone(UTC)


def updated_after(since: datetime | None) -> str | None:
    """The search filter for records changed after `since` (quoted, so the time part counts)."""
    return f"updated_at:>'{format_checkpoint(since)}'" if since is not None else None


class Watermark:
    """The resume point of one read; it only moves forward, and never past the start of the read minus the lag."""

    def __init__(self, since: datetime | None, lag: timedelta) -> None:
        self.since = since
        self.lag = lag
        self.safe = since
        self.cap: datetime | None = None
        self.max_seen: datetime | None = None

    def started(self, server_now: datetime | None) -> None:
        """Record the platform's clock at the start of the read (first call only)."""
        if self.cap is None and server_now is not None:
            self.cap = server_now - self.lag

    def _advance(self, candidate: datetime | None) -> None:
        if candidate is None:
            return
        if self.cap is not None:
            candidate = min(candidate, self.cap)
        if self.safe is None or candidate > self.safe:
            self.safe = candidate

    @property
    def checkpoint(self) -> str | None:
        """The current resume point, None while nothing is safe yet."""
        return format_checkpoint(self.safe) if self.safe is not None else None

    def sorted_page(self, times: Sequence[datetime], next_first: datetime | None) -> str | None:
        """A page of a read sorted by time ascending; `next_first` is the first time of the next page (None:
        this is the last page). Returns the checkpoint to attach to the page."""
        if times:
            self.max_seen = max(self.max_seen or times[-1], times[-1])
            last = times[-1]
            if next_first is None or next_first > last:
                self._advance(last)
            else:
                self._advance(max((t for t in times if t < last), default=None))
        return self.checkpoint

    def unsorted_page(self, times: Sequence[datetime]) -> None:
        """Note the times of a page of a read in no particular time order (no checkpoint until the end)."""
        if times:
            latest = max(times)
            self.max_seen = latest if self.max_seen is None else max(self.max_seen, latest)

    def finish(self) -> str | None:
        """The checkpoint after the last page of a read."""
        self._advance(self.max_seen)
        return self.checkpoint
