"""One module per TikTok Shop API area; each is an attribute of `TikTokShopClient` or `ShopClient`."""

from connectors.tiktok_shop.api.auth import AuthApi
from connectors.tiktok_shop.api.base import ApiModule
from connectors.tiktok_shop.api.categories import CategoriesApi
from connectors.tiktok_shop.api.events import EventsApi
from connectors.tiktok_shop.api.finance import FinanceApi
from connectors.tiktok_shop.api.fulfillment import FulfillmentApi
from connectors.tiktok_shop.api.logistics import LogisticsApi
from connectors.tiktok_shop.api.orders import OrdersApi
from connectors.tiktok_shop.api.products import ProductsApi
from connectors.tiktok_shop.api.promotions import PromotionsApi
from connectors.tiktok_shop.api.returns import ReturnsApi
from connectors.tiktok_shop.api.seller import SellerApi

__all__ = [
    "ApiModule",
    "AuthApi",
    "CategoriesApi",
    "EventsApi",
    "FinanceApi",
    "FulfillmentApi",
    "LogisticsApi",
    "OrdersApi",
    "ProductsApi",
    "PromotionsApi",
    "ReturnsApi",
    "SellerApi",
]
