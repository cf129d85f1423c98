"""Seller and shop lookups (ref §4.1): which shops the token reaches and their ciphers. No `shop_cipher`."""

from __future__ import annotations

from connectors.tiktok_shop.api.base import ApiModule
from connectors.tiktok_shop.models.auth import (
    ActiveShop,
    ActiveShopsData,
    AuthorizedShop,
    AuthorizedShopsData,
    CategoryAsset,
    CategoryAssetsData,
    SellerPermissionsData,
)


class SellerApi(ApiModule):
    """`client.seller`: the seller-level calls."""

    name = "seller"

    def shops(self, *, version: str | None = None) -> list[AuthorizedShop]:
        """The shops this token is authorised for, each with the `cipher` shop calls need.

        ref: GET /authorization/202309/shops
        """
        path = self._path("/authorization/{version}/shops", self._version("shops", version, "202309"))
        return self._model(AuthorizedShopsData, self._call("GET", path)).shops

    def category_assets(self, *, version: str | None = None) -> list[CategoryAsset]:
        """Cross-border category assets and their ciphers.

        ref: GET /authorization/202405/category_assets (PHP calls 202309; PY's 202405 is the current one)
        """
        path = self._path(
            "/authorization/{version}/category_assets", self._version("category_assets", version, "202405")
        )
        return self._model(CategoryAssetsData, self._call("GET", path)).category_assets

    def active_shops(self, *, version: str | None = None) -> list[ActiveShop]:
        """The seller's active shops.

        ref: GET /seller/202309/shops
        """
        path = self._path("/seller/{version}/shops", self._version("active_shops", version, "202309"))
        return self._model(ActiveShopsData, self._call("GET", path)).shops

    def permissions(self, *, version: str | None = None) -> list[str]:
        """The seller's permissions.

        ref: GET /seller/202309/permissions
        """
        path = self._path("/seller/{version}/permissions", self._version("permissions", version, "202309"))
        return self._model(SellerPermissionsData, self._call("GET", path)).permissions
