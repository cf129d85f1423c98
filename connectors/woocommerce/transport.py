"""The `woocommerce` package as an httpx transport, so the toolkit's retries, limiter and logs sit on top of it.

The package authenticates (OAuth 1.0a over http, Basic or query keys over https), encodes the body and sends the
request with `requests`; it returns a plain `requests.Response` and raises `requests` exceptions. This transport
turns one `httpx.Request` into one package call and translates the outcome back into httpx terms, so that
`syncd.http.send_with_retry` classifies it exactly as it classifies every other platform. Each retry is a new
package call, hence a fresh OAuth nonce and timestamp.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from typing import Any

import httpx
import requests
import urllib3
import woocommerce

from syncd.http import SecretRedactingFilter, redact_text

# Headers `requests` has already acted on: it decoded the body, so they no longer describe what we hand on.
_CONSUMED_HEADERS = frozenset({"content-encoding", "content-length", "transfer-encoding"})
_LOGGERS_GUARDED: set[str] = set()
_GUARD_LOCK = threading.Lock()


def guard_logs(*names: str) -> None:
    """Scrub the keys and OAuth signature the package puts in the URL from these loggers' records.

    urllib3 (and the emulator's access log) write every request line at DEBUG, query string included; a
    filter on the logger that creates those records sees them before any handler does. Idempotent.
    """
    with _GUARD_LOCK:
        for name in names or ("urllib3.connectionpool", "requests"):
            if name not in _LOGGERS_GUARDED:
                logging.getLogger(name).addFilter(SecretRedactingFilter())
                _LOGGERS_GUARDED.add(name)


def _caused_by(exc: BaseException, kind: type[BaseException]) -> bool:
    seen: set[int] = set()
    pending: list[BaseException | None] = [exc]
    while pending:
        current = pending.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, kind):
            return True
        pending.extend([current.__cause__, current.__context__, getattr(current, "reason", None)])
        pending.extend(arg for arg in current.args if isinstance(arg, BaseException))
    return False


def _root_cause(exc: BaseException) -> BaseException:
    current = exc
    for _ in range(6):
        inner = getattr(current, "reason", None)
        if not isinstance(inner, BaseException):
            inner = next((arg for arg in current.args if isinstance(arg, BaseException)), None)
        if inner is None:
            break
        current = inner
    return current


def translate_exception(exc: Exception, request: httpx.Request) -> httpx.HTTPError:
    """The httpx error that means the same as a `requests` error, so the retry loop classifies it alike.

    What matters is whether the request may have reached the store: a refused connection or a connect
    timeout certainly did not (safe to repeat even a create); a read timeout or a connection dropped after
    sending may have (a create must be looked up first).
    """
    # The package's exceptions quote the URL, OAuth signature included: report the root cause, scrubbed anyway.
    message = redact_text(f"{type(exc).__name__}: {_root_cause(exc)}")[:300]
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return httpx.ConnectTimeout(message, request=request)
    if isinstance(exc, requests.exceptions.ReadTimeout):
        return httpx.ReadTimeout(message, request=request)
    if isinstance(exc, requests.exceptions.SSLError):
        return httpx.ConnectError(message, request=request)
    if isinstance(exc, requests.exceptions.ProxyError):
        return httpx.ProxyError(message, request=request)
    if isinstance(exc, requests.exceptions.ConnectionError):
        if _caused_by(exc, urllib3.exceptions.NewConnectionError):
            return httpx.ConnectError(message, request=request)
        return httpx.RemoteProtocolError(message, request=request)
    if isinstance(exc, requests.exceptions.ChunkedEncodingError | requests.exceptions.ContentDecodingError):
        return httpx.RemoteProtocolError(message, request=request)
    if isinstance(exc, requests.exceptions.InvalidURL | requests.exceptions.MissingSchema):
        return httpx.UnsupportedProtocol(message, request=request)
    return httpx.LocalProtocolError(message, request=request)


class WooCommerceTransport(httpx.BaseTransport):
    """Sends each httpx request through `woocommerce.API`; `api_root` is the URL path of `wp-json/<version>/`."""

    def __init__(self, api: Any, api_root: str) -> None:
        if not isinstance(api, woocommerce.API):
            raise TypeError("api must be a woocommerce.API")
        self._api = api
        self._root = api_root if api_root.endswith("/") else api_root + "/"
        self._methods: dict[str, Callable[..., Any]] = {
            "GET": api.get,
            "DELETE": api.delete,
            "OPTIONS": api.options,
            "POST": api.post,
            "PUT": api.put,
        }

    def _endpoint(self, request: httpx.Request) -> str:
        path = request.url.path
        if not path.startswith(self._root):
            raise httpx.UnsupportedProtocol(f"{path} is outside the API root {self._root}", request=request)
        return path[len(self._root) :]

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """One package call; `requests` errors come back as the httpx errors that mean the same."""
        call = self._methods.get(request.method)
        if call is None:
            raise httpx.UnsupportedProtocol(f"method {request.method} is not supported", request=request)
        endpoint = self._endpoint(request)
        # The package takes a dict and (over http) writes it into the signed URL and again as `params`.
        params = dict(request.url.params.multi_items())
        content = request.read()
        try:
            if request.method in ("POST", "PUT"):
                data = json.loads(content) if content else None
                reply = call(endpoint, data, params=params)
            else:
                reply = call(endpoint, params=params)
        except requests.exceptions.RequestException as exc:
            raise translate_exception(exc, request) from None
        try:
            headers = [(k, v) for k, v in reply.headers.items() if k.lower() not in _CONSUMED_HEADERS]
            return httpx.Response(reply.status_code, headers=headers, content=reply.content, request=request)
        finally:
            reply.close()
