"""Paginators as objects: each knows how to read "is there a next page" from a response and ask for it.

`paginate` drives one: send, extract records, update the paginator's state, yield, build the next request.
Every paginator refuses to follow a next-page token it has already followed, so a platform that hands
back the same cursor cannot spin a job forever.
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Sequence
from typing import Any, Literal

import httpx

from syncd.errors import FatalApiError
from syncd.http.client import rebuild_request
from syncd.http.jsonpath import get_path, set_path


class PaginationError(FatalApiError):
    """The platform's paging is broken (a repeated cursor, missing page info, records that are not a list)."""


def _json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError as exc:
        raise PaginationError(f"page body is not JSON ({response.request.url.path})") from exc


def _request_json(request: httpx.Request) -> dict[str, Any]:
    content = request.read()
    body = json.loads(content) if content.strip() else {}
    if not isinstance(body, dict):
        raise TypeError("the request's JSON body must be an object to carry a page cursor")
    return body


class BasePaginator(ABC):
    """State machine for one paginated read: first request, state from each response, next request."""

    def __init__(self) -> None:
        self._has_next_page = True
        self._seen_tokens: set[str] = set()

    @property
    def has_next_page(self) -> bool:
        """False once the last response said there is nothing more."""
        return self._has_next_page

    def init_request(self, request: httpx.Request) -> httpx.Request:
        """The first page's request; by default the request as given."""
        return request

    @abstractmethod
    def update_state(self, response: httpx.Response, records: Sequence[Any]) -> None:
        """Read from a page's response (and its records) whether and how to fetch the next page."""

    @abstractmethod
    def update_request(self, request: httpx.Request) -> httpx.Request:
        """The next page's request, built from the previous one."""

    def _follow(self, token: str) -> None:
        # Loop guard: a token already followed means the platform is sending us round in circles.
        if token in self._seen_tokens:
            shown = token if len(token) <= 64 else token[:61] + "..."
            raise PaginationError(f"next-page token {shown!r} was already followed; stopping to avoid a loop")
        self._seen_tokens.add(token)


class JSONCursorPaginator(BasePaginator):
    """A next-page token at a dotted path in the JSON body, sent back as a query or JSON body parameter.

    An empty, null or missing token ends the read (TikTok Shop: `data.next_page_token` -> `page_token`).
    """

    def __init__(
        self,
        cursor_path: str = "next_page_token",
        param: str = "page_token",
        *,
        location: Literal["query", "json"] = "query",
    ) -> None:
        super().__init__()
        self.cursor_path = cursor_path
        self.param = param
        self.location = location
        self.next_token: str | None = None

    def update_state(self, response: httpx.Response, records: Sequence[Any]) -> None:
        """Take the next token from the body; none means this was the last page."""
        token = get_path(_json(response), self.cursor_path)
        if token is None or token == "":
            self.next_token, self._has_next_page = None, False
            return
        self.next_token = str(token)
        self._follow(self.next_token)
        self._has_next_page = True

    def update_request(self, request: httpx.Request) -> httpx.Request:
        """The request with the token set as the query or JSON body parameter."""
        if self.location == "query":
            return rebuild_request(request, params={self.param: self.next_token})
        body = _request_json(request)
        set_path(body, self.param, self.next_token)
        return rebuild_request(request, json=body)


class PageNumberPaginator(BasePaginator):
    """A page-number query parameter; the total page count comes from a header (WooCommerce `X-WP-TotalPages`).

    Stops after the last counted page, or at the first empty page when the header is absent or wrong.
    """

    def __init__(
        self, param: str = "page", *, start: int = 1, total_pages_header: str | None = "X-WP-TotalPages"
    ) -> None:
        super().__init__()
        self.param = param
        self.page = start
        self.total_pages_header = total_pages_header
        self.total_pages: int | None = None

    def init_request(self, request: httpx.Request) -> httpx.Request:
        """The request for the start page."""
        return rebuild_request(request, params={self.param: self.page})

    def update_state(self, response: httpx.Response, records: Sequence[Any]) -> None:
        """Move to the next page unless this one was empty or the last one counted."""
        if self.total_pages_header is not None:
            value = response.headers.get(self.total_pages_header, "").strip()
            self.total_pages = int(value) if value.isdigit() else None
        last = self.total_pages is not None and self.page >= self.total_pages
        if not records or last:
            self._has_next_page = False
            return
        self.page += 1
        self._has_next_page = True

    def update_request(self, request: httpx.Request) -> httpx.Request:
        """The request with the page number set."""
        return rebuild_request(request, params={self.param: self.page})


class GraphQLPageInfoPaginator(BasePaginator):
    """Relay-style `pageInfo {hasNextPage endCursor}` at a dotted path; the cursor goes into a query variable."""

    def __init__(self, page_info_path: str, cursor_variable: str = "after") -> None:
        super().__init__()
        self.page_info_path = page_info_path
        self.cursor_variable = cursor_variable
        self.end_cursor: str | None = None

    def update_state(self, response: httpx.Response, records: Sequence[Any]) -> None:
        """Read `hasNextPage` and `endCursor`; a next page without a cursor is an error."""
        info = get_path(_json(response), self.page_info_path)
        if not isinstance(info, dict):
            raise PaginationError(f"no pageInfo object at {self.page_info_path!r}")
        if not info.get("hasNextPage"):
            self._has_next_page = False
            return
        cursor = info.get("endCursor")
        if not cursor:
            raise PaginationError(f"hasNextPage is true but endCursor is empty at {self.page_info_path!r}")
        self.end_cursor = str(cursor)
        self._follow(self.end_cursor)
        self._has_next_page = True

    def update_request(self, request: httpx.Request) -> httpx.Request:
        """The request with `variables.<cursor_variable>` set to the end cursor."""
        body = _request_json(request)
        set_path(body, f"variables.{self.cursor_variable}", self.end_cursor)
        return rebuild_request(request, json=body)


def extract_records(document: Any, records_path: str | None) -> list[Any]:
    """The list of records at `records_path` (the whole document if None); missing or null means none."""
    records = get_path(document, records_path) if records_path else document
    if records is None:
        return []
    if not isinstance(records, list):
        raise PaginationError(f"records at {records_path or 'the top level'!r} are not a list")
    return records


def paginate(
    send: Callable[[httpx.Request], httpx.Response],
    request: httpx.Request,
    paginator: BasePaginator,
    records_path: str | None = None,
) -> Iterator[tuple[list[Any], httpx.Response]]:
    """Yield (records, response) for each page until the paginator says there are no more.

    The paginator's state is updated before each page is yielded, so the consumer can checkpoint on it.
    `send` should send a fresh copy per attempt (see `retrying_sender`), as auth may modify what it sends.
    """
    request = paginator.init_request(request)
    while True:
        response = send(request)
        records = extract_records(_json(response), records_path)
        paginator.update_state(response, records)
        yield records, response
        if not paginator.has_next_page:
            return
        request = paginator.update_request(request)
