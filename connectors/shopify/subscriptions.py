"""Shopify webhook subscriptions through the GraphQL Admin API: `webhookSubscriptions` and
`webhookSubscriptionCreate`, keyed by the `WebhookSubscriptionTopic` enum (`PRODUCTS_UPDATE`).

A topic may have several subscriptions (one per address). Registering adds one for the address when that topic
has none there yet (CREATED) and leaves an existing one alone (UNCHANGED); subscriptions to other addresses are
not touched, so a stale address has to be removed by hand.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, ValidationError

from connectors.shopify.api import ShopifyGraphQL
from syncd.connector import WriteResult, WriteStatus
from syncd.errors import ApiError, AuthError, TransientApiError

# What syncd acts on: catalog and stock of the store of record, its orders and fulfilments, the app's removal.
SUBSCRIBED_TOPICS: tuple[str, ...] = (
    "PRODUCTS_CREATE",
    "PRODUCTS_UPDATE",
    "INVENTORY_LEVELS_UPDATE",
    "ORDERS_UPDATED",
    "ORDERS_CANCELLED",
    "FULFILLMENTS_CREATE",
    "FULFILLMENTS_UPDATE",
    "APP_UNINSTALLED",
)
PAGE_SIZE = 100
# Shopify's answer when the topic already delivers to that address (a retried create that had succeeded).
ALREADY_TAKEN = "has already been taken"

SUBSCRIPTIONS = """
query SyncdWebhookSubscriptions($first: Int!, $after: String) {
  webhookSubscriptions(first: $first, after: $after) {
    nodes { id topic uri }
    pageInfo { hasNextPage endCursor }
  }
}
"""

SUBSCRIBE = """
mutation SyncdWebhookSubscribe($topic: WebhookSubscriptionTopic!, $uri: String!) {
  webhookSubscriptionCreate(topic: $topic, webhookSubscription: {uri: $uri, format: JSON}) {
    webhookSubscription { id topic uri }
    userErrors { field message }
  }
}
"""


class Subscription(BaseModel):
    """One subscription as `webhookSubscriptions` lists it."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    id: str
    topic: str
    uri: str | None = None  # None for deliveries to a cloud event bus rather than an HTTPS address


class SubscriptionManager:
    """Lists the app's subscriptions on the shop and adds the ones syncd needs."""

    def __init__(self, api: ShopifyGraphQL) -> None:
        self.api = api

    def current(self) -> list[Subscription]:
        """Every subscription of the app on this shop, oldest first."""
        found: list[Subscription] = []
        for records, _ in self.api.pages(SUBSCRIPTIONS, {"first": PAGE_SIZE}, "webhookSubscriptions"):
            found.extend(Subscription.model_validate(record) for record in records)
        return found

    def listing(self) -> dict[str, str]:
        """Topic -> address; when a topic has several subscriptions, the newest one's address."""
        return {subscription.topic: subscription.uri or "" for subscription in self.current()}

    def register(self, address: str) -> list[WriteResult]:
        """Subscribe every topic syncd uses to `address`; one result per topic."""
        try:
            existing = {(s.topic, s.uri): s.id for s in self.current()}
        except AuthError:
            raise
        except (ApiError, ValidationError) as exc:
            return [_failed(topic, exc) for topic in SUBSCRIBED_TOPICS]
        results = []
        for topic in SUBSCRIBED_TOPICS:
            known = existing.get((topic, address))
            if known is not None:
                results.append(WriteResult(key=topic, status=WriteStatus.UNCHANGED, external_id=known))
            else:
                results.append(self._subscribe(topic, address))
        return results

    def _subscribe(self, topic: str, address: str) -> WriteResult:
        try:
            data = self.api.execute(SUBSCRIBE, {"topic": topic, "uri": address})
        except AuthError:
            raise
        except ApiError as exc:
            return _failed(topic, exc)
        payload = data.get("webhookSubscriptionCreate") or {}
        errors = [str(e.get("message", "")) for e in payload.get("userErrors") or [] if isinstance(e, dict)]
        if any(ALREADY_TAKEN in message for message in errors):
            return WriteResult(key=topic, status=WriteStatus.UNCHANGED)
        created = payload.get("webhookSubscription")
        if errors or not isinstance(created, dict) or not created.get("id"):
            return WriteResult.failed(topic, "; ".join(errors) or "Shopify returned no subscription")
        return WriteResult(key=topic, status=WriteStatus.CREATED, external_id=str(created["id"]))


def _failed(topic: str, error: Exception) -> WriteResult:
    return WriteResult.failed(topic, str(error), retryable=isinstance(error, TransientApiError))
