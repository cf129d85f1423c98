"""How one TikTok Shop call travels: build once, then per attempt copy, attach a valid token, sign, send.

Retries sit above the httpx client (`send_with_retry`), so every attempt is a fresh copy that the signer
stamps with a new timestamp and signature. The JSON body is serialised here, once, and those bytes are both
signed and sent; an empty body is not sent at all.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any, Literal

import httpx
from pydantic import SecretStr

from connectors.tiktok_shop.auth import ACCESS_TOKEN_EXTENSION, SHOP_CIPHER_EXTENSION
from connectors.tiktok_shop.errors import PLATFORM, check_envelope, error_from_failure
from connectors.tiktok_shop.models.base import TikTokRequest
from connectors.tiktok_shop.tokens import TokenManager
from syncd.errors import SyncError
from syncd.http import (
    Action,
    JSONCursorPaginator,
    Resolution,
    ResponseClassifier,
    RetryPolicy,
    rebuild_request,
    send_with_retry,
)

QueryValue = str | int | bool | Sequence[str] | None
Body = TikTokRequest | Mapping[str, Any] | None


def encode_query(query: Mapping[str, QueryValue] | None) -> dict[str, str]:
    """Query values as TikTok reads them: None dropped, lists comma-joined, booleans `true`/`false`."""
    encoded: dict[str, str] = {}
    for key, value in (query or {}).items():
        if value is None:
            continue
        if isinstance(value, bool):
            encoded[key] = "true" if value else "false"
        elif isinstance(value, str | int):
            encoded[key] = str(value)
        else:
            encoded[key] = ",".join(str(item) for item in value)
    return encoded


def encode_json(body: Body) -> bytes | None:
    """Compact JSON bytes of `body`, or None when there is nothing to send (never `{}`)."""
    payload = body.to_body() if isinstance(body, TikTokRequest) else dict(body or {})
    if not payload:
        return None
    # Compact separators as in the official Python sample; these exact bytes are signed and sent.
    return json.dumps(payload, separators=(",", ":")).encode()


class _LastResponse(ResponseClassifier):
    """Delegates to the shared classifier and remembers the last response, so a failure can report its envelope."""

    def __init__(self, inner: ResponseClassifier) -> None:
        super().__init__()
        self._inner = inner
        self.response: httpx.Response | None = None

    def action_for_status(self, status: int) -> Action:
        """The shared classifier's answer."""
        return self._inner.action_for_status(status)

    def classify(self, response: httpx.Response, *, now: datetime | None = None) -> Resolution:
        """Record `response`, then classify it with the shared classifier."""
        self.response = response
        return self._inner.classify(response, now=now)


class Transport:
    """Sends TikTok Shop calls for one app and seller; thread-safe, shared by every shop of the seller."""

    def __init__(
        self,
        client: httpx.Client,
        *,
        policy: RetryPolicy,
        classifier: ResponseClassifier,
        tokens: TokenManager | None,
    ) -> None:
        self.client = client
        self.policy = policy
        self.classifier = classifier
        self.tokens = tokens

    def build(
        self,
        method: str,
        path: str,
        *,
        shop_cipher: str | None = None,
        query: Mapping[str, QueryValue] | None = None,
        body: Body = None,
        files: Mapping[str, tuple[str, bytes, str]] | None = None,
        data: Mapping[str, str] | None = None,
    ) -> httpx.Request:
        """The unsigned template of a call; each attempt sends a signed copy of it."""
        extensions = {SHOP_CIPHER_EXTENSION: shop_cipher} if shop_cipher else {}
        params = encode_query(query)
        if files is not None:
            return self.client.build_request(
                method, path, params=params, files=dict(files), data=dict(data or {}), extensions=extensions
            )
        content = encode_json(body)
        headers = {"Content-Type": "application/json"} if content is not None else {}
        return self.client.build_request(
            method, path, params=params, content=content, headers=headers, extensions=extensions
        )

    def send(self, template: httpx.Request, *, idempotent: bool = True) -> tuple[httpx.Response, Any]:
        """Send `template` with retries and one token refresh; returns the response and its envelope's `data`.

        Raises the `TikTokAPIError` subclass for the outcome (see `connectors.tiktok_shop.errors`).
        """
        recorder = _LastResponse(self.classifier)
        used: list[SecretStr | None] = [None]

        def attempt() -> httpx.Request:
            recorder.response = None
            request = rebuild_request(template)
            if self.tokens is not None:
                # Outside the auth flow on purpose: a proactive refresh is HTTP, and auth flows do no I/O.
                token = self.tokens.access_token()
                used[0] = token
                request.extensions[ACCESS_TOKEN_EXTENSION] = token
            return request

        def refresh() -> None:
            assert self.tokens is not None
            # `stale` lets a thread that waited on the refresh lock adopt the new token instead of refreshing.
            self.tokens.refresh(stale=used[0])

        try:
            response = send_with_retry(
                self.client,
                attempt,
                policy=self.policy,
                classifier=recorder,
                refresh_auth=refresh if self.tokens is not None else None,
                platform=PLATFORM,
                idempotent=idempotent,
            )
        except SyncError as exc:
            raise error_from_failure(recorder.response, exc, template) from exc
        return response, check_envelope(response)

    def call(
        self,
        method: str,
        path: str,
        *,
        shop_cipher: str | None = None,
        query: Mapping[str, QueryValue] | None = None,
        body: Body = None,
        files: Mapping[str, tuple[str, bytes, str]] | None = None,
        data: Mapping[str, str] | None = None,
        idempotent: bool = True,
    ) -> Any:
        """Build and send one call; returns the envelope's `data`."""
        template = self.build(method, path, shop_cipher=shop_cipher, query=query, body=body, files=files, data=data)
        return self.send(template, idempotent=idempotent)[1]

    def pages(self, template: httpx.Request, *, location: Literal["query", "json"] = "query") -> Iterator[Any]:
        """The `data` of each page, following `data.next_page_token` until it is empty.

        A token that comes back a second time raises `PaginationError` instead of looping for ever.
        """
        paginator = JSONCursorPaginator("data.next_page_token", "page_token", location=location)
        request = template
        while True:
            response, data = self.send(request)
            paginator.update_state(response, ())
            yield data
            if not paginator.has_next_page:
                return
            request = paginator.update_request(request)
