"""TikTokShopConnector: TikTok Shop as a sales channel for syncd, built on the typed client in this package.

Capabilities: catalog sink (link by seller SKU, create and update listings), stock sink and source, order
source, order reference sink, fulfilment sink, returns source, and webhooks (verification, parsing,
subscriptions). Every call goes through
`TikTokShopClient`, which signs, refreshes tokens, retries and rate-limits. This class builds the client and
runs the consent flow; what each capability calls lives in `sync/`, and field names stay in `mapping/`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, datetime

from pydantic import BaseModel, SecretStr

from connectors.tiktok_shop.client import ShopClient, TikTokShopClient
from connectors.tiktok_shop.config import TikTokShopConfig
from connectors.tiktok_shop.sync import aftersales, fulfilment, orders, stock
from connectors.tiktok_shop.sync.aftersales import AFTERSALES_PAGE_SIZE
from connectors.tiktok_shop.sync.context import ShopContext
from connectors.tiktok_shop.sync.images import MAX_IMAGE_BYTES, ImageFetchError, ImageUploader
from connectors.tiktok_shop.sync.listings import MAX_MAIN_IMAGES, SKU_SEARCH_CHUNK, ListingCatalog
from connectors.tiktok_shop.sync.webhooks import ShopWebhooks
from connectors.tiktok_shop.tokens import TokenSet, TokenStore, VaultTokenStore
from syncd.connector import Account, Connector, CredentialVault, Page, WriteResult
from syncd.domain import (
    Fulfilment,
    Listing,
    Order,
    OrderReference,
    Product,
    Return,
    StockLevel,
    StockUpdate,
    WebhookNotice,
)
from syncd.http import Clock, RetryPolicy

# The names below moved to `sync/` with the code that uses them; they stay importable from here.
__all__ = [
    "AFTERSALES_PAGE_SIZE",
    "MAX_IMAGE_BYTES",
    "MAX_MAIN_IMAGES",
    "SKU_SEARCH_CHUNK",
    "UNKNOWN_EXPIRY",
    "ImageFetchError",
    "TikTokShopConnector",
]

# The seed tokens' lifetime is unknown; TikTok's 105002 answer triggers the refresh when they do expire.
UNKNOWN_EXPIRY = datetime(9999, 12, 31, tzinfo=UTC)


def _config_tokens(config: TikTokShopConfig) -> TokenSet | None:
    """The tokens the config bootstraps with, if any (none: every call raises AuthError until authorised)."""
    if config.access_token is None and config.refresh_token is None:
        return None
    epoch = datetime.fromtimestamp(0, UTC)
    # Only a refresh token: the access token counts as expired, so the first call refreshes. Only an
    # access token: it is used until TikTok says it expired, and then re-authorisation is needed.
    return TokenSet(
        access_token=config.access_token or SecretStr(""),
        access_token_expires_at=UNKNOWN_EXPIRY if config.access_token else epoch,
        refresh_token=config.refresh_token or SecretStr(""),
        refresh_token_expires_at=UNKNOWN_EXPIRY if config.refresh_token else epoch,
    )


class TikTokShopConnector(Connector):
    """TikTok Shop: catalog sink, stock sink and source, orders, order references, fulfilment, returns, webhooks."""

    name = "tiktok_shop"
    config_model = TikTokShopConfig

    def __init__(
        self,
        config: BaseModel,
        *,
        base_url: str | None = None,
        clock: Clock | None = None,
        vault: CredentialVault | None = None,
        token_store: TokenStore | None = None,
    ) -> None:
        super().__init__(config, base_url=base_url, clock=clock, vault=vault)
        assert isinstance(config, TikTokShopConfig)  # checked by the base class; narrows the type
        self.settings = config
        self.client = TikTokShopClient(
            config.app_key,
            config.app_secret,
            # Tokens live in the vault (the daemon's encrypted table); the config's only bootstrap it.
            token_store=token_store or VaultTokenStore(self.vault, _config_tokens(config)),
            base_url=(base_url or str(config.api_base_url)).rstrip("/"),
            auth_base_url=(base_url or str(config.auth_base_url)).rstrip("/"),
            timeout=config.timeout.total_seconds(),
            retry_policy=RetryPolicy(
                max_attempts=config.max_attempts, max_elapsed=config.retry_budget.total_seconds(), clock=self.clock
            ),
            requests_per_second=config.requests_per_second,
            burst=config.burst,
            refresh_margin=config.refresh_margin,
            clock=self.clock,
        )
        self._context = ShopContext(self.client, config, self.clock, platform=self.name)
        self._images = ImageUploader(self._context)
        self._catalog = ListingCatalog(self._context, self._images)
        self._webhooks = ShopWebhooks(self._context)

    def close(self) -> None:
        """Close the TikTok client and the image downloader."""
        self.client.close()
        self._images.close()

    def api_calls(self) -> int:
        """TikTok API calls and source-image downloads sent so far."""
        return self.client.stats.calls() + self._images.calls()

    # -- consent, shop, warehouse, health --------------------------------------------------------------

    def authorization_url(self, state: str) -> str:
        """The page where the seller authorises the app (the service link when `service_id` is set)."""
        return self.client.auth.authorization_url(state, service_id=self.settings.service_id)

    def exchange_code(self, code: str) -> dict[str, str]:
        """Trade the redirect's code for tokens; the token store saves them to the vault."""
        tokens = self.client.auth.get_token(code)
        return {
            "seller": tokens.seller_name or "",
            "region": tokens.seller_base_region or "",
            "access token expires": tokens.access_token_expires_at.isoformat(),
            "refresh token expires": tokens.refresh_token_expires_at.isoformat(),
            "scopes": ", ".join(tokens.granted_scopes),
        }

    def accounts(self) -> list[Account]:
        """The shops the stored authorisation reaches, with their ciphers."""
        return [
            Account(
                id=shop.id,
                name=shop.name or "",
                handle=shop.cipher,
                details={k: v for k, v in (("region", shop.region), ("type", shop.seller_type)) if v},
            )
            for shop in self.client.seller.shops()
        ]

    def check(self) -> None:
        """List the authorised shops; raises AuthError if TikTok refuses the credentials or lacks the shop."""
        shops = self.client.seller.shops()
        self._context.resolve(shops)
        self._webhooks.remember(shops)  # the shop's id, which deliveries name it by, at no extra call

    @property
    def shop(self) -> ShopClient:
        """The configured shop's API view; a shop id is resolved to its cipher once."""
        return self._context.shop

    def default_warehouse_id(self) -> str:
        """The shop's default sales warehouse (fetched once)."""
        return self._context.default_warehouse_id()

    # -- catalog sink ----------------------------------------------------------------------------------

    def find_variants_by_sku(self, skus: Sequence[str]) -> dict[str, Product]:
        """Map each SKU already listed on TikTok (by `seller_sku`) to the TikTok product holding it."""
        return self._catalog.find_variants_by_sku(skus)

    def upsert_listings(self, listings: Sequence[Listing]) -> list[WriteResult]:
        """Create listings (no `external_id`) or update their store-owned fields; one result per listing."""
        return self._catalog.upsert(listings)

    # -- stock -----------------------------------------------------------------------------------------

    def read_stock(self, since: str | None) -> Iterator[Page[StockLevel]]:
        """Every SKU's available quantity per warehouse: always a full read (TikTok has no stock change feed).

        Pages before the last carry no checkpoint; the last carries the read's start time, which a later
        read accepts and ignores.
        """
        return stock.read_stock(self._context)

    def write_stock(self, updates: Sequence[StockUpdate]) -> list[WriteResult]:
        """Set quantities with one inventory call per TikTok product; one result per update, keyed by SKU.

        TikTok has no compare-and-set, so `expected` is not checked.
        """
        return stock.write_stock(self._context, updates)

    # -- orders and order references -------------------------------------------------------------------

    def read_orders(self, since: str | None) -> Iterator[Page[Order]]:
        """Orders changed since the checkpoint (unix seconds of the newest `update_time` read), oldest first.

        Windows overlap by the config's `read_overlap`, so a resumed read may repeat orders; within one read each order
        comes once. Details are fetched 50 ids per call.
        """
        return orders.read_orders(self._context, since)

    def get_orders(self, external_ids: Sequence[str]) -> list[Order]:
        """These orders by id; missing ones are left out, unreadable ones logged and left out."""
        return orders.get_orders(self._context, external_ids)

    def add_order_references(self, references: Sequence[OrderReference]) -> list[WriteResult]:
        """Link TikTok orders to their store orders (100 per call); one result per reference."""
        return orders.add_order_references(self._context, references)

    def find_order_by_reference(self, store_platform: str, store_order_id: str) -> str | None:
        """The TikTok order linked to this store order, if any."""
        return orders.find_order_by_reference(self._context, store_platform, store_order_id)

    # -- fulfilment and returns ------------------------------------------------------------------------

    def write_fulfilments(self, fulfilments: Sequence[Fulfilment]) -> list[WriteResult]:
        """Mark packages shipped with tracking number and provider id (`carrier`); shipped ones are UNCHANGED."""
        return fulfilment.write_fulfilments(self._context, fulfilments)

    def read_returns(self, since: str | None) -> Iterator[Page[Return]]:
        """Cancellations, then returns and refunds, changed since the checkpoint, oldest change first.

        The checkpoint is `<cancellations>:<returns>`, each the newest `update_time` read in that search,
        so a read resumed from any page loses nothing; windows overlap by the config's `read_overlap`.
        """
        return aftersales.read_returns(self._context, since)

    # -- webhooks --------------------------------------------------------------------------------------

    def verify_webhook(self, body: bytes, headers: Mapping[str, str]) -> bool:
        """True when `authorization` is the app's HMAC of the raw body (constant-time compare; never raises)."""
        return self._webhooks.verify(body, headers)

    def parse_webhook(self, body: bytes, headers: Mapping[str, str]) -> WebhookNotice:
        """The verified delivery as a notice (see `mapping.webhooks` for what each event becomes).

        Raises ValueError naming the problem for a malformed body. A delivery for another shop of the app is
        OTHER with `detail` "another shop: <id>": record it, run nothing.
        """
        return self._webhooks.parse(body, headers)

    def register_webhooks(self, address: str) -> list[WriteResult]:
        """Point the event types syncd uses (`sync.webhooks.SUBSCRIBED_EVENTS`) at `address`; one result each."""
        return self._webhooks.register(address)

    def list_webhooks(self) -> dict[str, str]:
        """The shop's subscriptions: event type -> address."""
        return self._webhooks.subscriptions()
