"""One webhook delivery: verified on the raw bytes, read, stored in the inbox once, and answered at once (DESIGN 2.3).

The answer never waits for the work: the inbox worker acts on stored deliveries in the background. What is
stored is what the worker needs to read the delivery again (the body and the headers that name the topic),
never the signature: a signature is a credential-derived value and has no use once verified.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from sqlalchemy.exc import SQLAlchemyError

from syncd.domain import WebhookNotice
from syncd.errors import RecordError, SyncError
from syncd.http.clock import Clock, SystemClock
from syncd.runtime import Runtime
from syncd.store import inbox
from syncd.store.engine import session_scope
from syncd.store.enums import InboxStatus
from syncd.web.metrics import Metrics
from syncd.web.sources import WebhookSources

log = logging.getLogger("syncd.web")

# Header names containing any of these are dropped before a delivery is stored.
SENSITIVE_HEADER_PARTS = ("authorization", "signature", "hmac", "token", "secret", "cookie", "api-key", "apikey")
MALFORMED_PREFIX = "malformed:"  # event id of a verified delivery that could not be read (sha256 of its body)
UNKNOWN = "unknown"  # metrics label of a path no channel receives on, so stray requests add no label values
TOPIC_LENGTH = 128  # the inbox's topic column


@dataclass(frozen=True, slots=True)
class Reply:
    """The HTTP answer to a delivery."""

    status: int
    body: dict[str, str] = field(default_factory=dict)


def kept_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """The headers worth storing: every one except signatures, tokens and cookies."""
    return {
        name: value
        for name, value in headers.items()
        if not any(part in name.lower() for part in SENSITIVE_HEADER_PARTS)
    }


class Receiver:
    """Verifies, reads and stores deliveries; `on_stored` is told each time a new one is in the inbox."""

    def __init__(
        self,
        runtime: Runtime,
        sources: WebhookSources,
        metrics: Metrics,
        *,
        on_stored: Callable[[], None] | None = None,
        clock: Clock | None = None,
    ) -> None:
        self._runtime = runtime
        self._sources = sources
        self._metrics = metrics
        self._on_stored = on_stored or (lambda: None)
        self._clock: Clock = clock or SystemClock()

    def too_large(self, name: str, limit: int) -> Reply:
        """Count and answer a delivery refused for its size, before its body was read."""
        provider = name if self._sources.at(name) else UNKNOWN
        self._metrics.webhooks_received.labels(provider).inc()
        return self._reject(provider, "too_large", Reply(413, {"error": f"the body is larger than {limit} bytes"}))

    def deliver(self, name: str, body: bytes, headers: Mapping[str, str]) -> Reply:
        """Handle one delivery to `/webhooks/<name>`; `headers` have lower-case names."""
        candidates = self._sources.at(name)
        provider = name if candidates else UNKNOWN
        self._metrics.webhooks_received.labels(provider).inc()
        if not candidates:
            return self._reject(provider, "unknown", Reply(404, {"error": f"no channel receives {name} webhooks"}))
        # Several stores of one platform share the path: the delivery is theirs whose secret signed it.
        verified = next(
            ((channel, source) for channel, source in candidates if source.verify_webhook(body, headers)), None
        )
        if verified is None:
            log.info("%s webhook rejected: the signature does not verify", name)
            return self._reject(provider, "signature", Reply(401, {"error": "the signature does not verify"}))
        channel, source = verified
        try:
            notice = source.parse_webhook(body, headers)
        except (ValueError, RecordError) as exc:
            return self._malformed(provider, channel, body, headers, str(exc))
        except SyncError as exc:
            # The connector needed the platform to read it (TikTok learns its shop id once): let it redeliver.
            log.warning("%s webhook for %s could not be read now: %s", name, channel, exc)
            return self._reject(provider, "unavailable", Reply(503, {"error": "cannot read the delivery now; retry"}))
        return self._store(provider, channel, notice, body, headers)

    def _store(
        self, provider: str, channel: str, notice: WebhookNotice, body: bytes, headers: Mapping[str, str]
    ) -> Reply:
        try:
            with session_scope(self._runtime.engine) as session:
                _, new = inbox.receive(
                    session,
                    channel,
                    notice.event_id,
                    notice.topic[:TOPIC_LENGTH],
                    body,
                    kept_headers(headers),
                    now=self._clock.now(),
                )
        except (SQLAlchemyError, SyncError) as exc:
            # Not stored, so not answered 200: the platform delivers it again later.
            log.error("webhook %s for %s not stored: %s", notice.event_id, channel, type(exc).__name__)
            return self._reject(provider, "unavailable", Reply(503, {"error": "the inbox is unavailable; retry"}))
        if not new:
            self._metrics.webhooks_duplicate.labels(provider).inc()
            log.debug("webhook %s for %s is a redelivery", notice.event_id, channel)
            return Reply(200, {"status": "duplicate"})
        log.debug("webhook %s (%s) for %s stored", notice.event_id, notice.topic, channel)
        self._on_stored()
        return Reply(200, {"status": "accepted"})

    def _malformed(self, provider: str, channel: str, body: bytes, headers: Mapping[str, str], problem: str) -> Reply:
        """Answer 400 naming the problem, and keep the delivery as failed, for the record."""
        message = f"malformed {provider} webhook: {problem}"
        log.warning("%s (channel %s)", message, channel)
        event_id = MALFORMED_PREFIX + hashlib.sha256(body).hexdigest()
        try:
            with session_scope(self._runtime.engine) as session:
                inbox_id, new = inbox.receive(
                    session, channel, event_id, "malformed", body, kept_headers(headers), now=self._clock.now()
                )
                if new and inbox.claim(session, inbox_id, now=self._clock.now()):
                    inbox.mark_status(session, inbox_id, InboxStatus.FAILED, error=message, now=self._clock.now())
        except (SQLAlchemyError, SyncError) as exc:
            log.error("malformed webhook for %s not recorded: %s", channel, type(exc).__name__)
        return self._reject(provider, "malformed", Reply(400, {"error": message}))

    def _reject(self, provider: str, reason: str, reply: Reply) -> Reply:
        self._metrics.webhooks_rejected.labels(provider, reason).inc()
        return reply
