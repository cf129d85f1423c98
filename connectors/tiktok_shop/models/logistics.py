"""Logistics payloads: warehouses, delivery options, shipping providers (ref §4.6)."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from connectors.tiktok_shop.models.base import TikTokModel


class Warehouse(TikTokModel):
    """A seller warehouse."""

    id: str
    name: str | None = None
    effect_status: str | None = None  # ENABLED | DISABLED | RESTRICTED
    type: str | None = None  # SALES_WAREHOUSE | RETURN_WAREHOUSE
    sub_type: str | None = None
    is_default: bool | None = None
    address: dict[str, Any] | None = None


class WarehousesData(TikTokModel):
    """`data` of `GET /logistics/202309/warehouses`."""

    warehouses: list[Warehouse] = Field(default_factory=list)


class DeliveryOption(TikTokModel):
    """A way a warehouse can ship."""

    id: str
    name: str | None = None
    type: str | None = None
    description: str | None = None
    dimension_limit: dict[str, Any] | None = None
    weight_limit: dict[str, Any] | None = None
    platform: list[str] = Field(default_factory=list)


class DeliveryOptionsData(TikTokModel):
    """`data` of `GET /logistics/202309/warehouses/{warehouse_id}/delivery_options`."""

    delivery_options: list[DeliveryOption] = Field(default_factory=list)


class ShippingProvider(TikTokModel):
    """A carrier; its `id` is what shipping calls take as `shipping_provider_id`."""

    id: str
    name: str | None = None


class ShippingProvidersData(TikTokModel):
    """`data` of `GET /logistics/202309/delivery_options/{delivery_option_id}/shipping_providers`."""

    shipping_providers: list[ShippingProvider] = Field(default_factory=list)
