"""Pieces the emulator's resources share: WooCommerce's error shape, time stamps, ids and list parameters."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar
from urllib.parse import urlencode

from syncd.testing import Request, Response

T = TypeVar("T")
MAX_PER_PAGE = 100
DEFAULT_PER_PAGE = 10


class StoreError(Exception):
    """An answer in WooCommerce's error shape: `{"code", "message", "data": {"status", ...}}`."""

    def __init__(self, code: str, message: str, status: int = 400, **data: Any) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status
        self.data = data

    def body(self) -> dict[str, Any]:
        """The error as WooCommerce serialises it (also inside batch responses)."""
        return {"code": self.code, "message": self.message, "data": {"status": self.status, **self.data}}

    def response(self) -> Response:
        """The error as an HTTP response."""
        return Response.json(self.body(), status=self.status)


def invalid_param(name: str, reason: str) -> StoreError:
    """WordPress's answer to a parameter that fails its schema."""
    return StoreError("rest_invalid_param", f"Invalid parameter(s): {name}", 400, params={name: reason})


class Stamps:
    """Modification times: whole seconds, never going backwards, each change at least `step` after the last.

    Real stores stamp with the wall clock; the emulator moves on by at least a second per change so tests
    need not advance their clock between a write and the read that must see it.
    """

    def __init__(self, now: Callable[[], datetime], site_offset: timedelta, step: timedelta) -> None:
        self.now = now
        self.site_offset = site_offset
        self.step = step
        self.last: datetime | None = None

    def next(self, spacing: timedelta | None = None) -> datetime:
        """The time of the next change."""
        current = self.now().astimezone(UTC).replace(microsecond=0)
        if self.last is not None:
            current = max(current, self.last + (self.step if spacing is None else spacing))
        self.last = current
        return current

    def observe(self, stamp: datetime) -> None:
        """Count a seeded time as the latest so far, if it is."""
        if self.last is None or stamp > self.last:
            self.last = stamp

    def fields(self, prefix: str, stamp: datetime | None) -> dict[str, str | None]:
        """`<prefix>` (site time) and `<prefix>_gmt`, as WooCommerce writes dates (no offset)."""
        if stamp is None:
            return {prefix: None, f"{prefix}_gmt": None}
        return {
            prefix: (stamp + self.site_offset).strftime("%Y-%m-%dT%H:%M:%S"),
            f"{prefix}_gmt": stamp.strftime("%Y-%m-%dT%H:%M:%S"),
        }

    def parse(self, value: str, *, gmt: bool) -> datetime:
        """A date parameter: with an offset as given, without one as GMT or as site time (`dates_are_gmt`)."""
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        if parsed.tzinfo is not None:
            return parsed.astimezone(UTC)
        return parsed.replace(tzinfo=UTC) if gmt else (parsed - self.site_offset).replace(tzinfo=UTC)


class Ids:
    """WordPress's one id sequence for posts (products, variations and orders share it)."""

    def __init__(self, start: int = 1000) -> None:
        self.last = start

    def next(self) -> int:
        """A fresh id."""
        self.last += 1
        return self.last

    def observe(self, used: int) -> None:
        """Keep fresh ids above a seeded one."""
        self.last = max(self.last, used)


class Params:
    """A request's query as PHP sees it (the last of repeated names), with WordPress's validation."""

    def __init__(self, values: Mapping[str, str]) -> None:
        self.values = dict(values)

    @classmethod
    def of(cls, request: Request) -> Params:
        """The parameters of `request`."""
        return cls({name: values[-1] for name, values in request.query.items() if values})

    def get(self, name: str, default: str | None = None) -> str | None:
        """The raw value."""
        return self.values.get(name, default)

    def integer(self, name: str, default: int, low: int, high: int | None = None) -> int:
        """An integer within bounds, else WordPress's 400."""
        raw = self.values.get(name)
        if raw is None or raw == "":
            return default
        try:
            value = int(raw)
        except ValueError:
            raise invalid_param(name, f"{name} is not of type integer.") from None
        if value < low or (high is not None and value > high):
            upper = f" and {high} (inclusive)" if high is not None else ""
            raise invalid_param(name, f"{name} must be between {low} (inclusive){upper}")
        return value

    def boolean(self, name: str, default: bool = False) -> bool:
        """A boolean as WordPress reads one."""
        raw = self.values.get(name)
        if raw is None or raw == "":
            return default
        lowered = raw.lower()
        if lowered in ("true", "1", "yes"):
            return True
        if lowered in ("false", "0", "no"):
            return False
        raise invalid_param(name, f"{name} is not of type boolean.")

    def choice(self, name: str, default: str, choices: Sequence[str]) -> str:
        """One of `choices`."""
        raw = self.values.get(name) or default
        if raw not in choices:
            raise invalid_param(name, f"{name} is not one of {', '.join(choices)}.")
        return raw

    def date(self, name: str, stamps: Stamps, *, gmt: bool) -> datetime | None:
        """A date-time parameter."""
        raw = self.values.get(name)
        if not raw:
            return None
        try:
            return stamps.parse(raw, gmt=gmt)
        except ValueError:
            raise invalid_param(name, "Invalid date.") from None

    def id_list(self, name: str) -> list[int] | None:
        """A comma-separated list of ids."""
        raw = self.values.get(name)
        if raw is None or raw == "":
            return None
        try:
            return [int(part) for part in raw.split(",") if part.strip()]
        except ValueError:
            raise invalid_param(name, f"{name}[0] is not of type integer.") from None


@dataclass(frozen=True, slots=True)
class Paged:
    """One page of a list, with the totals WordPress sends as headers."""

    items: list[Any]
    total: int
    pages: int
    page: int
    per_page: int


def paginate(items: Sequence[T], params: Params) -> Paged:
    """Apply `page` and `per_page` (1-100, default 10) to a sorted list."""
    per_page = params.integer("per_page", DEFAULT_PER_PAGE, 1, MAX_PER_PAGE)
    page = params.integer("page", 1, 1)
    start = (page - 1) * per_page
    pages = math.ceil(len(items) / per_page) if items else 0
    return Paged(list(items[start : start + per_page]), len(items), pages, page, per_page)


def list_response(paged: Paged, body: list[Any], url: str, params: Params) -> Response:
    """A collection response with `X-WP-Total`, `X-WP-TotalPages` and a `Link` header of this server's URLs."""
    headers = {"X-WP-Total": str(paged.total), "X-WP-TotalPages": str(paged.pages)}
    # The signature and keys of the request are not echoed back in links.
    kept = {k: v for k, v in params.values.items() if not k.startswith("oauth_") and not k.startswith("consumer_")}
    links = []
    if paged.page > 1:
        links.append(f'<{_page_url(url, kept, paged.page - 1)}>; rel="prev"')
    if paged.page < paged.pages:
        links.append(f'<{_page_url(url, kept, paged.page + 1)}>; rel="next"')
    if links:
        headers["Link"] = ", ".join(links)
    return Response.json(body, headers=headers)


def _page_url(url: str, params: Mapping[str, str], page: int) -> str:
    return f"{url}?{urlencode({**params, 'page': str(page)})}"
