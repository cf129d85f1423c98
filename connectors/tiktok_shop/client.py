"""`TikTokShopClient`: one app and one seller authorization; `for_shop(cipher)` gives a shop-scoped view.

One client owns two HTTP clients (the signed open API, the unsigned auth host), one retry policy, one
client-side rate limiter and the seller's tokens. Shop views are immutable and share all of that, so several
shops can be served from several threads at once.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from types import MappingProxyType, TracebackType

import httpx
from pydantic import SecretStr

from connectors.tiktok_shop.api import (
    AuthApi,
    CategoriesApi,
    EventsApi,
    FinanceApi,
    FulfillmentApi,
    LogisticsApi,
    OrdersApi,
    ProductsApi,
    PromotionsApi,
    ReturnsApi,
    SellerApi,
)
from connectors.tiktok_shop.auth import TikTokShopSigner
from connectors.tiktok_shop.errors import PLATFORM, build_classifier
from connectors.tiktok_shop.tokens import TokenManager, TokenStore
from connectors.tiktok_shop.transport import Transport
from syncd.http import (
    DEFAULT_TIMEOUT,
    ApiClient,
    CallStats,
    Clock,
    Limiter,
    RetryPolicy,
    SecretRedactingFilter,
    SystemClock,
    TokenBucket,
    build_client,
    register_secret,
)

DEFAULT_BASE_URL = "https://open-api.tiktokglobalshop.com"
DEFAULT_AUTH_BASE_URL = "https://auth.tiktok-shops.com"
# No source publishes TikTok's limits (ref §6.3); this default stays well below what sellers report seeing.
DEFAULT_REQUESTS_PER_SECOND = 10.0
DEFAULT_BURST = 10


def _scrub_httpx_logs() -> None:
    # httpx logs every full URL at INFO, signature and (on the auth host) app secret included. syncd's own
    # logging set-up silences it, but a library user may not: scrub those records where they are created.
    httpx_logger = logging.getLogger("httpx")
    if not any(isinstance(f, SecretRedactingFilter) for f in httpx_logger.filters):
        httpx_logger.addFilter(SecretRedactingFilter())


@dataclass(frozen=True, eq=False)
class ShopClient:
    """The API areas of one shop, bound to its cipher; immutable and safe to share between threads."""

    shop_cipher: str
    products: ProductsApi
    categories: CategoriesApi
    orders: OrdersApi
    fulfillment: FulfillmentApi
    logistics: LogisticsApi
    returns: ReturnsApi
    finance: FinanceApi
    promotions: PromotionsApi
    events: EventsApi


class TikTokShopClient:
    """A typed TikTok Shop Partner API client for one app and one seller authorization.

    Args:
        app_key: The app key from Partner Center.
        app_secret: The app secret; never logged.
        token_store: Where the seller's tokens are loaded from and saved to after every refresh.
        base_url: The open API host (point it at a fake in tests).
        auth_base_url: The token host.
        timeout: Per-request timeouts; always set.
        retry_policy: Attempts, time budget and backoff; defaults use `clock`.
        limiter: The client-side limiter; defaults to a token bucket of `requests_per_second` and `burst`.
        requests_per_second: Rate of the default limiter; None turns client-side limiting off.
        burst: Capacity of the default limiter.
        refresh_margin: Refresh the access token this long before it expires.
        versions: API version per operation, e.g. `{"orders.get_details": "202507"}`; a call's `version=` wins.
        clock: Time source for timestamps, expiry, backoff and the limiter (a `ManualClock` in tests).
        transport: An httpx transport for both hosts (tests and fakes).
    """

    def __init__(
        self,
        app_key: str,
        app_secret: SecretStr,
        *,
        token_store: TokenStore,
        base_url: str = DEFAULT_BASE_URL,
        auth_base_url: str = DEFAULT_AUTH_BASE_URL,
        timeout: float | httpx.Timeout = DEFAULT_TIMEOUT,
        retry_policy: RetryPolicy | None = None,
        limiter: Limiter | None = None,
        requests_per_second: float | None = DEFAULT_REQUESTS_PER_SECOND,
        burst: int = DEFAULT_BURST,
        refresh_margin: timedelta = timedelta(hours=1),
        versions: Mapping[str, str] | None = None,
        clock: Clock | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        if not app_key:
            raise ValueError("app_key is required")
        if not isinstance(app_secret, SecretStr):
            raise TypeError("app_secret must be a pydantic SecretStr, so it cannot be printed by accident")
        register_secret(app_secret)
        _scrub_httpx_logs()
        self.app_key = app_key
        self.clock = clock or SystemClock()
        # Read-only: every shop view shares it, so nobody may change versions under another thread.
        self.versions: Mapping[str, str] = MappingProxyType(dict(versions or {}))
        policy = retry_policy or RetryPolicy(clock=self.clock)
        classifier = build_classifier()
        if limiter is None and requests_per_second is not None:
            limiter = TokenBucket(rate=requests_per_second, capacity=burst, clock=self.clock)

        self._auth_http = build_client(
            platform=PLATFORM, base_url=auth_base_url, timeout=timeout, transport=transport, clock=self.clock
        )
        # The refresher reaches the auth API late, so the manager and the API that saves through it can
        # each hold the other without a mutable back-reference.
        self.tokens = TokenManager(
            token_store,
            lambda refresh_token: self.auth.refresh_with(refresh_token),
            clock=self.clock,
            margin=refresh_margin,
        )
        self.auth = AuthApi(
            transport=Transport(self._auth_http, policy=policy, classifier=classifier, tokens=None),
            app_key=app_key,
            app_secret=app_secret,
            tokens=self.tokens,
            clock=self.clock,
        )

        signer = TikTokShopSigner(app_key, app_secret, clock=self.clock)
        self._http: ApiClient = build_client(
            platform=PLATFORM,
            base_url=base_url,
            timeout=timeout,
            auth=signer,
            transport=transport,
            limiter=limiter,
            clock=self.clock,
        )
        self.transport = Transport(self._http, policy=policy, classifier=classifier, tokens=self.tokens)
        self.seller = SellerApi(self.transport, None, self.versions)

    @property
    def stats(self) -> CallStats:
        """Counters of the open API calls by outcome."""
        return self._http.stats

    def for_shop(self, shop_cipher: str) -> ShopClient:
        """The API areas of the shop with this cipher (from `seller.shops()`)."""
        if not isinstance(shop_cipher, str) or not shop_cipher.strip():
            raise ValueError("shop_cipher must be a non-empty string")
        args = (self.transport, shop_cipher, self.versions)
        return ShopClient(
            shop_cipher=shop_cipher,
            products=ProductsApi(*args),
            categories=CategoriesApi(*args),
            orders=OrdersApi(*args),
            fulfillment=FulfillmentApi(*args),
            logistics=LogisticsApi(*args),
            returns=ReturnsApi(*args),
            finance=FinanceApi(*args),
            promotions=PromotionsApi(*args),
            events=EventsApi(*args),
        )

    def close(self) -> None:
        """Close both HTTP clients."""
        self._http.close()
        self._auth_http.close()

    def __enter__(self) -> TikTokShopClient:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
