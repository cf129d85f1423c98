"""`syncd auth` and `syncd tiktok shops` as real subprocesses against the TikTok Shop emulator."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from test_cli import syncd

from connectors.tiktok_shop.fake import FakeTikTokShop

CONFIG = """
database:
  url: sqlite:///{db}
  encryption_key: ${{SYNCD_ENCRYPTION_KEY}}
tiktok:
  app_key: {app_key}
  app_secret: ${{TIKTOK_APP_SECRET}}
  shop_cipher: {cipher}
  api_base_url: {base_url}
  auth_base_url: {base_url}
  timeout: 5s
stores:
  - name: main
    platform: shopify
    shopify:
      shop_domain: demo.myshopify.com
      access_token: ${{SHOPIFY_ACCESS_TOKEN}}
"""


@pytest.fixture
def fake() -> Iterator[FakeTikTokShop]:
    with FakeTikTokShop() as server:
        yield server


@pytest.fixture
def setup(tmp_path: Path, fake: FakeTikTokShop) -> tuple[Path, dict[str, str]]:
    config = tmp_path / "config.yaml"
    config.write_text(
        CONFIG.format(
            db=tmp_path / "syncd.db", app_key=fake.app_key, cipher=fake.shop["cipher"], base_url=fake.base_url
        )
    )
    env = {
        "SYNCD_CONFIG": str(config),
        "SYNCD_ENCRYPTION_KEY": Fernet.generate_key().decode(),
        "TIKTOK_APP_SECRET": fake.app_secret,
        "SHOPIFY_ACCESS_TOKEN": "shpat_unused",
    }
    assert syncd("db", "upgrade", env=env).returncode == 0
    return tmp_path, env


def test_authorise_tiktok_then_list_shops(setup: tuple[Path, dict[str, str]], fake: FakeTikTokShop) -> None:
    tmp_path, env = setup
    url = syncd("auth", "tiktok", "url", "--state", "s-1", env=env)
    assert url.returncode == 0, url.stderr
    assert "state=s-1" in url.stdout

    before = syncd("tiktok", "shops", env=env)
    assert before.returncode != 0  # no tokens yet: a clear auth error, not a traceback
    assert "Traceback" not in before.stderr

    exchange = syncd("auth", "tiktok", "exchange", "--code", fake.issue_auth_code(), env=env)
    assert exchange.returncode == 0, exchange.stderr
    assert "tiktok: authorised" in exchange.stdout
    assert fake.access_token not in exchange.stdout + exchange.stderr

    with sqlite3.connect(tmp_path / "syncd.db") as connection:
        [stored] = [row[0] for row in connection.execute("SELECT value FROM credentials")]
    assert stored.startswith("enc:v1:")
    assert fake.access_token not in stored

    shops = syncd("tiktok", "shops", env=env)
    assert shops.returncode == 0, shops.stderr
    assert fake.shop["id"] in shops.stdout
    assert f"cipher={fake.shop['cipher']}" in shops.stdout


def test_a_bad_code_is_a_clear_error(setup: tuple[Path, dict[str, str]]) -> None:
    _, env = setup
    result = syncd("auth", "tiktok", "exchange", "--code", "not-a-code", env=env)
    assert result.returncode == 1
    assert result.stderr.startswith("error: ")
    assert "Traceback" not in result.stderr


def test_a_store_without_app_credentials_explains_what_to_set(setup: tuple[Path, dict[str, str]]) -> None:
    _, env = setup
    result = syncd("auth", "main", "url", env=env)
    assert result.returncode == 2
    assert "client_id, client_secret and redirect_uri" in result.stderr


def test_commands_refuse_a_database_that_is_not_migrated(tmp_path: Path, fake: FakeTikTokShop) -> None:
    config = tmp_path / "config.yaml"
    config.write_text(
        CONFIG.format(db=tmp_path / "new.db", app_key=fake.app_key, cipher=fake.shop["cipher"], base_url=fake.base_url)
    )
    env = {
        "SYNCD_CONFIG": str(config),
        "SYNCD_ENCRYPTION_KEY": Fernet.generate_key().decode(),
        "TIKTOK_APP_SECRET": fake.app_secret,
        "SHOPIFY_ACCESS_TOKEN": "shpat_unused",
    }
    result = syncd("tiktok", "shops", env=env)
    assert result.returncode == 2
    assert "run `syncd db upgrade`" in result.stderr
