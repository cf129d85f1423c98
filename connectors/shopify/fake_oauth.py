"""The OAuth install flow of the emulator: the merchant approves at once, and codes are exchanged for tokens."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable
from datetime import datetime
from urllib.parse import parse_qs, urlencode

from syncd.testing import Request, Response, route

GRANTED_SCOPES = "read_products,read_inventory,write_inventory,read_orders,write_orders,read_locations"


class OAuthRoutes:
    """Mixed into FakeShopify: `/admin/oauth/authorize` and `/admin/oauth/access_token`."""

    shop_domain: str
    api_key: str
    api_secret: str
    tokens: dict[str, str]
    now: Callable[[], datetime]
    _codes: dict[str, str]

    def oauth_hmac(self, params: dict[str, str]) -> str:
        """Shopify's OAuth query HMAC: hex SHA-256 over the sorted `key=value` pairs, without `hmac`."""
        message = "&".join(f"{k}={v}" for k, v in sorted(params.items()) if k != "hmac")
        return hmac.new(self.api_secret.encode(), message.encode(), hashlib.sha256).hexdigest()

    @route("GET", "/admin/oauth/authorize", auth=False)
    def oauth_authorize(self, request: Request) -> Response:
        """The merchant approves at once: redirect back with a code, the shop, the state, and the HMAC."""
        redirect = request.arg("redirect_uri")
        if request.arg("client_id") != self.api_key or not redirect:
            return Response.text("Oauth error invalid_request: The client_id or redirect_uri is invalid", 400)
        code = secrets.token_hex(16)
        self._codes[code] = request.arg("scope") or ""
        params = {
            "code": code,
            "shop": self.shop_domain,
            "state": request.arg("state") or "",
            "timestamp": str(int(self.now().timestamp())),
        }
        params["hmac"] = self.oauth_hmac(params)
        return Response(302, b"", {"Location": f"{redirect}?{urlencode(params)}"})

    @route("POST", "/admin/oauth/access_token", auth=False)
    def oauth_access_token(self, request: Request) -> Response:
        """Exchange a one-time code for a permanent access token."""
        params = {k: v[0] for k, v in parse_qs(request.body.decode("utf-8", "replace")).items()}
        if (request.header("content-type") or "").startswith("application/json"):
            params = {k: str(v) for k, v in request.json().items()}
        params = {**{k: v[0] for k, v in request.query.items()}, **params}
        secret_ok = hmac.compare_digest(params.get("client_secret", ""), self.api_secret)
        if params.get("client_id") != self.api_key or not secret_ok:
            return Response.json(
                {"error": "invalid_client", "error_description": "Client credentials are invalid"}, 400
            )
        scope = self._codes.pop(params.get("code", ""), None)
        if scope is None:
            description = "The authorization code was not found or was already used"
            return Response.json({"error": "invalid_request", "error_description": description}, 400)
        token = "shpat_" + secrets.token_hex(16)
        self.tokens[token] = self.shop_domain
        return Response.json({"access_token": token, "scope": scope or GRANTED_SCOPES})
