"""The WooCommerce connector (REST API v3 through the `woocommerce` package) and its emulator (`fake`)."""

from connectors.woocommerce.config import WooCommerceConfig
from connectors.woocommerce.connector import WooCommerceConnector
from connectors.woocommerce.webhooks import is_ping, parse_webhook, sign_webhook, verify_webhook

__all__ = [
    "WooCommerceConfig",
    "WooCommerceConnector",
    "is_ping",
    "parse_webhook",
    "sign_webhook",
    "verify_webhook",
]
