"""Configuration: typed settings, the YAML loader with `${VAR}` expansion, and error formatting."""

from syncd.config.loader import check_file, load_settings, secret_values
from syncd.config.models import (
    Settings,
    ShopifySettings,
    ShopifyStore,
    StoreSettings,
    TikTokSettings,
    WooCommerceSettings,
    WooCommerceStore,
)

__all__ = [
    "Settings",
    "ShopifySettings",
    "ShopifyStore",
    "StoreSettings",
    "TikTokSettings",
    "WooCommerceSettings",
    "WooCommerceStore",
    "check_file",
    "load_settings",
    "secret_values",
]
