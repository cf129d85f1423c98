"""FakeTikTokShop: the whole emulator, assembled from the API modules."""

from __future__ import annotations

from connectors.tiktok_shop.fake.account import AccountAPI
from connectors.tiktok_shop.fake.finance import FinanceAPI
from connectors.tiktok_shop.fake.promotions import PromotionAPI
from connectors.tiktok_shop.fake.seeding import Seeding


class FakeTikTokShop(Seeding, FinanceAPI, PromotionAPI, AccountAPI):
    """An in-memory TikTok Shop (Open API 202309+) served over real HTTP on 127.0.0.1.

    It checks every request as the platform does (signature, timestamp window, app key, access token,
    shop cipher), answers in the `{code, message, request_id, data}` envelope, pages with cursor tokens,
    throttles with 36009002, injects the base's faults, and delivers signed webhooks. The token endpoints
    of the auth host are served too, so a client's `auth_base_url` can point here as well.

    The constructor's knobs are documented on `FakeCore`; test helpers live in `Seeding`.
    """
