"""Webhook subscription payloads (`/event/202309/webhooks`, ref §4.2)."""

from __future__ import annotations

from pydantic import Field

from connectors.tiktok_shop.models.base import TikTokModel, TikTokRequest


class WebhookSubscription(TikTokModel):
    """One event type and the address it is delivered to."""

    event_type: str
    address: str | None = None
    create_time: int | None = None
    update_time: int | None = None


class WebhooksData(TikTokModel):
    """`data` of `GET /event/202309/webhooks`."""

    webhooks: list[WebhookSubscription] = Field(default_factory=list)
    total_count: int | None = None


class UpdateWebhookRequest(TikTokRequest):
    """Body of `PUT /event/202309/webhooks`: one event type to one http(s) address (at most 255 characters)."""

    address: str = Field(max_length=255, pattern=r"^https?://")
    event_type: str


class DeleteWebhookRequest(TikTokRequest):
    """Body of `DELETE /event/202309/webhooks` (a DELETE that carries JSON)."""

    event_type: str
