"""The registry finds connectors through real entry points and rejects what is not a connector."""

from __future__ import annotations

import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from syncd.errors import ConfigError
from syncd.registry import ConnectorRegistry

PLUGIN = """
from pydantic import BaseModel
from syncd.connector import Connector

LOADED = []

class Settings(BaseModel):
    token: str = "t"

class GoodConnector(Connector):
    name = "good"
    config_model = Settings

    def check(self) -> None:
        pass

class NotAConnector:
    pass

LOADED.append("module")
"""


@pytest.fixture
def plugin_path(tmp_path: Path) -> Iterator[Path]:
    """A distribution on sys.path that declares entry points in the syncd.connectors group."""
    (tmp_path / "demo_plugin.py").write_text(PLUGIN)
    dist = tmp_path / "demo_plugin-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: demo-plugin\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text(
        textwrap.dedent(
            """
            [syncd.connectors]
            good = demo_plugin:GoodConnector
            bogus = demo_plugin:NotAConnector
            broken = demo_plugin_missing:Thing
            """
        )
    )
    sys.path.insert(0, str(tmp_path))
    yield tmp_path
    sys.path.remove(str(tmp_path))
    sys.modules.pop("demo_plugin", None)


def test_entry_points_are_listed_without_importing(plugin_path: Path) -> None:
    registry = ConnectorRegistry()
    assert {"good", "bogus", "broken"} <= set(registry.names())
    assert "demo_plugin" not in sys.modules


def test_connector_class_is_loaded_on_first_use(plugin_path: Path) -> None:
    cls = ConnectorRegistry().get("good")
    assert cls.name == "good"
    assert sys.modules["demo_plugin"].LOADED == ["module"]


def test_a_class_that_is_not_a_connector_is_rejected(plugin_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"'bogus'.*not a subclass of syncd.connector.Connector"):
        ConnectorRegistry().get("bogus")


def test_a_plugin_that_fails_to_import_is_a_clear_error(plugin_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"'broken'.*failed to load"):
        ConnectorRegistry().get("broken")


def test_unknown_name_lists_what_is_installed(plugin_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"unknown connector 'nope' \(installed: .*good"):
        ConnectorRegistry().get("nope")
