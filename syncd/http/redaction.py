"""Keeps secrets out of logs and error messages: URL query values, headers, and known secret values.

Redaction has to happen before a URL is logged, not in the auth layer: httpx runs event hooks after auth, so
the URL a hook sees already carries the signature and token.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable, Mapping
from urllib.parse import quote, unquote_plus, urlsplit, urlunsplit

import httpx
from pydantic import SecretStr

MASK = "***"

SENSITIVE_QUERY_PARAMS = frozenset(
    {
        "access_token",
        "refresh_token",
        "sign",
        "signature",
        "sig",
        "app_secret",
        "client_secret",
        "consumer_key",
        "consumer_secret",
        "code",
        "auth_code",
        "password",
        "oauth_signature",
        "oauth_consumer_key",
        "oauth_token",
        "key",
        "secret",
        "token",
        "api_key",
        "apikey",
        "hmac",
    }
)
# Names that are not listed but look like credentials (`shop_secret`, `x_api_key`, `id_token`, ...).
# Deliberately narrow: `page_token` and `app_key` are not secrets and are useful in logs.
_SENSITIVE_QUERY_PATTERN = re.compile(
    r"(secret|passw|api_?key|private_?key|signature|access_?token|refresh_?token|auth_?token|id_token)",
    re.IGNORECASE,
)

SENSITIVE_HEADERS = frozenset(
    {
        "authorization",
        "proxy-authorization",
        "x-tts-access-token",
        "x-shopify-access-token",
        "x-shopify-hmac-sha256",
        "x-wc-webhook-signature",
        "cookie",
        "set-cookie",
    }
)
_SENSITIVE_HEADER_PATTERN = re.compile(r"(token|secret|signature|api-key|apikey|hmac|password)", re.IGNORECASE)


def is_sensitive_param(name: str) -> bool:
    """True if a query parameter with this name may carry a credential."""
    lowered = name.lower()
    return lowered in SENSITIVE_QUERY_PARAMS or bool(_SENSITIVE_QUERY_PATTERN.search(lowered))


def is_sensitive_header(name: str) -> bool:
    """True if a header with this name may carry a credential."""
    lowered = name.lower()
    return lowered in SENSITIVE_HEADERS or bool(_SENSITIVE_HEADER_PATTERN.search(lowered))


def _redact_query(query: str) -> str:
    parts = []
    for part in query.split("&"):
        name, sep, _value = part.partition("=")
        if sep and is_sensitive_param(unquote_plus(name)):
            part = f"{name}={MASK}"
        parts.append(part)
    return "&".join(parts)


def redact_url(url: httpx.URL | str) -> str:
    """The URL with credential query values and any userinfo password replaced by `***`."""
    split = urlsplit(str(url))
    netloc = split.netloc
    if "@" in netloc:
        userinfo, _, host = netloc.rpartition("@")
        user, has_password, _password = userinfo.partition(":")
        netloc = f"{user}:{MASK}@{host}" if has_password else netloc
    query = _redact_query(split.query) if split.query else split.query
    return urlunsplit((split.scheme, netloc, split.path, query, split.fragment))


# A query parameter anywhere in free text (an exception message, httpx's own request log line).
_QUERY_PARAM_IN_TEXT = re.compile(r"(?P<lead>[?&])(?P<name>[^=&?#\s\"'<>]+)=(?P<value>[^&#\s\"'<>]*)")


def redact_query_params_in_text(text: str) -> str:
    """`text` with the value of every sensitive `?name=value` / `&name=value` pair replaced by `***`."""

    def _replace(match: re.Match[str]) -> str:
        if is_sensitive_param(unquote_plus(match["name"])):
            return f"{match['lead']}{match['name']}={MASK}"
        return match[0]

    return _QUERY_PARAM_IN_TEXT.sub(_replace, text)


def redact_headers(headers: httpx.Headers | Mapping[str, str]) -> dict[str, str]:
    """A plain dict of the headers with credential values replaced by `***` (repeated names are joined)."""
    return {name: MASK if is_sensitive_header(name) else value for name, value in httpx.Headers(headers).items()}


class SecretRegistry:
    """A set of secret values to scrub from any text; thread-safe."""

    # Shorter values would mangle ordinary words in every log line; real credentials are far longer.
    MIN_LENGTH = 4

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._values: set[str] = set()
        self._pattern: re.Pattern[str] | None = None

    def register(self, value: str | SecretStr | None) -> None:
        """Scrub `value` (and its URL-encoded form) from now on; empty or very short values are ignored."""
        raw = value.get_secret_value() if isinstance(value, SecretStr) else value
        if not raw or len(raw) < self.MIN_LENGTH:
            return
        with self._lock:
            self._values.update({raw, quote(raw, safe="")})
            self._rebuild()

    def forget(self, value: str | SecretStr) -> None:
        """Stop scrubbing `value` (a rotated token, or a test cleaning up)."""
        raw = value.get_secret_value() if isinstance(value, SecretStr) else value
        with self._lock:
            self._values.difference_update({raw, quote(raw, safe="")})
            self._rebuild()

    def clear(self) -> None:
        """Forget every value."""
        with self._lock:
            self._values.clear()
            self._pattern = None

    def _rebuild(self) -> None:
        # Longest first, so a secret that contains another is masked whole.
        ordered = sorted(self._values, key=len, reverse=True)
        self._pattern = re.compile("|".join(re.escape(v) for v in ordered)) if ordered else None

    def redact(self, text: str) -> str:
        """`text` with every registered value replaced by `***`."""
        pattern = self._pattern
        return pattern.sub(MASK, text) if pattern is not None else text


_SECRETS = SecretRegistry()


def register_secret(value: str | SecretStr | None) -> None:
    """Add a value to the process-wide registry the log filter and error messages scrub."""
    _SECRETS.register(value)


def forget_secret(value: str | SecretStr) -> None:
    """Remove a value from the process-wide registry."""
    _SECRETS.forget(value)


def secret_registry() -> SecretRegistry:
    """The process-wide registry."""
    return _SECRETS


def redact_text(text: str, registry: SecretRegistry | None = None) -> str:
    """`text` with registered secrets and sensitive query values masked; use it on anything shown or logged."""
    return redact_query_params_in_text((registry or _SECRETS).redact(text))


# Attributes every LogRecord has; anything else came in through `extra=` and is scrubbed too.
_STANDARD_RECORD_ATTRS = frozenset(logging.makeLogRecord({}).__dict__) | {"message", "asctime"}


class SecretRedactingFilter(logging.Filter):
    """Masks registered secrets and credential query values in each record; attach it to every handler.

    A filter on a handler sees records from all loggers; one on a logger sees only records created there.
    """

    def __init__(self, registry: SecretRegistry | None = None) -> None:
        super().__init__()
        self._registry = registry  # None: the process-wide registry

    def _redact(self, text: str) -> str:
        return redact_text(text, self._registry)

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the record in place; never drops it."""
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            # A broken format string: let logging report it, but scrub the raw parts first.
            record.msg = self._redact(str(record.msg))
            record.args = _redact_args(record.args, self._redact)
            return True
        redacted = self._redact(message)
        if redacted != message:
            # Bake the formatted message so no argument still carries the secret.
            record.msg, record.args = redacted, None
        text = record.exc_text
        if not text and record.exc_info:
            text = logging.Formatter().formatException(record.exc_info)
        if text:
            redacted_exc = self._redact(text)
            if redacted_exc != text:
                # Drop the live exception so no formatter can render the secret from it again.
                record.exc_text, record.exc_info = redacted_exc, None
        if record.stack_info:
            record.stack_info = self._redact(record.stack_info)
        for name, value in list(record.__dict__.items()):
            if name not in _STANDARD_RECORD_ATTRS and isinstance(value, str):
                setattr(record, name, self._redact(value))
        return True


def _redact_args(args: object, redact: Callable[[str], str]) -> tuple[object, ...] | Mapping[str, object] | None:
    if isinstance(args, Mapping):
        return {k: redact(v) if isinstance(v, str) else v for k, v in args.items()}
    if isinstance(args, tuple):
        return tuple(redact(a) if isinstance(a, str) else a for a in args)
    return None
