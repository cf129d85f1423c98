"""The config loader: expansion, environment overrides, and errors that name every key path."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
import yaml
from pydantic import BaseModel

from syncd.config import Settings, load_settings, secret_values
from syncd.config.loader import check_file, expand
from syncd.connector import Connector, ConnectorConfig, PositiveDuration, Secret
from syncd.errors import ConfigError
from syncd.registry import ConnectorRegistry


class AppConfig(ConnectorConfig):
    app_key: str
    app_secret: Secret
    shop_cipher: str | None = None
    timeout: PositiveDuration = timedelta(seconds=30)


class ShopConfig(ConnectorConfig):
    shop_domain: str
    access_token: Secret


class WooConfig(ConnectorConfig):
    url: str
    consumer_key: Secret
    consumer_secret: Secret


def connector(name: str, model: type[BaseModel]) -> type[Connector]:
    """A connector class that only declares its config model: all the loader looks at."""

    def check(self: Connector) -> None:
        """Nothing to check."""

    return type(f"{name.title()}Connector", (Connector,), {"name": name, "config_model": model, "check": check})


REGISTRY = ConnectorRegistry(
    extra={
        "tiktok_shop": connector("tiktok_shop", AppConfig),
        "shopify": connector("shopify", ShopConfig),
        "woocommerce": connector("woocommerce", WooConfig),
    }
)

MINIMAL = """
database: {url: "sqlite:///syncd.db", require_encryption: false}
tiktok: {app_key: key, app_secret: "${TT_SECRET}", shop_cipher: ROW_abc}
stores:
  - name: main
    platform: shopify
    shopify: {shop_domain: demo.myshopify.com, access_token: "${SHOP_TOKEN}"}
"""
ENV = {"TT_SECRET": "tt-secret-value", "SHOP_TOKEN": "shpat_secret"}


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(text)
    return path


def load(path: Path, env: dict[str, str]) -> Settings:
    return load_settings(path, environ=env, registry=REGISTRY)


def problems_of(path: Path, env: dict[str, str]) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        load(path, env)
    return caught.value.problems


def test_minimal_config_loads_with_defaults(tmp_path: Path) -> None:
    settings = load(write(tmp_path, MINIMAL), ENV)
    tiktok = settings.connector_config("tiktok")
    assert isinstance(tiktok, AppConfig)
    assert tiktok.app_secret.get_secret_value() == "tt-secret-value"
    assert isinstance(settings.connector_config("main"), ShopConfig)
    assert settings.catalog_store.name == "main"
    assert settings.schedules.stock.every == timedelta(minutes=2)
    assert settings.stock_rule("tiktok").percent == 100


def test_environment_overrides_nested_keys(tmp_path: Path) -> None:
    env = {**ENV, "SYNCD_HTTP__PORT": "9191", "SYNCD_TIKTOK__APP_KEY": "from-env"}
    settings = load(write(tmp_path, MINIMAL), env)
    assert settings.http.port == 9191
    tiktok = settings.connector_config("tiktok")
    assert isinstance(tiktok, AppConfig)
    assert tiktok.app_key == "from-env"
    assert tiktok.shop_cipher == "ROW_abc"  # the rest of the section still comes from the file


def test_missing_variable_is_named_with_its_key(tmp_path: Path) -> None:
    problems = problems_of(write(tmp_path, MINIMAL), {"SHOP_TOKEN": "x"})
    assert problems == ["tiktok.app_secret: environment variable TT_SECRET is not set"]


def test_misspelt_key_wrong_type_and_missing_variable_are_all_reported(tmp_path: Path) -> None:
    text = MINIMAL.replace("shop_cipher: ROW_abc", "shop_cipher: ROW_abc, tmeout: 5s") + "http: {port: eighty}\n"
    problems = problems_of(write(tmp_path, text), {"TT_SECRET": "s"})
    assert "tiktok.tmeout: unknown key" in problems
    assert any(p.startswith("http.port: ") for p in problems)
    assert "stores[0].shopify.access_token: environment variable SHOP_TOKEN is not set" in problems


def test_missing_required_field_names_the_store_block(tmp_path: Path) -> None:
    text = MINIMAL.replace(', access_token: "${SHOP_TOKEN}"', "")
    assert problems_of(write(tmp_path, text), ENV) == ["stores[0].shopify.access_token: field required"]


def test_errors_never_echo_secret_values(tmp_path: Path) -> None:
    text = MINIMAL.replace("require_encryption: false", "require_encryption: maybe")
    problems = problems_of(write(tmp_path, text), ENV)
    assert problems
    assert not any("tt-secret-value" in p or "shpat_secret" in p for p in problems)


def test_default_and_escaped_references() -> None:
    problems: list[str] = []
    data = {"a": "${NOPE:-fallback}", "b": "$${LITERAL}", "c": ["x-${HERE}"]}
    assert expand(data, {"HERE": "1"}, "", problems) == {"a": "fallback", "b": "${LITERAL}", "c": ["x-1"]}
    assert problems == []


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        ("catalog_source", "exactly one store must have catalog_source: true"),
        ("encryption", "database.encryption_key is required"),
        ("channel", "sync.stock.channels names unknown channels: tiktk"),
        ("no block", "stores[0]: missing the `shopify:` block"),
        ("stray key", "stores[0]: unknown key(s) shopfy"),
        ("unknown platform", "stores[0].platform: unknown connector 'magento'"),
        ("duration", "expected a duration"),
        ("empty secret", "tiktok.app_secret: must not be empty"),
    ],
)
def test_cross_field_rules(tmp_path: Path, edit: str, expected: str) -> None:
    text = MINIMAL
    env = dict(ENV)
    if edit == "catalog_source":
        text += (
            "  - {name: woo, platform: woocommerce, woocommerce: "
            '{url: "https://shop.example", consumer_key: k, consumer_secret: s}}\n'
        )
    elif edit == "encryption":
        text = text.replace("require_encryption: false", "require_encryption: true")
    elif edit == "channel":
        text += "sync: {stock: {channels: {tiktk: {buffer: 1}}}}\n"
    elif edit == "no block":
        text = text.replace("    shopify: {", "    shopfy: {").replace("shopfy: {shop_domain", "x: {shop_domain")
    elif edit == "stray key":
        text = text.replace("    platform: shopify\n", "    platform: shopify\n    shopfy: {}\n")
    elif edit == "unknown platform":
        text = text.replace("platform: shopify", "platform: magento").replace("    shopify: {", "    magento: {")
    elif edit == "duration":
        text += "schedules: {stock: {every: soon}}\n"
    elif edit == "empty secret":
        env["TT_SECRET"] = "  "
    problems = problems_of(write(tmp_path, text), env)
    assert any(expected in p for p in problems), problems


def test_unreadable_inputs_are_clear_errors(tmp_path: Path) -> None:
    assert "no such file" in check_file(tmp_path / "absent.yaml", REGISTRY)[0]
    assert "not valid YAML" in check_file(write(tmp_path, "tiktok: [unclosed"), REGISTRY)[0]
    assert "must be a mapping" in check_file(write(tmp_path, "- a\n- b\n"), REGISTRY)[0]


def test_secret_values_collects_every_secret(tmp_path: Path) -> None:
    settings = load(write(tmp_path, MINIMAL), ENV)
    assert set(secret_values(settings)) == {"tt-secret-value", "shpat_secret"}


EXAMPLE = Path(__file__).parents[3] / "config.example.yaml"
EXAMPLE_ENV = dict.fromkeys(
    (
        "TIKTOK_APP_KEY",
        "TIKTOK_APP_SECRET",
        "TIKTOK_SHOP_CIPHER",
        "SHOPIFY_ACCESS_TOKEN",
        "SHOPIFY_WEBHOOK_SECRET",
        "WOOCOMMERCE_CONSUMER_KEY",
        "WOOCOMMERCE_CONSUMER_SECRET",
        "WOOCOMMERCE_WEBHOOK_SECRET",
    ),
    "value",
) | {
    "SYNCD_ENCRYPTION_KEY": "k" * 43 + "=",
    "SHOPIFY_SHOP_DOMAIN": "demo.myshopify.com",
    "WOOCOMMERCE_URL": "https://shop.example.com",
}


def test_example_config_is_valid() -> None:
    settings = load_settings(EXAMPLE, environ=EXAMPLE_ENV)
    assert [store.platform for store in settings.stores] == ["shopify", "woocommerce"]


def _key_paths(model: type, prefix: str = "") -> set[str]:
    from pydantic import BaseModel

    paths = set()
    for name, field in model.model_fields.items():  # type: ignore[attr-defined]
        path = f"{prefix}{name}"
        paths.add(path)
        annotation = field.annotation
        for candidate in getattr(annotation, "__args__", (annotation,)):
            if isinstance(candidate, type) and issubclass(candidate, BaseModel):
                paths |= _key_paths(candidate, f"{path}.")
    return paths


def _yaml_paths(data: object, prefix: str = "") -> set[str]:
    paths = set()
    if isinstance(data, dict):
        for key, value in data.items():
            paths.add(f"{prefix}{key}")
            paths |= _yaml_paths(value, f"{prefix}{key}.")
    elif isinstance(data, list):
        for item in data:
            paths |= _yaml_paths(item, prefix)
    return paths


def test_example_documents_every_key() -> None:
    from syncd.config import StoreSettings

    registry = ConnectorRegistry()
    expected = _key_paths(Settings) | _key_paths(StoreSettings, "stores.")
    expected |= _key_paths(registry.get("tiktok_shop").config_model, "tiktok.")
    for platform in ("shopify", "woocommerce"):
        expected |= _key_paths(registry.get(platform).config_model, f"stores.{platform}.")
    # Free-form maps (rule names, ids) have user-chosen keys below them, not settings.
    documented = _yaml_paths(yaml.safe_load(EXAMPLE.read_text()))
    missing = sorted(p for p in expected if p not in documented and not p.startswith("sync.stock.channels."))
    assert missing == []
