"""The emulator's webhooks: `/webhooks` records, and delivery in a background thread as WooCommerce sends them.

On creation an active webhook gets the unsigned form ping `webhook_id=<id>`. Each change then POSTs the
resource's REST representation, JSON-encoded the way PHP's `json_encode` does it (slashes escaped), signed
with base64(HMAC-SHA256(secret, body)) in `X-WC-Webhook-Signature`, with the other `X-WC-Webhook-*` headers.
Success is 2xx (or 301/302); after more than five failures in a row a webhook is disabled. Tests wait for
deliveries with `wait_for`, a condition, not a sleep.
"""

from __future__ import annotations

import hashlib
import json
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import httpx

from connectors.woocommerce.fake_state import Ids, Stamps, StoreError
from connectors.woocommerce.webhooks import sign_webhook

TOPIC_HOOKS = {
    "product.created": ["woocommerce_new_product"],
    "product.updated": ["woocommerce_update_product", "woocommerce_update_product_variation"],
    "product.deleted": ["woocommerce_delete_product", "woocommerce_trash_product"],
    "product.restored": ["untrashed_post"],
    "order.created": ["woocommerce_new_order"],
    "order.updated": ["woocommerce_update_order", "woocommerce_order_refunded"],
    "order.deleted": ["woocommerce_delete_order", "woocommerce_trash_order"],
    "order.restored": ["untrashed_post"],
}
MAX_FAILURES = 5
STATUSES = ("active", "paused", "disabled")
USER_AGENT = "WooCommerce/9.4.0 Hookshot (WordPress/6.7.1)"


def php_json(payload: Any) -> bytes:
    """JSON as `wp_json_encode` writes it: compact, non-ASCII escaped, `/` escaped as `\\/`."""
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=True, default=str).replace("/", "\\/").encode()


def _checked_topic(raw: Any) -> str:
    topic = str(raw or "").lower()
    if topic not in TOPIC_HOOKS and not topic.startswith("action."):
        raise StoreError("woocommerce_rest_shop_webhook_invalid_topic", "Webhook topic is required and must be valid.")
    return topic


def _checked_url(raw: Any) -> str:
    url = str(raw or "")
    if not url.startswith(("http://", "https://")):
        message = "Webhook delivery URL must be a valid URL starting with http:// or https://."
        raise StoreError("woocommerce_rest_shop_webhook_invalid_delivery_url", message)
    return url


@dataclass(frozen=True, slots=True)
class Delivery:
    """One POST to a delivery URL and how it went."""

    webhook_id: int
    topic: str
    url: str
    body: bytes
    headers: dict[str, str]
    ping: bool
    status: int | None
    error: str | None = None

    @property
    def ok(self) -> bool:
        """WooCommerce counts 2xx, 301 and 302 as delivered."""
        return self.status is not None and (200 <= self.status < 300 or self.status in (301, 302))


@dataclass
class _Hook:
    doc: dict[str, Any]
    secret: str
    created: datetime
    failures: int = 0
    sent: int = 0
    history: list[Delivery] = field(default_factory=list)


class WebhookHub:
    """Webhook records and their delivery worker; `publish` is called with the store's lock held."""

    def __init__(self, stamps: Stamps, store_url: Callable[[], str], *, timeout: float = 5.0) -> None:
        self.stamps = stamps
        self._store_url = store_url
        self.hooks: dict[int, _Hook] = {}
        self.deliveries: list[Delivery] = []
        self._ids = Ids(start=0)
        self._timeout = timeout
        self._jobs: queue.Queue[Callable[[], Delivery] | None] = queue.Queue()
        self._done = threading.Condition()
        self._thread: threading.Thread | None = None

    @property
    def store_url(self) -> str:
        """The store's home URL, sent as `X-WC-Webhook-Source`."""
        return self._store_url()

    # -- records ---------------------------------------------------------------------------------------

    def create(self, body: Any) -> dict[str, Any]:
        """`POST /webhooks`; an active webhook is pinged at once."""
        if not isinstance(body, dict):
            raise StoreError("rest_invalid_json", "Invalid JSON body passed.", 400)
        topic = _checked_topic(body.get("topic"))
        url = _checked_url(body.get("delivery_url"))
        hook_id = self._ids.next()
        stamp = self.stamps.next()
        resource, _, event = topic.partition(".")
        doc = {
            "id": hook_id,
            "name": str(body.get("name") or f"Webhook created on {stamp:%B %d, %Y @ %I:%M %p}"),
            "status": str(body.get("status") or "active"),
            "topic": topic,
            "resource": resource,
            "event": event,
            "hooks": TOPIC_HOOKS.get(topic, [event]),
            "delivery_url": url,
        }
        # WooCommerce makes up a secret when none is given.
        secret = str(body.get("secret") or hashlib.md5(f"{hook_id}{stamp}".encode()).hexdigest())  # noqa: S324
        self.hooks[hook_id] = _Hook(doc, secret, stamp)
        if doc["status"] == "active":
            self._enqueue(hook_id, "ping", f"webhook_id={hook_id}".encode(), ping=True)
        return self.render(hook_id)

    def update(self, hook_id: int, body: Any) -> dict[str, Any]:
        """`PUT /webhooks/<id>`: change name, status, topic, delivery URL or secret; no ping is sent.

        Setting a disabled webhook `active` clears its failure count, as re-enabling it in the admin does.
        """
        hook = self.get(hook_id)
        if not isinstance(body, dict):
            raise StoreError("rest_invalid_json", "Invalid JSON body passed.", 400)
        status = body.get("status", hook.doc["status"])
        if status not in STATUSES:
            raise StoreError("rest_invalid_param", f"Invalid parameter(s): status (one of {', '.join(STATUSES)})")
        topic = _checked_topic(body.get("topic", hook.doc["topic"]))
        url = _checked_url(body.get("delivery_url", hook.doc["delivery_url"]))
        if status == "active" and hook.doc["status"] != "active":
            hook.failures = 0
        resource, _, event = topic.partition(".")
        hook.doc.update(
            name=str(body.get("name", hook.doc["name"])),
            status=status,
            topic=topic,
            resource=resource,
            event=event,
            hooks=TOPIC_HOOKS.get(topic, [event]),
            delivery_url=url,
        )
        if body.get("secret"):
            hook.secret = str(body["secret"])
        return self.render(hook_id)

    def render(self, hook_id: int) -> dict[str, Any]:
        """A webhook as the REST API shows it (the secret is not shown)."""
        hook = self.get(hook_id)
        return {
            **hook.doc,
            **self.stamps.fields("date_created", hook.created),
            **self.stamps.fields("date_modified", hook.created),
            "_links": {"self": [{"href": f"{self.store_url}/wp-json/wc/v3/webhooks/{hook_id}"}]},
        }

    def get(self, hook_id: int) -> _Hook:
        """The webhook, or WooCommerce's 404."""
        hook = self.hooks.get(hook_id)
        if hook is None:
            raise StoreError("woocommerce_rest_shop_webhook_invalid_id", "Invalid ID.", 404)
        return hook

    def delete(self, hook_id: int) -> dict[str, Any]:
        """Remove a webhook; returns its last representation."""
        shown = self.render(hook_id)
        del self.hooks[hook_id]
        return shown

    # -- delivery --------------------------------------------------------------------------------------

    def publish(self, topic: str, payload: dict[str, Any]) -> None:
        """Queue a delivery of `payload` to every active webhook on `topic`."""
        for hook_id, hook in self.hooks.items():
            if hook.doc["status"] == "active" and hook.doc["topic"] == topic:
                self._enqueue(hook_id, topic, php_json(payload), ping=False)

    def _enqueue(self, hook_id: int, topic: str, body: bytes, *, ping: bool) -> None:
        hook = self.hooks[hook_id]
        hook.sent += 1
        url = hook.doc["delivery_url"]
        if ping:
            headers = {"Content-Type": "application/x-www-form-urlencoded", "User-Agent": USER_AGENT}
        else:
            resource, _, event = topic.partition(".")
            delivery_id = hashlib.sha256(f"{hook_id}:{hook.sent}:{self.store_url}".encode()).hexdigest()[:32]
            headers = {
                "Content-Type": "application/json",
                "User-Agent": USER_AGENT,
                "X-WC-Webhook-Source": self.store_url + "/",
                "X-WC-Webhook-Topic": topic,
                "X-WC-Webhook-Resource": resource,
                "X-WC-Webhook-Event": event,
                "X-WC-Webhook-Signature": sign_webhook(hook.secret, body),
                "X-WC-Webhook-ID": str(hook_id),
                "X-WC-Webhook-Delivery-ID": delivery_id,
            }
        self._ensure_worker()
        self._jobs.put(lambda: self._post(hook_id, topic, url, body, headers, ping))

    def _post(self, hook_id: int, topic: str, url: str, body: bytes, headers: dict[str, str], ping: bool) -> Delivery:
        try:
            status = httpx.post(url, content=body, headers=headers, timeout=self._timeout).status_code
            delivery = Delivery(hook_id, topic, url, body, headers, ping, status)
        except httpx.HTTPError as exc:
            delivery = Delivery(hook_id, topic, url, body, headers, ping, None, f"{type(exc).__name__}: {exc}")
        return delivery

    def _ensure_worker(self) -> None:
        if self._thread is None or not self._thread.is_alive():
            self._thread = threading.Thread(target=self._work, name="fake-woocommerce-webhooks", daemon=True)
            self._thread.start()

    def _work(self) -> None:
        while (job := self._jobs.get()) is not None:
            delivery = job()
            with self._done:
                hook = self.hooks.get(delivery.webhook_id)
                if hook is not None and not delivery.ping:
                    hook.failures = 0 if delivery.ok else hook.failures + 1
                    if hook.failures > MAX_FAILURES:
                        hook.doc["status"] = "disabled"
                if hook is not None:
                    hook.history.append(delivery)
                self.deliveries.append(delivery)
                self._done.notify_all()

    def wait_for(self, count: int, timeout: float = 10.0) -> list[Delivery]:
        """Block until at least `count` deliveries have been attempted (or `timeout`); returns them all."""
        with self._done:
            self._done.wait_for(lambda: len(self.deliveries) >= count, timeout=timeout)
            return list(self.deliveries)

    def stop(self) -> None:
        """Finish queued deliveries and end the worker."""
        if self._thread is not None and self._thread.is_alive():
            self._jobs.put(None)
            self._thread.join()
        self._thread = None
