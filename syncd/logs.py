"""Logging set-up: JSON lines for containers, text for terminals, secrets scrubbed from every record."""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any, TextIO

# Attributes every LogRecord has; anything else was passed through `extra=` and belongs in the JSON line.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime", "taskName"}


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, extra fields, exception."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                entry[key] = value
        # The secret filter may have replaced exc_info with a scrubbed exc_text; prefer that.
        if record.exc_text:
            entry["exception"] = record.exc_text
        elif record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    """Human-readable lines with extra fields appended as key=value."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)-7s %(name)s: %(message)s", "%Y-%m-%d %H:%M:%S")

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        extras = [f"{k}={v}" for k, v in vars(record).items() if k not in _STANDARD and not k.startswith("_")]
        return f"{line} {' '.join(extras)}" if extras else line


def configure_logging(level: str = "INFO", fmt: str = "auto", stream: TextIO | None = None) -> None:
    """Route the root logger to `stream` (stderr) in the chosen format, with the secret filter attached."""
    from syncd.http.redaction import SecretRedactingFilter

    target = stream or sys.stderr
    use_json = fmt == "json" or (fmt == "auto" and not target.isatty())
    handler = logging.StreamHandler(target)
    handler.setFormatter(JsonFormatter() if use_json else TextFormatter())
    # On the handler, not a logger: handler filters see records from every logger that propagates here.
    handler.addFilter(SecretRedactingFilter())
    root = logging.getLogger()
    for existing in list(root.handlers):
        if getattr(existing, "_syncd", False):
            root.removeHandler(existing)
    handler._syncd = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level)
    # httpx logs full URLs (with `sign`) at INFO; our own hook logs a redacted line instead.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    # Alembic narrates every context it sets up at INFO; syncd reports migrations itself.
    logging.getLogger("alembic").setLevel(logging.WARNING)
