"""TikTok Shop errors: one class per way the engine must react, all carrying the platform's code and request id.

`TikTokAPIError` is the common base. It is deliberately *not* a `FatalApiError`: a throttled call must not
match `except FatalApiError`. Each concrete class also subclasses the matching `syncd.errors` class, so the
engine reacts by class without knowing TikTok:

| class | also a | raised for |
| --- | --- | --- |
| `TikTokFatalError` | `FatalApiError` | validation (36009004, 98001004, 12xxxxxx) and any other non-zero code |
| `TikTokTransientError` | `TransientApiError` | 36009003, 5xx, transport failures, bodies that are not JSON |
| `TikTokRateLimitedError` | `RateLimited` | 36009002, 12052109, HTTP 429 |
| `TikTokAuthError` | `AuthError` | 105xxx, 106xxx (bad signature), 36004001/36004005 (token host), HTTP 401/403 |
| `TikTokTokenExpiredError` | `AuthError` | 105002 still failing after the one refresh |
"""

from __future__ import annotations

import json
from decimal import Decimal
from enum import IntEnum
from typing import Any, Final

import httpx

from syncd.errors import ApiError, AuthError, FatalApiError, RateLimited, TransientApiError
from syncd.http import Action, BodyRule, ResponseClassifier, json_code_in, redact_text

PLATFORM: Final = "tiktok_shop"
# What TikTok's code means when we had no envelope to read (transport failure, not JSON), as PY SDK does.
NO_CODE: Final = -1
_MAX_MESSAGE = 500


class ErrorCode(IntEnum):
    """Platform codes the client reacts to (ref §6.2)."""

    OK = 0
    TOKEN_EXPIRED = 105002
    MISSING_SCOPE = 105005
    INVALID_SIGNATURE = 106001
    TOO_MANY_REQUESTS = 36009002
    INTERNAL_ERROR = 36009003
    INVALID_PARAM = 36009004
    PARAMETER_INVALID = 98001004
    PRODUCT_RATE_LIMIT = 12052109
    REFRESH_TOKEN_EXPIRED = 36004001
    NO_AUTH_RECORD = 36004005


RATE_LIMIT_CODES: Final = frozenset({ErrorCode.TOO_MANY_REQUESTS, ErrorCode.PRODUCT_RATE_LIMIT})
RETRY_CODES: Final = frozenset({ErrorCode.INTERNAL_ERROR})
# 105xxx are token/scope problems and 106xxx signature problems: only a person (re-authorising, fixing the
# secret or the clock) can clear them. Unlike PHP's "360 prefix" rule this leaves 36009002/3 alone.
_AUTH_PREFIXES: Final = ("105", "106")
# The token host's answers when a refresh token is expired ("rt has expired") or unknown, revoked or already
# rotated away ("can not find related auth record"). Not in the published tables; reported from real answers
# in EcomPHP/tiktokshop-php#15, which treats both as token errors. No retry or refresh can help: the seller
# must authorise the app again. Only these two: the rest of 360xxxx holds 36009002/3, which are retryable.
AUTH_CODES: Final = frozenset({ErrorCode.REFRESH_TOKEN_EXPIRED, ErrorCode.NO_AUTH_RECORD})


class TikTokAPIError(ApiError):
    """A TikTok Shop call failed: `code` (text, as on every `ApiError`), `request_id` and `http_status`."""

    def __init__(
        self,
        code: int | str,
        message: str,
        request_id: str | None = None,
        http_status: int | None = None,
        *,
        where: str | None = None,
    ) -> None:
        self.request_id = request_id
        self.http_status = http_status
        self.platform_message = redact_text(message)[:_MAX_MESSAGE]
        detail = self.platform_message
        if where:
            detail += f" ({where})"
        if request_id:
            detail += f" [request_id {request_id}]"
        # Called directly rather than through super(): RateLimited's __init__ takes other arguments.
        ApiError.__init__(self, detail, status=http_status, code=str(code), platform=PLATFORM)

    @property
    def numeric_code(self) -> int:
        """The platform code as an integer (`NO_CODE` when there was no envelope)."""
        try:
            return int(self.code or NO_CODE)
        except ValueError:
            return NO_CODE


class TikTokFatalError(TikTokAPIError, FatalApiError):
    """Retrying cannot fix this call (validation errors and every code not listed elsewhere)."""


class TikTokTransientError(TikTokAPIError, TransientApiError):
    """The call may succeed later (platform internal error, 5xx, timeouts, garbled bodies)."""


class TikTokRateLimitedError(TikTokTransientError, RateLimited):
    """TikTok throttled the call; `retry_after` is its hint in seconds, if it sent one."""

    def __init__(
        self,
        code: int | str,
        message: str,
        request_id: str | None = None,
        http_status: int | None = None,
        *,
        where: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        self.retry_after = retry_after
        super().__init__(code, message, request_id, http_status, where=where)


class TikTokAuthError(TikTokAPIError, AuthError):
    """Credentials, signature or scope rejected; the seller or operator must act."""


class TikTokTokenExpiredError(TikTokAuthError):
    """The access token is expired and refreshing it did not help (or was not possible)."""


def error_class_for(code: int, http_status: int | None) -> type[TikTokAPIError]:
    """The error class for a platform code and HTTP status (the table in this module's docstring)."""
    text = str(code)
    if code in RATE_LIMIT_CODES or http_status == 429:
        return TikTokRateLimitedError
    if code == ErrorCode.TOKEN_EXPIRED:
        return TikTokTokenExpiredError
    if text.startswith(_AUTH_PREFIXES) or code in AUTH_CODES or http_status in (401, 403):
        return TikTokAuthError
    if code in RETRY_CODES or code == NO_CODE or (http_status is not None and http_status >= 500):
        return TikTokTransientError
    return TikTokFatalError


def make_error(
    code: int,
    message: str,
    request_id: str | None,
    http_status: int | None,
    *,
    where: str | None = None,
    retry_after: float | None = None,
    cls: type[TikTokAPIError] | None = None,
) -> TikTokAPIError:
    """An error of the class `code`/`http_status` call for (or `cls`), with `retry_after` if throttled."""
    chosen = cls or error_class_for(code, http_status)
    if issubclass(chosen, TikTokRateLimitedError):
        return chosen(code, message, request_id, http_status, where=where, retry_after=retry_after)
    return chosen(code, message, request_id, http_status, where=where)


def describe(request: httpx.Request) -> str:
    """Method and path of a request; never the query, which carries the signature."""
    return f"{request.method} {request.url.path}"


def read_envelope(response: httpx.Response) -> tuple[int, str, str | None, Any]:
    """`(code, message, request_id, data)` from a response body; raises `TikTokAPIError` if it is no envelope."""
    status = response.status_code
    try:
        # parse_float=Decimal: an amount sent as a JSON number keeps every digit.
        body = json.loads(response.content, parse_float=Decimal) if response.content.strip() else None
    except ValueError:
        body = None
        message = "the response body is not JSON"
    else:
        message = "the response body is empty" if body is None else ""
    if body is None:
        raise make_error(NO_CODE, message, None, status, where=describe(response.request), cls=TikTokTransientError)
    code = body.get("code") if isinstance(body, dict) else None
    if not isinstance(code, int) or isinstance(code, bool):
        shape = "the response is not a TikTok envelope (no integer `code`)"
        raise make_error(NO_CODE, shape, None, status, where=describe(response.request), cls=TikTokFatalError)
    request_id = body.get("request_id")
    return code, str(body.get("message") or ""), str(request_id) if request_id else None, body.get("data")


def check_envelope(response: httpx.Response) -> Any:
    """The `data` of a successful envelope; raises the matching `TikTokAPIError` for any non-zero code."""
    code, message, request_id, data = read_envelope(response)
    if code != ErrorCode.OK:
        raise make_error(code, message, request_id, response.status_code, where=describe(response.request))
    return data


_SUCCESS_STATUSES = frozenset(range(200, 300))


def _not_an_object(body: Any) -> bool:
    return not isinstance(body, dict)


def build_classifier() -> ResponseClassifier:
    """What the retry loop does with each TikTok response (ref §6): the codes as data, not as `if` chains."""
    rules = [
        BodyRule(Action.REFRESH_AUTH, json_code_in(ErrorCode.TOKEN_EXPIRED), "access token expired"),
        BodyRule(Action.RATE_LIMITED, json_code_in(*RATE_LIMIT_CODES), "throttled by TikTok"),
        BodyRule(Action.RETRY, json_code_in(*RETRY_CODES), "TikTok internal error"),
        # A 2xx without a JSON object (empty, cut short, a proxy's page) is a broken answer, not a result.
        BodyRule(Action.RETRY, _not_an_object, "body is not a JSON object", _SUCCESS_STATUSES),
    ]
    # 401 carries 106001 (bad signature): refreshing the token cannot fix that, so it fails at once.
    return ResponseClassifier({401: Action.FAIL, 403: Action.FAIL}, rules)


def error_from_failure(response: httpx.Response | None, cause: Exception, request: httpx.Request) -> TikTokAPIError:
    """The `TikTokAPIError` for a call the retry loop gave up on; `response` is the last one, if any."""
    if isinstance(cause, TikTokAPIError):
        return cause
    retry_after = cause.retry_after if isinstance(cause, RateLimited) else None
    if response is None:
        cls: type[TikTokAPIError]
        if isinstance(cause, RateLimited):
            cls = TikTokRateLimitedError
        elif isinstance(cause, TransientApiError):
            cls = TikTokTransientError
        elif isinstance(cause, AuthError):
            cls = TikTokAuthError
        else:
            cls = TikTokFatalError
        return make_error(NO_CODE, str(cause), None, None, where=describe(request), retry_after=retry_after, cls=cls)
    try:
        code, message, request_id, _data = read_envelope(response)
    except TikTokAPIError as unreadable:
        # No envelope to read: what the retry loop concluded, and the status, decide the class.
        status = response.status_code
        if isinstance(cause, RateLimited) or status == 429:
            cls = TikTokRateLimitedError
        elif isinstance(cause, TransientApiError):
            cls = TikTokTransientError
        elif status in (401, 403):
            cls = TikTokAuthError
        else:
            cls = TikTokFatalError
        return make_error(
            NO_CODE,
            unreadable.platform_message,
            None,
            status,
            where=describe(request),
            retry_after=retry_after,
            cls=cls,
        )
    return make_error(
        code, message or str(cause), request_id, response.status_code, where=describe(request), retry_after=retry_after
    )
