"""Webhook deliveries from the emulator: signed POSTs of the §7 envelope, sent by a background thread.

State changes enqueue a delivery and return at once, as the platform does; tests call `wait()` to block
until everything queued so far has been attempted, instead of sleeping.
"""

from __future__ import annotations

import json
import logging
import queue
import threading
from dataclasses import dataclass
from typing import Any

import httpx

from connectors.tiktok_shop.fake.signing import webhook_signature

logger = logging.getLogger("connectors.tiktok_shop.fake")

# Subscription names (§4.2 / §7) and the `type` number each delivery carries.
EVENT_TYPES: dict[str, int] = {
    "ORDER_STATUS_CHANGE": 1,
    "REVERSE_STATUS_UPDATE": 2,
    "RECIPIENT_ADDRESS_UPDATE": 3,
    "PACKAGE_UPDATE": 4,
    "PRODUCT_STATUS_CHANGE": 5,
    "SELLER_DEAUTHORIZATION": 6,
    "UPCOMING_AUTHORIZATION_EXPIRATION": 7,
    "CANCELLATION_STATUS_CHANGE": 11,
    "RETURN_STATUS_CHANGE": 12,
    "NEW_CONVERSATION": 13,
    "NEW_MESSAGE": 14,
    "PRODUCT_INFORMATION_CHANGE": 15,
    "PRODUCT_CREATION": 16,
    "PRODUCT_CATEGORY_CHANGE": 18,
    "NEW_MESSAGE_LISTENER": 33,
    "INVOICE_STATUS_CHANGE": 36,
    "PRODUCT_AUDIT_STATUS_CHANGE": 37,
}


@dataclass(slots=True)
class Delivery:
    """One webhook POST: what was sent and how the receiver answered (status None: it could not be reached)."""

    event_type: str
    address: str
    body: bytes
    signature: str
    status: int | None = None
    error: str | None = None

    @property
    def payload(self) -> Any:
        """The delivered envelope, parsed."""
        return json.loads(self.body)


class WebhookDispatcher:
    """Sends deliveries one at a time from a daemon thread, in the order they were queued."""

    def __init__(self, app_key: str, app_secret: str, *, timeout: float = 5.0) -> None:
        self._app_key = app_key
        self._app_secret = app_secret
        self._timeout = timeout
        self._queue: queue.Queue[Delivery | None] = queue.Queue()
        self._lock = threading.Lock()
        self._idle = threading.Condition(self._lock)
        self._pending = 0
        self._thread: threading.Thread | None = None
        self.deliveries: list[Delivery] = []

    def enqueue(self, event_type: str, address: str, envelope: dict[str, Any]) -> Delivery:
        """Sign `envelope` and queue it for `address`; returns the (not yet sent) delivery."""
        body = json.dumps(envelope, separators=(",", ":")).encode()
        delivery = Delivery(event_type, address, body, webhook_signature(self._app_key, self._app_secret, body))
        with self._lock:
            self._pending += 1
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="fake-tiktok-webhooks", daemon=True)
                self._thread.start()
        self._queue.put(delivery)
        return delivery

    def wait(self, timeout: float = 5.0) -> bool:
        """Block until every queued delivery has been attempted; False if `timeout` (real seconds) ran out."""
        with self._idle:
            return self._idle.wait_for(lambda: self._pending == 0, timeout)

    def close(self) -> None:
        """Stop the sending thread after the deliveries already queued."""
        with self._lock:
            thread, self._thread = self._thread, None
        if thread is not None:
            self._queue.put(None)
            thread.join()

    def _run(self) -> None:
        with httpx.Client(timeout=self._timeout) as client:
            while (delivery := self._queue.get()) is not None:
                self._send(client, delivery)
                with self._idle:
                    self.deliveries.append(delivery)
                    self._pending -= 1
                    self._idle.notify_all()

    def _send(self, client: httpx.Client, delivery: Delivery) -> None:
        headers = {"Content-Type": "application/json", "Authorization": delivery.signature}
        try:
            response = client.post(delivery.address, content=delivery.body, headers=headers)
            delivery.status = response.status_code
        except httpx.HTTPError as exc:  # the receiver is down: record it, as the platform would retry later
            delivery.error = type(exc).__name__
            logger.debug("webhook delivery of %s failed: %s", delivery.event_type, delivery.error)
