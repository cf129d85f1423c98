"""Test-side helpers for the TikTok Shop emulator tests: a hand-written signer and a signed caller.

The signer here is a third reading of the algorithm (§1.2 of the reference), shared with neither the
emulator nor the client, so an emulator test that passes means the emulator follows the published rule.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx

from syncd.testing import FakeServer, Request, Response, route

_DEFAULT: Any = object()


def reference_sign(secret: str, path: str, query: Mapping[str, str], body: bytes = b"") -> str:
    """`sign` per the official recipe: HMAC-SHA256(secret, secret + path + sorted k+v + body + secret)."""
    signed = [f"{key}{query[key]}" for key in sorted(query) if key not in ("sign", "access_token")]
    text = secret + path + "".join(signed)
    return hmac.new(secret.encode(), text.encode() + body + secret.encode(), hashlib.sha256).hexdigest()


@dataclass
class SignedApi:
    """Sends requests to the emulator signed like a correct client; every part can be overridden to break it."""

    base_url: str
    app_key: str
    app_secret: str
    access_token: str
    shop_cipher: str
    now: Callable[[], float]
    client: httpx.Client = field(default_factory=lambda: httpx.Client(timeout=5.0))

    def call(
        self,
        method: str,
        path: str,
        *,
        query: Mapping[str, str] | None = None,
        body: Any = None,
        files: Mapping[str, Any] | None = None,
        data: Mapping[str, str] | None = None,
        cipher: bool = True,
        token: str | None = _DEFAULT,
        secret: str | None = None,
        app_key: str | None = None,
        timestamp: str | None = None,
        sign: str | None = _DEFAULT,
    ) -> httpx.Response:
        """One signed request; `body` is sent as compact JSON, `files`/`data` as multipart (not signed)."""
        params = {"app_key": app_key or self.app_key, "timestamp": timestamp or str(int(self.now()))}
        if cipher:
            params["shop_cipher"] = self.shop_cipher
        params.update(query or {})
        url = self.base_url + path
        if files is not None:
            request = self.client.build_request(method, url, params=params, files=files, data=data)
            content = b""  # a multipart body is not part of the signature
        else:
            content = json.dumps(body, separators=(",", ":")).encode() if body is not None else b""
            request = self.client.build_request(method, url, params=params, content=content or None)
        if content and files is None:
            request.headers["Content-Type"] = "application/json"
        signature = reference_sign(secret or self.app_secret, path, params, content) if sign is _DEFAULT else sign
        if signature is not None:
            request.url = request.url.copy_merge_params({"sign": signature})
        access = self.access_token if token is _DEFAULT else token
        if access is not None:
            request.headers["x-tts-access-token"] = access
        return self.client.send(request)

    def ok(self, method: str, path: str, **kwargs: Any) -> Any:
        """Call and return `data`, asserting HTTP 200 and code 0."""
        response = self.call(method, path, **kwargs)
        payload = envelope(response)
        assert response.status_code == 200, payload
        assert payload["code"] == 0, payload
        return payload["data"]

    def error(self, method: str, path: str, **kwargs: Any) -> tuple[int, dict[str, Any]]:
        """Call and return (HTTP status, envelope), asserting a non-zero code."""
        response = self.call(method, path, **kwargs)
        payload = envelope(response)
        assert payload["code"] != 0, payload
        return response.status_code, payload


def envelope(response: httpx.Response) -> dict[str, Any]:
    """The response body, checked to be the platform's `{code, message, request_id, data}` envelope."""
    payload: dict[str, Any] = response.json()
    assert set(payload) == {"code", "message", "request_id", "data"}, payload
    assert isinstance(payload["code"], int)
    assert isinstance(payload["message"], str)
    assert len(payload["request_id"]) == 34, payload["request_id"]
    return payload


@dataclass(frozen=True)
class Received:
    """One webhook delivery as the receiver saw it."""

    body: bytes
    authorization: str | None

    def json(self) -> Any:
        """The body, parsed."""
        return json.loads(self.body)


class WebhookReceiver(FakeServer):
    """A merchant's webhook endpoint: records every POST to `/hooks/tiktok` and answers 200."""

    def __init__(self) -> None:
        super().__init__(rate_limit=None)
        self.received: list[Received] = []
        self.arrived = threading.Event()

    @route("POST", "/hooks/tiktok", auth=False)
    def deliver(self, request: Request) -> Response:
        self.received.append(Received(request.body, request.header("Authorization")))
        self.arrived.set()
        return Response.json({"ok": True})
