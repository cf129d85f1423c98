"""URL, header and log-record redaction."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import httpx
import pytest
from http_fakes import ScriptedServer
from pydantic import SecretStr

from syncd.http import (
    SecretRedactingFilter,
    SecretRegistry,
    build_client,
    forget_secret,
    redact_headers,
    redact_query_params_in_text,
    redact_text,
    redact_url,
    register_secret,
)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "https://open-api.tiktokglobalshop.com/order/202309/orders/search"
            "?app_key=6abc&timestamp=1700000000&sign=9f8e7d&shop_cipher=GCP_x&page_size=20",
            "https://open-api.tiktokglobalshop.com/order/202309/orders/search"
            "?app_key=6abc&timestamp=1700000000&sign=***&shop_cipher=GCP_x&page_size=20",
        ),
        (
            "https://auth.tiktok-shops.com/api/v2/token/get?app_key=k&app_secret=s3&auth_code=c0de&grant_type=x",
            "https://auth.tiktok-shops.com/api/v2/token/get?app_key=k&app_secret=***&auth_code=***&grant_type=x",
        ),
        (
            "https://shop.example/wp-json/wc/v3/orders?consumer_key=ck_1&consumer_secret=cs_2&page=3",
            "https://shop.example/wp-json/wc/v3/orders?consumer_key=***&consumer_secret=***&page=3",
        ),
        (
            "http://shop.example/wp-json/wc/v3/products?oauth_consumer_key=ck_1&oauth_signature=abc%3D&oauth_nonce=n",
            "http://shop.example/wp-json/wc/v3/products?oauth_consumer_key=***&oauth_signature=***&oauth_nonce=n",
        ),
        (
            "https://x.example/cb?code=abc&state=xyz&refresh_token=r&password=p&client_secret=c&key=k",
            "https://x.example/cb?code=***&state=xyz&refresh_token=***&password=***&client_secret=***&key=***",
        ),
        (
            "https://x.example/a?x_api_key=1&shop_secret=2&page_token=keep&access%5Ftoken=3",
            "https://x.example/a?x_api_key=***&shop_secret=***&page_token=keep&access%5Ftoken=***",
        ),
        ("https://user:hunter22@x.example/path", "https://user:***@x.example/path"),
        ("https://x.example/plain?flag&empty=", "https://x.example/plain?flag&empty="),
        ("/relative/path?sign=abc", "/relative/path?sign=***"),
    ],
)
def test_redact_url(url: str, expected: str) -> None:
    assert redact_url(url) == expected


def test_redact_url_accepts_httpx_urls() -> None:
    url = httpx.URL("https://x.example/a", params={"access_token": "tok/en+1", "limit": 5})
    assert redact_url(url) == "https://x.example/a?access_token=***&limit=5"


def test_redact_headers() -> None:
    headers = httpx.Headers(
        [
            ("Authorization", "Bearer abc"),
            ("x-tts-access-token", "TTS"),
            ("X-Shopify-Access-Token", "shpat_1"),
            ("X-Shopify-Hmac-Sha256", "mac"),
            ("X-WC-Webhook-Signature", "sig"),
            ("Cookie", "a=b"),
            ("Set-Cookie", "c=d"),
            ("Proxy-Authorization", "Basic x"),
            ("X-Api-Key", "k"),
            ("Content-Type", "application/json"),
            ("X-Request-Id", "req-1"),
        ]
    )

    redacted = redact_headers(headers)

    assert redacted["content-type"] == "application/json"
    assert redacted["x-request-id"] == "req-1"
    assert {name for name, value in redacted.items() if value == "***"} == {
        "authorization",
        "x-tts-access-token",
        "x-shopify-access-token",
        "x-shopify-hmac-sha256",
        "x-wc-webhook-signature",
        "cookie",
        "set-cookie",
        "proxy-authorization",
        "x-api-key",
    }


def test_query_params_in_free_text() -> None:
    line = 'HTTP Request: GET http://h/orders?sign=abc&page_size=5&access_token=t0k "HTTP/1.1 200 OK"'
    assert redact_query_params_in_text(line) == (
        'HTTP Request: GET http://h/orders?sign=***&page_size=5&access_token=*** "HTTP/1.1 200 OK"'
    )


def test_registry_masks_values_longest_first_and_url_encoded() -> None:
    registry = SecretRegistry()
    registry.register("abcd")
    registry.register(SecretStr("abcd/efgh+ij"))
    registry.register("ab")  # too short to scrub safely: ignored
    registry.register(None)

    text = "a=abcd/efgh+ij b=abcd%2Fefgh%2Bij c=abcd d=ab"

    assert registry.redact(text) == "a=*** b=*** c=*** d=ab"
    registry.forget("abcd")
    assert registry.redact("x abcd") == "x abcd"
    registry.clear()
    assert registry.redact(text) == text


@pytest.fixture
def scrubbed(caplog: pytest.LogCaptureFixture) -> Iterator[SecretRegistry]:
    """A registry whose filter is attached to the capturing handler, as `configure_logging` attaches it."""
    registry = SecretRegistry()
    log_filter = SecretRedactingFilter(registry)
    caplog.handler.addFilter(log_filter)
    caplog.set_level(logging.DEBUG)
    yield registry
    caplog.handler.removeFilter(log_filter)


def test_filter_masks_secrets_in_message_args_extra_and_traceback(
    scrubbed: SecretRegistry, caplog: pytest.LogCaptureFixture
) -> None:
    scrubbed.register("shpat_0123456789abcdef")
    log = logging.getLogger("syncd.test.redaction")

    log.info("token is %s for %s", "shpat_0123456789abcdef", "shop-1")
    log.info("mapping %(token)s", {"token": "shpat_0123456789abcdef"})
    log.info("in extra", extra={"header": "X-Shopify-Access-Token: shpat_0123456789abcdef"})
    try:
        raise RuntimeError("call failed with shpat_0123456789abcdef")
    except RuntimeError:
        log.exception("boom")

    assert "shpat_0123456789abcdef" not in caplog.text
    assert "token is *** for shop-1" in caplog.text
    assert "mapping ***" in caplog.text
    assert caplog.records[2].__dict__["header"] == "X-Shopify-Access-Token: ***"
    assert "RuntimeError: call failed with ***" in caplog.text
    for record in caplog.records:
        assert "shpat_0123456789abcdef" not in record.getMessage()
        assert record.exc_info is None or "shpat" not in str(record.exc_info[1])


def test_filter_masks_credential_query_values_in_any_message(
    scrubbed: SecretRegistry, caplog: pytest.LogCaptureFixture
) -> None:
    logging.getLogger("syncd.test.redaction").warning("GET %s", httpx.URL("http://h/x?sign=abc123&page=2"))

    assert caplog.records[0].getMessage() == "GET http://h/x?sign=***&page=2"


def test_filter_leaves_clean_records_untouched(scrubbed: SecretRegistry, caplog: pytest.LogCaptureFixture) -> None:
    scrubbed.register("not-in-this-record")
    logging.getLogger("syncd.test.redaction").info("%d orders imported", 3)

    assert caplog.records[0].args == (3,)
    assert caplog.records[0].getMessage() == "3 orders imported"


def test_filter_survives_a_broken_format_string(scrubbed: SecretRegistry, caplog: pytest.LogCaptureFixture) -> None:
    scrubbed.register("supersecret")
    record = logging.makeLogRecord({"msg": "%s %s supersecret", "args": ("only-one",)})

    assert SecretRedactingFilter(scrubbed).filter(record)
    assert record.msg == "%s %s ***"


def test_filter_guards_httpx_own_request_log(
    server: ScriptedServer, scrubbed: SecretRegistry, caplog: pytest.LogCaptureFixture
) -> None:
    # httpx logs the full URL (after auth, with the signature) at INFO on its own logger; syncd's own log set-up
    # quiets that logger, so open it explicitly in case a test before this one configured logging.
    caplog.set_level(logging.INFO, logger="httpx")
    with build_client(platform="t", base_url=server.url, timeout=2.0) as client:
        client.get("/orders", params={"sign": "f00dfeed", "access_token": "TTS-TOKEN-1", "page_size": 3})

    httpx_lines = [r.getMessage() for r in caplog.records if r.name == "httpx"]
    assert httpx_lines
    assert all("page_size=3" in line for line in httpx_lines)
    assert "f00dfeed" not in caplog.text
    assert "TTS-TOKEN-1" not in caplog.text


def test_process_wide_registry(caplog: pytest.LogCaptureFixture) -> None:
    secret = SecretStr("woo-cs_9b1d2f3e")
    register_secret(secret)
    log_filter = SecretRedactingFilter()
    caplog.handler.addFilter(log_filter)
    try:
        logging.getLogger("syncd.test.redaction").error("rejected %s", "woo-cs_9b1d2f3e")
        assert redact_text("secret=woo-cs_9b1d2f3e") == "secret=***"
    finally:
        caplog.handler.removeFilter(log_filter)
        forget_secret(secret)

    assert "woo-cs_9b1d2f3e" not in caplog.text
    assert redact_text("woo-cs_9b1d2f3e") == "woo-cs_9b1d2f3e"
