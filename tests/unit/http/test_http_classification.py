"""Classification as data, Retry-After parsing and backoff bounds."""

from __future__ import annotations

import math
import random
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from syncd.http import (
    MALFORMED,
    Action,
    BodyRule,
    ManualClock,
    ResponseClassifier,
    RetryPolicy,
    classify_exception,
    default_error_fields,
    json_code_in,
    parse_retry_after,
)

NOW = datetime(2025, 3, 1, 12, 0, 0, tzinfo=UTC)


def response(status: int, body: bytes = b"", headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.Response(status, content=body, headers=headers)


@pytest.mark.parametrize(
    ("status", "action"),
    [
        (200, Action.SUCCESS),
        (201, Action.SUCCESS),
        (204, Action.SUCCESS),
        (301, Action.FAIL),
        (400, Action.FAIL),
        (401, Action.REFRESH_AUTH),
        (403, Action.FAIL),
        (404, Action.FAIL),
        (408, Action.RETRY),
        (422, Action.FAIL),
        (425, Action.RETRY),
        (429, Action.RATE_LIMITED),
        (500, Action.RETRY),
        (502, Action.RETRY),
        (503, Action.RETRY),
        (504, Action.RETRY),
        (507, Action.RETRY),
    ],
)
def test_default_status_mapping(status: int, action: Action) -> None:
    assert ResponseClassifier().classify(response(status), now=NOW).action is action


def test_status_mapping_can_be_overridden_per_platform() -> None:
    classifier = ResponseClassifier(status_actions={401: Action.FAIL, 409: Action.RETRY})

    assert classifier.action_for_status(401) is Action.FAIL
    assert classifier.action_for_status(409) is Action.RETRY
    assert classifier.action_for_status(429) is Action.RATE_LIMITED  # defaults kept


def test_rules_apply_in_order_and_only_to_their_statuses() -> None:
    classifier = ResponseClassifier(
        rules=[
            BodyRule(Action.RATE_LIMITED, json_code_in(36009002, "THROTTLED"), "throttled"),
            BodyRule(Action.RETRY, json_code_in(36009003), "internal", statuses=frozenset({200})),
            BodyRule(Action.FAIL, json_code_in(36009002, 36009003), "never reached for 36009002"),
        ]
    )

    throttled = classifier.classify(response(200, b'{"code": 36009002, "message": "slow down"}'), now=NOW)
    internal = classifier.classify(response(200, b'{"code": 36009003}'), now=NOW)
    internal_on_400 = classifier.classify(response(400, b'{"code": 36009003}'), now=NOW)
    graphql = classifier.classify(response(200, b'{"code": "THROTTLED"}'), now=NOW)

    assert (throttled.action, throttled.code, throttled.message) == (Action.RATE_LIMITED, "36009002", "slow down")
    assert throttled.reason == "HTTP 200: throttled"
    assert internal.action is Action.RETRY
    assert internal_on_400.action is Action.FAIL
    assert internal_on_400.reason == "HTTP 400: never reached for 36009002"
    assert graphql.action is Action.RATE_LIMITED


def test_nested_json_code_path() -> None:
    throttled = json_code_in("THROTTLED", path="errors.0.extensions.code")

    assert throttled({"errors": [{"message": "Throttled", "extensions": {"code": "THROTTLED"}}]})
    assert not throttled({"errors": []})
    assert not throttled(MALFORMED)
    assert not throttled(None)


def test_malformed_body_reaches_predicates_as_malformed() -> None:
    seen: list[Any] = []

    def record(body: Any) -> bool:
        seen.append(body)
        return False

    classifier = ResponseClassifier(rules=[BodyRule(Action.RETRY, record, "x")])

    classifier.classify(response(200, b"<html>oops"), now=NOW)
    classifier.classify(response(200, b""), now=NOW)
    classifier.classify(response(200, b'{"a": 1}'), now=NOW)

    assert seen == [MALFORMED, None, {"a": 1}]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"code": 36009004, "message": "invalid param error"}, ("36009004", "invalid param error")),
        (
            {"code": "woocommerce_rest_invalid_id", "message": "Invalid ID.", "data": {"status": 404}},
            ("woocommerce_rest_invalid_id", "Invalid ID."),
        ),
        ({"errors": "[API] Invalid API key"}, (None, "[API] Invalid API key")),
        ({"errors": [{"message": "Field 'x' doesn't exist"}]}, (None, "Field 'x' doesn't exist")),
        ({"error": "invalid_grant", "error_description": "expired"}, (None, "expired")),
        ([1, 2], (None, None)),
        (MALFORMED, (None, None)),
    ],
)
def test_default_error_fields(body: Any, expected: tuple[str | None, str | None]) -> None:
    assert default_error_fields(body) == expected


def test_error_message_is_shortened() -> None:
    _, message = default_error_fields({"message": "x" * 5000})
    assert message == "x" * 500


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("7", 7.0),
        ("2.0", 2.0),
        (" 0 ", 0.0),
        (format_datetime(NOW + timedelta(seconds=30), usegmt=True), 30.0),
        (format_datetime(NOW - timedelta(seconds=30), usegmt=True), 0.0),
        ("Sat, 01 Mar 2025 12:01:00", 60.0),  # no zone: read as UTC
        ("-3", None),
        ("nan", None),
        ("inf", None),
        ("soon", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_retry_after(value: str | None, expected: float | None) -> None:
    assert parse_retry_after(value, NOW) == expected


def test_retry_after_is_carried_on_failures_only() -> None:
    classifier = ResponseClassifier()
    hint = {"Retry-After": "3"}

    assert classifier.classify(response(503, headers=hint), now=NOW).retry_after == 3.0
    assert classifier.classify(response(429, headers=hint), now=NOW).retry_after == 3.0
    assert classifier.classify(response(200, headers=hint), now=NOW).retry_after is None


@pytest.mark.parametrize(
    ("exc", "action"),
    [
        (httpx.ReadTimeout("timed out"), Action.RETRY),
        (httpx.ConnectTimeout("timed out"), Action.RETRY),
        (httpx.PoolTimeout("timed out"), Action.RETRY),
        (httpx.ConnectError("refused"), Action.RETRY),
        (httpx.ReadError("reset"), Action.RETRY),
        (httpx.RemoteProtocolError("Server disconnected without sending a response."), Action.RETRY),
        (httpx.UnsupportedProtocol("Request URL is missing an 'http://' or 'https://' protocol."), Action.FAIL),
        (httpx.LocalProtocolError("bad header"), Action.FAIL),
    ],
)
def test_classify_exception(exc: Exception, action: Action) -> None:
    resolution = classify_exception(exc)
    assert resolution.action is action
    assert resolution.reason.startswith(type(exc).__name__)


def test_exception_reason_is_redacted() -> None:
    resolution = classify_exception(httpx.ConnectError("failed for /x?access_token=abcdef&page=2"))
    assert "abcdef" not in resolution.reason
    assert "page=2" in resolution.reason


def test_backoff_without_jitter_doubles_up_to_the_cap() -> None:
    policy = RetryPolicy(base_delay=0.5, max_delay=5.0, jitter=False, clock=ManualClock())
    assert [policy.backoff(n) for n in range(1, 7)] == [0.5, 1.0, 2.0, 4.0, 5.0, 5.0]


def test_policy_rejects_nonsense() -> None:
    with pytest.raises(ValueError, match="max_attempts"):
        RetryPolicy(max_attempts=0)
    with pytest.raises(ValueError, match="negative"):
        RetryPolicy(base_delay=-1)


@given(
    base_delay=st.floats(0, 100),
    max_delay=st.floats(0, 1000),
    attempt=st.integers(1, 10_000),
    retry_after=st.none() | st.floats(allow_nan=True, allow_infinity=True),
    remaining=st.floats(-100, 1e7),
    jitter=st.booleans(),
    seed=st.integers(0, 2**32),
)
def test_delay_is_never_negative_above_max_or_beyond_budget(
    base_delay: float,
    max_delay: float,
    attempt: int,
    retry_after: float | None,
    remaining: float,
    jitter: bool,
    seed: int,
) -> None:
    policy = RetryPolicy(
        base_delay=base_delay, max_delay=max_delay, jitter=jitter, rng=random.Random(seed), clock=ManualClock()
    )

    delay = policy.delay(attempt, retry_after=retry_after, remaining=remaining)

    assert math.isfinite(delay)
    assert 0.0 <= delay <= max_delay
    assert delay <= max(remaining, 0.0)
    if retry_after is not None and 0 <= retry_after <= min(max_delay, remaining):
        assert delay == retry_after  # a usable hint is honoured exactly
