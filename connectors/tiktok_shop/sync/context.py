"""The shop a TikTokShopConnector works on: the authorised shop resolved to its cipher once, and its warehouse."""

from __future__ import annotations

import threading
from collections.abc import Sequence

from connectors.tiktok_shop import mapping
from connectors.tiktok_shop.client import ShopClient, TikTokShopClient
from connectors.tiktok_shop.config import TikTokShopConfig
from connectors.tiktok_shop.models import AuthorizedShop
from syncd.errors import AuthError, FatalApiError
from syncd.http import Clock


class ShopContext:
    """What every sync module needs: the client, the settings, the clock and the configured shop's API view."""

    def __init__(self, client: TikTokShopClient, settings: TikTokShopConfig, clock: Clock, *, platform: str) -> None:
        self.client = client
        self.settings = settings
        self.clock = clock
        self.platform = platform
        self._lock = threading.Lock()
        self._shop: ShopClient | None = None
        self._warehouse_id: str | None = None

    def resolve(self, shops: Sequence[AuthorizedShop]) -> ShopClient:
        """The configured shop among `shops`; raises AuthError when the authorisation does not cover it."""
        wanted_cipher, wanted_id = self.settings.shop_cipher, self.settings.shop_id
        for shop in shops:
            if shop.cipher == wanted_cipher or (not wanted_cipher and shop.id == wanted_id):
                with self._lock:
                    self._shop = self._shop or self.client.for_shop(shop.cipher)
                    return self._shop
        raise AuthError(f"the TikTok Shop authorisation does not cover shop {wanted_id or wanted_cipher}")

    @property
    def shop(self) -> ShopClient:
        """The configured shop's API view; a shop id is resolved to its cipher once."""
        if self._shop is not None:
            return self._shop
        if self.settings.shop_cipher:
            with self._lock:
                self._shop = self._shop or self.client.for_shop(self.settings.shop_cipher)
                return self._shop
        return self.resolve(self.client.seller.shops())

    def default_warehouse_id(self) -> str:
        """The shop's default sales warehouse (fetched once)."""
        if self._warehouse_id is None:
            found = mapping.default_warehouse(self.shop.logistics.warehouses())
            if found is None:
                raise FatalApiError("the TikTok shop has no enabled sales warehouse", platform=self.platform)
            self._warehouse_id = found
        return self._warehouse_id
