"""TikTok Shop request signing: the official vector, our own vectors, and the httpx.Auth flow.

Every expected signature is computed here with plain `hmac`/`hashlib` over a string built by hand from the
algorithm (ref §1.2), never by calling the code under test.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime

import httpx
import pytest
from pydantic import SecretStr

from connectors.tiktok_shop.auth import (
    ACCESS_TOKEN_EXTENSION,
    SHOP_CIPHER_EXTENSION,
    TikTokShopSigner,
    accepts_shop_cipher,
    sign,
)
from connectors.tiktok_shop.errors import build_classifier
from connectors.tiktok_shop.models import OrderSearchFilter, ProductSearchFilter
from connectors.tiktok_shop.transport import Transport
from syncd.http import ManualClock, RetryPolicy, rebuild_request

APP_KEY = "29a39d"
APP_SECRET = "e59af819cc"
TIMESTAMP = 1623812664
CIPHER = "ROW_xkMbgAAAeVAQra0eZWebFQq5aIK"
BASE = "https://open-api.tiktokglobalshop.com"


def hand_sign(secret: str, unsigned: bytes) -> str:
    """The signature of a string built by hand: HMAC-SHA256(secret, secret + string + secret), lowercase hex."""
    key = secret.encode()
    return hmac.new(key, key + unsigned + key, hashlib.sha256).hexdigest()


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(start=datetime.fromtimestamp(TIMESTAMP, UTC))


@pytest.fixture
def signer(clock: ManualClock) -> TikTokShopSigner:
    return TikTokShopSigner(APP_KEY, SecretStr(APP_SECRET), access_token=SecretStr("tok-123"), clock=clock)


def run_flow(signer: TikTokShopSigner, request: httpx.Request) -> httpx.Request:
    request.read()  # what httpx does for an auth with requires_request_body
    flow = signer.sync_auth_flow(request)
    return next(flow)


# --- the pure function -------------------------------------------------------------------------------------


def test_official_vector_v1() -> None:
    query = {"app_key": APP_KEY, "timestamp": str(TIMESTAMP)}
    result = sign(APP_SECRET, "/authorization/202309/shops", query, None)
    assert result == "b596b73e0cc6de07ac26f036364178ab16b0a907af13d43f0a0cd2345f582dc8"


def test_vector_with_shop_cipher() -> None:
    path = "/product/202309/products/1729382256910270464"
    query = {"timestamp": "1696909648", "shop_cipher": CIPHER, "app_key": "68xu9ks5p4i8"}
    unsigned = f"{path}app_key68xu9ks5p4i8shop_cipher{CIPHER}timestamp1696909648".encode()
    assert sign("s3cr3t", path, query, None) == hand_sign("s3cr3t", unsigned)


def test_vector_with_json_body_matches_the_official_unsigned_string() -> None:
    # DOC-SIGN prints this exact unsigned string for Update Shop Webhook (ref §1.3).
    body = b'{"address":"https://partner.tiktokshop.com","event_type":"PACKAGE_UPDATE"}'
    query = {"app_key": "68xu9ks5p4i8", "shop_cipher": CIPHER, "timestamp": "1696909648"}
    official = (
        b"/event/202309/webhooksapp_key68xu9ks5p4i8shop_cipherROW_xkMbgAAAeVAQra0eZWebFQq5aIKtimestamp1696909648"
        b'{"address":"https://partner.tiktokshop.com","event_type":"PACKAGE_UPDATE"}'
    )
    result = sign("x8f2k", "/event/202309/webhooks", query, body, "application/json")
    assert result == hand_sign("x8f2k", official)


def test_vector_multipart_body_is_not_signed() -> None:
    path = "/product/202309/images/upload"
    query = {"app_key": APP_KEY, "timestamp": str(TIMESTAMP)}
    body = b'--b\r\nContent-Disposition: form-data; name="data"\r\n\r\nPNGDATA\r\n--b--\r\n'
    expected = hand_sign(APP_SECRET, f"{path}app_key{APP_KEY}timestamp{TIMESTAMP}".encode())
    assert sign(APP_SECRET, path, query, body, "Multipart/Form-Data; boundary=b") == expected
    assert sign(APP_SECRET, path, query, body, "application/json") != expected


def test_sign_and_access_token_params_are_left_out_and_keys_sort_by_code_point() -> None:
    query = {"a_b": "1", "aB": "2", "sign": "old", "access_token": "t", "Z": "3"}
    # Code-point order: "Z" (90) < "aB" (B=66) < "a_b" (_=95).
    expected = hand_sign("k", b"/pZ3aB2a_b1")
    assert sign("k", "/p", query, None) == expected


def test_non_ascii_values_and_body_are_signed_as_utf8_bytes() -> None:
    body = '{"note":"Café"}'.encode()
    expected = hand_sign("k", "/ptitleCafé".encode() + body)
    assert sign("k", "/p", {"title": "Café"}, body, None) == expected


# --- the shop-cipher rules ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/authorization/202309/shops"),
        ("GET", "/authorization/202405/category_assets"),
        ("GET", "/seller/202309/shops"),
        ("GET", "/seller/202309/permissions"),
        ("GET", "/product/202309/global_products/1"),
        ("POST", "/product/202312/global_products/search"),
        ("GET", "/product/202309/global_categories"),
        ("GET", "/product/202309/categories/600001/global_attributes"),
        ("POST", "/product/202409/compliance/manufacturers"),
        ("POST", "/product/202309/images/upload"),
        ("POST", "/product/202309/files/upload"),
        ("POST", "/product/202309/brands"),
        ("POST", "/product/202407/sizecharts/search"),
        ("POST", "/fulfillment/202407/bundles"),
        ("GET", "/logistics/202309/global_warehouses"),
        ("POST", "/supply_chain/202309/packages/sync"),
        ("GET", "/api/v2/token/get"),
    ],
)
def test_endpoints_that_take_no_cipher(method: str, path: str) -> None:
    assert not accepts_shop_cipher(method, path)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/product/202309/brands"),
        ("POST", "/product/202502/products/search"),
        ("GET", "/product/202309/categories/600001/attributes"),
        ("GET", "/order/202309/orders"),
        ("POST", "/fulfillment/202309/orders/576/packages"),
        ("GET", "/logistics/202309/warehouses"),
        ("PUT", "/event/202309/webhooks"),
    ],
)
def test_endpoints_that_take_the_cipher(method: str, path: str) -> None:
    assert accepts_shop_cipher(method, path)


# --- the httpx.Auth flow -----------------------------------------------------------------------------------


def test_flow_adds_exactly_the_common_params_the_cipher_and_the_token_header(signer: TikTokShopSigner) -> None:
    request = httpx.Request("GET", f"{BASE}/order/202309/orders?ids=5,6")
    request.extensions[SHOP_CIPHER_EXTENSION] = CIPHER
    before = dict(request.headers)

    signed = run_flow(signer, request)

    params = dict(signed.url.params)
    assert set(params) == {"ids", "app_key", "timestamp", "shop_cipher", "sign"}
    assert params["app_key"] == APP_KEY
    assert params["timestamp"] == str(TIMESTAMP)
    assert params["shop_cipher"] == CIPHER
    unsigned = f"/order/202309/ordersapp_key{APP_KEY}ids5,6shop_cipher{CIPHER}timestamp{TIMESTAMP}".encode()
    assert params["sign"] == hand_sign(APP_SECRET, unsigned)
    added = {k: v for k, v in signed.headers.items() if k not in before}
    assert added == {"x-tts-access-token": "tok-123"}


def test_flow_reproduces_the_official_vector(signer: TikTokShopSigner) -> None:
    signed = run_flow(signer, httpx.Request("GET", f"{BASE}/authorization/202309/shops"))
    assert signed.url.params["sign"] == "b596b73e0cc6de07ac26f036364178ab16b0a907af13d43f0a0cd2345f582dc8"


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/authorization/202309/shops"),
        ("POST", "/product/202309/brands"),
        ("GET", "/product/202309/global_products/1"),
        ("POST", "/product/202309/images/upload"),
    ],
)
def test_flow_omits_the_cipher_where_it_is_not_allowed(signer: TikTokShopSigner, method: str, path: str) -> None:
    # Even a cipher put into the query by hand is taken out, and the signature does not cover it.
    request = httpx.Request(method, f"{BASE}{path}?shop_cipher={CIPHER}")
    request.extensions[SHOP_CIPHER_EXTENSION] = CIPHER
    signed = run_flow(signer, request)
    assert "shop_cipher" not in signed.url.params
    unsigned = f"{path}app_key{APP_KEY}timestamp{TIMESTAMP}".encode()
    assert signed.url.params["sign"] == hand_sign(APP_SECRET, unsigned)


def test_flow_signs_the_decoded_value_of_a_percent_encoded_query(signer: TikTokShopSigner) -> None:
    request = httpx.Request("GET", f"{BASE}/product/202309/categories?keyword=red%20shoes%2Fboots&locale=en-US")
    signed = run_flow(signer, request)
    unsigned = (
        f"/product/202309/categoriesapp_key{APP_KEY}keywordred shoes/bootslocaleen-UStimestamp{TIMESTAMP}".encode()
    )
    assert signed.url.params["sign"] == hand_sign(APP_SECRET, unsigned)
    assert signed.url.params["keyword"] == "red shoes/boots"


def test_flow_joins_repeated_array_keys_into_one_signed_value(signer: TikTokShopSigner) -> None:
    request = httpx.Request("GET", f"{BASE}/order/202309/orders?ids=1&ids=2&ids=3")
    signed = run_flow(signer, request)
    assert signed.url.params.get_list("ids") == ["1,2,3"]
    unsigned = f"/order/202309/ordersapp_key{APP_KEY}ids1,2,3timestamp{TIMESTAMP}".encode()
    assert signed.url.params["sign"] == hand_sign(APP_SECRET, unsigned)


def test_flow_replaces_a_stale_signature(signer: TikTokShopSigner) -> None:
    request = httpx.Request("GET", f"{BASE}/authorization/202309/shops?sign=deadbeef&timestamp=1")
    signed = run_flow(signer, request)
    assert signed.url.params.get_list("sign") == ["b596b73e0cc6de07ac26f036364178ab16b0a907af13d43f0a0cd2345f582dc8"]


def test_no_token_header_on_the_auth_hosts_token_endpoints(signer: TikTokShopSigner) -> None:
    signed = run_flow(signer, httpx.Request("GET", "https://auth.tiktok-shops.com/api/v2/token/get"))
    assert "x-tts-access-token" not in signed.headers


def test_token_from_the_request_extension_wins(signer: TikTokShopSigner) -> None:
    request = httpx.Request("GET", f"{BASE}/logistics/202309/warehouses")
    request.extensions[ACCESS_TOKEN_EXTENSION] = SecretStr("fresh-token")
    assert run_flow(signer, request).headers["x-tts-access-token"] == "fresh-token"


def test_each_attempt_gets_a_fresh_timestamp_and_signature(signer: TikTokShopSigner, clock: ManualClock) -> None:
    template = httpx.Request("GET", f"{BASE}/authorization/202309/shops")
    first = run_flow(signer, rebuild_request(template))
    clock.advance(7)
    second = run_flow(signer, rebuild_request(template))
    assert second.url.params["timestamp"] == str(TIMESTAMP + 7)
    unsigned = f"/authorization/202309/shopsapp_key{APP_KEY}timestamp{TIMESTAMP + 7}".encode()
    assert second.url.params["sign"] == hand_sign(APP_SECRET, unsigned)
    assert second.url.params["sign"] != first.url.params["sign"]


def test_flow_with_multipart_upload_ignores_the_body(signer: TikTokShopSigner) -> None:
    files = {"data": ("a.png", b"\x89PNG...", "image/png")}
    request = httpx.Request(
        "POST", f"{BASE}/product/202309/images/upload", files=files, data={"use_case": "MAIN_IMAGE"}
    )
    signed = run_flow(signer, request)
    assert signed.headers["content-type"].startswith("multipart/form-data; boundary=")
    unsigned = f"/product/202309/images/uploadapp_key{APP_KEY}timestamp{TIMESTAMP}".encode()
    assert signed.url.params["sign"] == hand_sign(APP_SECRET, unsigned)


# --- the bytes signed are the bytes sent -------------------------------------------------------------------


@pytest.fixture
def transport(clock: ManualClock) -> Transport:
    client = httpx.Client(base_url=BASE)
    return Transport(client, policy=RetryPolicy(clock=clock), classifier=build_classifier(), tokens=None)


def test_signed_body_is_the_sent_body(signer: TikTokShopSigner, transport: Transport) -> None:
    filters = OrderSearchFilter(order_status="AWAITING_SHIPMENT", update_time_ge=1700000000)
    template = transport.build(
        "POST", "/order/202309/orders/search", shop_cipher=CIPHER, query={"page_size": 50}, body=filters
    )
    signed = run_flow(signer, rebuild_request(template))

    sent = signed.read()
    assert sent == b'{"order_status":"AWAITING_SHIPMENT","update_time_ge":1700000000}'
    assert signed.headers["content-type"] == "application/json"
    unsigned = (
        f"/order/202309/orders/searchapp_key{APP_KEY}page_size50shop_cipher{CIPHER}timestamp{TIMESTAMP}".encode() + sent
    )
    assert signed.url.params["sign"] == hand_sign(APP_SECRET, unsigned)


@pytest.mark.parametrize("body", [None, ProductSearchFilter(), {}])
def test_an_empty_body_is_never_sent_as_braces(
    signer: TikTokShopSigner, transport: Transport, body: ProductSearchFilter | dict[str, object] | None
) -> None:
    template = transport.build(
        "POST", "/product/202502/products/search", shop_cipher=CIPHER, query={"page_size": 20}, body=body
    )
    signed = run_flow(signer, rebuild_request(template))
    assert signed.read() == b""
    assert "content-type" not in signed.headers
    unsigned = (
        f"/product/202502/products/searchapp_key{APP_KEY}page_size20shop_cipher{CIPHER}timestamp{TIMESTAMP}".encode()
    )
    assert signed.url.params["sign"] == hand_sign(APP_SECRET, unsigned)
