"""Finds connector classes through the `syncd.connectors` entry-point group, loading each only when asked."""

from __future__ import annotations

from importlib.metadata import EntryPoint, entry_points

from syncd.connector import Connector
from syncd.errors import ConfigError

GROUP = "syncd.connectors"


class ConnectorRegistry:
    """A lazy map from connector name to class; `extra` registers classes without packaging (tests)."""

    def __init__(self, extra: dict[str, type[Connector]] | None = None) -> None:
        self._entry_points: dict[str, EntryPoint] = {ep.name: ep for ep in entry_points(group=GROUP)}
        self._loaded: dict[str, type[Connector]] = dict(extra or {})

    def names(self) -> list[str]:
        """Every connector name known, loaded or not."""
        return sorted(set(self._entry_points) | set(self._loaded))

    def get(self, name: str) -> type[Connector]:
        """The connector class registered as `name`; loads and type-checks it on first use."""
        if name in self._loaded:
            return self._loaded[name]
        entry_point = self._entry_points.get(name)
        if entry_point is None:
            known = ", ".join(self.names()) or "none"
            raise ConfigError([f"unknown connector {name!r} (installed: {known})"])
        try:
            loaded = entry_point.load()
        except Exception as exc:  # a broken plugin must not take the daemon down with a bare traceback
            raise ConfigError([f"connector {name!r} ({entry_point.value}) failed to load: {exc}"]) from exc
        if not (isinstance(loaded, type) and issubclass(loaded, Connector)):
            raise ConfigError(
                [f"connector {name!r} ({entry_point.value}) is not a subclass of syncd.connector.Connector"]
            )
        self._loaded[name] = loaded
        return loaded
