"""How the emulator checks REST API keys, the way WooCommerce's `WC_REST_Authentication` does.

- OAuth 1.0a one-legged (the http path): the `oauth_*` parameters in the query (or an `Authorization: OAuth`
  header); the signature is HMAC-SHA1 or HMAC-SHA256 over `METHOD&rawurlencode(home URL + path)&<sorted,
  doubly encoded params>` with the key `consumer_secret&`; the timestamp must be within 15 minutes; a nonce
  may be used once. PHP's `$_GET` keeps the last of repeated parameters, which is why the package's
  duplicated query still verifies.
- Basic auth, or `consumer_key`/`consumer_secret` in the query (the https path). An unknown key there is not
  an error by itself: the request goes on unauthenticated and the route refuses it.
- Key permissions: `read` keys may only read, `write` keys only write.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Literal
from urllib.parse import quote, unquote

from syncd.testing import Request

OAUTH_PARAMS = ("oauth_consumer_key", "oauth_timestamp", "oauth_nonce", "oauth_signature", "oauth_signature_method")
TIMESTAMP_WINDOW = 15 * 60
AUTH_ERROR = "woocommerce_rest_authentication_error"
_HEADER_PARAM = re.compile(r'(oauth_[a-z_-]*)="([^"]*)"')
_READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True, slots=True)
class ApiKey:
    """A REST API key pair and what it may do."""

    consumer_key: str
    consumer_secret: str
    permissions: Literal["read", "write", "read_write"] = "read_write"

    @property
    def identity(self) -> str:
        """How the store shows the key (its last 7 characters), used as the rate-limit key."""
        return "..." + self.consumer_key[-7:]


@dataclass(frozen=True, slots=True)
class AuthOutcome:
    """The key the request authenticated as, or the error WooCommerce answers; both None means "no credentials"."""

    key: ApiKey | None = None
    code: str | None = None
    message: str | None = None


def rawurlencode(value: str) -> str:
    """PHP's `rawurlencode`: RFC 3986, everything but unreserved characters encoded (also `/`)."""
    return quote(value, safe="-_.~")


def last_values(query: Mapping[str, list[str]]) -> dict[str, str]:
    """The query as PHP's `$_GET` sees it: the last value of each repeated name."""
    return {name: values[-1] for name, values in query.items() if values}


def oauth_signature(method: str, url: str, params: Mapping[str, str], secret: str, algorithm: str) -> str:
    """The signature WooCommerce expects for these parameters (`oauth_signature` itself is left out)."""
    pairs = sorted((k, v) for k, v in params.items() if k != "oauth_signature")  # uksort(strcmp) on raw names
    joined = "%26".join(rawurlencode(f"{rawurlencode(k)}={rawurlencode(v)}") for k, v in pairs)
    base = f"{method.upper()}&{rawurlencode(url)}&{joined}"
    digest = hmac.new(f"{secret}&".encode(), base.encode(), getattr(hashlib, algorithm)).digest()
    return base64.b64encode(digest).decode("ascii")


class WooAuthenticator:
    """Verifies one request at a time against a set of keys; remembers nonces (thread-safe)."""

    def __init__(self, keys: Iterable[ApiKey], *, wall_time: Callable[[], float] = time.time) -> None:
        self.keys = {key.consumer_key: key for key in keys}
        # The package stamps OAuth with the real time; the window is checked against this clock.
        self.wall_time = wall_time
        self._lock = threading.Lock()
        self._nonces: dict[str, dict[str, int]] = {}
        # Requests per way of authenticating ("oauth1", "basic", "query"), accepted or not, for tests.
        self.methods: Counter[str] = Counter()

    def authenticate(self, request: Request, home_url: str) -> AuthOutcome:
        """Who sent `request`; `home_url` is the store URL as WordPress reports it (OAuth signs it)."""
        query = last_values(request.query)
        basic = self._basic_credentials(request, query)
        if basic is not None:
            self._count("query" if query.get("consumer_key") else "basic")
            outcome = self._check_basic(*basic)
        else:
            params = {**query, **self._header_params(request)}
            if not any(params.get(name) for name in OAUTH_PARAMS):
                return AuthOutcome()
            self._count("oauth1")
            outcome = self._check_oauth(request.method, home_url + request.path, params)
        if outcome.key is not None:
            return self._check_permissions(outcome.key, request.method)
        return outcome

    def _count(self, method: str) -> None:
        with self._lock:
            self.methods[method] += 1

    @staticmethod
    def _basic_credentials(request: Request, query: Mapping[str, str]) -> tuple[str, str] | None:
        if query.get("consumer_key") and query.get("consumer_secret"):
            return query["consumer_key"], query["consumer_secret"]
        scheme, _, encoded = (request.header("Authorization") or "").partition(" ")
        if scheme.lower() != "basic":
            return None
        try:
            user, sep, password = base64.b64decode(encoded.strip(), validate=True).decode("utf-8").partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return None
        return (user, password) if sep and user and password else None

    def _check_basic(self, consumer_key: str, consumer_secret: str) -> AuthOutcome:
        key = self.keys.get(consumer_key)
        if key is None:
            return AuthOutcome()  # WooCommerce carries on unauthenticated; the route says no
        if not hmac.compare_digest(key.consumer_secret.encode(), consumer_secret.encode()):
            return AuthOutcome(code=AUTH_ERROR, message="Consumer secret is invalid.")
        return AuthOutcome(key=key)

    @staticmethod
    def _header_params(request: Request) -> dict[str, str]:
        header = (request.header("Authorization") or "").strip()
        if not header.lower().startswith("oauth "):
            return {}
        return {name: unquote(value) for name, value in _HEADER_PARAM.findall(header)}

    def _check_oauth(self, method: str, url: str, params: dict[str, str]) -> AuthOutcome:
        missing = [name for name in OAUTH_PARAMS if not params.get(name)]
        if missing:
            plural = "parameters" if len(missing) > 1 else "parameter"
            return AuthOutcome(
                code="woocommerce_rest_authentication_missing_parameter",
                message=f"Missing OAuth {plural} {', '.join(missing)}",
            )
        key = self.keys.get(params["oauth_consumer_key"])
        if key is None:
            return AuthOutcome(code=AUTH_ERROR, message="Consumer key is invalid.")
        method_name = params["oauth_signature_method"]
        if method_name not in ("HMAC-SHA1", "HMAC-SHA256"):
            return AuthOutcome(code=AUTH_ERROR, message="Invalid signature - signature method is invalid.")
        # A "+" decoded to a space by the query parser was a "+" of the base64 signature.
        given = params["oauth_signature"].replace(" ", "+")
        expected = oauth_signature(method, url, params, key.consumer_secret, method_name[5:].lower())
        if not hmac.compare_digest(expected.encode(), given.encode()):
            return AuthOutcome(code=AUTH_ERROR, message="Invalid signature - provided signature does not match.")
        return self._check_timestamp_and_nonce(key, params["oauth_timestamp"], params["oauth_nonce"])

    def _check_timestamp_and_nonce(self, key: ApiKey, timestamp: str, nonce: str) -> AuthOutcome:
        now = self.wall_time()
        if not timestamp.isdigit() or abs(int(timestamp) - now) > TIMESTAMP_WINDOW:
            return AuthOutcome(code=AUTH_ERROR, message="Invalid timestamp.")
        with self._lock:
            used = self._nonces.setdefault(key.consumer_key, {})
            if nonce in used:
                return AuthOutcome(code=AUTH_ERROR, message="Invalid nonce - nonce has already been used.")
            used[nonce] = int(timestamp)
            for old in [n for n, stamp in used.items() if stamp < now - TIMESTAMP_WINDOW]:
                del used[old]
        return AuthOutcome(key=key)

    @staticmethod
    def _check_permissions(key: ApiKey, method: str) -> AuthOutcome:
        reading = method.upper() in _READ_METHODS
        if reading and key.permissions == "write":
            return AuthOutcome(code=AUTH_ERROR, message="The API key provided does not have read permissions.")
        if not reading and key.permissions == "read":
            return AuthOutcome(code=AUTH_ERROR, message="The API key provided does not have write permissions.")
        return AuthOutcome(key=key)
