"""The `tiktok` block of config.yaml: the TikTok Shop app and the shop it acts for."""

from __future__ import annotations

from datetime import timedelta

from pydantic import AnyHttpUrl, Field, model_validator

from syncd.connector import ConnectorConfig, Duration, PositiveDuration, Secret

API_URL = "https://open-api.tiktokglobalshop.com"
AUTH_URL = "https://auth.tiktok-shops.com"


class TikTokShopConfig(ConnectorConfig):
    """App credentials, the shop, endpoints and limits of the TikTok Shop connector."""

    # App credentials from the TikTok Shop Partner Center.
    app_key: str = Field(min_length=1)
    app_secret: Secret
    # The shop to sync: its cipher (preferred) or its id; `syncd tiktok shops` lists the authorised shops.
    shop_cipher: str | None = None
    shop_id: str | None = None
    # The app's service id, used to build the seller authorisation URL.
    service_id: str | None = None
    # Optional first tokens; after the first refresh the tokens stored (encrypted) in the database win.
    access_token: Secret | None = None
    refresh_token: Secret | None = None
    # Endpoint overrides (tests and the sandbox point these at the emulator).
    api_base_url: AnyHttpUrl = AnyHttpUrl(API_URL)
    auth_base_url: AnyHttpUrl = AnyHttpUrl(AUTH_URL)
    # Connect and read timeout of every call.
    timeout: PositiveDuration = timedelta(seconds=30)
    # Client-side request rate limit for this app and shop, and the burst it allows.
    requests_per_second: float = Field(default=10.0, gt=0)
    burst: int = Field(default=10, ge=1)
    # Attempts per call before a transient failure is reported, and the time budget for all of them.
    max_attempts: int = Field(default=6, ge=1)
    retry_budget: PositiveDuration = timedelta(seconds=120)
    # Refresh the access token this long before it expires.
    refresh_margin: PositiveDuration = timedelta(minutes=30)
    # New listings created per day at most; the rest wait for the next day's runs.
    daily_listing_cap: int = Field(default=1000, ge=0)
    # Incremental reads start this far before the checkpoint: TikTok's update times can land late.
    read_overlap: Duration = timedelta(minutes=10)
    # Orders read per search page (TikTok's documented maximum is 100 for most searches).
    page_size: int = Field(default=50, ge=1, le=100)

    @model_validator(mode="after")
    def _identifies_a_shop(self) -> TikTokShopConfig:
        if not (self.shop_cipher or self.shop_id):
            raise ValueError("set shop_cipher or shop_id (run `syncd tiktok shops` to list your shops)")
        return self
