"""Shared values for the store tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

# A fixed clock reading; tests pass times explicitly instead of sleeping.
T0 = datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=UTC)


@dataclass(frozen=True)
class Ids:
    """Ids of the rows the `ids` fixture creates."""

    tiktok: int
    shop: int
    product: int
    variant: int
    other_variant: int
