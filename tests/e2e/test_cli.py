"""The installed `syncd` command, run as a real subprocess."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]
SYNCD = Path(sys.executable).parent / "syncd"
EXAMPLE_ENV = {
    "SYNCD_ENCRYPTION_KEY": "Xv3c4m2Yw2nq0qfQk1m6v4ZtS0Hk3f0bq1o5xwYF6Mc=",
    "TIKTOK_APP_KEY": "app-key",
    "TIKTOK_APP_SECRET": "app-secret",
    "TIKTOK_SHOP_CIPHER": "ROW_cipher",
    "SHOPIFY_SHOP_DOMAIN": "demo.myshopify.com",
    "SHOPIFY_ACCESS_TOKEN": "shpat_token",
    "SHOPIFY_WEBHOOK_SECRET": "shopify-secret",
    "WOOCOMMERCE_URL": "https://shop.example.com",
    "WOOCOMMERCE_CONSUMER_KEY": "ck_key",
    "WOOCOMMERCE_CONSUMER_SECRET": "cs_secret",
    "WOOCOMMERCE_WEBHOOK_SECRET": "woo-secret",
}


def syncd(*args: str, env: dict[str, str] | None = None, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("SYNCD_", "TIKTOK_", "SHOPIFY_", "WOO"))}
    return subprocess.run(  # noqa: S603 - our own console script
        [str(SYNCD), *args], env={**base, **(env or {})}, cwd=cwd, capture_output=True, text=True, timeout=60
    )


@pytest.fixture(scope="module", autouse=True)
def _installed() -> None:
    if not SYNCD.exists():
        pytest.fail(f"the console script is not installed next to {sys.executable}; run `make test`")


def test_help_lists_the_commands() -> None:
    result = syncd("--help")
    assert result.returncode == 0
    for command in ("config", "db", "connectors"):
        assert command in result.stdout


def test_example_config_checks_clean_with_its_variables_set() -> None:
    result = syncd("config", "check", "config.example.yaml", env=EXAMPLE_ENV)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "config.example.yaml: ok"


def test_bad_config_exits_2_and_names_each_problem(tmp_path: Path) -> None:
    bad = (ROOT / "config.example.yaml").read_text()
    bad = bad.replace("  # Connect and read timeout of every call.\n  timeout: 30s", "  timout: 30s")
    bad = bad.replace("  requests_per_second: 10\n", "  requests_per_second: ten\n")
    path = tmp_path / "bad.yaml"
    path.write_text(bad)
    env = {k: v for k, v in EXAMPLE_ENV.items() if k != "TIKTOK_APP_SECRET"}
    result = syncd("config", "check", str(path), env=env)
    assert result.returncode == 2
    assert "tiktok.timout: unknown key" in result.stderr
    assert "tiktok.requests_per_second: " in result.stderr
    assert "tiktok.app_secret: environment variable TIKTOK_APP_SECRET is not set" in result.stderr


def test_config_from_environment_variable_path(tmp_path: Path) -> None:
    result = syncd("config", "check", env={"SYNCD_CONFIG": str(tmp_path / "none.yaml")})
    assert result.returncode == 2
    assert "no such file" in result.stderr


def test_db_upgrade_creates_the_schema_and_is_idempotent(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'syncd.db'}"
    first = syncd("db", "upgrade", "--database-url", url)
    assert first.returncode == 0, first.stderr
    assert "upgraded from empty to" in first.stdout
    with sqlite3.connect(tmp_path / "syncd.db") as conn:
        tables = {row[0] for row in conn.execute("select name from sqlite_master where type='table'")}
    assert {
        "alembic_version",
        "order_links",
        "channels",
        "bindings",
        "cursors",
        "webhook_inbox",
        "credentials",
        "quarantine",
    } <= tables
    second = syncd("db", "upgrade", "--database-url", url)
    assert second.returncode == 0
    assert "already at" in second.stdout
    current = syncd("db", "current", "--database-url", url)
    assert "up to date" in current.stdout


def test_db_without_config_or_url_explains_itself(tmp_path: Path) -> None:
    result = syncd("db", "current", cwd=tmp_path)
    assert result.returncode == 2
    assert "--database-url" in result.stderr


def test_generated_key_is_accepted_as_encryption_key() -> None:
    key = syncd("db", "generate-key").stdout.strip()
    result = syncd("config", "check", "config.example.yaml", env={**EXAMPLE_ENV, "SYNCD_ENCRYPTION_KEY": key})
    assert result.returncode == 0, result.stderr
