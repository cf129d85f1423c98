"""The typed shape of `config.yaml`; every key is documented in `config.example.yaml`."""

from __future__ import annotations

import base64
from datetime import timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any, Literal

from pydantic import AnyHttpUrl, BaseModel, ConfigDict, Field, PrivateAttr, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from syncd.config.types import Duration, Secret, Section


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


TIKTOK_CONNECTOR = "tiktok_shop"
TIKTOK_CHANNEL = "tiktok"


class StoreSettings(BaseModel):
    """One of the merchant's stores: a name, the connector that reaches it, and that connector's block.

    The block sits under a key named after the platform (`shopify:`, `woocommerce:`); the connector's own
    `config_model` validates it, so a third-party connector brings its own settings.
    """

    model_config = ConfigDict(extra="allow", frozen=True)

    # Lowercase letters, digits, - and _; used in logs, status and per-channel rules.
    name: str = Field(min_length=1, pattern=r"^[a-z0-9][a-z0-9_-]*$")
    # The connector's registered name.
    platform: str = Field(min_length=1, pattern=r"^[a-z][a-z0-9_]*$")
    # True for the store of record: it owns the catalog and the stock, and receives TikTok orders.
    catalog_source: bool = False

    @model_validator(mode="after")
    def _one_platform_block(self) -> StoreSettings:
        extra = set(self.model_extra or {})
        if self.platform not in extra:
            raise ValueError(f"missing the `{self.platform}:` block with the store's settings")
        unknown = sorted(extra - {self.platform})
        if unknown:
            raise ValueError(f"unknown key(s) {', '.join(unknown)} (the settings belong under `{self.platform}:`)")
        if not isinstance(self.block, dict):
            raise ValueError(f"`{self.platform}:` must be a mapping of settings")
        return self

    @property
    def block(self) -> Any:
        """The raw platform block, validated later by the connector's config model."""
        return (self.model_extra or {})[self.platform]


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
    # Validated by the tiktok_shop connector's config model.
    tiktok: dict[str, Any]
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
        # The loader merges the environment into the file's values itself (platform blocks need it before
        # this model is built), so the only source here is what it passes in; no .env magic.
        return (init_settings,)

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

    # Each channel's connector config, validated by the loader through the registry.
    _connector_configs: dict[str, BaseModel] = PrivateAttr(default_factory=dict)

    def connector_config(self, channel: str) -> BaseModel:
        """The validated connector config of a channel (`tiktok` or a store name)."""
        try:
            return self._connector_configs[channel]
        except KeyError:
            raise KeyError(f"no connector config for channel {channel!r}; load settings with load_settings()") from None

    def channel_platform(self, channel: str) -> str:
        """The connector name behind a channel."""
        if channel == TIKTOK_CHANNEL:
            return TIKTOK_CONNECTOR
        return next(store.platform for store in self.stores if store.name == channel)

    @property
    def channels(self) -> list[str]:
        """Every channel: TikTok, then the stores in config order."""
        return [TIKTOK_CHANNEL, *(store.name for store in self.stores)]

    @property
    def catalog_store(self) -> StoreSettings:
        """The store of record: the one marked `catalog_source`, or the only store."""
        for store in self.stores:
            if store.catalog_source:
                return store
        return self.stores[0]

    def stock_rule(self, channel: str) -> StockRule:
        """The stock rule for a channel (`tiktok` or a store name)."""
        return self.sync.stock.channels.get(channel, self.sync.stock.default)
