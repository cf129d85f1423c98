"""After-sales reads: cancellations, then returns and refunds, each search with its own checkpoint half."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Protocol, TypeVar

from connectors.tiktok_shop import mapping
from connectors.tiktok_shop.models import CancellationSearchFilter, ReturnSearchFilter
from connectors.tiktok_shop.sync.context import ShopContext
from connectors.tiktok_shop.sync.results import mapped, newest, parse_time, window_start
from syncd.connector import Page
from syncd.domain import Return

AFTERSALES_PAGE_SIZE = 50  # the largest page of the return and cancellation searches


class _Dated(Protocol):
    """A search result with TikTok's `update_time`."""

    @property
    def update_time(self) -> int | None: ...


A = TypeVar("A", bound=_Dated)


def read_returns(context: ShopContext, since: str | None) -> Iterator[Page[Return]]:
    """Cancellations, then returns; the checkpoint is `<cancellations>:<returns>` in unix seconds."""
    first, _, second = (since or "").partition(":")
    marks = [parse_time(first), parse_time(second or first)]
    overlap = context.settings.read_overlap
    size = min(context.settings.page_size, AFTERSALES_PAGE_SIZE)
    seen: set[str] = set()
    cancellations = context.shop.returns.iter_search_cancellations(
        CancellationSearchFilter(update_time_ge=window_start(marks[0], overlap)),
        page_size=size,
        **mapping.BY_UPDATE_TIME,
    )
    yield from _after_sales(
        (p.cancellations for p in cancellations),
        marks,
        0,
        seen,
        lambda c: c.cancel_id,
        mapping.cancellation_to_domain,
    )
    returns = context.shop.returns.iter_search_returns(
        ReturnSearchFilter(update_time_ge=window_start(marks[1], overlap)),
        page_size=size,
        **mapping.BY_UPDATE_TIME,
    )
    yield from _after_sales(
        (p.return_orders for p in returns), marks, 1, seen, lambda r: r.return_id, mapping.return_to_domain
    )


def _after_sales(
    pages: Iterable[Sequence[A]],
    marks: list[int | None],
    slot: int,
    seen: set[str],
    key: Callable[[A], str],
    convert: Callable[[A], Return],
) -> Iterator[Page[Return]]:
    """Pages of one after-sales search, each record once, moving `marks[slot]` to the newest change read."""
    for items in pages:
        fresh = [item for item in items if key(item) not in seen]
        seen.update(key(item) for item in fresh)
        marks[slot] = newest(marks[slot], (item.update_time for item in items))
        records, rejected = mapped(fresh, key, convert)
        checkpoint = None if marks == [None, None] else f"{marks[0] or 0}:{marks[1] or 0}"
        yield Page(records, checkpoint=checkpoint, rejected=rejected)
