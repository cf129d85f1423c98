"""Webhook subscriptions (ref §4.2): one event type to one address, per shop."""

from __future__ import annotations

from connectors.tiktok_shop.api.base import ApiModule
from connectors.tiktok_shop.models.events import DeleteWebhookRequest, UpdateWebhookRequest, WebhooksData


class EventsApi(ApiModule):
    """`shop.events`."""

    name = "events"

    def webhooks(self, *, version: str | None = None) -> WebhooksData:
        """The shop's subscriptions. ref: GET /event/202309/webhooks"""
        path = self._path("/event/{version}/webhooks", self._version("webhooks", version, "202309"))
        return self._model(WebhooksData, self._call("GET", path))

    def update_webhook(self, event_type: str, address: str, *, version: str | None = None) -> None:
        """Deliver `event_type` to `address` (http or https, at most 255 characters). ref: PUT /event/202309/webhooks"""
        path = self._path("/event/{version}/webhooks", self._version("update_webhook", version, "202309"))
        self._call("PUT", path, body=UpdateWebhookRequest(address=address, event_type=event_type))

    def delete_webhook(self, event_type: str, *, version: str | None = None) -> None:
        """Stop delivering `event_type`. ref: DELETE /event/202309/webhooks (with a JSON body)"""
        path = self._path("/event/{version}/webhooks", self._version("delete_webhook", version, "202309"))
        self._call("DELETE", path, body=DeleteWebhookRequest(event_type=event_type))
