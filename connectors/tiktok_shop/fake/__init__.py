"""An emulator of the TikTok Shop Open API (202309+) for tests, benchmarks and `syncd sandbox`.

    with FakeTikTokShop(now=lambda: clock.now().timestamp(), clock=clock.monotonic) as fake:
        product = fake.add_product(skus=[{"seller_sku": "MUG-1", "price": "9.90", "quantity": 5}])
        order = fake.add_order([("MUG-1", 2)])            # 2 line items, one per unit
        fake.set_order_status(order.id, "CANCELLED")      # bumps update_time, sends the webhook
        client = TikTokShopClient(fake.app_key, SecretStr(fake.app_secret), token_store=...,
                                  base_url=fake.base_url, auth_base_url=fake.base_url, clock=clock)

Credentials: `app_key`, `app_secret`, `shop["cipher"]`, `access_token`, `refresh_token`, `issue_auth_code()`,
`expire_access_token()`. Knobs are the constructor arguments documented on `FakeCore`. Run it standalone with
`python -m connectors.tiktok_shop.fake --port PORT [--seed FILE]`.
"""

from connectors.tiktok_shop.fake.server import FakeTikTokShop
from connectors.tiktok_shop.fake.signing import expected_sign, webhook_signature
from connectors.tiktok_shop.fake.webhooks import EVENT_TYPES, Delivery

__all__ = ["EVENT_TYPES", "Delivery", "FakeTikTokShop", "expected_sign", "webhook_signature"]
