"""How the emulator's endpoints are declared and answered: the envelope, errors, arguments and cursor pages.

Handlers are written as `@endpoint("POST", "/order/{version}/orders/search", versions=(...))` methods that
take an `ApiCall` and return the `data` object; the decorator checks the path version and the shop cipher,
parses the body, and wraps the result (or an `ApiError`) in `{code, message, request_id, data}`.
"""

from __future__ import annotations

import base64
import binascii
import bisect
import functools
import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from syncd.testing import Request, Response, route

if TYPE_CHECKING:
    from connectors.tiktok_shop.fake.core import FakeCore

# Error codes the emulator answers with; the reference (§6.2) documents each one.
INVALID_PARAM = 36009004
TOO_MANY_REQUESTS = 36009002
INVALID_SIGN = 106001
TOKEN_EXPIRED = 105002
PARAM_INVALID = 98001004
PRODUCT_LIMIT = 12052109
INVENTORY_QUANTITY = 12052055
TOO_MANY_SKUS = 12052050
EXTERNAL_ORDER_INVALID = "36020001"

JSON = dict[str, Any]
T = TypeVar("T")
CoreT = TypeVar("CoreT", bound="FakeCore")


class ApiError(Exception):
    """A business error: answered as the envelope with a non-zero `code` (HTTP 200 unless `status` says)."""

    def __init__(self, code: int, message: str, *, status: int = 200) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status


def invalid(message: str) -> ApiError:
    """The platform's generic "invalid param" error (36009004)."""
    return ApiError(INVALID_PARAM, f"Invalid param: {message}")


def bad_field(name: str, reason: str, expected: str = "") -> ApiError:
    """The product API's parameter error (98001004), in the platform's wording."""
    suffix = f" Expected: {expected}." if expected else ""
    return ApiError(PARAM_INVALID, f"Parameter {name} is invalid. Reason: {reason}.{suffix}")


@dataclass(frozen=True, slots=True)
class ApiCall:
    """One request as a handler sees it: path parameters, query arguments and the JSON body."""

    request: Request
    version: str
    body: JSON

    def path(self, name: str) -> str:
        """A path parameter."""
        return self.request.path_params[name]

    def arg(self, name: str, default: str | None = None) -> str | None:
        """The first value of query parameter `name`."""
        return self.request.arg(name, default)

    def int_arg(self, name: str, default: int | None = None, *, low: int = 0, high: int | None = None) -> int | None:
        """Query parameter `name` as an int in [low, high]; `default` when absent."""
        raw = self.arg(name)
        return default if raw in (None, "") else checked_int(name, raw, low, high)

    def page_size(self, high: int, *, default: int | None = None) -> int:
        """The required `page_size` query parameter, 1 to `high`."""
        size = self.int_arg("page_size", default, low=1, high=high)
        if size is None:
            raise invalid("page_size is required")
        return size

    def field(self, name: str, kind: type[T], default: T | None = None, *, required: bool = False) -> T | None:
        """Body field `name`, checked to be of `kind` (ints are not accepted for str, bools not for int)."""
        value = self.body.get(name)
        if value is None:
            if required:
                raise invalid(f"{name} is required")
            return default
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise invalid(f"{name} must be a {kind.__name__}")
        return value

    def str_list(self, name: str) -> list[str] | None:
        """Body field `name` as a list of strings, None when absent."""
        value = self.body.get(name)
        if value is None:
            return None
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise invalid(f"{name} must be a list of strings")
        return value


def checked_int(name: str, raw: Any, low: int = 0, high: int | None = None) -> int:
    """`raw` (a query string or a JSON number) as an int within [low, high], else an invalid-param error."""
    if isinstance(raw, bool):
        raise invalid(f"{name} must be an integer")
    try:
        value = int(raw)
    except (TypeError, ValueError):
        raise invalid(f"{name} must be an integer") from None
    if value < low or (high is not None and value > high):
        raise invalid(f"{name} must be between {low} and {high if high is not None else 'any'}")
    return value


def parse_body(request: Request) -> JSON:
    """The JSON object in the body ({} when there is none); multipart bodies are parsed by their handler."""
    if not request.body or (request.header("content-type") or "").lower().startswith("multipart/"):
        return {}
    try:
        body = request.json()
    except (ValueError, UnicodeDecodeError):
        raise invalid("the request body is not valid JSON") from None
    if not isinstance(body, dict):
        raise invalid("the request body must be a JSON object")
    return body


Handler = Callable[[CoreT, ApiCall], JSON | None]


def endpoint(
    method: str, pattern: str, *, versions: Sequence[str] = ("202309",), cipher: bool = True
) -> Callable[[Handler[CoreT]], Callable[[CoreT, Request], Response]]:
    """Declare a signed API endpoint; `pattern` has a `{version}` segment, checked against `versions`.

    Args:
        cipher: whether the endpoint is shop-scoped (needs `shop_cipher`); False for the paths where the
            reference (§3.3) says the cipher must not be sent.
    """

    def decorate(handler: Handler[CoreT]) -> Callable[[CoreT, Request], Response]:
        @functools.wraps(handler)
        def serve(self: CoreT, request: Request) -> Response:
            return self.answer(request, lambda call: handler(self, call), versions=versions, cipher=cipher)

        return route(method, pattern)(serve)

    return decorate


class CursorPager:
    """Cursor pages over a sorted list: the token names the last record sent, plus the query it belongs to.

    Keyset (not offset) cursors behave like the platform's under concurrent changes: a record updated while
    a client pages moves to its new place in the order instead of shifting every later page.
    """

    def __init__(self, filters: Mapping[str, Any]) -> None:
        # A token is only valid for the query that produced it.
        canonical = json.dumps(filters, sort_keys=True, default=str)
        self._fingerprint = hashlib.sha256(canonical.encode()).hexdigest()[:16]

    def page(
        self, items: list[T], key: Callable[[T], tuple[Any, ...]], token: str | None, size: int, *, descending: bool
    ) -> tuple[list[T], str, int]:
        """The page after `token` of `items` sorted by `key`: (records, next_page_token or "", total_count)."""
        ordered = sorted(items, key=key, reverse=descending)
        start = 0
        if token:
            last = self._decode(token)
            keys = [key(item) for item in ordered]
            # bisect needs ascending keys: for a descending order, search the reversed list and map back.
            start = len(keys) - bisect.bisect_left(keys[::-1], last) if descending else bisect.bisect_right(keys, last)
        chunk = ordered[start : start + size]
        more = start + size < len(ordered)
        return chunk, self._encode(key(chunk[-1])) if more and chunk else "", len(ordered)

    def _encode(self, last: tuple[Any, ...]) -> str:
        raw = json.dumps({"f": self._fingerprint, "k": list(last)}, separators=(",", ":"))
        return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")

    def _decode(self, token: str) -> tuple[Any, ...]:
        try:
            raw = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
            if raw["f"] == self._fingerprint and isinstance(raw["k"], list):
                return tuple(raw["k"])
        except (binascii.Error, ValueError, KeyError, TypeError):
            pass
        raise invalid("page_token is invalid or belongs to another query")
