"""Which channel a webhook path belongs to, and the connectors that verify and read its deliveries."""

from __future__ import annotations

import threading

from syncd.config import TIKTOK_CONNECTOR, Settings
from syncd.connector import Connector, WebhookSource
from syncd.runtime import Runtime

TIKTOK_PATH = "tiktok"


def path_name(platform: str) -> str:
    """The last segment of a platform's webhook path: `tiktok` for TikTok Shop, else the connector's name."""
    return TIKTOK_PATH if platform == TIKTOK_CONNECTOR else platform


def webhook_path(settings: Settings, channel: str) -> str:
    """The path a channel's platform delivers to, e.g. `/webhooks/shopify`."""
    return f"/webhooks/{path_name(settings.channel_platform(channel))}"


def channels_at(settings: Settings, name: str) -> list[str]:
    """The configured channels whose platform delivers to `/webhooks/<name>`, in config order."""
    return [channel for channel in settings.channels if path_name(settings.channel_platform(channel)) == name]


class WebhookSources:
    """The `WebhookSource` connector of each configured channel, opened once and shared by receiver and worker.

    Verifying and parsing need only the connector's config (and, for TikTok, the shop id it learns once), so
    one instance per channel serves every request thread.
    """

    def __init__(self, runtime: Runtime) -> None:
        self._runtime = runtime
        self._lock = threading.Lock()
        self._opened: dict[str, Connector] = {}

    def open(self) -> None:
        """Open every channel's connector now, so a broken config fails at start rather than on a delivery."""
        for channel in self._runtime.settings.channels:
            self._connector(channel)

    def _connector(self, channel: str) -> Connector:
        with self._lock:
            if channel not in self._opened:
                self._opened[channel] = self._runtime.connector(channel)
            return self._opened[channel]

    def get(self, channel: str) -> WebhookSource | None:
        """The channel's connector if it reads webhooks; None for an unknown channel or one that cannot."""
        if channel not in self._runtime.settings.channels:
            return None
        connector = self._connector(channel)
        return connector if isinstance(connector, WebhookSource) else None

    def at(self, name: str) -> list[tuple[str, WebhookSource]]:
        """(channel, connector) for every channel that reads the webhooks delivered to `/webhooks/<name>`."""
        found = []
        for channel in channels_at(self._runtime.settings, name):
            source = self.get(channel)
            if source is not None:
                found.append((channel, source))
        return found

    def close(self) -> None:
        """Close the connectors."""
        with self._lock:
            opened, self._opened = self._opened, {}
        for connector in opened.values():
            connector.close()
