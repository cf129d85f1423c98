"""FakeCore: the emulator's configuration, state, credential checks and envelope; the API modules extend it.

Credential checks run in the platform's order, each with its own answer (all HTTP 401, the status the
reference documents for 106001; the platform does not document the status of the others):

1. `app_key` missing or unknown: 36009004 (the reference's §6.2 notes 3P code seeing it for a bad app_key).
2. `timestamp` missing, not 10 digits, or more than `timestamp_window` seconds from the fake's wall clock:
   36009004 (same source: "invalid param" for a bad timestamp).
3. `sign` missing or wrong: 106001, as documented with HTTP 401.
4. `x-tts-access-token` missing or unknown: 36009004 (3P code sees it for an invalid token header; the
   platform's 105001 is not in the reference). Expired, or replaced by a refresh: 105002, so a client
   refreshes and retries, which is the right recovery in both cases.
"""

from __future__ import annotations

import itertools
import math
import secrets
import threading
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any, ClassVar

from connectors.tiktok_shop.fake import catalog
from connectors.tiktok_shop.fake.api import (
    INVALID_PARAM,
    INVALID_SIGN,
    JSON,
    TOKEN_EXPIRED,
    TOO_MANY_REQUESTS,
    ApiCall,
    ApiError,
    invalid,
    parse_body,
)
from connectors.tiktok_shop.fake.signing import expected_sign, sign_matches
from connectors.tiktok_shop.fake.state import (
    Cancellation,
    Grant,
    IdSource,
    Order,
    Package,
    Product,
    Return,
    Sku,
    Subscription,
)
from connectors.tiktok_shop.fake.webhooks import EVENT_TYPES, WebhookDispatcher
from syncd.testing import FakeServer, RateLimit, Request, Response

DEFAULT_APP_KEY = "6fakeapp1key2"
DEFAULT_APP_SECRET = "f4ke5ecret0f7he7ik7oksh0pemu1a7or0000001"  # noqa: S105 - a fake's test credential
DEFAULT_SHOP = {
    "id": "7494049642642441800",
    "name": "Syncd Sandbox Shop",
    "region": "US",
    "seller_type": "LOCAL",
    "cipher": "ROW_fakeShopCipher0000000000001",
    "code": "USLCSYNCD1",
}
DAY = 86_400
EXPIRED_MESSAGE = "Expired credentials. The access token has expired, please refresh it."


class FakeCore(FakeServer):
    """The shared part of `FakeTikTokShop`: knobs, state, the credential pipeline and the envelope.

    Args:
        now: unix time in seconds for timestamps, token expiry and record times; share a ManualClock with
            the client (`now=lambda: clock.now().timestamp()`, `clock=clock.monotonic`) so nothing sleeps.
        access_token_ttl / refresh_token_ttl: token lifetimes in seconds (the platform: about 7 days / longer).
        timestamp_window: how far (seconds) a request's `timestamp` may be from `now`.
        throttle_status: the HTTP status of 36009002 answers (the reference: 3P maps it to 429).
        send_retry_after: whether throttled answers carry `Retry-After` (unverified for the platform).
        daily_product_cap: products that may be created per UTC day (None: unlimited).
        auto_approve_products: listed products become ACTIVATE at once instead of staying PENDING.
        reject_unexpected_cipher: answer 36009004 when `shop_cipher` is sent where it is not allowed.
        rotate_refresh_tokens: a refresh invalidates the refresh token it used.
        load_catalog: load warehouses, categories, brands and carriers from the shipped seed data.
    """

    # No numeric limit is published (§6.3): a generous default that a client at 10 requests/s never hits.
    platform_rate_limit: ClassVar[RateLimit | None] = RateLimit(capacity=50, per_second=25)

    def __init__(
        self,
        *,
        app_key: str = DEFAULT_APP_KEY,
        app_secret: str = DEFAULT_APP_SECRET,
        shop: dict[str, str] | None = None,
        now: Callable[[], float] | None = None,
        access_token_ttl: int = 7 * DAY,
        refresh_token_ttl: int = 365 * DAY,
        timestamp_window: int = 300,
        throttle_status: int = 429,
        send_retry_after: bool = False,
        daily_product_cap: int | None = None,
        auto_approve_products: bool = True,
        reject_unexpected_cipher: bool = True,
        rotate_refresh_tokens: bool = True,
        load_catalog: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.app_key = app_key
        self.app_secret = app_secret
        self.shop = dict(shop or DEFAULT_SHOP)
        self.now: Callable[[], float] = now or time.time
        self.access_token_ttl = access_token_ttl
        self.refresh_token_ttl = refresh_token_ttl
        self.timestamp_window = timestamp_window
        self.throttle_status = throttle_status
        self.send_retry_after = send_retry_after
        self.daily_product_cap = daily_product_cap
        self.auto_approve_products = auto_approve_products
        self.reject_unexpected_cipher = reject_unexpected_cipher
        self.rotate_refresh_tokens = rotate_refresh_tokens
        self.open_id = "fake-open-id-" + self.shop["id"][-6:]
        self.ids = IdSource()
        self.webhooks = WebhookDispatcher(app_key, app_secret)
        self._request_numbers = itertools.count(1)
        self._auth_failure = threading.local()
        # Records, by id.
        self.products: dict[str, Product] = {}
        self.skus: dict[str, Sku] = {}
        self.orders: dict[str, Order] = {}
        self.packages: dict[str, Package] = {}
        self.cancellations: dict[str, Cancellation] = {}
        self.returns: dict[str, Return] = {}
        self.subscriptions: dict[str, Subscription] = {}
        self.grants: dict[str, Grant] = {}
        self.refresh_tokens: dict[str, Grant] = {}
        self.auth_codes: set[str] = set()
        self.idempotency_keys: dict[str, str] = {}
        # Pre-generated ids of combinable package groups, by the sorted order ids of the group.
        self.combine_drafts: dict[tuple[str, ...], str] = {}
        self.created_per_day: dict[int, int] = {}
        self.catalog = catalog.load_default() if load_catalog else catalog.Catalog()
        # A grant to start with, so tests and `sandbox` need not go through the authorization code.
        self.grant = self.mint_grant()

    # -- time and ids ------------------------------------------------------------------------------------

    def unix_now(self) -> int:
        """The fake's wall clock, in whole unix seconds."""
        return int(self.now())

    def request_id(self) -> str:
        """A request id in the platform's shape: a UTC timestamp and 20 hex digits."""
        stamp = datetime.fromtimestamp(self.unix_now(), UTC).strftime("%Y%m%d%H%M%S")
        return f"{stamp}{next(self._request_numbers):020X}"

    # -- tokens ------------------------------------------------------------------------------------------

    def mint_grant(self) -> Grant:
        """A new access + refresh token pair, valid from now for the configured lifetimes."""
        now = self.unix_now()
        grant = Grant(
            access_token="ROW_" + secrets.token_urlsafe(32),
            refresh_token="ROW_" + secrets.token_urlsafe(32),
            access_expires_at=now + self.access_token_ttl,
            refresh_expires_at=now + self.refresh_token_ttl,
        )
        with self.lock:
            self.grants[grant.access_token] = grant
            self.refresh_tokens[grant.refresh_token] = grant
        return grant

    @property
    def access_token(self) -> str:
        """The newest valid access token."""
        return self.grant.access_token

    @property
    def refresh_token(self) -> str:
        """The newest refresh token."""
        return self.grant.refresh_token

    def issue_auth_code(self) -> str:
        """A one-time authorization code, as the seller's redirect would carry it."""
        code = "TTP_" + secrets.token_urlsafe(16)
        with self.lock:
            self.auth_codes.add(code)
        return code

    def expire_access_token(self, token: str | None = None) -> None:
        """Make `token` (default: the newest) expired now, so its next use answers 105002."""
        with self.lock:
            self.grants[token or self.access_token].access_expires_at = self.unix_now() - 1

    def token_payload(self, grant: Grant) -> JSON:
        """The `data` of a token get/refresh answer."""
        return {
            "access_token": grant.access_token,
            "access_token_expire_in": grant.access_expires_at,
            "refresh_token": grant.refresh_token,
            "refresh_token_expire_in": grant.refresh_expires_at,
            "open_id": self.open_id,
            "seller_name": self.shop["name"],
            "seller_base_region": self.shop["region"],
            "user_type": 0,
            "granted_scopes": ["seller.product.basic", "seller.order.info", "seller.fulfillment.basic"],
        }

    # -- the credential pipeline (FakeServer hooks) --------------------------------------------------------

    def authenticate(self, request: Request) -> str | None:
        """The rate-limit identity of a correctly signed call with a live token, else None (see module doc)."""
        try:
            self._check_credentials(request)
        except ApiError as failure:
            # unauthorized_response runs next on this same thread; it answers with this failure.
            self._auth_failure.error = failure
            return None
        return f"{self.app_key}:{self.open_id}"

    def _check_credentials(self, request: Request) -> None:
        if request.arg("app_key") != self.app_key:
            raise ApiError(INVALID_PARAM, "Invalid param: app_key is missing or unknown", status=401)
        timestamp = request.arg("timestamp") or ""
        if len(timestamp) != 10 or not timestamp.isdigit():
            raise ApiError(INVALID_PARAM, "Invalid param: timestamp must be 10-digit unix seconds", status=401)
        if abs(int(timestamp) - self.now()) > self.timestamp_window:
            raise ApiError(INVALID_PARAM, "Invalid param: timestamp is out of the allowed window", status=401)
        wanted = expected_sign(
            self.app_secret, request.path, request.query, request.body, request.header("content-type")
        )
        if not sign_matches(request.arg("sign"), wanted):
            raise ApiError(INVALID_SIGN, "Invalid credentials. The 'sign' query parameter is invalid.", status=401)
        token = request.header("x-tts-access-token")
        with self.lock:
            grant = self.grants.get(token or "")
        if grant is None:
            raise ApiError(INVALID_PARAM, "Invalid param: x-tts-access-token is missing or invalid", status=401)
        if not grant.current or grant.access_expires_at <= self.now():
            raise ApiError(TOKEN_EXPIRED, EXPIRED_MESSAGE, status=401)

    def unauthorized_response(self, request: Request) -> Response:
        """The envelope for the failed credential check (HTTP 401)."""
        failure: ApiError | None = getattr(self._auth_failure, "error", None)
        self._auth_failure.error = None
        # No recorded failure: an injected UNAUTHORIZED fault, which stands for an expired token.
        failure = failure or ApiError(TOKEN_EXPIRED, EXPIRED_MESSAGE, status=401)
        return self.envelope(None, code=failure.code, message=failure.message, status=failure.status)

    def throttle_response(self, request: Request, retry_after: float) -> Response:
        """36009002 in the envelope, with the configured HTTP status (and Retry-After, if enabled)."""
        headers = {"Retry-After": str(max(1, math.ceil(retry_after)))} if self.send_retry_after else {}
        message = "Too many requests. You've made too many requests in a short period of time."
        return self.envelope(
            None, code=TOO_MANY_REQUESTS, message=message, status=self.throttle_status, headers=headers
        )

    def not_found_response(self, request: Request, status: int) -> Response:
        """An unknown path, method or version: the envelope with 36009004 and the HTTP status."""
        return self.envelope(None, code=INVALID_PARAM, message="Invalid path: no such API", status=status)

    # -- answering -----------------------------------------------------------------------------------------

    def envelope(
        self,
        data: JSON | None,
        *,
        code: int = 0,
        message: str = "Success",
        status: int = 200,
        headers: dict[str, str] | None = None,
    ) -> Response:
        """The platform's response: `{code, message, request_id, data}`."""
        body = {"code": code, "message": message, "request_id": self.request_id(), "data": data}
        return Response.json(body, status=status, headers=headers)

    def answer(
        self, request: Request, run: Callable[[ApiCall], JSON | None], *, versions: Sequence[str], cipher: bool
    ) -> Response:
        """Check the version and shop cipher, run the handler, and wrap its result or error."""
        version = request.path_params.get("version", "")
        if version not in versions:
            return self.not_found_response(request, 404)
        try:
            self._check_cipher(request, required=cipher)
            data = run(ApiCall(request, version, parse_body(request)))
        except ApiError as error:
            return self.envelope(None, code=error.code, message=error.message, status=error.status)
        return self.envelope(data if data is not None else {})

    def _check_cipher(self, request: Request, *, required: bool) -> None:
        given = request.arg("shop_cipher")
        if required and not given:
            raise invalid("shop_cipher is required for this API")
        if required and given != self.shop["cipher"]:
            raise invalid("shop_cipher is unknown or not authorized for this token")
        if not required and given is not None and self.reject_unexpected_cipher:
            raise invalid("shop_cipher is not allowed for this API")

    # -- webhooks ------------------------------------------------------------------------------------------

    def emit(self, event_type: str, data: JSON) -> None:
        """Queue a delivery of `event_type` with `data` if the shop subscribed to it."""
        subscription = self.subscriptions.get(event_type)
        if subscription is None:
            return
        envelope = {
            "type": EVENT_TYPES[event_type],
            "tts_notification_id": self.ids.next("notification"),
            "shop_id": self.shop["id"],
            "timestamp": self.unix_now(),
            "data": data,
        }
        self.webhooks.enqueue(event_type, subscription.address, envelope)

    def wait_for_webhooks(self, timeout: float = 5.0) -> bool:
        """Block until every queued webhook has been attempted; False on timeout."""
        return self.webhooks.wait(timeout)

    def stop(self) -> None:
        """Stop serving, then stop the webhook sender after the deliveries already queued."""
        super().stop()
        self.webhooks.close()
