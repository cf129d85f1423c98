"""The database-backed credential vault: round trip, encryption at rest, isolation per channel."""

from __future__ import annotations

from pydantic import SecretStr
from sqlalchemy import Engine, text
from store_helpers import Ids

from syncd.connector import CredentialVault
from syncd.store.crypto import TokenCipher
from syncd.store.vault import DatabaseVault

KEY = SecretStr(TokenCipher.generate_key())


def test_round_trip_encrypted_and_per_channel(engine: Engine, ids: Ids) -> None:
    vault = DatabaseVault(engine, TokenCipher(KEY), ids.tiktok)
    other = DatabaseVault(engine, TokenCipher(KEY), ids.shop)
    assert isinstance(vault, CredentialVault)
    assert vault.load() is None
    vault.save({"access_token": "tok-secret-123", "expires_at": 1790000000})
    vault.save({"access_token": "tok-secret-456", "expires_at": 1790000100})
    assert vault.load() == {"access_token": "tok-secret-456", "expires_at": 1790000100}
    assert other.load() is None
    with engine.connect() as connection:
        raw = " ".join(connection.execute(text("SELECT value FROM credentials")).scalars())
    assert "tok-secret" not in raw


def test_a_fresh_vault_on_the_same_database_sees_saved_values(engine: Engine, ids: Ids) -> None:
    DatabaseVault(engine, TokenCipher(KEY), ids.tiktok).save({"refresh_token": "r-1"})
    assert DatabaseVault(engine, TokenCipher(KEY), ids.tiktok).load() == {"refresh_token": "r-1"}
