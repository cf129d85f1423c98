"""TikTok Shop Partner API (202309+): a typed client, request signing, webhooks, and the syncd connector.

Quick start::

    client = TikTokShopClient(app_key, SecretStr(app_secret), token_store=InMemoryTokenStore(tokens))
    shop = client.for_shop(client.seller.shops()[0].cipher)
    for page in shop.orders.iter_search(OrderSearchFilter(update_time_ge=since)):
        ...

See docs/tiktok-shop-client.md.
"""

from connectors.tiktok_shop.auth import TikTokShopSigner, accepts_shop_cipher, sign
from connectors.tiktok_shop.client import (
    DEFAULT_AUTH_BASE_URL,
    DEFAULT_BASE_URL,
    ShopClient,
    TikTokShopClient,
)
from connectors.tiktok_shop.errors import (
    ErrorCode,
    TikTokAPIError,
    TikTokAuthError,
    TikTokFatalError,
    TikTokRateLimitedError,
    TikTokTokenExpiredError,
    TikTokTransientError,
)
from connectors.tiktok_shop.tokens import InMemoryTokenStore, TokenManager, TokenSet, TokenStore
from connectors.tiktok_shop.webhooks import WebhookEvent, WebhookPayloadError, parse_webhook, verify_webhook

__all__ = [
    "DEFAULT_AUTH_BASE_URL",
    "DEFAULT_BASE_URL",
    "ErrorCode",
    "InMemoryTokenStore",
    "ShopClient",
    "TikTokAPIError",
    "TikTokAuthError",
    "TikTokFatalError",
    "TikTokRateLimitedError",
    "TikTokShopClient",
    "TikTokShopSigner",
    "TikTokTokenExpiredError",
    "TikTokTransientError",
    "TokenManager",
    "TokenSet",
    "TokenStore",
    "WebhookEvent",
    "WebhookPayloadError",
    "accepts_shop_cipher",
    "parse_webhook",
    "sign",
    "verify_webhook",
]
