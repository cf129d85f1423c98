"""TikTok answers as syncd results: API errors as failed results, unmappable records as rejected, checkpoints.

An auth error is never a per-record result: it stops the run, so every helper here lets it raise.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import timedelta
from typing import TypeVar

from connectors.tiktok_shop.errors import TikTokAPIError
from syncd.connector import RejectedRecord, WriteResult
from syncd.errors import ApiError, AuthError, TransientApiError

T = TypeVar("T")
R = TypeVar("R")


def parse_time(value: str | None) -> int | None:
    """The unix seconds of a checkpoint written by this connector (None when there is none)."""
    if value is None or value == "":
        return None
    if not value.isdigit():
        raise ValueError(f"not a TikTok Shop checkpoint: {value!r}")
    return int(value)


def window_start(checkpoint: int | None, overlap: timedelta) -> int | None:
    """The lower `update_time` bound of a read resuming at `checkpoint`, overlap included."""
    return None if checkpoint is None else max(0, checkpoint - int(overlap.total_seconds()))


def newest(mark: int | None, times: Iterable[int | None]) -> int | None:
    """The latest of `mark` and `times`, ignoring missing values."""
    return max((t for t in (mark, *times) if t is not None), default=None)


def describe(error: ApiError) -> str:
    """The error as a result message: TikTok's code and message when TikTok answered."""
    if isinstance(error, TikTokAPIError):
        return f"TikTok {error.code}: {error.platform_message}"
    return str(error)


def failure(key: str, error: ApiError) -> WriteResult:
    """A failed result for a call TikTok refused; auth errors are not results, they stop the run."""
    if isinstance(error, AuthError):
        raise error
    return WriteResult.failed(key, describe(error), retryable=isinstance(error, TransientApiError))


def attempt(call: Callable[[], T]) -> T | ApiError:
    """The call's value, or the API error it raised (auth errors still raise)."""
    try:
        return call()
    except AuthError:
        raise
    except ApiError as exc:
        return exc


def mapped(
    raw: Iterable[T], key: Callable[[T], str], convert: Callable[[T], R]
) -> tuple[list[R], list[RejectedRecord]]:
    """`convert` applied to each item; an item it cannot map becomes a rejected record under `key(item)`."""
    records: list[R] = []
    rejected: list[RejectedRecord] = []
    for item in raw:
        try:
            records.append(convert(item))
        except ValueError as exc:  # includes pydantic's ValidationError
            rejected.append(RejectedRecord(key=key(item), reason=str(exc)))
    return records, rejected
