"""Wires one merchant's settings to the running parts: the database, the token cipher, and each channel's connector."""

from __future__ import annotations

from sqlalchemy import Engine

from syncd.config import Settings
from syncd.connector import Connector
from syncd.errors import ConfigError
from syncd.http.clock import Clock
from syncd.registry import ConnectorRegistry
from syncd.store import channels, migrate
from syncd.store.crypto import TokenCipher
from syncd.store.engine import make_engine, session_scope
from syncd.store.vault import DatabaseVault


class Runtime:
    """The database, cipher and connectors of one merchant; nothing here is process-global."""

    def __init__(
        self, settings: Settings, registry: ConnectorRegistry | None = None, clock: Clock | None = None
    ) -> None:
        self.settings = settings
        self.registry = registry or ConnectorRegistry()
        self.clock = clock
        self.cipher = TokenCipher(settings.database.encryption_key)
        self._engine: Engine | None = None
        self._channel_ids: dict[str, int] = {}

    @property
    def engine(self) -> Engine:
        """The mapping store's engine, created on first use after checking the schema is current."""
        if self._engine is None:
            url = self.settings.database.url
            current, head = migrate.current(url), migrate.head()
            if current != head:
                state = "empty" if current is None else f"at {current}"
                raise ConfigError([f"database: the schema is {state}, not {head}; run `syncd db upgrade`"])
            self._engine = make_engine(url)
        return self._engine

    def channel_id(self, channel: str) -> int:
        """The database id of a configured channel (`tiktok` or a store name), created on first use."""
        if channel not in self._channel_ids:
            if channel not in self.settings.channels:
                known = ", ".join(self.settings.channels)
                raise ConfigError([f"unknown channel {channel!r} (configured: {known})"])
            platform = self.settings.channel_platform(channel)
            with session_scope(self.engine) as session:
                row_id = channels.get_or_create_channel(session, channel, platform).id
            assert row_id is not None  # the row was just read back from the database
            self._channel_ids[channel] = row_id
        return self._channel_ids[channel]

    def connector(self, channel: str) -> Connector:
        """A new connector for `channel`, with its credentials vault in the database; the caller closes it."""
        cls = self.registry.get(self.settings.channel_platform(channel))
        vault = DatabaseVault(self.engine, self.cipher, self.channel_id(channel))
        return cls(self.settings.connector_config(channel), clock=self.clock, vault=vault)

    def close(self) -> None:
        """Release the database connections."""
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None
