"""TikTok Shop client, without a server: what each method sends, how envelopes map to errors, per-item
results, and the token lifecycle.

`httpx.MockTransport` only records what the client sends; it answers every request with the bare success
envelope (`code` 0, empty `data`) so the call can complete. Platform behaviour (errors, partial failures,
pagination, expired tokens) is exercised against the emulator in `fake.py`; here the code that interprets it
is given platform-shaped inputs directly.
"""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from connectors.tiktok_shop import (
    InMemoryTokenStore,
    ShopClient,
    TikTokAPIError,
    TikTokAuthError,
    TikTokFatalError,
    TikTokRateLimitedError,
    TikTokShopClient,
    TikTokTokenExpiredError,
    TikTokTransientError,
    TokenManager,
    TokenSet,
)
from connectors.tiktok_shop.errors import build_classifier, check_envelope, error_from_failure
from connectors.tiktok_shop.models import (
    ActivityCreate,
    ActivityProductInput,
    ActivitySearchFilter,
    ActivityUpdate,
    ApproveReturnRequest,
    CancellationSearchFilter,
    CancelOrderRequest,
    CombinePackageInput,
    CouponSearchFilter,
    ExternalOrderInput,
    ExternalOrderReference,
    ImageRef,
    InventoryQuantity,
    ItemError,
    OrderSearchFilter,
    PackageSearchFilter,
    PackageWeight,
    PrerequisitesData,
    PriceInput,
    ProductFields,
    ProductInput,
    ProductSearchFilter,
    RecommendCategoryRequest,
    RefundCalculation,
    RefundCalculationRequest,
    RejectCancellationRequest,
    RejectReturnRequest,
    ReturnSearchFilter,
    SelfShipment,
    ShipPackageItem,
    ShipPackageRequest,
    SkuInput,
    SkuInventoryUpdate,
    SkuPriceUpdate,
    SplittableGroup,
    inventory_outcomes,
    outcomes_from_errors,
)
from connectors.tiktok_shop.tokens import expiry_from_api
from syncd.errors import AuthError, FatalApiError, RateLimited, TransientApiError
from syncd.http import Action, ManualClock, register_secret

APP_KEY = "6ab12cd34ef"
APP_SECRET = "app-secret-value-0123456789"
CIPHER = "ROW_cipher_shop_1"
COMMON = {"app_key", "timestamp", "sign", "shop_cipher"}
START = datetime(2025, 1, 1, tzinfo=UTC)


def token_set(
    access: str = "AT-1", refresh: str = "RT-1", *, expires: timedelta = timedelta(days=7), now: datetime = START
) -> TokenSet:
    return TokenSet(
        access_token=SecretStr(access),
        access_token_expires_at=now + expires,
        refresh_token=SecretStr(refresh),
        refresh_token_expires_at=now + timedelta(days=365),
        open_id="open-1",
        seller_name="Seller",
        seller_base_region="GB",
        granted_scopes=("seller.order.info",),
    )


class Capture:
    """Records every request; answers each with the bare success envelope so the call completes."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        request.read()
        self.requests.append(request)
        return httpx.Response(200, json={"code": 0, "message": "Success", "request_id": "req-1", "data": {}})


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(start=START)


@pytest.fixture
def capture() -> Capture:
    return Capture()


def make_client(capture: Capture, clock: ManualClock, **kwargs: Any) -> TikTokShopClient:
    return TikTokShopClient(
        APP_KEY,
        SecretStr(APP_SECRET),
        token_store=InMemoryTokenStore(token_set()),
        clock=clock,
        transport=httpx.MockTransport(capture),
        **kwargs,
    )


@pytest.fixture
def client(capture: Capture, clock: ManualClock) -> Iterator[TikTokShopClient]:
    with make_client(capture, clock) as client:
        yield client


@pytest.fixture
def shop(client: TikTokShopClient) -> ShopClient:
    return client.for_shop(CIPHER)


def business_params(request: httpx.Request) -> dict[str, str]:
    return {k: v for k, v in request.url.params.items() if k not in COMMON}


def sent_json(request: httpx.Request) -> Any:
    return json.loads(request.content) if request.content else None


PRODUCT = ProductInput(
    title="Mug",
    description="<p>A mug</p>",
    category_id="600001",
    main_images=[ImageRef(uri="tos-img-1")],
    skus=[SkuInput(seller_sku="MUG-1", price=PriceInput(amount=Decimal("9.90"), currency="GBP"))],
    package_weight=PackageWeight(value=Decimal("0.4"), unit="KILOGRAM"),
    idempotency_key="mug-1",
)
PRODUCT_BODY = {
    "title": "Mug",
    "description": "<p>A mug</p>",
    "category_id": "600001",
    "main_images": [{"uri": "tos-img-1"}],
    "skus": [{"seller_sku": "MUG-1", "price": {"amount": "9.90", "currency": "GBP"}}],
    "package_weight": {"value": "0.4", "unit": "KILOGRAM"},
    "idempotency_key": "mug-1",
}

Call = Callable[[ShopClient], object]
SHIP = ShipPackageRequest(
    handover_method="DROP_OFF", self_shipment=SelfShipment(tracking_number="T1", shipping_provider_id="P1")
)
PRICES = [SkuPriceUpdate(id="9", price=PriceInput(amount=Decimal("12.50"), currency="GBP"))]
STOCK = [SkuInventoryUpdate(id="9", inventory=[InventoryQuantity(warehouse_id="W1", quantity=0)])]
ACTIVITY = ActivityCreate(
    title="Sale", activity_type="DIRECT_DISCOUNT", begin_time=1, end_time=2, product_level="PRODUCT"
)
DEAL = ActivityProductInput(id="17", activity_price_amount=Decimal("9.99"), quantity_limit=-1, quantity_per_user=2)


def case(name: str, call: Call, request: str, params: dict[str, str] | None = None, body: Any = None) -> Any:
    """One call and what it must send: `request` is "METHOD /path"; `params` excludes the common ones."""
    method, path = request.split(" ")
    return pytest.param(call, method, path, params or {}, body, id=name)


SHOP_CASES = [
    case("products.create", lambda s: s.products.create(PRODUCT), "POST /product/202309/products", body=PRODUCT_BODY),
    case(
        "products.edit", lambda s: s.products.edit("17", PRODUCT), "PUT /product/202309/products/17", body=PRODUCT_BODY
    ),
    case(
        "products.partial_edit",
        lambda s: s.products.partial_edit("17", ProductFields(title="New")),
        "POST /product/202309/products/17/partial_edit",
        body={"title": "New"},
    ),
    case(
        "products.get",
        lambda s: s.products.get("17", return_under_review_version=True),
        "GET /product/202309/products/17",
        {"return_under_review_version": "true"},
    ),
    case(
        "products.search",
        lambda s: s.products.search(ProductSearchFilter(status="ACTIVATE"), page_size=10, page_token="t1"),
        "POST /product/202502/products/search",
        {"page_size": "10", "page_token": "t1"},
        {"status": "ACTIVATE"},
    ),
    case(
        "products.delete",
        lambda s: s.products.delete(["1", "2"]),
        "DELETE /product/202309/products",
        body={"product_ids": ["1", "2"]},
    ),
    case(
        "products.recover",
        lambda s: s.products.recover(["1"]),
        "POST /product/202309/products/recover",
        body={"product_ids": ["1"]},
    ),
    case(
        "products.activate",
        lambda s: s.products.activate(["1"], listing_platforms=["TIKTOK_SHOP"]),
        "POST /product/202309/products/activate",
        body={"product_ids": ["1"], "listing_platforms": ["TIKTOK_SHOP"]},
    ),
    case(
        "products.deactivate",
        lambda s: s.products.deactivate(["1"]),
        "POST /product/202309/products/deactivate",
        body={"product_ids": ["1"]},
    ),
    case(
        "products.check_listing",
        lambda s: s.products.check_listing(PRODUCT),
        "POST /product/202309/products/listing_check",
        body=PRODUCT_BODY,
    ),
    case(
        "products.update_prices",
        lambda s: s.products.update_prices("17", PRICES),
        "POST /product/202309/products/17/prices/update",
        body={"skus": [{"id": "9", "price": {"amount": "12.50", "currency": "GBP"}}]},
    ),
    case(
        "products.update_inventory",
        lambda s: s.products.update_inventory("17", STOCK),
        "POST /product/202309/products/17/inventory/update",
        body={"skus": [{"id": "9", "inventory": [{"warehouse_id": "W1", "quantity": 0}]}]},
    ),
    case(
        "products.search_inventory",
        lambda s: s.products.search_inventory(sku_ids=["9"]),
        "POST /product/202309/inventory/search",
        body={"sku_ids": ["9"]},
    ),
    case("products.prerequisites", lambda s: s.products.prerequisites(), "GET /product/202312/prerequisites"),
    case(
        "categories.list",
        lambda s: s.categories.list_categories(locale="en-GB"),
        "GET /product/202309/categories",
        {"locale": "en-GB"},
    ),
    case("categories.rules", lambda s: s.categories.rules("600001"), "GET /product/202309/categories/600001/rules"),
    case(
        "categories.attributes",
        lambda s: s.categories.attributes("600001"),
        "GET /product/202309/categories/600001/attributes",
    ),
    case(
        "categories.recommend",
        lambda s: s.categories.recommend(RecommendCategoryRequest(product_title="Red mug")),
        "POST /product/202309/categories/recommend",
        body={"product_title": "Red mug"},
    ),
    case(
        "categories.brands",
        lambda s: s.categories.brands(category_id="6001"),
        "GET /product/202309/brands",
        {"category_id": "6001", "page_size": "20"},
    ),
    case(
        "orders.search",
        lambda s: s.orders.search(
            OrderSearchFilter(update_time_ge=1700000000), sort_field="update_time", sort_order="ASC"
        ),
        "POST /order/202309/orders/search",
        {"page_size": "50", "sort_field": "update_time", "sort_order": "ASC"},
        {"update_time_ge": 1700000000},
    ),
    case("orders.price_detail", lambda s: s.orders.price_detail("576"), "GET /order/202407/orders/576/price_detail"),
    case(
        "orders.get_external_references",
        lambda s: s.orders.get_external_references("576", "SHOPIFY"),
        "GET /order/202406/orders/576/external_orders",
        {"platform": "SHOPIFY"},
    ),
    case(
        "orders.search_by_external_reference",
        lambda s: s.orders.search_by_external_reference("SHOPIFY", "1001"),
        "POST /order/202406/orders/external_order_search",
        {"platform": "SHOPIFY", "external_order_id": "1001"},
    ),
    case(
        "fulfillment.search_packages",
        lambda s: s.fulfillment.search_packages(PackageSearchFilter(package_status="TO_FULFILL"), page_size=20),
        "POST /fulfillment/202309/packages/search",
        {"page_size": "20"},
        {"package_status": "TO_FULFILL"},
    ),
    case("fulfillment.get_package", lambda s: s.fulfillment.get_package("115"), "GET /fulfillment/202309/packages/115"),
    case(
        "fulfillment.ship_package",
        lambda s: s.fulfillment.ship_package("115", SHIP),
        "POST /fulfillment/202309/packages/115/ship",
        body={"handover_method": "DROP_OFF", "self_shipment": {"tracking_number": "T1", "shipping_provider_id": "P1"}},
    ),
    case(
        "fulfillment.batch_ship_packages",
        lambda s: s.fulfillment.batch_ship_packages([ShipPackageItem(id="115", handover_method="PICKUP")]),
        "POST /fulfillment/202309/packages/ship",
        body={"packages": [{"id": "115", "handover_method": "PICKUP"}]},
    ),
    case(
        "fulfillment.mark_package_shipped",
        lambda s: s.fulfillment.mark_package_shipped("576", "T1", "P1", order_line_item_ids=["L1", "L2"]),
        "POST /fulfillment/202309/orders/576/packages",
        body={"tracking_number": "T1", "shipping_provider_id": "P1", "order_line_item_ids": ["L1", "L2"]},
    ),
    case(
        "fulfillment.update_shipping_info",
        lambda s: s.fulfillment.update_shipping_info("576", "T2", "P1"),
        "POST /fulfillment/202309/orders/576/shipping_info/update",
        body={"tracking_number": "T2", "shipping_provider_id": "P1"},
    ),
    case(
        "fulfillment.update_package_shipping_info",
        lambda s: s.fulfillment.update_package_shipping_info("115", "T2", "P1"),
        "POST /fulfillment/202309/packages/115/shipping_info/update",
        body={"tracking_number": "T2", "shipping_provider_id": "P1"},
    ),
    case(
        "fulfillment.get_tracking",
        lambda s: s.fulfillment.get_tracking("576"),
        "GET /fulfillment/202309/orders/576/tracking",
    ),
    case(
        "fulfillment.shipping_documents",
        lambda s: s.fulfillment.shipping_documents("115", "SHIPPING_LABEL", document_size="A6"),
        "GET /fulfillment/202309/packages/115/shipping_documents",
        {"document_type": "SHIPPING_LABEL", "document_size": "A6"},
    ),
    case(
        "fulfillment.split_attributes",
        lambda s: s.fulfillment.split_attributes(["1", "2"]),
        "GET /fulfillment/202309/orders/split_attributes",
        {"order_ids": "1,2"},
    ),
    case(
        "fulfillment.split_order",
        lambda s: s.fulfillment.split_order("576", [SplittableGroup(id="g1", order_line_item_ids=["L1"])]),
        "POST /fulfillment/202309/orders/576/split",
        body={"splittable_groups": [{"id": "g1", "order_line_item_ids": ["L1"]}]},
    ),
    case(
        "fulfillment.search_combinable_packages",
        lambda s: s.fulfillment.search_combinable_packages(),
        "GET /fulfillment/202309/combinable_packages/search",
        {"page_size": "20"},
    ),
    case(
        "fulfillment.combine_packages",
        lambda s: s.fulfillment.combine_packages([CombinePackageInput(id="c1", order_ids=["1", "2"])]),
        "POST /fulfillment/202309/packages/combine",
        body={"combinable_packages": [{"id": "c1", "order_ids": ["1", "2"]}]},
    ),
    case(
        "fulfillment.combine_packages without order ids",
        lambda s: s.fulfillment.combine_packages([CombinePackageInput(id="c1")]),
        "POST /fulfillment/202309/packages/combine",
        body={"combinable_packages": [{"id": "c1"}]},
    ),
    case(
        "fulfillment.uncombine_package",
        lambda s: s.fulfillment.uncombine_package("115", ["1"]),
        "POST /fulfillment/202309/packages/115/uncombine",
        body={"order_ids": ["1"]},
    ),
    case("logistics.warehouses", lambda s: s.logistics.warehouses(), "GET /logistics/202309/warehouses"),
    case(
        "logistics.delivery_options",
        lambda s: s.logistics.delivery_options("W1"),
        "GET /logistics/202309/warehouses/W1/delivery_options",
    ),
    case(
        "logistics.shipping_providers",
        lambda s: s.logistics.shipping_providers("D1"),
        "GET /logistics/202309/delivery_options/D1/shipping_providers",
    ),
    case(
        "returns.search_returns",
        lambda s: s.returns.search_returns(ReturnSearchFilter(order_ids=["576"])),
        "POST /return_refund/202309/returns/search",
        {"page_size": "50"},
        {"order_ids": ["576"]},
    ),
    case(
        "returns.approve_return",
        lambda s: s.returns.approve_return("R1", ApproveReturnRequest(decision="APPROVE_REFUND"), idempotency_key="k1"),
        "POST /return_refund/202309/returns/R1/approve",
        {"idempotency_key": "k1"},
        {"decision": "APPROVE_REFUND"},
    ),
    case(
        "returns.reject_return",
        lambda s: s.returns.reject_return(
            "R1", RejectReturnRequest(decision="REJECT_REFUND", reject_reason="r1"), idempotency_key="k2"
        ),
        "POST /return_refund/202309/returns/R1/reject",
        {"idempotency_key": "k2"},
        {"decision": "REJECT_REFUND", "reject_reason": "r1"},
    ),
    case(
        "returns.return_records",
        lambda s: s.returns.return_records("R1"),
        "GET /return_refund/202309/returns/R1/records",
    ),
    case(
        "returns.reject_reasons",
        lambda s: s.returns.reject_reasons(return_or_cancel_id="R1"),
        "GET /return_refund/202309/reject_reasons",
        {"return_or_cancel_id": "R1"},
    ),
    case(
        "returns.aftersale_eligibility",
        lambda s: s.returns.aftersale_eligibility("576"),
        "GET /return_refund/202309/orders/576/aftersale_eligibility",
    ),
    case(
        "returns.cancel_order",
        lambda s: s.returns.cancel_order(CancelOrderRequest(order_id="576", cancel_reason="out_of_stock")),
        "POST /return_refund/202309/cancellations",
        body={"order_id": "576", "cancel_reason": "out_of_stock"},
    ),
    case(
        "returns.search_cancellations",
        lambda s: s.returns.search_cancellations(
            CancellationSearchFilter(cancel_status=["CANCELLATION_REQUEST_PENDING"])
        ),
        "POST /return_refund/202309/cancellations/search",
        {"page_size": "50"},
        {"cancel_status": ["CANCELLATION_REQUEST_PENDING"]},
    ),
    case(
        "returns.approve_cancellation",
        lambda s: s.returns.approve_cancellation("C1", idempotency_key="k3"),
        "POST /return_refund/202309/cancellations/C1/approve",
        {"idempotency_key": "k3"},
    ),
    case(
        "returns.reject_cancellation",
        lambda s: s.returns.reject_cancellation(
            "C1", RejectCancellationRequest(reject_reason="r2"), idempotency_key="k4"
        ),
        "POST /return_refund/202309/cancellations/C1/reject",
        {"idempotency_key": "k4"},
        {"reject_reason": "r2"},
    ),
    case(
        "returns.calculate_refund",
        lambda s: s.returns.calculate_refund(
            RefundCalculationRequest(order_id="576", request_type="REFUND", reason_name="ecom_order_delivered_refund")
        ),
        "POST /return_refund/202309/refunds/calculate",
        body={"order_id": "576", "request_type": "REFUND", "reason_name": "ecom_order_delivered_refund"},
    ),
    case(
        "finance.statements",
        lambda s: s.finance.statements(statement_time_ge=1, statement_time_lt=2),
        "GET /finance/202309/statements",
        {"statement_time_ge": "1", "statement_time_lt": "2", "page_size": "20", "sort_field": "statement_time"},
    ),
    case(
        "finance.payments",
        lambda s: s.finance.payments(),
        "GET /finance/202309/payments",
        {"page_size": "20", "sort_field": "create_time"},
    ),
    case(
        "finance.withdrawals",
        lambda s: s.finance.withdrawals(),
        "GET /finance/202309/withdrawals",
        {"types": "WITHDRAW,SETTLE,TRANSFER,REVERSE", "page_size": "20"},
    ),
    case(
        "finance.statement_transactions",
        lambda s: s.finance.statement_transactions("S1"),
        "GET /finance/202501/statements/S1/statement_transactions",
        {"page_size": "20", "sort_field": "order_create_time"},
    ),
    case(
        "finance.order_transactions",
        lambda s: s.finance.order_transactions("576"),
        "GET /finance/202501/orders/576/statement_transactions",
    ),
    case(
        "promotions.create_activity",
        lambda s: s.promotions.create_activity(ACTIVITY),
        "POST /promotion/202309/activities",
        body={
            "title": "Sale",
            "activity_type": "DIRECT_DISCOUNT",
            "begin_time": 1,
            "end_time": 2,
            "product_level": "PRODUCT",
        },
    ),
    case(
        "promotions.update_activity",
        lambda s: s.promotions.update_activity("A1", ActivityUpdate(title="Sale 2", begin_time=1, end_time=3)),
        "PUT /promotion/202309/activities/A1",
        body={"title": "Sale 2", "begin_time": 1, "end_time": 3},
    ),
    case(
        "promotions.deactivate_activity",
        lambda s: s.promotions.deactivate_activity("A1"),
        "POST /promotion/202309/activities/A1/deactivate",
    ),
    case("promotions.get_activity", lambda s: s.promotions.get_activity("A1"), "GET /promotion/202309/activities/A1"),
    case(
        "promotions.search_activities",
        lambda s: s.promotions.search_activities(ActivitySearchFilter(status="ONGOING"), page_size=10),
        "POST /promotion/202309/activities/search",
        body={"status": "ONGOING", "page_size": 10},
    ),
    case(
        "promotions.update_activity_products",
        lambda s: s.promotions.update_activity_products("A1", [DEAL]),
        "PUT /promotion/202309/activities/A1/products",
        body={
            "activity_id": "A1",
            "products": [{"id": "17", "activity_price_amount": "9.99", "quantity_limit": -1, "quantity_per_user": 2}],
        },
    ),
    case(
        "promotions.remove_activity_products",
        lambda s: s.promotions.remove_activity_products("A1", product_ids=["17"]),
        "DELETE /promotion/202309/activities/A1/products",
        body={"product_ids": ["17"], "sku_ids": []},
    ),
    case(
        "promotions.search_coupons",
        lambda s: s.promotions.search_coupons(CouponSearchFilter(title_keyword="x")),
        "POST /promotion/202406/coupons/search",
        {"page_size": "50"},
        {"title_keyword": "x"},
    ),
    case("promotions.get_coupon", lambda s: s.promotions.get_coupon("C9"), "GET /promotion/202406/coupons/C9"),
    case("events.webhooks", lambda s: s.events.webhooks(), "GET /event/202309/webhooks"),
    case(
        "events.update_webhook",
        lambda s: s.events.update_webhook("ORDER_STATUS_CHANGE", "https://example.com/hook"),
        "PUT /event/202309/webhooks",
        body={"address": "https://example.com/hook", "event_type": "ORDER_STATUS_CHANGE"},
    ),
    case(
        "events.delete_webhook",
        lambda s: s.events.delete_webhook("ORDER_STATUS_CHANGE"),
        "DELETE /event/202309/webhooks",
        body={"event_type": "ORDER_STATUS_CHANGE"},
    ),
]


@pytest.mark.parametrize(("call", "method", "path", "params", "body"), SHOP_CASES)
def test_shop_call_shape(
    shop: ShopClient, capture: Capture, call: Call, method: str, path: str, params: dict[str, str], body: Any
) -> None:
    # The bare envelope lacks the ids some reads require; what was sent is what this test checks.
    with contextlib.suppress(TikTokFatalError):
        call(shop)
    [request] = capture.requests
    assert request.method == method
    assert request.url.path == path
    assert business_params(request) == params
    assert request.url.params["shop_cipher"] == CIPHER
    assert request.url.params["app_key"] == APP_KEY
    assert request.headers["x-tts-access-token"] == "AT-1"
    assert sent_json(request) == body
    if body is None:
        assert request.content == b""
        assert "content-type" not in request.headers
    else:
        assert request.headers["content-type"] == "application/json"


SELLER_CASES: list[tuple[str, Callable[[TikTokShopClient], object], str]] = [
    ("shops", lambda c: c.seller.shops(), "/authorization/202309/shops"),
    ("category_assets", lambda c: c.seller.category_assets(), "/authorization/202405/category_assets"),
    ("active_shops", lambda c: c.seller.active_shops(), "/seller/202309/shops"),
    ("permissions", lambda c: c.seller.permissions(), "/seller/202309/permissions"),
]


@pytest.mark.parametrize(("name", "call", "path"), SELLER_CASES, ids=[c[0] for c in SELLER_CASES])
def test_seller_calls_are_signed_without_a_cipher(
    client: TikTokShopClient, capture: Capture, name: str, call: Callable[[TikTokShopClient], object], path: str
) -> None:
    call(client)
    [request] = capture.requests
    assert (request.method, request.url.path) == ("GET", path)
    assert set(request.url.params) == {"app_key", "timestamp", "sign"}
    assert request.headers["x-tts-access-token"] == "AT-1"


def test_create_brand_and_image_upload_carry_no_cipher(shop: ShopClient, capture: Capture) -> None:
    with pytest.raises(TikTokFatalError, match="id"):
        shop.categories.create_brand("Acme")  # the bare envelope carries no brand id
    with pytest.raises(TikTokFatalError, match="uri"):
        # The bare envelope has no `uri`: the upload's answer is checked like any other.
        shop.products.upload_image(b"\x89PNG-bytes", use_case="MAIN_IMAGE", filename="a.png", content_type="image/png")
    brand, upload = capture.requests
    assert (brand.method, brand.url.path, sent_json(brand)) == ("POST", "/product/202309/brands", {"name": "Acme"})
    assert "shop_cipher" not in brand.url.params
    assert (upload.method, upload.url.path) == ("POST", "/product/202309/images/upload")
    assert "shop_cipher" not in upload.url.params
    assert upload.headers["content-type"].startswith("multipart/form-data; boundary=")
    assert b'name="use_case"\r\n\r\nMAIN_IMAGE' in upload.content
    assert b"\x89PNG-bytes" in upload.content


def test_search_without_filters_sends_no_body(shop: ShopClient, capture: Capture) -> None:
    shop.orders.search()
    shop.products.search(ProductSearchFilter())
    for request in capture.requests:
        assert request.method == "POST"
        assert request.content == b""


def test_order_details_are_fetched_fifty_ids_at_a_time(shop: ShopClient, capture: Capture) -> None:
    ids = [str(7000000000000000000 + n) for n in range(120)]
    shop.orders.get_details(ids + ids[:5])  # duplicates are asked for once
    batches = [request.url.params["ids"].split(",") for request in capture.requests]
    assert [len(batch) for batch in batches] == [50, 50, 20]
    assert [i for batch in batches for i in batch] == ids
    assert all(r.method == "GET" and r.url.path == "/order/202309/orders" for r in capture.requests)


def test_external_references_are_added_a_hundred_at_a_time(shop: ShopClient, capture: Capture) -> None:
    refs = [
        ExternalOrderReference(id=str(n), external_order=ExternalOrderInput(id=f"#{n}", platform="SHOPIFY"))
        for n in range(250)
    ]
    result = shop.orders.add_external_references(refs)
    sizes = [len(sent_json(request)["orders"]) for request in capture.requests]
    assert sizes == [100, 100, 50]
    assert sent_json(capture.requests[2])["orders"][0] == {
        "id": "200",
        "external_order": {"id": "#200", "platform": "SHOPIFY"},
    }
    assert result.succeeded == [str(n) for n in range(250)]


def test_version_override_per_call_and_per_client(capture: Capture, clock: ManualClock) -> None:
    with make_client(capture, clock, versions={"orders.get_details": "202507", "products.edit": "202509"}) as client:
        shop = client.for_shop(CIPHER)
        shop.orders.get_details(["1"])
        shop.orders.get_details(["1"], version="202309")
        shop.products.edit("17", PRODUCT)
        with pytest.raises(ValueError, match="six digits"):
            shop.orders.search(version="v2")
    paths = [request.url.path for request in capture.requests]
    assert paths == ["/order/202507/orders", "/order/202309/orders", "/product/202509/products/17"]


def test_path_ids_are_escaped_and_checked(shop: ShopClient, capture: Capture) -> None:
    with contextlib.suppress(TikTokFatalError):  # the bare envelope is no product
        shop.products.get("../../authorization/202309/shops")
    [request] = capture.requests
    assert request.url.raw_path.startswith(b"/product/202309/products/..%2F..%2Fauthorization")
    with pytest.raises(ValueError, match="product_id"):
        shop.products.get("")
    assert len(capture.requests) == 1


def test_shop_views_are_immutable_and_independent(client: TikTokShopClient, capture: Capture) -> None:
    one, two = client.for_shop("CIPHER_ONE"), client.for_shop("CIPHER_TWO")
    with pytest.raises(AttributeError):
        one.shop_cipher = "other"  # type: ignore[misc]
    with pytest.raises(AttributeError):
        one.orders.shop_cipher = "other"  # type: ignore[misc]
    threads = [threading.Thread(target=view.logistics.warehouses) for view in (one, two) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    ciphers = sorted(request.url.params["shop_cipher"] for request in capture.requests)
    assert ciphers == ["CIPHER_ONE"] * 5 + ["CIPHER_TWO"] * 5


def test_authorization_urls(client: TikTokShopClient) -> None:
    assert client.auth.authorization_url("st-1", service_id="7123") == (
        "https://services.tiktokshop.com/open/authorize?service_id=7123&state=st-1"
    )
    assert client.auth.authorization_url("st-1", service_id="7123", market="US").startswith(
        "https://services.us.tiktokshop.com/open/authorize?"
    )
    assert (
        client.auth.authorization_url("a b")
        == "https://auth.tiktok-shops.com/oauth/authorize?app_key=6ab12cd34ef&state=a+b"
    )


def test_token_exchange_sends_the_code_unsigned_to_the_auth_host(client: TikTokShopClient, capture: Capture) -> None:
    with pytest.raises(TikTokFatalError, match="token response"):
        client.auth.get_token("code-1")  # the bare envelope carries no tokens
    [request] = capture.requests
    assert (request.method, request.url.host, request.url.path) == ("GET", "auth.tiktok-shops.com", "/api/v2/token/get")
    assert dict(request.url.params) == {
        "app_key": APP_KEY,
        "app_secret": APP_SECRET,
        "auth_code": "code-1",
        "grant_type": "authorized_code",
    }
    assert "x-tts-access-token" not in request.headers


def test_secrets_stay_out_of_logs(client: TikTokShopClient, capture: Capture, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("DEBUG")
    client.for_shop(CIPHER).logistics.warehouses()
    with pytest.raises(TikTokFatalError):
        client.auth.get_token("code-1")
    text = caplog.text
    assert capture.requests[0].url.params["sign"] not in text
    assert APP_SECRET not in text
    assert "AT-1" not in text
    assert "code-1" not in text


# --- envelopes to errors -----------------------------------------------------------------------------------

REQUEST = httpx.Request("GET", "https://open-api.tiktokglobalshop.com/order/202309/orders?sign=abc")


def response(
    status: int, body: Any = None, *, content: bytes | None = None, headers: dict[str, str] | None = None
) -> httpx.Response:
    if content is None:
        content = json.dumps(body).encode()
    return httpx.Response(status, content=content, headers=headers, request=REQUEST)


def envelope(code: int, message: str = "m", data: Any = None) -> dict[str, Any]:
    return {"code": code, "message": message, "request_id": "2024052312345", "data": data}


def test_success_envelope_returns_data() -> None:
    assert check_envelope(response(200, envelope(0, "Success", {"orders": []}))) == {"orders": []}


@pytest.mark.parametrize(
    ("code", "status", "cls", "family"),
    [
        (36009004, 200, TikTokFatalError, FatalApiError),
        (98001004, 200, TikTokFatalError, FatalApiError),
        (12052055, 200, TikTokFatalError, FatalApiError),
        (36020001, 400, TikTokFatalError, FatalApiError),
        (36009002, 200, TikTokRateLimitedError, RateLimited),
        (12052109, 200, TikTokRateLimitedError, RateLimited),
        (0, 429, TikTokRateLimitedError, RateLimited),
        (36009003, 200, TikTokTransientError, TransientApiError),
        (0, 503, TikTokTransientError, TransientApiError),
        (105002, 200, TikTokTokenExpiredError, AuthError),
        (105005, 200, TikTokAuthError, AuthError),
        (106001, 401, TikTokAuthError, AuthError),
        # The token host's "can not find related auth record" and "rt has expired": the seller must re-authorise.
        (36004005, 200, TikTokAuthError, AuthError),
        (36004001, 200, TikTokAuthError, AuthError),
    ],
)
def test_non_zero_codes_raise_the_class_the_engine_reacts_to(
    code: int, status: int, cls: type[TikTokAPIError], family: type[Exception]
) -> None:
    with pytest.raises(cls) as caught:
        check_envelope(response(status, envelope(code or 1, "platform says no")))
    error = caught.value
    assert isinstance(error, family)
    assert isinstance(error, TikTokAPIError)
    assert error.request_id == "2024052312345"
    assert error.http_status == status
    assert error.code == str(code or 1)
    assert "platform says no" in str(error)
    assert "GET /order/202309/orders" in str(error)
    assert "abc" not in str(error)  # the query (with its signature) is never quoted


def test_a_throttle_error_is_not_a_fatal_one() -> None:
    with pytest.raises(TikTokRateLimitedError) as caught:
        check_envelope(response(200, envelope(36009002)))
    assert not isinstance(caught.value, FatalApiError)
    assert caught.value.numeric_code == 36009002


@pytest.mark.parametrize(
    ("status", "content", "cls"),
    [
        (200, b"<html>gateway</html>", TikTokTransientError),
        (200, b"", TikTokTransientError),
        (200, b'{"data": {}}', TikTokFatalError),
        (200, b'{"code": "0"}', TikTokFatalError),
        (200, b"[1, 2]", TikTokFatalError),
    ],
)
def test_bodies_that_are_not_envelopes_raise(status: int, content: bytes, cls: type[TikTokAPIError]) -> None:
    with pytest.raises(cls) as caught:
        check_envelope(response(status, content=content))
    assert caught.value.code == "-1"


@pytest.mark.parametrize(
    ("status", "body", "action"),
    [
        (200, envelope(0), Action.SUCCESS),
        (200, envelope(105002), Action.REFRESH_AUTH),
        (401, envelope(105002), Action.REFRESH_AUTH),
        (200, envelope(36009002), Action.RATE_LIMITED),
        (200, envelope(12052109), Action.RATE_LIMITED),
        (429, envelope(0), Action.RATE_LIMITED),
        (200, envelope(36009003), Action.RETRY),
        (502, None, Action.RETRY),
        (401, envelope(106001), Action.FAIL),
        (403, envelope(105005), Action.FAIL),
        (400, envelope(36009004), Action.FAIL),
        # Non-retryable codes on HTTP 200 pass the retry loop and are raised by the envelope check.
        (200, envelope(36009004), Action.SUCCESS),
    ],
)
def test_retry_decisions(status: int, body: Any, action: Action) -> None:
    assert build_classifier().classify(response(status, body), now=START).action is action


def test_malformed_success_bodies_are_retried() -> None:
    classifier = build_classifier()
    assert classifier.classify(response(200, content=b'{"code": 0, "da'), now=START).action is Action.RETRY
    assert classifier.classify(response(200, content=b""), now=START).action is Action.RETRY


def test_failure_after_retries_keeps_code_request_id_and_retry_after() -> None:
    last = response(200, envelope(36009002, "Too many requests"))
    cause = RateLimited("gave up", retry_after=4.0, status=200, code="36009002", platform="tiktok_shop")
    error = error_from_failure(last, cause, REQUEST)
    assert isinstance(error, TikTokRateLimitedError)
    assert (error.code, error.request_id, error.retry_after) == ("36009002", "2024052312345", 4.0)


def test_transport_failure_becomes_a_transient_error() -> None:
    cause = TransientApiError("ReadTimeout: timed out; gave up after 5 attempt(s)", platform="tiktok_shop")
    error = error_from_failure(None, cause, REQUEST)
    assert isinstance(error, TikTokTransientError)
    assert (error.code, error.request_id, error.http_status) == ("-1", None, None)


def test_unreadable_401_becomes_an_auth_error() -> None:
    error = error_from_failure(response(401, content=b"denied"), AuthError("rejected"), REQUEST)
    assert isinstance(error, TikTokAuthError)


def test_registered_secrets_are_scrubbed_from_error_messages() -> None:
    register_secret("leaky-token-value-123")
    with pytest.raises(TikTokFatalError) as caught:
        check_envelope(response(200, envelope(36009004, "bad header leaky-token-value-123 at /x?sign=ff00")))
    assert "leaky-token-value-123" not in str(caught.value)
    assert "ff00" not in str(caught.value)


# --- per-item results --------------------------------------------------------------------------------------


def test_inventory_errors_are_reported_per_sku_and_warehouse() -> None:
    skus = [
        SkuInventoryUpdate(
            id="9",
            inventory=[
                InventoryQuantity(warehouse_id="W1", quantity=5),
                InventoryQuantity(warehouse_id="W2", quantity=0),
            ],
        ),
        SkuInventoryUpdate(id="10", inventory=[InventoryQuantity(warehouse_id="W1", quantity=1)]),
        SkuInventoryUpdate(id="11", inventory=[InventoryQuantity(quantity=3)]),
    ]
    errors = [
        ItemError.model_validate(
            {
                "code": 12052055,
                "message": "quantity limit",
                "detail": {
                    "sku_id": "9",
                    "extra_errors": [{"warehouse_id": "W2", "code": 12052230, "message": "warehouse"}],
                },
            }
        ),
        ItemError.model_validate({"code": 12052700, "message": "sku not live", "detail": {"sku_id": 10}}),
    ]
    outcomes = inventory_outcomes(skus, errors)
    summary = [(o.key, o.warehouse_id, o.ok, o.code) for o in outcomes]
    assert summary == [
        ("9", "W1", True, None),
        ("9", "W2", False, "12052230"),
        ("10", "W1", False, "12052700"),
        ("11", None, True, None),
    ]


def test_an_inventory_error_naming_no_sku_fails_every_item() -> None:
    skus = [SkuInventoryUpdate(id="9", inventory=[InventoryQuantity(warehouse_id="W1", quantity=5)])]
    errors = [ItemError.model_validate({"code": 1, "message": "something failed", "detail": {}})]
    [outcome] = inventory_outcomes(skus, errors)
    assert not outcome.ok
    assert outcome.message == "something failed"


def test_prerequisite_reasons_read_as_text_whatever_their_shape() -> None:
    reasons = ["Add a return warehouse", {"reason": "as reason"}, {"message": "as message"}, {"code": 7}]
    data = PrerequisitesData.model_validate(
        {
            "check_results": [
                {"check_item": "RETURN_WAREHOUSE", "is_failed": True, "fail_reasons": reasons},
                {"check_item": "SHOP_STATUS", "is_failed": False, "fail_reasons": None},
            ]
        }
    )

    failed, passed = data.check_results
    assert failed.fail_reasons == ["Add a return warehouse", "as reason", "as message", '{"code": 7}']
    assert passed.fail_reasons == []


def test_a_refund_calculation_reads_the_nested_amounts() -> None:
    calculation = RefundCalculation.model_validate(
        {"order_refund_amount": {"currency": "GBP", "refund_total": "12.50", "refund_tax": ""}}
    )
    empty = RefundCalculation.model_validate({})

    assert (calculation.currency, calculation.refund_total, calculation.refund_tax) == ("GBP", Decimal("12.50"), None)
    assert (empty.currency, empty.refund_total, empty.refund_subtotal, empty.refund_shipping_fee) == (None,) * 4


def test_external_reference_errors_have_string_codes_and_name_the_order() -> None:
    # The shape TikTok documents for add-external-references (ref §5.1), returned with top-level code 0.
    data = {
        "errors": [
            {
                "code": "36020001",
                "message": "Invalid order_id",
                "detail": {"order_id": "576461413038785752", "external_order": {"id": "6764", "platform": "SHOPIFY"}},
            }
        ]
    }
    errors = [ItemError.model_validate(e) for e in data["errors"]]
    outcomes = outcomes_from_errors(["576461413038785750", "576461413038785752"], errors, "order_id")
    assert [(o.key, o.ok, o.code) for o in outcomes] == [
        ("576461413038785750", True, None),
        ("576461413038785752", False, "36020001"),
    ]


def test_batch_ship_errors_name_the_package() -> None:
    errors = [ItemError.model_validate({"code": 21011001, "message": "not ready", "detail": {"package_id": 1153}})]
    outcomes = outcomes_from_errors(["1152", "1153"], errors, "package_id")
    assert [o.ok for o in outcomes] == [True, False]


# --- token lifecycle ---------------------------------------------------------------------------------------


class Refresher:
    """A refresher that issues numbered tokens and counts its calls; can be held until released."""

    def __init__(self, clock: ManualClock) -> None:
        self.clock = clock
        self.calls = 0
        self.entered = threading.Event()
        self.release = threading.Event()
        self.release.set()
        self.seen: list[str] = []

    def __call__(self, refresh_token: SecretStr) -> TokenSet:
        self.entered.set()
        self.release.wait(timeout=10)
        self.calls += 1
        self.seen.append(refresh_token.get_secret_value())
        return token_set(f"AT-{self.calls + 1}", f"RT-{self.calls + 1}", now=self.clock.now())


def test_concurrent_refreshes_after_an_expired_token_refresh_once(clock: ManualClock) -> None:
    store = InMemoryTokenStore(token_set())
    refresher = Refresher(clock)
    manager = TokenManager(store, refresher, clock=clock)
    stale = manager.access_token()
    refresher.release.clear()
    results: dict[str, TokenSet] = {}

    first = threading.Thread(target=lambda: results.__setitem__("first", manager.refresh(stale=stale)))
    first.start()
    assert refresher.entered.wait(timeout=10)
    second = threading.Thread(target=lambda: results.__setitem__("second", manager.refresh(stale=stale)))
    second.start()
    second.join(timeout=0.2)
    assert second.is_alive(), "the second refresh must wait on the lock while the first is in flight"
    refresher.release.set()
    first.join(timeout=10)
    second.join(timeout=10)

    assert refresher.calls == 1
    assert results["first"].access_token.get_secret_value() == "AT-2"
    assert results["second"].access_token.get_secret_value() == "AT-2"
    assert store.saves == 1


def test_many_threads_near_expiry_trigger_a_single_proactive_refresh(clock: ManualClock) -> None:
    store = InMemoryTokenStore(token_set(expires=timedelta(minutes=30)))
    refresher = Refresher(clock)
    manager = TokenManager(store, refresher, clock=clock, margin=timedelta(hours=1))
    barrier = threading.Barrier(8)
    tokens: list[str] = []

    def use() -> None:
        barrier.wait(timeout=10)
        tokens.append(manager.access_token().get_secret_value())

    threads = [threading.Thread(target=use) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert refresher.calls == 1
    assert tokens == ["AT-2"] * 8


def test_refresh_persists_the_new_refresh_token(clock: ManualClock) -> None:
    store = InMemoryTokenStore(token_set())
    refresher = Refresher(clock)
    manager = TokenManager(store, refresher, clock=clock)
    manager.refresh(stale=SecretStr("AT-1"))
    manager.refresh(stale=SecretStr("AT-2"))
    saved = store.load()
    assert saved is not None
    assert saved.refresh_token.get_secret_value() == "RT-3"
    assert refresher.seen == ["RT-1", "RT-2"]  # each refresh used the token the previous one returned


def test_a_token_refreshed_elsewhere_is_adopted_without_refreshing(clock: ManualClock) -> None:
    store = InMemoryTokenStore(token_set())
    refresher = Refresher(clock)
    manager = TokenManager(store, refresher, clock=clock)
    assert manager.access_token().get_secret_value() == "AT-1"
    store.save(token_set("AT-9", "RT-9"))  # another process sharing the store refreshed
    assert manager.refresh(stale=SecretStr("AT-1")).access_token.get_secret_value() == "AT-9"
    assert refresher.calls == 0


def test_no_refresh_while_the_token_is_fresh_then_refresh_inside_the_margin(clock: ManualClock) -> None:
    refresher = Refresher(clock)
    manager = TokenManager(InMemoryTokenStore(token_set(expires=timedelta(hours=3))), refresher, clock=clock)
    assert manager.access_token().get_secret_value() == "AT-1"
    clock.advance(timedelta(hours=2, minutes=1).total_seconds())
    assert manager.access_token().get_secret_value() == "AT-2"
    assert refresher.calls == 1


def test_a_failed_early_refresh_keeps_using_a_still_valid_token(clock: ManualClock) -> None:
    def failing(_: SecretStr) -> TokenSet:
        raise TikTokTransientError(-1, "auth host unreachable")

    manager = TokenManager(InMemoryTokenStore(token_set(expires=timedelta(minutes=10))), failing, clock=clock)
    assert manager.access_token().get_secret_value() == "AT-1"
    clock.advance(timedelta(minutes=11).total_seconds())
    with pytest.raises(TikTokTransientError):
        manager.access_token()


def test_an_expired_refresh_token_needs_reauthorisation(clock: ManualClock) -> None:
    refresher = Refresher(clock)
    manager = TokenManager(InMemoryTokenStore(token_set()), refresher, clock=clock)
    clock.advance(timedelta(days=366).total_seconds())
    with pytest.raises(TikTokAuthError, match="authorise"):
        manager.access_token()
    assert refresher.calls == 0


def test_no_stored_tokens_is_an_auth_error(clock: ManualClock) -> None:
    manager = TokenManager(InMemoryTokenStore(), Refresher(clock), clock=clock)
    with pytest.raises(TikTokAuthError):
        manager.access_token()


def test_tokens_are_never_shown_and_survive_storage() -> None:
    tokens = token_set("secret-access", "secret-refresh")
    assert "secret-access" not in repr(tokens)
    assert "secret-refresh" not in str(tokens)
    restored = TokenSet.from_storage(json.loads(json.dumps(tokens.to_storage())))
    assert restored == tokens


def test_expire_in_values_are_absolute_unix_seconds() -> None:
    assert expiry_from_api(1782408746, START) == datetime.fromtimestamp(1782408746, UTC)
    # A small value cannot be a date: read defensively as a duration.
    assert expiry_from_api(604800, START) == START + timedelta(days=7)
