"""FakeAcme: an emulator of the tiny "acme" platform, built on `syncd.testing.FakeServer`.

Acme's API: bearer-token auth; `GET /v1/shop`; `GET /v1/products` and `GET /v1/stock`, each sorted by a
change sequence number `seq`, filtered by `changed_after=<seq>` and paged by an opaque `cursor` with
`next_cursor` in the body; `POST /v1/stock/batch` sets up to 50 quantities and answers one result per item.
It allows bursts of 5 requests per token, refilled at 2 per second.
"""

from __future__ import annotations

import base64
import binascii
from datetime import UTC, datetime, timedelta
from typing import Any

from syncd.testing import FakeServer, RateLimit, Request, Response, route

MAX_PAGE_SIZE = 100
MAX_BATCH = 50
_START = datetime(2025, 1, 1, tzinfo=UTC)


def encode_cursor(seq: int) -> str:
    """The opaque cursor for "after change `seq`"."""
    return base64.urlsafe_b64encode(f"seq:{seq}".encode()).decode()


def decode_cursor(cursor: str) -> int:
    """The change number inside a cursor; ValueError if it is not one of ours."""
    try:
        text = base64.urlsafe_b64decode(cursor.encode()).decode()
    except (binascii.Error, UnicodeDecodeError) as exc:
        raise ValueError("bad cursor") from exc
    prefix, _, seq = text.partition(":")
    if prefix != "seq" or not seq.isdigit():
        raise ValueError("bad cursor")
    return int(seq)


def _bad_request(message: str) -> Response:
    return Response.json({"error": {"code": "invalid_request", "message": message}}, status=400)


class FakeAcme(FakeServer):
    """Products and stock levels in memory, served as Acme serves them."""

    platform_rate_limit = RateLimit(capacity=5, per_second=2)

    def __init__(self, *, tokens: dict[str, str] | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        # token -> account name; the account (not the token) is the rate-limit key and the call-log identity.
        self.tokens = dict(tokens or {})
        self.products: dict[str, dict[str, Any]] = {}
        self.levels: dict[tuple[str, str], dict[str, Any]] = {}
        # SKUs whose stock writes fail per item (a locked location), to script partial batch failures.
        self.reject_skus: set[str] = set()
        self._seq = 0

    def _next_change(self) -> tuple[int, str]:
        self._seq += 1
        return self._seq, (_START + timedelta(minutes=self._seq)).isoformat().replace("+00:00", "Z")

    # -- seeding (thread-safe: takes the handler lock) -------------------------------------------------

    def add_products(self, count: int) -> list[str]:
        """Add `count` products of one variant each; returns their ids."""
        with self.lock:
            ids = []
            for _ in range(count):
                number = len(self.products) + 1
                seq, modified = self._next_change()
                product_id = f"prod_{number:04d}"
                self.products[product_id] = {
                    "id": product_id,
                    "name": f"Widget {number}",
                    "state": "active",
                    "modified": modified,
                    "seq": seq,
                    "variants": [
                        {
                            "id": f"var_{number:04d}",
                            "sku": f"ACME-{number:04d}",
                            "price": {"amount": f"{number}.99", "currency": "EUR"},
                        }
                    ],
                }
                ids.append(product_id)
            return ids

    def add_stock(self, count: int, location: str = "main") -> list[tuple[str, str]]:
        """Add `count` stock levels at `location`; returns their (sku, location) pairs."""
        with self.lock:
            added = []
            for _ in range(count):
                sku = f"STK-{len(self.levels) + 1:04d}"
                seq, modified = self._next_change()
                self.levels[(sku, location)] = {
                    "sku": sku,
                    "location": location,
                    "available": 10,
                    "seq": seq,
                    "modified": modified,
                }
                added.append((sku, location))
            return added

    # -- the API ---------------------------------------------------------------------------------------

    def authenticate(self, request: Request) -> str | None:
        scheme, _, token = (request.header("Authorization") or "").partition(" ")
        return self.tokens.get(token) if scheme == "Bearer" else None

    def unauthorized_response(self, request: Request) -> Response:
        return Response.json({"error": {"code": "invalid_token", "message": "token rejected"}}, status=401)

    @route("GET", "/v1/shop")
    def get_shop(self, request: Request) -> Response:
        return Response.json({"shop": {"id": "acme-shop-1", "name": "Acme Test Shop"}})

    @route("GET", "/v1/products")
    def list_products(self, request: Request) -> Response:
        return self._page(list(self.products.values()), "products", request)

    @route("GET", "/v1/stock")
    def list_stock(self, request: Request) -> Response:
        return self._page(list(self.levels.values()), "levels", request)

    @route("POST", "/v1/stock/batch")
    def write_stock(self, request: Request) -> Response:
        try:
            updates = request.json()["updates"]
        except (ValueError, KeyError, TypeError):
            return _bad_request('body must be {"updates": [...]}')
        if not isinstance(updates, list) or not 1 <= len(updates) <= MAX_BATCH:
            return _bad_request(f"send between 1 and {MAX_BATCH} updates")
        return Response.json({"results": [self._apply_update(update) for update in updates]})

    def _apply_update(self, update: Any) -> dict[str, Any]:
        if not isinstance(update, dict) or not isinstance(update.get("sku"), str):
            return {"sku": None, "ok": False, "error": "sku is required"}
        sku, quantity = update["sku"], update.get("quantity")
        level = self.levels.get((sku, str(update.get("location_id"))))
        if sku in self.reject_skus:
            return {"sku": sku, "ok": False, "error": "location is locked for stocktaking"}
        if level is None:
            return {"sku": sku, "ok": False, "error": "unknown sku at this location"}
        if not isinstance(quantity, int) or quantity < 0:
            return {"sku": sku, "ok": False, "error": "quantity must be a non-negative integer"}
        if level["available"] == quantity:
            return {"sku": sku, "ok": True, "status": "unchanged"}
        level["available"] = quantity
        level["seq"], level["modified"] = self._next_change()
        return {"sku": sku, "ok": True, "status": "updated"}

    def _page(self, rows: list[dict[str, Any]], field: str, request: Request) -> Response:
        try:
            limit = int(request.arg("limit") or 50)
            floor = int(request.arg("changed_after") or 0)
            cursor = request.arg("cursor")
            if cursor:
                floor = max(floor, decode_cursor(cursor))
        except ValueError as exc:
            return _bad_request(str(exc))
        if not 1 <= limit <= MAX_PAGE_SIZE:
            return _bad_request(f"limit must be between 1 and {MAX_PAGE_SIZE}")
        newer = sorted((row for row in rows if row["seq"] > floor), key=lambda row: int(row["seq"]))
        page = newer[:limit]
        more = len(newer) > limit
        return Response.json({field: page, "next_cursor": encode_cursor(page[-1]["seq"]) if more else None})
