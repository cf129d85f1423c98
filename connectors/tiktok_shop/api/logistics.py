"""Logistics (ref §4.6): warehouses, their delivery options, and the carriers of each option."""

from __future__ import annotations

from connectors.tiktok_shop.api.base import ApiModule
from connectors.tiktok_shop.models.logistics import (
    DeliveryOption,
    DeliveryOptionsData,
    ShippingProvider,
    ShippingProvidersData,
    Warehouse,
    WarehousesData,
)


class LogisticsApi(ApiModule):
    """`shop.logistics`."""

    name = "logistics"

    def warehouses(self, *, version: str | None = None) -> list[Warehouse]:
        """The shop's warehouses. ref: GET /logistics/202309/warehouses"""
        path = self._path("/logistics/{version}/warehouses", self._version("warehouses", version, "202309"))
        return self._model(WarehousesData, self._call("GET", path)).warehouses

    def delivery_options(self, warehouse_id: str, *, version: str | None = None) -> list[DeliveryOption]:
        """How a warehouse can ship. ref: GET /logistics/202309/warehouses/{warehouse_id}/delivery_options"""
        version = self._version("delivery_options", version, "202309")
        template = "/logistics/{version}/warehouses/{warehouse_id}/delivery_options"
        path = self._path(template, version, warehouse_id=warehouse_id)
        return self._model(DeliveryOptionsData, self._call("GET", path)).delivery_options

    def shipping_providers(self, delivery_option_id: str, *, version: str | None = None) -> list[ShippingProvider]:
        """The carriers of a delivery option (ids for the shipping calls).

        ref: GET /logistics/202309/delivery_options/{delivery_option_id}/shipping_providers
        """
        version = self._version("shipping_providers", version, "202309")
        template = "/logistics/{version}/delivery_options/{delivery_option_id}/shipping_providers"
        path = self._path(template, version, delivery_option_id=delivery_option_id)
        return self._model(ShippingProvidersData, self._call("GET", path)).shipping_providers
