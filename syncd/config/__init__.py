"""Configuration: typed settings, the YAML loader with `${VAR}` expansion, and error formatting."""

from syncd.config.loader import check_file, load_settings, secret_values
from syncd.config.models import TIKTOK_CHANNEL, TIKTOK_CONNECTOR, Settings, StoreSettings

__all__ = [
    "TIKTOK_CHANNEL",
    "TIKTOK_CONNECTOR",
    "Settings",
    "StoreSettings",
    "check_file",
    "load_settings",
    "secret_values",
]
