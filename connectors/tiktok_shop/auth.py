"""TikTok Shop request signing (202309+ API): the pure `sign` function and the `httpx.Auth` that applies it.

ref: https://partner.tiktokshop.com/docv2/page/sign-your-api-request (ref §1). The signer adds `app_key`,
`timestamp`, `shop_cipher` (only where the endpoint accepts it) and `sign` to the query, and the access token
as the `x-tts-access-token` header, which is not signed. It signs the exact body bytes httpx will send.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Callable, Generator, Mapping
from typing import Final

import httpx
from pydantic import SecretStr

from syncd.http import Clock, SystemClock

# Request extensions through which a caller hands the signer the shop and the token for one request, so a
# single signer (and one httpx client) serves several shops and threads without shared mutable state.
SHOP_CIPHER_EXTENSION: Final = "tiktok_shop.shop_cipher"
ACCESS_TOKEN_EXTENSION: Final = "tiktok_shop.access_token"  # noqa: S105 - a key name
ACCESS_TOKEN_HEADER: Final = "x-tts-access-token"  # noqa: S105 - a header name

# Query parameters the signature leaves out (ref §1.2 step 1).
UNSIGNED_PARAMS: Final = frozenset({"sign", "access_token"})

_V = r"[^/]+"  # a version path segment (202309, 202405, ...)
# Endpoints that reject or ignore `shop_cipher` (ref §3.3, PHP "not allowed in some api", PY requiresShopCipher).
# NPM sends the cipher everywhere; we follow PHP/PY because a cipher where it is not allowed fails the call.
_NO_CIPHER: Final[tuple[tuple[str | None, re.Pattern[str]], ...]] = tuple(
    (method, re.compile(pattern))
    for method, pattern in (
        (None, r"^/authorization/"),
        (None, r"^/seller/"),
        (None, rf"^/product/{_V}/global_products(/|$)"),
        (None, rf"^/product/{_V}/global_categories(/|$)"),
        (None, rf"^/product/{_V}/categories/{_V}/global_(attributes|rules)$"),
        (None, rf"^/product/{_V}/compliance/"),
        (None, rf"^/product/{_V}/(files|images)/upload$"),
        (None, rf"^/product/{_V}/sizecharts/search$"),
        ("POST", rf"^/product/{_V}/brands$"),
        (None, rf"^/fulfillment/{_V}/bundles(/|$)"),
        (None, rf"^/fulfillment/{_V}/orders/customs_info/"),
        (None, rf"^/logistics/{_V}/global_warehouses$"),
        (None, r"^/supply_chain/"),
        (None, r"^/open/"),
        (None, r"^/api/v2/token/"),
    )
)
# The auth host's token endpoints are called with the app secret in the query and no token header.
_TOKEN_ENDPOINT: Final = re.compile(r"^/api/v2/token/")


def is_multipart(content_type: str | None) -> bool:
    """True for a `multipart/form-data` media type (case-insensitive; the boundary parameter is ignored)."""
    return content_type is not None and content_type.strip().lower().startswith("multipart/form-data")


def sign(
    app_secret: str, path: str, query: Mapping[str, str], body: bytes | None, content_type: str | None = None
) -> str:
    """The `sign` query value: lowercase hex HMAC-SHA256 over secret + path + sorted key/values + body + secret.

    `query` holds decoded values; `sign` and `access_token` are skipped. The body is appended byte for byte
    unless the request is multipart (uploads are signed without their body).
    """
    pieces = [path.encode()]
    pieces.extend((key + query[key]).encode() for key in sorted(query) if key not in UNSIGNED_PARAMS)
    if body and not is_multipart(content_type):
        pieces.append(body)
    secret = app_secret.encode()
    message = secret + b"".join(pieces) + secret
    return hmac.new(secret, message, hashlib.sha256).hexdigest()


def accepts_shop_cipher(method: str, path: str) -> bool:
    """Whether the endpoint at `path` takes a `shop_cipher` query parameter (ref §3.3)."""
    upper = method.upper()
    return not any((m is None or m == upper) and pattern.search(path) for m, pattern in _NO_CIPHER)


def single_valued(params: httpx.QueryParams) -> dict[str, str]:
    """The query as one value per key, repeated keys comma-joined, first-seen key order kept.

    TikTok reads arrays such as `ids` as one comma-separated value (ref §1.4, the safe choice where the
    sources disagree); sending and signing exactly that one value keeps the two in step.
    """
    merged: dict[str, list[str]] = {}
    for key, value in params.multi_items():
        merged.setdefault(key, []).append(value)
    return {key: ",".join(values) for key, values in merged.items()}


TokenSource = Callable[[], SecretStr | None]


class TikTokShopSigner(httpx.Auth):
    """Signs every request it sends; a retry re-runs it, so each attempt gets a fresh timestamp and signature.

    The token and cipher for a request come from its extensions (`ACCESS_TOKEN_EXTENSION`,
    `SHOP_CIPHER_EXTENSION`) when set, else from the constructor.
    """

    requires_request_body = True

    def __init__(
        self,
        app_key: str,
        app_secret: SecretStr | str,
        *,
        access_token: SecretStr | str | TokenSource | None = None,
        shop_cipher: str | None = None,
        clock: Clock | None = None,
    ) -> None:
        if not app_key:
            raise ValueError("app_key is required")
        self._app_key = app_key
        self._secret = app_secret if isinstance(app_secret, SecretStr) else SecretStr(app_secret)
        if not self._secret.get_secret_value():
            raise ValueError("app_secret is required")
        fixed = SecretStr(access_token) if isinstance(access_token, str) else access_token
        if fixed is None or isinstance(fixed, SecretStr):
            constant = fixed
            self._token: TokenSource = lambda: constant
        else:
            self._token = fixed
        self._shop_cipher = shop_cipher
        self._clock = clock or SystemClock()

    def __repr__(self) -> str:
        return f"TikTokShopSigner(app_key={self._app_key!r})"

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        """Sign `request` in place and send it once."""
        self.sign_request(request)
        yield request

    def sign_request(self, request: httpx.Request) -> None:
        """Add the common parameters, the signature and the token header to `request`."""
        path = request.url.path
        params = single_valued(request.url.params)
        params.pop("sign", None)
        params["app_key"] = self._app_key
        params["timestamp"] = str(int(self._clock.now().timestamp()))
        cipher = request.extensions.get(SHOP_CIPHER_EXTENSION, self._shop_cipher)
        if accepts_shop_cipher(request.method, path) and cipher:
            params["shop_cipher"] = str(cipher)
        else:
            # Never where it is not allowed, even when a caller put one in the query by hand.
            params.pop("shop_cipher", None)
        content_type = request.headers.get("content-type")
        params["sign"] = sign(self._secret.get_secret_value(), path, params, request.content, content_type)
        request.url = request.url.copy_with(params=params)

        token = request.extensions.get(ACCESS_TOKEN_EXTENSION) or self._token()
        if token is not None and not _TOKEN_ENDPOINT.search(path):
            value = token.get_secret_value() if isinstance(token, SecretStr) else str(token)
            if value:
                request.headers[ACCESS_TOKEN_HEADER] = value
