"""The connector's webhook capabilities: verify and read deliveries, and subscribe the shop's events (ref §4.2, §7).

TikTok keeps one address per event type per shop, so registering re-points an event type that is delivered
elsewhere (UPDATED), subscribes a missing one (CREATED), and leaves one already at the address alone
(UNCHANGED). Deliveries name the shop by id; when the config gives only the cipher, the id is learned once from
the authorised shops (`check` primes it for free).
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Mapping, Sequence

from connectors.tiktok_shop.mapping.webhooks import event_to_notice
from connectors.tiktok_shop.models import AuthorizedShop
from connectors.tiktok_shop.sync.context import ShopContext
from connectors.tiktok_shop.sync.results import attempt, failure
from connectors.tiktok_shop.webhooks import parse_webhook, verify_webhook
from syncd.connector import WriteResult, WriteStatus
from syncd.domain import WebhookNotice
from syncd.errors import ApiError, AuthError

# The event types syncd acts on: orders (and their packages), listing reviews, after-sales, the authorisation.
SUBSCRIBED_EVENTS: tuple[str, ...] = (
    "ORDER_STATUS_CHANGE",
    "PACKAGE_UPDATE",
    "PRODUCT_STATUS_CHANGE",
    "CANCELLATION_STATUS_CHANGE",
    "RETURN_STATUS_CHANGE",
    "SELLER_DEAUTHORIZATION",
    "UPCOMING_AUTHORIZATION_EXPIRATION",
)
AUTHORIZATION_HEADER = "authorization"
MAX_ADDRESS_LENGTH = 255  # the events API refuses longer addresses


class ShopWebhooks:
    """Webhook verification, parsing and subscriptions for the connector's shop."""

    def __init__(self, context: ShopContext) -> None:
        self._context = context
        self._lock = threading.Lock()
        self._shop_id: str | None = context.settings.shop_id

    # -- deliveries ------------------------------------------------------------------------------------

    def verify(self, body: bytes, headers: Mapping[str, str]) -> bool:
        """True when `Authorization` is the app's signature of the raw body; never raises."""
        settings = self._context.settings
        return verify_webhook(settings.app_key, settings.app_secret, body, headers.get(AUTHORIZATION_HEADER))

    def parse(self, body: bytes, headers: Mapping[str, str]) -> WebhookNotice:
        """The notice for a verified delivery; ValueError naming the problem when the body is not one.

        The body is parsed before anything else, so a malformed one costs no API call; looking up the shop's
        id (only when the config gives just the cipher, and only once) may raise the API's errors.
        """
        event = parse_webhook(body)
        return event_to_notice(event, bytes(body), shop_id=self.shop_id())

    def remember(self, shops: Sequence[AuthorizedShop]) -> None:
        """Learn the configured shop's id from a list of authorised shops the connector read anyway."""
        cipher = self._context.settings.shop_cipher
        with self._lock:
            if self._shop_id is None:
                self._shop_id = next((shop.id for shop in shops if shop.cipher == cipher), None)

    def shop_id(self) -> str:
        """The id deliveries name the connector's shop by; looked up once when the config has only the cipher."""
        if self._shop_id is None:
            self.remember(self._context.client.seller.shops())
        if self._shop_id is None:
            cipher = self._context.settings.shop_cipher
            raise AuthError(f"the TikTok Shop authorisation does not cover the shop with cipher {cipher}")
        return self._shop_id

    # -- subscriptions ---------------------------------------------------------------------------------

    def subscriptions(self) -> dict[str, str]:
        """Every event type the shop delivers, and the address it goes to."""
        listed = self._context.shop.events.webhooks().webhooks
        return {hook.event_type: hook.address or "" for hook in listed}

    def register(self, address: str) -> list[WriteResult]:
        """Point every event type syncd uses at `address`; one result per event type."""
        if not address.startswith(("http://", "https://")) or len(address) > MAX_ADDRESS_LENGTH:
            problem = f"the address must be an http(s) URL of at most {MAX_ADDRESS_LENGTH} characters"
            return [WriteResult.failed(event_type, problem) for event_type in SUBSCRIBED_EVENTS]
        current = attempt(self.subscriptions)
        if isinstance(current, ApiError):
            return [failure(event_type, current) for event_type in SUBSCRIBED_EVENTS]
        return [self._subscribe(event_type, address, current.get(event_type)) for event_type in SUBSCRIBED_EVENTS]

    def _subscribe(self, event_type: str, address: str, existing: str | None) -> WriteResult:
        if existing == address:
            return WriteResult(key=event_type, status=WriteStatus.UNCHANGED)
        outcome = attempt(functools.partial(self._context.shop.events.update_webhook, event_type, address))
        if isinstance(outcome, ApiError):
            return failure(event_type, outcome)
        status = WriteStatus.CREATED if existing is None else WriteStatus.UPDATED
        return WriteResult(key=event_type, status=status)
