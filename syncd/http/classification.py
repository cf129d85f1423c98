"""Error classification as data: what to do with a response or a transport failure.

A platform describes its errors with a status-to-action mapping plus body rules ("HTTP 200 with `code`
36009002 is rate limiting"), instead of `if` chains spread through its API code.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from enum import StrEnum
from typing import Any, Final

import httpx

from syncd.http.jsonpath import get_path
from syncd.http.redaction import redact_text


class Action(StrEnum):
    """What the retry loop does next."""

    SUCCESS = "success"
    RETRY = "retry"
    RATE_LIMITED = "rate_limited"
    REFRESH_AUTH = "refresh_auth"
    FAIL = "fail"


@dataclass(frozen=True, slots=True)
class Resolution:
    """The verdict on one attempt, with the platform's own code and message when it gave them."""

    action: Action
    reason: str
    retry_after: float | None = None
    status: int | None = None
    code: str | None = None
    message: str | None = None


class _Malformed:
    def __repr__(self) -> str:
        return "MALFORMED"


# What body predicates receive when the body is not valid JSON.
MALFORMED: Final[Any] = _Malformed()

BodyPredicate = Callable[[Any], bool]
"""Takes the parsed JSON body (None if empty, `MALFORMED` if not JSON); True if the rule applies."""

ErrorFields = Callable[[Any], tuple[str | None, str | None]]
"""Takes the parsed JSON body; returns the platform's (code, message)."""


@dataclass(frozen=True, slots=True)
class BodyRule:
    """When `matches(body)` holds (for one of `statuses`, or any status if None), `action` applies."""

    action: Action
    matches: BodyPredicate
    reason: str
    statuses: frozenset[int] | None = None


def json_code_in(*codes: int | str, path: str = "code") -> BodyPredicate:
    """A predicate true when the JSON value at `path` is one of `codes` (compared as text)."""
    wanted = frozenset(str(code) for code in codes)

    def matches(body: Any) -> bool:
        if body is MALFORMED:
            return False
        value = get_path(body, path)
        return value is not None and str(value) in wanted

    return matches


def is_malformed_json(body: Any) -> bool:
    """A predicate true when the body is present but is not valid JSON."""
    return body is MALFORMED


def default_error_fields(body: Any) -> tuple[str | None, str | None]:
    """`code` and `message` (or `error_description`, `error`, `errors`) from a JSON object body."""
    if not isinstance(body, dict):
        return None, None
    code = body.get("code")
    message: Any = None
    for key in ("message", "error_description", "error", "errors"):
        if body.get(key):
            message = body[key]
            break
    if isinstance(message, list) and message:
        message = message[0]
    if isinstance(message, dict):
        message = message.get("message", json.dumps(message, sort_keys=True))
    code_text = str(code) if isinstance(code, str | int) and not isinstance(code, bool) else None
    # Platform messages can echo input; keep them short and scrubbed.
    return code_text, redact_text(str(message))[:500] if message is not None else None


DEFAULT_STATUS_ACTIONS: Mapping[int, Action] = {
    401: Action.REFRESH_AUTH,
    408: Action.RETRY,
    425: Action.RETRY,
    429: Action.RATE_LIMITED,
}


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """Seconds to wait from a `Retry-After` value (delta-seconds or HTTP-date); None if absent or invalid."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    try:
        seconds = float(text)
    except ValueError:
        pass
    else:
        return seconds if math.isfinite(seconds) and seconds >= 0 else None
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())


def _parse_body(response: httpx.Response) -> Any:
    content = response.content
    if not content.strip():
        return None
    try:
        return json.loads(content)
    except ValueError:
        return MALFORMED


class ResponseClassifier:
    """Maps a response to a `Resolution`: body rules first (in order), then the status mapping."""

    def __init__(
        self,
        status_actions: Mapping[int, Action] | None = None,
        rules: Sequence[BodyRule] = (),
        error_fields: ErrorFields = default_error_fields,
    ) -> None:
        self._status_actions = {**DEFAULT_STATUS_ACTIONS, **(status_actions or {})}
        self._rules = tuple(rules)
        self._error_fields = error_fields

    def action_for_status(self, status: int) -> Action:
        """The action for a status alone: the mapping, else 2xx success, 5xx retry, anything else fail."""
        if status in self._status_actions:
            return self._status_actions[status]
        if 200 <= status < 300:
            return Action.SUCCESS
        if 500 <= status < 600:
            return Action.RETRY
        return Action.FAIL

    def classify(self, response: httpx.Response, *, now: datetime | None = None) -> Resolution:
        """The resolution for a response whose body has been read; `now` dates a `Retry-After` HTTP-date."""
        status = response.status_code
        action = self.action_for_status(status)
        reason = f"HTTP {status}"
        # Parse only when someone will look: a large successful page without rules is not parsed twice.
        body = _parse_body(response) if self._rules or action is not Action.SUCCESS else None
        for rule in self._rules:
            if (rule.statuses is None or status in rule.statuses) and rule.matches(body):
                action, reason = rule.action, f"HTTP {status}: {rule.reason}"
                break
        if action is Action.SUCCESS:
            return Resolution(Action.SUCCESS, reason, status=status)
        code, message = self._error_fields(body)
        retry_after = parse_retry_after(response.headers.get("Retry-After"), now or datetime.now(UTC))
        return Resolution(action, reason, retry_after=retry_after, status=status, code=code, message=message)


# Failures where the request certainly never reached the server, so even a non-idempotent call may repeat.
NOT_SENT_ERRORS: Final = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
_RETRYABLE_ERRORS: Final = (
    httpx.TimeoutException,
    httpx.NetworkError,
    httpx.RemoteProtocolError,
    httpx.ProxyError,
)


def classify_exception(exc: Exception) -> Resolution:
    """Timeouts, connection failures and dropped connections retry; other errors (bad URL, protocol misuse) fail."""
    detail = redact_text(str(exc)) or "no detail"
    reason = f"{type(exc).__name__}: {detail}"
    action = Action.RETRY if isinstance(exc, _RETRYABLE_ERRORS) else Action.FAIL
    return Resolution(action, reason, message=detail)
