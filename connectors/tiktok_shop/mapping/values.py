"""Values every TikTok Shop payload shares: unix-seconds times, money, and the order of incremental searches."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from syncd.domain import Money

# Searches read oldest change first, so a page's newest update time is a safe checkpoint.
BY_UPDATE_TIME = {"sort_field": "update_time", "sort_order": "ASC"}


def from_unix(value: int | None, what: str) -> datetime:
    """A TikTok unix-seconds time as an aware UTC datetime; ValueError when it is missing."""
    if value is None:
        raise ValueError(f"{what} is missing")
    return datetime.fromtimestamp(value, UTC)


def money(amount: Decimal | None, currency: str) -> Money | None:
    """`amount` in `currency`, or None when TikTok left the amount out."""
    return Money(amount=amount, currency=currency) if amount is not None else None
