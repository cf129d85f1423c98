"""Each paginator over real pages served on 127.0.0.1, including the loop guard."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from http_fakes import Received, Reply, ScriptedServer

from syncd.http import (
    ApiClient,
    GraphQLPageInfoPaginator,
    JSONCursorPaginator,
    ManualClock,
    PageNumberPaginator,
    PaginationError,
    ResponseClassifier,
    RetryPolicy,
    extract_records,
    paginate,
    retrying_sender,
)


def cursor_pages(chain: dict[str | None, tuple[list[int], str | None]]) -> Callable[[Received], Reply]:
    """TikTok-style pages: the page for each `page_token`, with the next token (None: omitted)."""

    def route(request: Received) -> Reply:
        token = request.param("page_token")
        if token is None and request.body:
            token = request.json().get("page_token")
        records, next_token = chain[token]
        data: dict[str, Any] = {"orders": [{"id": r} for r in records], "total_count": 7}
        if next_token is not None:
            data["next_page_token"] = next_token
        return Reply(200, {"code": 0, "message": "Success", "data": data})

    return route


def ids(pages: list[tuple[list[Any], httpx.Response]]) -> list[int]:
    return [record["id"] for records, _ in pages for record in records]


def test_json_cursor_in_query(server: ScriptedServer, client: ApiClient) -> None:
    server.route = cursor_pages({None: ([1, 2, 3], "t2"), "t2": ([4, 5, 6], "t3"), "t3": ([7], "")})
    paginator = JSONCursorPaginator("data.next_page_token", "page_token")
    request = client.build_request("GET", "/order/202309/orders", params={"page_size": 3})

    pages = list(paginate(client.send, request, paginator, "data.orders"))

    assert ids(pages) == [1, 2, 3, 4, 5, 6, 7]
    assert [r.param("page_token") for r in server.received] == [None, "t2", "t3"]
    assert all(r.param("page_size") == "3" for r in server.received)
    assert not paginator.has_next_page


def test_json_cursor_in_json_body_keeps_filters(server: ScriptedServer, client: ApiClient) -> None:
    server.route = cursor_pages({None: ([1], "long-" + "x" * 500), "long-" + "x" * 500: ([2], None)})
    paginator = JSONCursorPaginator("data.next_page_token", "page_token", location="json")
    filters = {"order_status": "AWAITING_SHIPMENT", "update_time_ge": 1700000000}
    request = client.build_request("POST", "/order/202309/orders/search", json=filters)

    pages = list(paginate(client.send, request, paginator, "data.orders"))

    assert ids(pages) == [1, 2]
    # The server read exactly Content-Length bytes and parsed them: a stale length would break this.
    assert [r.json() for r in server.received] == [filters, {**filters, "page_token": "long-" + "x" * 500}]


@pytest.mark.parametrize("last_token", [None, ""])
def test_json_cursor_stops_on_missing_or_empty_token(
    last_token: str | None, server: ScriptedServer, client: ApiClient
) -> None:
    server.route = cursor_pages({None: ([1], "a"), "a": ([2], last_token)})

    pages = list(
        paginate(
            client.send, client.build_request("GET", "/x"), JSONCursorPaginator("data.next_page_token"), "data.orders"
        )
    )

    assert ids(pages) == [1, 2]
    assert len(server.received) == 2


def test_json_cursor_loop_guard_on_repeated_token(server: ScriptedServer, client: ApiClient) -> None:
    server.route = cursor_pages({None: ([1], "same"), "same": ([2], "same")})
    pages = paginate(
        client.send, client.build_request("GET", "/x"), JSONCursorPaginator("data.next_page_token"), "data.orders"
    )

    with pytest.raises(PaginationError, match="'same' was already followed"):
        list(pages)

    assert len(server.received) == 2


def test_json_cursor_loop_guard_on_a_cycle(server: ScriptedServer, client: ApiClient) -> None:
    server.route = cursor_pages({None: ([1], "a"), "a": ([2], "b"), "b": ([3], "a")})
    pages = paginate(
        client.send, client.build_request("GET", "/x"), JSONCursorPaginator("data.next_page_token"), "data.orders"
    )

    assert ids([next(pages), next(pages)]) == [1, 2]
    with pytest.raises(PaginationError, match="'a' was already followed"):
        next(pages)  # the page that points back to "a" is refused, not handed out as new

    assert len(server.received) == 3


def woo_pages(pages: list[list[int]], total_pages: int | None) -> Callable[[Received], Reply]:
    def route(request: Received) -> Reply:
        page = int(request.param("page") or 1)
        records = pages[page - 1] if page <= len(pages) else []
        headers = {"X-WP-TotalPages": str(total_pages)} if total_pages is not None else {}
        return Reply(200, [{"id": r} for r in records], headers=headers)

    return route


def test_page_number_uses_total_pages_header(server: ScriptedServer, client: ApiClient) -> None:
    server.route = woo_pages([[1, 2], [3, 4], [5]], total_pages=3)
    paginator = PageNumberPaginator()

    pages = list(
        paginate(client.send, client.build_request("GET", "/wc/v3/products", params={"per_page": 2}), paginator)
    )

    assert ids(pages) == [1, 2, 3, 4, 5]
    assert [r.param("page") for r in server.received] == ["1", "2", "3"]
    assert paginator.total_pages == 3


def test_page_number_without_header_stops_at_first_empty_page(server: ScriptedServer, client: ApiClient) -> None:
    server.route = woo_pages([[1, 2], [3]], total_pages=None)

    pages = list(paginate(client.send, client.build_request("GET", "/wc/v3/orders"), PageNumberPaginator()))

    assert ids(pages) == [1, 2, 3]
    assert [r.param("page") for r in server.received] == ["1", "2", "3"]
    assert pages[-1][0] == []


def test_page_number_stops_on_empty_page_even_if_header_promises_more(
    server: ScriptedServer, client: ApiClient
) -> None:
    server.route = woo_pages([[1], [2]], total_pages=9)

    pages = list(paginate(client.send, client.build_request("GET", "/wc/v3/orders"), PageNumberPaginator()))

    assert ids(pages) == [1, 2]
    assert len(server.received) == 3


def graphql_pages(chain: dict[str | None, tuple[list[str], str | None]]) -> Callable[[Received], Reply]:
    def route(request: Received) -> Reply:
        after = request.json()["variables"].get("after")
        nodes, end_cursor = chain[after]
        page_info = {"hasNextPage": end_cursor is not None, "endCursor": end_cursor}
        body = {
            "data": {"products": {"nodes": [{"id": n} for n in nodes], "pageInfo": page_info}},
            "extensions": {"cost": {"throttleStatus": {"currentlyAvailable": 990}}},
        }
        return Reply(200, body)

    return route


QUERY = "query($first: Int!, $after: String) { products(first: $first, after: $after) { nodes { id } } }"


def test_graphql_page_info(server: ScriptedServer, client: ApiClient) -> None:
    server.route = graphql_pages({None: (["gid://1", "gid://2"], "c2"), "c2": (["gid://3"], None)})
    paginator = GraphQLPageInfoPaginator("data.products.pageInfo")
    request = client.build_request("POST", "/admin/api/graphql.json", json={"query": QUERY, "variables": {"first": 2}})

    pages = list(paginate(client.send, request, paginator, "data.products.nodes"))

    assert [n["id"] for records, _ in pages for n in records] == ["gid://1", "gid://2", "gid://3"]
    assert [r.json()["variables"] for r in server.received] == [{"first": 2}, {"first": 2, "after": "c2"}]
    assert all(r.json()["query"] == QUERY for r in server.received)


def test_graphql_loop_guard(server: ScriptedServer, client: ApiClient) -> None:
    server.route = graphql_pages({None: (["a"], "c1"), "c1": (["b"], "c1")})
    request = client.build_request("POST", "/graphql", json={"query": QUERY, "variables": {}})

    with pytest.raises(PaginationError, match="already followed"):
        list(paginate(client.send, request, GraphQLPageInfoPaginator("data.products.pageInfo"), "data.products.nodes"))


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ({"data": {"products": {"nodes": [], "pageInfo": {"hasNextPage": True, "endCursor": None}}}}, "endCursor"),
        ({"data": None, "errors": [{"message": "Throttled"}]}, "no pageInfo"),
    ],
)
def test_graphql_broken_page_info_is_an_error(
    body: dict[str, Any], error: str, server: ScriptedServer, client: ApiClient
) -> None:
    server.enqueue(Reply(200, body))
    request = client.build_request("POST", "/graphql", json={"query": QUERY})

    with pytest.raises(PaginationError, match=error):
        list(paginate(client.send, request, GraphQLPageInfoPaginator("data.products.pageInfo"), "data.products.nodes"))


def test_paginate_with_retries_resends_the_same_page(server: ScriptedServer, client: ApiClient) -> None:
    route = cursor_pages({None: ([1], "t2"), "t2": ([2], "t3"), "t3": ([3], None)})
    server.route = route
    server.enqueue(route(Received("GET", "/", {}, {}, b"")), Reply(503), Reply(drop=True))
    clock = ManualClock()
    send = retrying_sender(
        client,
        policy=RetryPolicy(clock=clock, rng=random.Random(1)),
        classifier=ResponseClassifier(),
        platform="t",
    )

    pages = list(
        paginate(send, client.build_request("GET", "/x"), JSONCursorPaginator("data.next_page_token"), "data.orders")
    )

    assert ids(pages) == [1, 2, 3]
    assert [r.param("page_token") for r in server.received] == [None, "t2", "t2", "t2", "t3"]
    assert len(clock.sleeps) == 2


def test_records_must_be_a_list() -> None:
    assert extract_records({"data": {}}, "data.orders") == []
    assert extract_records([{"id": 1}], None) == [{"id": 1}]
    with pytest.raises(PaginationError, match="not a list"):
        extract_records({"data": {"orders": {"id": 1}}}, "data.orders")


def test_non_json_page_is_an_error(server: ScriptedServer, client: ApiClient) -> None:
    server.enqueue(Reply(200, "<html>maintenance</html>"))

    with pytest.raises(PaginationError, match="not JSON"):
        list(paginate(client.send, client.build_request("GET", "/x"), JSONCursorPaginator("data.next_page_token")))
