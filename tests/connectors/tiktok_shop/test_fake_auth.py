"""The emulator checks credentials as the platform does: signature, timestamp window, app key, token, cipher.

Every call here is signed by the test's own signer (`tts_harness.reference_sign`), which reproduces the
official worked example (reference §1.3) before anything else is trusted.
"""

from __future__ import annotations

import httpx
import pytest
from tts_harness import SignedApi, envelope, reference_sign

from connectors.tiktok_shop.fake import FakeTikTokShop
from syncd.http import ManualClock
from syncd.testing import Fault, Outcome

SHOPS = "/authorization/202309/shops"
WAREHOUSES = "/logistics/202309/warehouses"


def test_the_test_signer_reproduces_the_official_vector() -> None:
    # Reference §2, V1 (DOC-SIGN worked example).
    query = {"app_key": "29a39d", "timestamp": "1623812664"}
    expected = "b596b73e0cc6de07ac26f036364178ab16b0a907af13d43f0a0cd2345f582dc8"
    assert reference_sign("e59af819cc", SHOPS, query) == expected


def test_a_correctly_signed_call_is_answered_in_the_envelope(api: SignedApi, fake: FakeTikTokShop) -> None:
    data = api.ok("GET", SHOPS, cipher=False)

    assert data["shops"] == [fake.shop]
    assert set(data["shops"][0]) == {"id", "name", "region", "seller_type", "cipher", "code"}


def test_a_wrong_secret_gets_http_401_and_106001(api: SignedApi, fake: FakeTikTokShop) -> None:
    status, payload = api.error("GET", SHOPS, cipher=False, secret="not-the-app-secret")

    assert status == 401
    assert payload["code"] == 106001
    assert payload["data"] is None
    assert fake.calls.count("get_authorized_shops", outcome=Outcome.UNAUTHORIZED) == 1


def test_a_missing_sign_gets_106001(api: SignedApi) -> None:
    status, payload = api.error("GET", SHOPS, cipher=False, sign=None)

    assert (status, payload["code"]) == (401, 106001)


def test_the_body_is_signed_byte_for_byte(api: SignedApi) -> None:
    path = "/event/202309/webhooks"
    params = {"app_key": api.app_key, "timestamp": str(int(api.now())), "shop_cipher": api.shop_cipher}
    signed_for = b'{"event_type":"PACKAGE_UPDATE","address":"https://example.com/hooks"}'
    sent = b'{"address":"https://example.com/hooks","event_type":"PACKAGE_UPDATE"}'  # same JSON, other key order
    response = api.client.put(
        api.base_url + path,
        params={**params, "sign": reference_sign(api.app_secret, path, params, signed_for)},
        content=sent,
        headers={"x-tts-access-token": api.access_token, "Content-Type": "application/json"},
    )

    assert (response.status_code, envelope(response)["code"]) == (401, 106001)


def test_decoded_query_values_are_signed(api: SignedApi) -> None:
    # The keyword goes over the wire percent-encoded; the signature covers the decoded text.
    data = api.ok("GET", "/product/202309/categories", query={"keyword": "T-shirts & tops/ä"})

    assert data == {"categories": []}


def test_a_timestamp_outside_five_minutes_is_rejected(api: SignedApi, clock: ManualClock) -> None:
    now = int(clock.now().timestamp())

    assert api.ok("GET", SHOPS, cipher=False, timestamp=str(now - 299))
    for stale in (now - 301, now + 301):
        status, payload = api.error("GET", SHOPS, cipher=False, timestamp=str(stale))
        assert (status, payload["code"]) == (401, 36009004)
        assert "timestamp" in payload["message"]


def test_a_millisecond_timestamp_is_rejected(api: SignedApi, clock: ManualClock) -> None:
    millis = str(int(clock.now().timestamp() * 1000))

    status, payload = api.error("GET", SHOPS, cipher=False, timestamp=millis)

    assert (status, payload["code"]) == (401, 36009004)


def test_an_unknown_app_key_is_rejected(api: SignedApi) -> None:
    status, payload = api.error("GET", SHOPS, cipher=False, app_key="someone-elses-app")

    assert (status, payload["code"]) == (401, 36009004)


def test_a_missing_or_unknown_token_is_an_invalid_param(api: SignedApi) -> None:
    for token in (None, "ROW_not-a-token"):
        status, payload = api.error("GET", SHOPS, cipher=False, token=token)
        assert (status, payload["code"]) == (401, 36009004)
        assert "access-token" in payload["message"] or "access_token" in payload["message"]


def test_an_expired_token_gets_105002(api: SignedApi, fake: FakeTikTokShop, clock: ManualClock) -> None:
    clock.advance(fake.access_token_ttl - 1)
    assert api.ok("GET", SHOPS, cipher=False)

    clock.advance(1)
    status, payload = api.error("GET", SHOPS, cipher=False)

    assert (status, payload["code"]) == (401, 105002)


def test_expire_access_token_forces_105002(api: SignedApi, fake: FakeTikTokShop) -> None:
    fake.expire_access_token()

    assert api.error("GET", SHOPS, cipher=False)[1]["code"] == 105002


def test_an_injected_unauthorized_fault_looks_like_an_expired_token(api: SignedApi, fake: FakeTikTokShop) -> None:
    fake.inject(Fault.unauthorized(route="get_warehouses"))

    status, payload = api.error("GET", WAREHOUSES)

    assert (status, payload["code"]) == (401, 105002)
    assert api.ok("GET", WAREHOUSES)["warehouses"]


def test_shop_scoped_paths_need_the_cipher(api: SignedApi) -> None:
    assert api.error("GET", WAREHOUSES, cipher=False)[1]["code"] == 36009004
    assert api.error("GET", WAREHOUSES, cipher=False, query={"shop_cipher": "ROW_unknown"})[1]["code"] == 36009004
    assert api.ok("GET", WAREHOUSES)["warehouses"]


@pytest.mark.parametrize("path", [SHOPS, "/seller/202309/shops", "/seller/202309/permissions"])
def test_the_cipher_is_refused_where_the_reference_says_it_is_not_allowed(api: SignedApi, path: str) -> None:
    # Reference §3.3: no shop_cipher on /authorization/*, /seller/*, uploads and POST brands.
    status, payload = api.error("GET", path, cipher=True)

    assert (status, payload["code"]) == (200, 36009004)
    assert "shop_cipher" in payload["message"]
    assert api.ok("GET", path, cipher=False) is not None


def test_the_cipher_can_be_ignored_instead(clock: ManualClock) -> None:
    with FakeTikTokShop(now=lambda: clock.now().timestamp(), reject_unexpected_cipher=False) as lenient:
        caller = SignedApi(
            lenient.base_url,
            lenient.app_key,
            lenient.app_secret,
            lenient.access_token,
            lenient.shop["cipher"],
            now=lambda: clock.now().timestamp(),
        )
        assert caller.ok("GET", SHOPS, cipher=True)["shops"]
        caller.client.close()


def test_an_unserved_version_is_404_in_the_envelope(api: SignedApi) -> None:
    status, payload = api.error("GET", "/authorization/202001/shops", cipher=False)

    assert (status, payload["code"]) == (404, 36009004)


def test_a_multipart_body_is_not_part_of_the_signature(api: SignedApi) -> None:
    # Reference §1.2 step 5: the signer is called without the body for multipart uploads.
    data = api.ok(
        "POST",
        "/product/202309/images/upload",
        cipher=False,
        files={"data": ("tee.jpg", b"\xff\xd8\xff\xe0fake-jpeg", "image/jpeg")},
        data={"use_case": "MAIN_IMAGE"},
    )

    assert data["uri"].startswith("tos-")
    assert data["use_case"] == "MAIN_IMAGE"


def test_the_access_token_is_not_accepted_in_the_query(api: SignedApi) -> None:
    # 202309+ sends it only in the x-tts-access-token header; a legacy query token does not count.
    response = api.call("GET", SHOPS, cipher=False, token=None, query={"access_token": api.access_token})

    assert (response.status_code, envelope(response)["code"]) == (401, 36009004)


def test_the_token_endpoints_are_served_unsigned(api: SignedApi, fake: FakeTikTokShop, clock: ManualClock) -> None:
    code = fake.issue_auth_code()
    query = {"app_key": fake.app_key, "app_secret": fake.app_secret, "auth_code": code, "grant_type": "authorized_code"}

    data = envelope(httpx.get(fake.url("/api/v2/token/get"), params=query))["data"]

    now = int(clock.now().timestamp())
    assert data["access_token_expire_in"] == now + fake.access_token_ttl  # absolute unix seconds, not a duration
    assert data["refresh_token_expire_in"] == now + fake.refresh_token_ttl
    assert {"open_id", "seller_name", "seller_base_region", "user_type", "granted_scopes"} <= set(data)
    api.access_token = data["access_token"]
    assert api.ok("GET", SHOPS, cipher=False)
    # The code is single-use.
    assert envelope(httpx.get(fake.url("/api/v2/token/get"), params=query))["code"] == 36004005


def test_the_token_endpoints_check_the_app_secret_and_grant_type(fake: FakeTikTokShop) -> None:
    base = {"app_key": fake.app_key, "auth_code": fake.issue_auth_code()}
    wrong_secret = {**base, "app_secret": "nope", "grant_type": "authorized_code"}
    wrong_grant = {**base, "app_secret": fake.app_secret, "grant_type": "authorization_code"}

    for query in (wrong_secret, wrong_grant):
        assert envelope(httpx.get(fake.url("/api/v2/token/get"), params=query))["code"] == 36009004


def test_refresh_rotates_both_tokens_and_retires_the_old_access_token(api: SignedApi, fake: FakeTikTokShop) -> None:
    old_access, old_refresh = fake.access_token, fake.refresh_token
    query = {
        "app_key": fake.app_key,
        "app_secret": fake.app_secret,
        "refresh_token": old_refresh,
        "grant_type": "refresh_token",
    }

    data = envelope(httpx.get(fake.url("/api/v2/token/refresh"), params=query))["data"]

    assert data["access_token"] not in (old_access, "")
    assert data["refresh_token"] != old_refresh
    assert api.error("GET", SHOPS, cipher=False)[1]["code"] == 105002  # the old access token
    api.access_token = data["access_token"]
    assert api.ok("GET", SHOPS, cipher=False)
    # Refresh tokens rotate: the used one is gone.
    assert envelope(httpx.get(fake.url("/api/v2/token/refresh"), params=query))["code"] == 36004005


def test_an_expired_refresh_token_is_refused(fake: FakeTikTokShop, clock: ManualClock) -> None:
    clock.advance(fake.refresh_token_ttl)
    query = {
        "app_key": fake.app_key,
        "app_secret": fake.app_secret,
        "refresh_token": fake.refresh_token,
        "grant_type": "refresh_token",
    }

    assert envelope(httpx.get(fake.url("/api/v2/token/refresh"), params=query))["code"] == 36004001
