"""A `CredentialVault` backed by the credentials table: a connector's tokens as one encrypted JSON value."""

from __future__ import annotations

import json
from typing import Any

from pydantic import SecretStr
from sqlalchemy import Engine

from syncd.store import credentials
from syncd.store.crypto import TokenCipher
from syncd.store.engine import session_scope

VAULT_KIND = "vault"


class DatabaseVault:
    """Loads and saves one channel's connector credentials, encrypted at rest when the cipher has a key."""

    def __init__(self, engine: Engine, cipher: TokenCipher, channel_id: int, kind: str = VAULT_KIND) -> None:
        self._engine = engine
        self._cipher = cipher
        self._channel_id = channel_id
        self._kind = kind

    def load(self) -> dict[str, Any] | None:
        """The values last saved, or None when the channel has none yet."""
        with session_scope(self._engine) as session:
            stored = credentials.load_credential(session, self._cipher, self._channel_id, self._kind)
        if stored is None:
            return None
        values = json.loads(stored.value.get_secret_value())
        if not isinstance(values, dict):
            raise ValueError(f"credentials of channel {self._channel_id} are not a JSON object")
        return values

    def save(self, values: dict[str, Any]) -> None:
        """Replace the saved values in one committed transaction, so a crash never loses a rotated token."""
        payload = SecretStr(json.dumps(values, sort_keys=True, default=str))
        with session_scope(self._engine) as session:
            credentials.save_credential(session, self._cipher, self._channel_id, self._kind, payload)
