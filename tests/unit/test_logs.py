"""Log set-up: JSON lines with extra fields, text lines, and registered secrets scrubbed everywhere."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest

from syncd.http.redaction import register_secret
from syncd.logs import configure_logging


@pytest.fixture
def restore_root() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


def test_json_lines_carry_extra_fields(restore_root: None) -> None:
    stream = io.StringIO()
    configure_logging("INFO", "json", stream)
    logging.getLogger("syncd.test").info("pushed %d units", 5, extra={"sku": "SKU-1", "channel": "tiktok"})
    entry = json.loads(stream.getvalue().splitlines()[-1])
    assert entry["message"] == "pushed 5 units"
    assert entry["level"] == "info"
    assert entry["logger"] == "syncd.test"
    assert entry["sku"] == "SKU-1"
    assert entry["channel"] == "tiktok"
    assert entry["time"].endswith("+00:00")


def test_text_format_and_level(restore_root: None) -> None:
    stream = io.StringIO()
    configure_logging("WARNING", "text", stream)
    logging.getLogger("syncd.test").info("hidden")
    logging.getLogger("syncd.test").warning("shown", extra={"order": "576"})
    output = stream.getvalue()
    assert "hidden" not in output
    assert "WARNING syncd.test: shown order=576" in output


def test_auto_is_json_when_not_a_terminal(restore_root: None) -> None:
    stream = io.StringIO()
    configure_logging("INFO", "auto", stream)
    logging.getLogger("syncd.test").info("hello")
    assert json.loads(stream.getvalue())["message"] == "hello"


def test_registered_secrets_never_reach_the_output(restore_root: None) -> None:
    stream = io.StringIO()
    configure_logging("DEBUG", "json", stream)
    register_secret("very-secret-token-123")
    log = logging.getLogger("some.library")
    log.debug("token is very-secret-token-123")
    log.info("args: %s", "very-secret-token-123")
    try:
        raise RuntimeError("failed with very-secret-token-123")
    except RuntimeError:
        log.exception("boom")
    output = stream.getvalue()
    assert "very-secret-token-123" not in output
    assert output.count("***") >= 3


def test_reconfiguring_replaces_the_handler(restore_root: None) -> None:
    first, second = io.StringIO(), io.StringIO()
    configure_logging("INFO", "json", first)
    configure_logging("INFO", "json", second)
    logging.getLogger("syncd.test").info("once")
    assert first.getvalue() == ""
    assert second.getvalue().count("once") == 1
