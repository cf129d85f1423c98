"""The typed shape of `config.yaml`; every key is documented in `config.example.yaml`."""

from __future__ import annotations

import base64
from datetime import timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import AnyHttpUrl, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from syncd.config.types import Duration, Secret, Section

TIKTOK_API_URL = "https://open-api.tiktokglobalshop.com"
TIKTOK_AUTH_URL = "https://auth.tiktok-shops.com"
SHOPIFY_API_VERSION = "2026-10"


class DatabaseSettings(Section):
    """Where the mapping store lives and how tokens are protected at rest."""

    url: str = "sqlite:///syncd.db"
    # Comma-separated Fernet keys: the first encrypts, all decrypt, so keys can be rotated.
    encryption_key: Secret | None = None
    require_encryption: bool = True
    echo: bool = False

    @field_validator("encryption_key")
    @classmethod
    def _fernet_keys(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None:
            return None
        for index, key in enumerate(value.get_secret_value().split(",")):
            try:
                raw = base64.urlsafe_b64decode(key.strip().encode("ascii"))
            except (ValueError, UnicodeEncodeError):
                raw = b""
            if len(raw) != 32:  # Fernet keys are 32 bytes
                # Never echo the key itself.
                raise ValueError(f"key {index + 1} is not a Fernet key (44 url-safe base64 characters)")
        return value

    @field_validator("url")
    @classmethod
    def _known_backend(cls, url: str) -> str:
        if not url.startswith(("sqlite:", "postgresql:", "postgresql+psycopg:", "postgres:")):
            raise ValueError("must be a sqlite:/// or postgresql:// URL")
        return url


class TikTokSettings(Section):
    """The TikTok Shop app and the shop it acts for."""

    app_key: str = Field(min_length=1)
    app_secret: Secret
    shop_cipher: str | None = None
    shop_id: str | None = None
    service_id: str | None = None
    # Bootstrap tokens; after the first refresh the tokens in the database win.
    access_token: Secret | None = None
    refresh_token: Secret | None = None
    api_base_url: AnyHttpUrl = AnyHttpUrl(TIKTOK_API_URL)
    auth_base_url: AnyHttpUrl = AnyHttpUrl(TIKTOK_AUTH_URL)
    timeout: Duration = timedelta(seconds=30)
    requests_per_second: float = Field(default=10.0, gt=0)
    daily_listing_cap: int = Field(default=1000, ge=0)

    @model_validator(mode="after")
    def _identifies_a_shop(self) -> TikTokSettings:
        if not (self.shop_cipher or self.shop_id):
            raise ValueError("set shop_cipher or shop_id (run `syncd auth tiktok` to list your shops)")
        return self


class ShopifySettings(Section):
    """A Shopify store reached through the GraphQL Admin API."""

    shop_domain: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9-]*\.myshopify\.com$")
    access_token: Secret
    api_version: str = Field(default=SHOPIFY_API_VERSION, pattern=r"^\d{4}-(01|04|07|10)$")
    # The app's API secret key: verifies X-Shopify-Hmac-Sha256 on webhooks.
    webhook_secret: Secret | None = None
    location_ids: list[str] = Field(default_factory=list)
    base_url: AnyHttpUrl | None = None
    timeout: Duration = timedelta(seconds=30)
    bulk_threshold: int = Field(default=2500, ge=0)


class WooCommerceSettings(Section):
    """A WooCommerce store reached through the REST API v3."""

    url: AnyHttpUrl
    consumer_key: Secret
    consumer_secret: Secret
    webhook_secret: Secret | None = None
    api_version: str = "wc/v3"
    verify_ssl: bool = True
    # Send the keys as query parameters over HTTPS when the server strips the Authorization header.
    query_string_auth: bool = False
    timeout: Duration = timedelta(seconds=30)
    requests_per_second: float = Field(default=5.0, gt=0)


class _StoreBase(Section):
    name: str = Field(min_length=1, pattern=r"^[a-z0-9][a-z0-9_-]*$")
    catalog_source: bool = False


class ShopifyStore(_StoreBase):
    """One configured Shopify store."""

    platform: Literal["shopify"]
    shopify: ShopifySettings


class WooCommerceStore(_StoreBase):
    """One configured WooCommerce store."""

    platform: Literal["woocommerce"]
    woocommerce: WooCommerceSettings


StoreSettings = Annotated[ShopifyStore | WooCommerceStore, Field(discriminator="platform")]


class StockRule(Section):
    """How much of the on-hand stock a channel may sell."""

    buffer: int = Field(default=0, ge=0)
    percent: Decimal = Field(default=Decimal(100), ge=0, le=100)
    max: int | None = Field(default=None, ge=0)
    push: bool = True


class StockSettings(Section):
    """Sellable-quantity rules per channel (`tiktok` or a store name) and SKUs never pushed."""

    default: StockRule = StockRule()
    channels: dict[str, StockRule] = Field(default_factory=dict)
    exclude_skus: list[str] = Field(default_factory=list)
    # Store location id -> TikTok warehouse id.
    location_warehouses: dict[str, str] = Field(default_factory=dict)


class Rounding(StrEnum):
    """How a computed price is rounded."""

    NONE = "none"
    CENTS = "cents"
    WHOLE = "whole"
    NINETY_NINE = "ninety_nine"


class PriceSettings(Section):
    """How store prices become TikTok prices."""

    markup_percent: Decimal = Field(default=Decimal(0), ge=-100)
    markup_amount: Decimal = Decimal(0)
    rounding: Rounding = Rounding.CENTS
    use_compare_at_price: bool = True


class CategoryMatch(Section):
    """Which store products a category rule applies to; every given field must match."""

    product_type: str | None = None
    vendor: str | None = None
    tag: str | None = None
    sku_prefix: str | None = None


class CategoryRule(Section):
    """The TikTok category, brand and attributes used to list matching products."""

    match: CategoryMatch
    category_id: str = Field(min_length=1)
    brand_id: str | None = None
    attributes: dict[str, str] = Field(default_factory=dict)
    package_weight_grams: int | None = Field(default=None, gt=0)


class CatalogSettings(Section):
    """Rules for creating TikTok listings from store products."""

    create_listings: bool = True
    categories: list[CategoryRule] = Field(default_factory=list)
    default_package_weight_grams: int | None = Field(default=None, gt=0)


class UnknownSkuPolicy(StrEnum):
    """What to do with an order line whose SKU no channel knows."""

    QUARANTINE = "quarantine"
    CUSTOM_LINE = "custom_line"


class OrderSettings(Section):
    """How TikTok orders are imported into the store of record."""

    on_hold_window: Duration = timedelta(minutes=60)
    unknown_sku: UnknownSkuPolicy = UnknownSkuPolicy.QUARANTINE
    overlap: Duration = timedelta(minutes=10)
    tag: str = "TikTok Shop"


class FulfilmentSettings(Section):
    """Carrier name (as the store reports it) -> TikTok shipping provider id."""

    carriers: dict[str, str] = Field(default_factory=dict)


class SyncSettings(Section):
    """All sync rules."""

    stock: StockSettings = StockSettings()
    prices: PriceSettings = PriceSettings()
    catalog: CatalogSettings = CatalogSettings()
    orders: OrderSettings = OrderSettings()
    fulfilment: FulfilmentSettings = FulfilmentSettings()


class Schedule(Section):
    """When a job runs: every `every`, or on a cron expression."""

    enabled: bool = True
    every: Duration | None = None
    cron: str | None = None
    jitter: Duration = timedelta(seconds=10)

    @model_validator(mode="after")
    def _one_trigger(self) -> Schedule:
        if self.enabled and (self.every is None) == (self.cron is None):
            raise ValueError("set exactly one of every or cron")
        if self.cron is not None and len(self.cron.split()) != 5:
            raise ValueError("cron must have five fields: minute hour day month weekday")
        return self


class Schedules(Section):
    """One schedule per job."""

    catalog: Schedule = Schedule(every=timedelta(minutes=15))
    stock: Schedule = Schedule(every=timedelta(minutes=2))
    orders: Schedule = Schedule(every=timedelta(minutes=2))
    fulfilment: Schedule = Schedule(every=timedelta(minutes=5))
    returns: Schedule = Schedule(every=timedelta(minutes=10))
    reconcile: Schedule = Schedule(cron="30 3 * * *", jitter=timedelta(minutes=5))


class HttpSettings(Section):
    """The webhook, health and metrics server."""

    host: str = "0.0.0.0"  # noqa: S104 - the daemon runs in a container and must be reachable
    port: int = Field(default=8080, ge=1, le=65535)
    public_url: AnyHttpUrl | None = None
    max_body_bytes: int = Field(default=1_048_576, gt=0)


class LogFormat(StrEnum):
    """Log line format; `auto` is text on a terminal and JSON otherwise."""

    AUTO = "auto"
    JSON = "json"
    TEXT = "text"


class LoggingSettings(Section):
    """Log level and format."""

    level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    format: LogFormat = LogFormat.AUTO


class Settings(BaseSettings):
    """The whole configuration of one merchant's daemon."""

    model_config = SettingsConfigDict(
        env_prefix="SYNCD_",
        env_nested_delimiter="__",
        extra="forbid",
        frozen=True,
        case_sensitive=False,
    )

    database: DatabaseSettings = DatabaseSettings()
    tiktok: TikTokSettings
    stores: list[StoreSettings] = Field(min_length=1)
    sync: SyncSettings = SyncSettings()
    schedules: Schedules = Schedules()
    http: HttpSettings = HttpSettings()
    logging: LoggingSettings = LoggingSettings()

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # Environment overrides the file (passed in as init values by the loader); no .env magic.
        return (env_settings, init_settings)

    @model_validator(mode="after")
    def _one_catalog_source(self) -> Settings:
        names = [store.name for store in self.stores]
        duplicates = sorted({name for name in names if names.count(name) > 1})
        if duplicates:
            raise ValueError(f"store names must be unique: {', '.join(duplicates)}")
        sources = [store.name for store in self.stores if store.catalog_source]
        unknown = sorted(set(self.sync.stock.channels) - {"tiktok", *names})
        if unknown:
            raise ValueError(
                f"sync.stock.channels names unknown channels: {', '.join(unknown)} (known: tiktok, {', '.join(names)})"
            )
        if self.database.require_encryption and self.database.encryption_key is None:
            raise ValueError(
                "database.encryption_key is required while database.require_encryption is true "
                "(generate one with `syncd db generate-key`)"
            )
        if len(self.stores) == 1 and not sources:
            return self
        if len(sources) != 1:
            raise ValueError(
                "exactly one store must have catalog_source: true "
                f"(found {len(sources)}: {', '.join(sources) or 'none'})"
            )
        return self

    @property
    def catalog_store(self) -> ShopifyStore | WooCommerceStore:
        """The store of record: the one marked `catalog_source`, or the only store."""
        for store in self.stores:
            if store.catalog_source:
                return store
        return self.stores[0]

    def stock_rule(self, channel: str) -> StockRule:
        """The stock rule for a channel (`tiktok` or a store name)."""
        return self.sync.stock.channels.get(channel, self.sync.stock.default)
