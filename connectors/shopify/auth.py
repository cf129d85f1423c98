"""The OAuth install flow (`syncd auth shopify`): the authorize URL, the callback check, the code exchange.

The ShopifyAPI package builds the authorize URL and checks the callback's HMAC (`shopify.Session`). Its token
exchange is not used: it hard-codes `https://` (so it cannot reach a local emulator) and calls urllib without a
timeout; the exchange is one POST through the project's httpx client instead. The package keeps the app key and
secret as class attributes of `Session`; a throw-away subclass per app keeps two apps in one process apart.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import shopify
from pydantic import SecretStr

from syncd.errors import AuthError, FatalApiError
from syncd.http import (
    DEFAULT_TIMEOUT,
    Action,
    Clock,
    ResponseClassifier,
    RetryPolicy,
    SystemClock,
    build_client,
    send_with_retry,
)

SHOP_DOMAIN = re.compile(r"^[a-z0-9][a-z0-9-]*\.myshopify\.com$")
# Shopify's own replay window for the callback parameters.
CALLBACK_MAX_AGE = timedelta(days=1)


@dataclass(frozen=True)
class ShopifyApp:
    """A Shopify app's credentials and the install it asks for."""

    api_key: str
    api_secret: SecretStr
    scopes: tuple[str, ...]
    redirect_uri: str
    api_version: str = "2026-10"

    def _session_class(self) -> type[Any]:
        # Session.setup() would set the key and secret on the library's class for the whole process.
        attributes = {"api_key": self.api_key, "secret": self.api_secret.get_secret_value()}
        return type("AppSession", (shopify.Session,), attributes)


@dataclass(frozen=True)
class AccessGrant:
    """What the code exchange returns: a permanent Admin API token and the scopes granted."""

    shop_domain: str
    access_token: SecretStr
    scopes: tuple[str, ...]


def valid_shop_domain(shop: str) -> bool:
    """True for `name.myshopify.com`; anything else must never receive the app secret."""
    return bool(SHOP_DOMAIN.match(shop))


def _rebase(url: str, base_url: str | None) -> str:
    """`url` with its scheme and host replaced by `base_url`'s (to reach an emulator)."""
    if base_url is None:
        return url
    base, parts = urlsplit(base_url), urlsplit(url)
    return urlunsplit((base.scheme, base.netloc, parts.path, parts.query, parts.fragment))


def install_url(app: ShopifyApp, shop_domain: str, state: str, *, base_url: str | None = None) -> str:
    """The URL that asks the merchant to install the app; `state` is the nonce the callback must return."""
    if not valid_shop_domain(shop_domain):
        raise ValueError(f"not a myshopify.com domain: {shop_domain!r}")
    session = app._session_class()(shop_domain, app.api_version)
    url: str = session.create_permission_url(list(app.scopes), app.redirect_uri, state)
    return _rebase(url, base_url)


def verify_callback(
    app: ShopifyApp, params: Mapping[str, str], *, state: str, now: datetime, max_age: timedelta = CALLBACK_MAX_AGE
) -> bool:
    """True when the redirect's query is Shopify's: our state, a myshopify.com shop, a fresh timestamp, the HMAC."""
    shop, timestamp = params.get("shop", ""), params.get("timestamp", "")
    if params.get("state") != state or not valid_shop_domain(shop) or not timestamp.isdigit():
        return False
    if abs(now.timestamp() - int(timestamp)) > max_age.total_seconds():
        return False
    return bool(app._session_class().validate_hmac(dict(params)))


def exchange_code(
    app: ShopifyApp,
    shop_domain: str,
    code: str,
    *,
    base_url: str | None = None,
    clock: Clock | None = None,
    max_attempts: int = 3,
) -> AccessGrant:
    """Trade the callback's one-time code for the shop's access token."""
    if not valid_shop_domain(shop_domain):
        raise ValueError(f"not a myshopify.com domain: {shop_domain!r}")
    clock = clock or SystemClock()
    root = base_url.rstrip("/") if base_url else f"https://{shop_domain}"
    form = {"client_id": app.api_key, "client_secret": app.api_secret.get_secret_value(), "code": code}
    with build_client(platform="shopify", base_url=root, timeout=DEFAULT_TIMEOUT, clock=clock) as client:
        try:
            response = send_with_retry(
                client,
                lambda: client.build_request("POST", "/admin/oauth/access_token", data=form),
                policy=RetryPolicy(max_attempts=max_attempts, clock=clock),
                classifier=ResponseClassifier(status_actions={400: Action.FAIL}),
                platform="shopify",
                idempotent=False,
            )
        except FatalApiError as exc:
            # A 400 is a used or wrong code, or wrong app credentials: the merchant has to start over.
            raise AuthError(f"shopify: the code exchange was refused: {exc}") from exc
    body = response.json()
    token = body.get("access_token") if isinstance(body, dict) else None
    if not token:
        raise AuthError("shopify: the token exchange returned no access token")
    scopes = tuple(s for s in str(body.get("scope") or "").split(",") if s)
    return AccessGrant(shop_domain=shop_domain, access_token=SecretStr(str(token)), scopes=scopes)


def missing_scopes(grant: AccessGrant, wanted: Sequence[str]) -> list[str]:
    """Scopes asked for but not granted (a `write_x` grant implies `read_x`)."""
    granted = set(grant.scopes) | {s.replace("write_", "read_", 1) for s in grant.scopes if s.startswith("write_")}
    return [scope for scope in wanted if scope not in granted]
