"""WooCommerce webhooks syncd subscribes (`/webhooks`), each signed with the configured `webhook_secret`.

Registering a topic leaves an active webhook to the same address alone (UNCHANGED), re-activates one that
WooCommerce disabled after repeated failures or a merchant paused, with the configured secret (UPDATED), and
otherwise creates one (CREATED; WooCommerce pings the address at once). The secret is required: without it
WooCommerce would make one up that syncd never learns, and no delivery could be verified. A webhook's secret is
never shown by the API, so after changing `webhook_secret`, delete syncd's webhooks and register again.
"""

from __future__ import annotations

from collections.abc import Iterator

from pydantic import BaseModel, ConfigDict, SecretStr, ValidationError

from connectors.woocommerce.client import WooClient
from syncd.connector import WriteResult, WriteStatus
from syncd.errors import ApiError, AuthError, TransientApiError

# Catalog and stock changes (an order's stock reduction does not save the product, so new orders count too),
# and order updates for fulfilment.
SUBSCRIBED_TOPICS: tuple[str, ...] = (
    "product.created",
    "product.updated",
    "product.deleted",
    "order.created",
    "order.updated",
)
ACTIVE = "active"
UNVERIFIABLE = "webhook_secret is not set: syncd could not verify deliveries; set it in the woocommerce config"


class StoreWebhook(BaseModel):
    """One webhook as `/webhooks` shows it (the secret is never shown)."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    id: int
    topic: str
    delivery_url: str
    status: str


class WebhookRegistry:
    """Lists the store's webhooks and creates or re-activates the ones syncd needs."""

    def __init__(self, client: WooClient, secret: SecretStr | None) -> None:
        self.client = client
        self.secret = secret

    def current(self) -> Iterator[StoreWebhook]:
        """Every webhook of the store, whatever its status, oldest first."""
        for page in self.client.pages("webhooks", {"orderby": "id", "order": "asc"}):
            for raw in page:
                yield StoreWebhook.model_validate(raw)

    def listing(self) -> dict[str, str]:
        """Topic -> address of the active webhooks (the newest, when a topic has several)."""
        return {hook.topic: hook.delivery_url for hook in self.current() if hook.status == ACTIVE}

    def register(self, address: str) -> list[WriteResult]:
        """Subscribe every topic syncd uses to `address`; one result per topic."""
        if self.secret is None:
            return [WriteResult.failed(topic, UNVERIFIABLE) for topic in SUBSCRIBED_TOPICS]
        try:
            hooks = list(self.current())
        except AuthError:
            raise
        except (ApiError, ValidationError) as exc:
            return [_failed(topic, exc) for topic in SUBSCRIBED_TOPICS]
        results = []
        for topic in SUBSCRIBED_TOPICS:
            same = [hook for hook in hooks if hook.topic == topic and hook.delivery_url == address]
            active = next((hook for hook in same if hook.status == ACTIVE), None)
            if active is not None:
                results.append(WriteResult(key=topic, status=WriteStatus.UNCHANGED, external_id=str(active.id)))
            else:
                results.append(self._write(topic, address, same[-1] if same else None))
        return results

    def _write(self, topic: str, address: str, inactive: StoreWebhook | None) -> WriteResult:
        assert self.secret is not None  # checked by `register`
        secret = self.secret.get_secret_value()
        try:
            if inactive is not None:
                body = {"status": ACTIVE, "secret": secret}
                answer = self.client.json("PUT", f"webhooks/{inactive.id}", body=body)
                status = WriteStatus.UPDATED
            else:
                body = {"name": f"syncd {topic}", "topic": topic, "delivery_url": address, "secret": secret}
                # Not retried: a create whose answer was lost would leave a second webhook behind.
                answer = self.client.json("POST", "webhooks", body={**body, "status": ACTIVE}, idempotent=False)
                status = WriteStatus.CREATED
            hook = StoreWebhook.model_validate(answer)
        except AuthError:
            raise
        except (ApiError, ValidationError) as exc:
            return _failed(topic, exc)
        return WriteResult(key=topic, status=status, external_id=str(hook.id))


def _failed(topic: str, error: ApiError | ValidationError) -> WriteResult:
    if isinstance(error, ValidationError):
        # Not the validation text: it quotes the document, and the store's answers are not ours to log.
        return WriteResult.failed(topic, f"the store answered with an unexpected webhook document ({error.title})")
    return WriteResult.failed(topic, str(error), retryable=isinstance(error, TransientApiError))
