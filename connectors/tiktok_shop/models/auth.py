"""Token endpoint payloads (auth host, ref §3.2) and the shops a token can reach (ref §3.3, §4.1)."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field, SecretStr

from connectors.tiktok_shop.models.base import TikTokModel
from connectors.tiktok_shop.tokens import TokenSet, expiry_from_api


class TokenResponse(TikTokModel):
    """`data` of `GET /api/v2/token/get` and `/api/v2/token/refresh`; `*_expire_in` are absolute Unix seconds."""

    access_token: SecretStr
    access_token_expire_in: int
    refresh_token: SecretStr
    refresh_token_expire_in: int
    open_id: str | None = None
    seller_name: str | None = None
    seller_base_region: str | None = None
    user_type: int | None = None
    granted_scopes: list[str] = Field(default_factory=list)

    def to_token_set(self, now: datetime) -> TokenSet:
        """The tokens with their expiry as datetimes."""
        return TokenSet(
            access_token=self.access_token,
            access_token_expires_at=expiry_from_api(self.access_token_expire_in, now),
            refresh_token=self.refresh_token,
            refresh_token_expires_at=expiry_from_api(self.refresh_token_expire_in, now),
            open_id=self.open_id,
            seller_name=self.seller_name,
            seller_base_region=self.seller_base_region,
            user_type=self.user_type,
            granted_scopes=tuple(self.granted_scopes),
        )


class AuthorizedShop(TikTokModel):
    """A shop the token may act for; `cipher` is what shop-scoped calls send as `shop_cipher`."""

    id: str
    cipher: str
    name: str | None = None
    region: str | None = None
    seller_type: str | None = None  # CROSS_BORDER | LOCAL
    code: str | None = None


class AuthorizedShopsData(TikTokModel):
    """`data` of `GET /authorization/202309/shops`."""

    shops: list[AuthorizedShop] = Field(default_factory=list)


class CategoryRef(TikTokModel):
    """A category named by id and name."""

    id: str
    name: str | None = None


class CategoryAsset(TikTokModel):
    """A cross-border category asset: the cipher to use for a target market's category."""

    cipher: str | None = None
    target_market: str | None = None
    category: CategoryRef | None = None


class CategoryAssetsData(TikTokModel):
    """`data` of `GET /authorization/202405/category_assets`."""

    category_assets: list[CategoryAsset] = Field(default_factory=list)


class ActiveShop(TikTokModel):
    """A shop the seller has active."""

    id: str
    region: str | None = None


class ActiveShopsData(TikTokModel):
    """`data` of `GET /seller/202309/shops`."""

    shops: list[ActiveShop] = Field(default_factory=list)


class SellerPermissionsData(TikTokModel):
    """`data` of `GET /seller/202309/permissions`."""

    permissions: list[str] = Field(default_factory=list)
