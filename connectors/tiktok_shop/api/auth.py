"""Seller authorization: the consent link, the code exchange and token refresh (auth host, ref §3.1-3.2).

Token calls go to the auth host, unsigned, with the app secret in the query (redacted from every log line)
and no `x-tts-access-token` header.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlencode

from pydantic import SecretStr, ValidationError

from connectors.tiktok_shop.errors import NO_CODE, TikTokFatalError
from connectors.tiktok_shop.models.auth import TokenResponse
from connectors.tiktok_shop.tokens import TokenManager, TokenSet
from connectors.tiktok_shop.transport import Transport
from syncd.http import Clock

TOKEN_GET_PATH = "/api/v2/token/get"  # noqa: S105 - a URL path, not a secret
TOKEN_REFRESH_PATH = "/api/v2/token/refresh"  # noqa: S105 - a URL path, not a secret
# ref §3.1 DISAGREE. The service-id link is what Partner Center issues for current apps (PY; Celigo asks for
# the service ID); the app-key link on the auth host is the legacy form, still used by older apps (PHP).
SERVICE_AUTHORIZE_URLS = {
    "ROW": "https://services.tiktokshop.com/open/authorize",
    "US": "https://services.us.tiktokshop.com/open/authorize",
}
LEGACY_AUTHORIZE_URL = "https://auth.tiktok-shops.com/oauth/authorize"


@dataclass(frozen=True, eq=False)
class AuthApi:
    """`client.auth`: the seller consent link, code exchange and refresh; tokens are saved to the store."""

    transport: Transport
    app_key: str
    app_secret: SecretStr
    tokens: TokenManager | None
    clock: Clock

    def authorization_url(
        self,
        state: str,
        *,
        service_id: str | None = None,
        market: Literal["ROW", "US"] = "ROW",
        base_url: str | None = None,
    ) -> str:
        """The link a seller opens to authorise the app; the redirect brings back `code` and `state`.

        With `service_id`, the current service link for the seller's market; without it, the legacy app-key
        link. `base_url` points it elsewhere (a fake).
        """
        if not state:
            raise ValueError("state is required (it protects the redirect against forgery)")
        if service_id is not None:
            base = base_url or SERVICE_AUTHORIZE_URLS[market]
            return f"{base}?{urlencode({'service_id': service_id, 'state': state})}"
        return f"{base_url or LEGACY_AUTHORIZE_URL}?{urlencode({'app_key': self.app_key, 'state': state})}"

    def get_token(self, auth_code: str) -> TokenSet:
        """Exchange the redirect's `code` for tokens (`grant_type=authorized_code`) and save them."""
        if not auth_code:
            raise ValueError("auth_code is required")
        query = {
            "app_key": self.app_key,
            "app_secret": self.app_secret.get_secret_value(),
            "auth_code": auth_code,
            "grant_type": "authorized_code",  # TikTok's spelling, not OAuth's authorization_code
        }
        # A code works once: a retry after a lost response would be refused, so never repeat a sent request.
        tokens = self._token_call(TOKEN_GET_PATH, query, idempotent=False)
        if self.tokens is not None:
            self.tokens.replace(tokens)
        return tokens

    def refresh(self) -> TokenSet:
        """Refresh the stored tokens now (under the refresh lock) and save the result."""
        if self.tokens is None:
            raise RuntimeError("this client has no token store")
        return self.tokens.refresh()

    def refresh_with(self, refresh_token: SecretStr) -> TokenSet:
        """One refresh call with `refresh_token`; saves nothing (the token manager's refresher)."""
        query = {
            "app_key": self.app_key,
            "app_secret": self.app_secret.get_secret_value(),
            "refresh_token": refresh_token.get_secret_value(),
            "grant_type": "refresh_token",
        }
        # Refresh tokens may rotate; a repeat of a request that was applied could present a spent token.
        return self._token_call(TOKEN_REFRESH_PATH, query, idempotent=False)

    def _token_call(self, path: str, query: dict[str, str], *, idempotent: bool) -> TokenSet:
        data = self.transport.call("GET", path, query=query, idempotent=idempotent)
        try:
            response = TokenResponse.model_validate(data or {})
        except ValidationError as exc:
            missing = ", ".join(str(error["loc"][0]) for error in exc.errors() if error["loc"])
            # Not chained: pydantic's message quotes the input, which may be a token.
            raise TikTokFatalError(NO_CODE, f"the token response lacks valid {missing}") from None
        return response.to_token_set(self.clock.now())
