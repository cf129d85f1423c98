"""ShopifyConnector: a Shopify store as catalog and stock source, stock sink, order sink, fulfilment source, and
webhook source and registrar.

Everything goes through the GraphQL Admin API at the pinned `api_version`, over the project's httpx client
(`ShopifyGraphQL`: timeouts, retries, the cost budget). The parts live in their own modules: `catalog`
(products, paged or bulk), `inventory` (levels and compare-and-set writes), `orders` (exactly-once creation,
cancellation, fulfilments), `notices` (webhook verification and parsing) and `subscriptions` (webhook
subscriptions).

Checkpoints: catalog pages carry the latest product `updatedAt` that is safe to resume after; stock reads carry
one checkpoint, on their last page, with the same meaning for inventory levels (see `checkpoints`).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence

from pydantic import BaseModel, SecretStr

from connectors.shopify import queries
from connectors.shopify.api import ShopifyGraphQL
from connectors.shopify.auth import ShopifyApp, exchange_code, install_url, missing_scopes
from connectors.shopify.bulk import BulkDownload, BulkRunner
from connectors.shopify.catalog import CatalogReader
from connectors.shopify.config import ShopifyConfig
from connectors.shopify.inventory import StockReader, StockWriter
from connectors.shopify.notices import delivery_notice, verify_delivery
from connectors.shopify.orders import FulfilmentReader, OrderWriter
from connectors.shopify.subscriptions import SubscriptionManager
from syncd.connector import Connector, CredentialVault, Page, WriteResult
from syncd.domain import Fulfilment, Order, Product, StockLevel, StockUpdate, WebhookNotice
from syncd.errors import AuthError, ConfigError
from syncd.http import Clock, register_secret


class ShopifyConnector(Connector):
    """One Shopify store through the GraphQL Admin API."""

    name = "shopify"
    config_model = ShopifyConfig

    def __init__(
        self,
        config: BaseModel,
        *,
        base_url: str | None = None,
        clock: Clock | None = None,
        vault: CredentialVault | None = None,
    ) -> None:
        super().__init__(config, base_url=base_url, clock=clock, vault=vault)
        assert isinstance(config, ShopifyConfig)  # checked by the base class; narrows the type
        self.settings = config
        token = self._access_token()
        for secret in (token, config.webhook_secret, config.client_secret):
            register_secret(secret)
        # Without a token every call fails with a clear AuthError; `exchange_code` still works.
        self.api = ShopifyGraphQL(config, self.clock, access_token=token or SecretStr(""), base_url=base_url)
        self._bulk = BulkRunner(self.api)
        self._currency: str | None = None
        self._catalog = CatalogReader(self.api, self.currency, self._bulk)
        self._stock_reader = StockReader(self.api)
        self._stock_writer = StockWriter(self.api)
        self._orders = OrderWriter(self.api)
        self._fulfilments = FulfilmentReader(self.api)
        self._subscriptions = SubscriptionManager(self.api)

    def close(self) -> None:
        """Close the HTTP clients."""
        self.api.close()

    def api_calls(self) -> int:
        """GraphQL calls and bulk downloads sent so far."""
        return self.api.client.stats.calls() + self.api.downloads.stats.calls()

    def _access_token(self) -> SecretStr | None:
        """The configured token, else the one an install stored in the vault."""
        if self.settings.access_token is not None:
            return self.settings.access_token
        stored = (self.vault.load() or {}).get("access_token")
        return SecretStr(str(stored)) if stored else None

    def _endpoint(self) -> str | None:
        """The endpoint override (the emulator), if any; None means the shop's own domain."""
        return self.base_url or (str(self.settings.base_url) if self.settings.base_url else None)

    def _app(self) -> ShopifyApp:
        settings = self.settings
        if not (settings.client_id and settings.client_secret and settings.redirect_uri):
            raise ConfigError(
                [f"{self.name}: set client_id, client_secret and redirect_uri to install the app with `syncd auth`"]
            )
        return ShopifyApp(
            api_key=settings.client_id,
            api_secret=settings.client_secret,
            scopes=tuple(settings.scopes),
            redirect_uri=settings.redirect_uri,
            api_version=settings.api_version,
        )

    def authorization_url(self, state: str) -> str:
        """The page where the merchant installs the app and grants its scopes."""
        return install_url(self._app(), self.settings.shop_domain, state, base_url=self._endpoint())

    def exchange_code(self, code: str) -> dict[str, str]:
        """Trade the install's code for the shop's permanent token and keep it in the vault."""
        grant = exchange_code(self._app(), self.settings.shop_domain, code, base_url=self._endpoint(), clock=self.clock)
        missing = missing_scopes(grant, self.settings.scopes)
        self.vault.save({"access_token": grant.access_token.get_secret_value(), "scopes": list(grant.scopes)})
        summary = {"shop": grant.shop_domain, "scopes": ", ".join(grant.scopes)}
        if missing:
            summary["missing scopes"] = ", ".join(missing)
        return summary

    def check(self) -> None:
        """Read the shop; a rejected or missing token raises `AuthError`."""
        if self._access_token() is None:
            raise AuthError(f"{self.name}: no access token; set access_token or run `syncd auth <store> url`")
        shop = self.api.execute(queries.SHOP).get("shop") or {}
        self._currency = str(shop.get("currencyCode") or "") or None

    def currency(self) -> str:
        """The shop's currency (prices carry none of their own); read once."""
        if self._currency is None:
            self.check()
        if self._currency is None:
            raise ValueError("the shop reported no currency")
        return self._currency

    @property
    def last_bulk_download(self) -> BulkDownload | None:
        """Progress of the most recent bulk export download, if any."""
        return self._bulk.last_download

    # -- capabilities -------------------------------------------------------------------------------------------

    def read_products(self, since: str | None) -> Iterator[Page[Product]]:
        """Products changed after `since` (an ISO `updatedAt`); a large backfill runs as a bulk operation."""
        return self._catalog.read(since)

    def read_stock(self, since: str | None) -> Iterator[Page[StockLevel]]:
        """Available quantities at the stock locations, changed after `since`."""
        return self._stock_reader.read(since)

    def write_stock(self, updates: Sequence[StockUpdate]) -> list[WriteResult]:
        """Set available quantities with compare-and-set; one result per update, keyed by SKU."""
        return self._stock_writer.write(updates)

    def find_order(self, idempotency_key: str, source_order_id: str) -> str | None:
        """The store order already created for this TikTok order, if any."""
        return self._orders.find_order(idempotency_key, source_order_id)

    def create_order(self, order: Order, idempotency_key: str) -> WriteResult:
        """Create the TikTok order in the store (or adopt the one already there)."""
        return self._orders.create_order(order, idempotency_key)

    def cancel_order(self, store_order_id: str, *, restock: bool) -> WriteResult:
        """Cancel the store order, restocking when asked."""
        return self._orders.cancel_order(store_order_id, restock=restock)

    def read_fulfilments(self, store_order_ids: Sequence[str]) -> list[Fulfilment]:
        """Fulfilments with tracking of these store orders."""
        return self._fulfilments.read(store_order_ids)

    # -- webhooks -----------------------------------------------------------------------------------------------

    def verify_webhook(self, body: bytes, headers: Mapping[str, str]) -> bool:
        """True when `x-shopify-hmac-sha256` signs the raw body with `webhook_secret` (else `client_secret`)."""
        return verify_delivery(self.settings, body, headers)

    def parse_webhook(self, body: bytes, headers: Mapping[str, str]) -> WebhookNotice:
        """The verified delivery as a notice (see `notices` for each topic); ValueError when it is malformed."""
        return delivery_notice(self.settings, body, headers)

    def register_webhooks(self, address: str) -> list[WriteResult]:
        """Subscribe the topics syncd uses (`subscriptions.SUBSCRIBED_TOPICS`) to `address`; one result each."""
        return self._subscriptions.register(address)

    def list_webhooks(self) -> dict[str, str]:
        """The app's subscriptions on the shop: topic enum (`PRODUCTS_UPDATE`) -> address."""
        return self._subscriptions.listing()
