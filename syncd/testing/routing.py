"""Requests, responses and method-plus-path routing for fake platform servers.

A fake declares its endpoints by decorating methods with `@route("GET", "/v1/products/{product_id}")`. The
route's name is the method's name; the call log counts by it and faults filter on it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

_ROUTE_ATTR = "_syncd_fake_route"
_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")

HandlerT = TypeVar("HandlerT", bound=Callable[..., "Response"])


@dataclass(frozen=True, slots=True)
class Request:
    """One HTTP request as a fake's handler sees it."""

    method: str
    path: str
    query: Mapping[str, list[str]]
    # Keys are lower-cased: HTTP header names are case-insensitive.
    headers: Mapping[str, str]
    body: bytes
    route: str | None = None
    path_params: Mapping[str, str] = field(default_factory=dict)
    # The identity the fake's credential check returned (None on open routes and before the check).
    credential: str | None = None

    def arg(self, name: str, default: str | None = None) -> str | None:
        """The first value of query parameter `name`, or `default`."""
        values = self.query.get(name)
        return values[0] if values else default

    def header(self, name: str, default: str | None = None) -> str | None:
        """The value of header `name` (any case), or `default`."""
        return self.headers.get(name.lower(), default)

    def json(self) -> Any:
        """The body parsed as JSON; raises `ValueError` when it is not JSON."""
        return json.loads(self.body.decode("utf-8"))


@dataclass(slots=True)
class Response:
    """What a handler returns: status, headers and the exact body bytes."""

    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def json(cls, data: Any, status: int = 200, headers: Mapping[str, str] | None = None) -> Response:
        """A JSON response; values JSON cannot encode (Decimal, datetime) are written as strings."""
        body = json.dumps(data, default=str, separators=(",", ":")).encode("utf-8")
        return cls(status, body, {"Content-Type": "application/json", **(headers or {})})

    @classmethod
    def text(cls, text: str, status: int = 200, headers: Mapping[str, str] | None = None) -> Response:
        """A plain-text response."""
        return cls(status, text.encode("utf-8"), {"Content-Type": "text/plain; charset=utf-8", **(headers or {})})


@dataclass(frozen=True, slots=True)
class RouteSpec:
    """A declared endpoint: method, path pattern, handler name, and whether credentials are checked."""

    method: str
    pattern: str
    name: str
    auth: bool
    regex: re.Pattern[str]

    def match(self, path: str) -> dict[str, str] | None:
        """The path parameters when `path` fits the pattern, else None."""
        found = self.regex.fullmatch(path)
        return found.groupdict() if found else None


def compile_pattern(pattern: str) -> re.Pattern[str]:
    """Turn `/v1/items/{item_id}` into a regex whose named groups match one path segment each."""
    if not pattern.startswith("/"):
        raise ValueError(f"route pattern must start with '/': {pattern!r}")
    parts: list[str] = []
    last = 0
    for placeholder in _PLACEHOLDER.finditer(pattern):
        parts.append(re.escape(pattern[last : placeholder.start()]))
        parts.append(f"(?P<{placeholder.group(1)}>[^/]+)")
        last = placeholder.end()
    parts.append(re.escape(pattern[last:]))
    return re.compile("".join(parts))


def route(method: str, pattern: str, *, auth: bool = True) -> Callable[[HandlerT], HandlerT]:
    """Declare the decorated method as the handler of `method pattern`.

    Args:
        method: HTTP method, any case.
        pattern: a path with `{name}` placeholders; each matches one path segment.
        auth: False for endpoints the platform serves without credentials (token exchange, health).
    """
    regex = compile_pattern(pattern)

    def decorate(handler: HandlerT) -> HandlerT:
        spec = RouteSpec(method.upper(), pattern, handler.__name__, auth, regex)
        vars(handler)[_ROUTE_ATTR] = spec
        return handler

    return decorate


@dataclass(frozen=True, slots=True)
class Match:
    """The outcome of routing: the spec and its path parameters, or why nothing matched."""

    spec: RouteSpec | None
    params: Mapping[str, str]
    # 404 when no pattern fits the path, 405 when one does but for another method.
    status: int = 200


class Router:
    """The routes a fake class declared, in definition order, subclasses overriding by handler name."""

    def __init__(self, owner: type) -> None:
        specs: dict[str, RouteSpec] = {}
        # Walk base classes first so a subclass that redefines a handler replaces its route.
        for klass in reversed(owner.__mro__):
            for value in vars(klass).values():
                spec = vars(value).get(_ROUTE_ATTR) if callable(value) and hasattr(value, "__dict__") else None
                if isinstance(spec, RouteSpec):
                    specs[spec.name] = spec
        self.routes: tuple[RouteSpec, ...] = tuple(specs.values())

    def match(self, method: str, path: str) -> Match:
        """Find the route for `method path`."""
        path_fits = False
        for spec in self.routes:
            params = spec.match(path)
            if params is None:
                continue
            if spec.method == method.upper():
                return Match(spec, params)
            path_fits = True
        return Match(None, {}, 405 if path_fits else 404)
