"""WooCommerceConnector: a WooCommerce store as catalog and stock source, stock sink, order sink, fulfilment
source, and webhook source and registrar, over the REST API v3 through the `woocommerce` package."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from pydantic import BaseModel

from connectors.woocommerce import fulfilment, stock
from connectors.woocommerce.client import WooClient
from connectors.woocommerce.config import WooCommerceConfig
from connectors.woocommerce.mapping import product_to_domain, stock_level
from connectors.woocommerce.models import WooProduct, WooVariation, format_gmt
from connectors.woocommerce.notices import delivery_notice, verify_delivery
from connectors.woocommerce.orders import OrderWriter
from connectors.woocommerce.reads import read_changed
from connectors.woocommerce.subscriptions import WebhookRegistry
from connectors.woocommerce.watermark import Watermark
from syncd.connector import Connector, CredentialVault, Page, RejectedRecord, WriteResult
from syncd.domain import Fulfilment, Order, Product, StockLevel, StockUpdate, WebhookNotice
from syncd.errors import FatalApiError
from syncd.http import Clock, register_secret


class WooCommerceConnector(Connector):
    """One WooCommerce store."""

    name = "woocommerce"
    config_model = WooCommerceConfig

    def __init__(
        self,
        config: BaseModel,
        *,
        base_url: str | None = None,
        clock: Clock | None = None,
        vault: CredentialVault | None = None,
    ) -> None:
        super().__init__(config, base_url=base_url, clock=clock, vault=vault)
        assert isinstance(config, WooCommerceConfig)  # checked by the base class; narrows the type
        self.settings = config
        store_url = base_url or str(config.base_url or config.url)
        self.client = WooClient(config, store_url=store_url, clock=self.clock)
        self._orders = OrderWriter(self.client, config, self.clock)
        register_secret(config.webhook_secret)  # it travels in webhook registrations: keep it out of logs
        self._webhooks = WebhookRegistry(self.client, config.webhook_secret)
        self._currency = config.currency

    def close(self) -> None:
        """Close the HTTP client."""
        self.client.close()

    def api_calls(self) -> int:
        """REST calls sent so far."""
        return self.client.http.stats.calls()

    def check(self) -> None:
        """List one product; rejected keys raise `AuthError`."""
        self.client.send("GET", "products", params={"per_page": 1})

    def currency(self) -> str:
        """The store currency: from config, else asked once from the store."""
        if self._currency is None:
            answer = self.client.json("GET", "data/currencies/current")
            code = answer.get("code") if isinstance(answer, dict) else None
            if not isinstance(code, str) or len(code) != 3:
                raise FatalApiError("the store did not report its currency; set `currency` in config")
            self._currency = code.upper()
        return self._currency

    # -- CatalogSource ---------------------------------------------------------------------------------

    def read_products(self, since: str | None) -> Iterator[Page[Product]]:
        """Simple and variable products (with all their variations) changed after the checkpoint `since`."""
        currency, unit = self.currency(), self.settings.weight_unit  # runs on first iteration: a generator

        def convert(product: WooProduct, variations: list[WooVariation]) -> tuple[list[Product], list[RejectedRecord]]:
            mapped, rejected = product_to_domain(product, variations, currency=currency, weight_unit=unit)
            return ([mapped] if mapped is not None else []), rejected

        watermark = Watermark.parse(since, self.settings.modified_overlap)
        yield from read_changed(self.client, since, watermark, convert)

    # -- StockSource -----------------------------------------------------------------------------------

    def read_stock(self, since: str | None) -> Iterator[Page[StockLevel]]:
        """Quantities of simple products and variations changed after `since`; items without managed stock are
        rejected with the reason, never skipped silently."""
        location = self.settings.location_id
        watermark = Watermark.parse(since, self.settings.modified_overlap)
        # A variation's save also saves its parent, so changed parents lead to the changed variations.
        bound = watermark.lower_bound()
        variation_params: dict[str, str | int] = {}
        if bound is not None:
            variation_params = {"modified_after": format_gmt(bound), "dates_are_gmt": "true"}

        def convert(
            product: WooProduct, variations: list[WooVariation]
        ) -> tuple[list[StockLevel], list[RejectedRecord]]:
            items: list[Any] = (
                [(v, product.id) for v in variations] if product.type == "variable" else [(product, None)]
            )
            levels: list[StockLevel] = []
            rejected: list[RejectedRecord] = []
            for item, parent in items:
                outcome = stock_level(item, location, parent)
                if isinstance(outcome, StockLevel):
                    levels.append(outcome)
                else:
                    rejected.append(outcome)
            return levels, rejected

        yield from read_changed(self.client, since, watermark, convert, variation_params)

    # -- StockSink -------------------------------------------------------------------------------------

    def write_stock(self, updates: Sequence[StockUpdate]) -> list[WriteResult]:
        """Set quantities through the batch endpoints; one result per update, keyed by SKU.

        `StockUpdate.expected` is not enforced: WooCommerce has no conditional stock update.
        """
        return stock.write_stock(self.client, updates)

    # -- OrderSink -------------------------------------------------------------------------------------

    def find_order(self, idempotency_key: str, source_order_id: str) -> str | None:
        """The store order already created for this source order (searched by key, confirmed on meta)."""
        return self._orders.find_order(idempotency_key, source_order_id)

    def create_order(self, order: Order, idempotency_key: str) -> WriteResult:
        """Create the paid order (stock is reduced by the store); adopts an existing one instead of duplicating."""
        return self._orders.create_order(order, idempotency_key)

    def cancel_order(self, store_order_id: str, *, restock: bool) -> WriteResult:
        """Cancel the order; WooCommerce restores the stock it reduced."""
        return self._orders.cancel_order(store_order_id, restock=restock)

    # -- FulfilmentSource ------------------------------------------------------------------------------

    def read_fulfilments(self, store_order_ids: Sequence[str]) -> list[Fulfilment]:
        """Tracking of these orders from Shipment Tracking meta or order notes; `completed` means shipped."""
        return fulfilment.read_fulfilments(self.client, store_order_ids, self.settings.tracking_meta_key)

    # -- webhooks --------------------------------------------------------------------------------------

    def verify_webhook(self, body: bytes, headers: Mapping[str, str]) -> bool:
        """True when `x-wc-webhook-signature` signs the raw body with `webhook_secret`, and for the bare
        `webhook_id=<digits>` creation ping, which is unsigned and carries nothing to trust."""
        return verify_delivery(self.settings.webhook_secret, body, headers)

    def parse_webhook(self, body: bytes, headers: Mapping[str, str]) -> WebhookNotice:
        """The verified delivery as a notice (see `notices`); ValueError naming the problem when malformed."""
        return delivery_notice(body, headers)

    def register_webhooks(self, address: str) -> list[WriteResult]:
        """Create (or re-activate) the webhooks syncd uses, signed with `webhook_secret`; one result per topic."""
        return self._webhooks.register(address)

    def list_webhooks(self) -> dict[str, str]:
        """The store's active webhooks: topic -> delivery URL."""
        return self._webhooks.listing()
