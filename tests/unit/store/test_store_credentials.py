"""Stored credentials: encrypted at rest, replaced per kind, re-encrypted after rotation."""

from __future__ import annotations

from datetime import timedelta

import pytest
from pydantic import SecretStr
from sqlalchemy import Engine, text
from store_helpers import T0, Ids

from syncd.store import credentials
from syncd.store.crypto import ENCRYPTED_PREFIX, CredentialKeyError, TokenCipher
from syncd.store.engine import session_scope

TOKEN = "ROW_access_token_9f8e7d6c5b4a"
KEY = SecretStr(TokenCipher.generate_key())


def _raw_values(engine: Engine) -> list[str]:
    with engine.connect() as connection:
        return list(connection.execute(text("SELECT value FROM credentials ORDER BY id")).scalars())


def test_round_trip_is_encrypted_at_rest(engine: Engine, ids: Ids) -> None:
    cipher = TokenCipher(KEY)
    expires = T0 + timedelta(hours=4)
    with session_scope(engine) as session:
        credentials.save_credential(session, cipher, ids.tiktok, "access_token", SecretStr(TOKEN), expires_at=expires)
    [raw] = _raw_values(engine)
    assert raw.startswith(ENCRYPTED_PREFIX)
    assert TOKEN not in raw
    with session_scope(engine) as session:
        loaded = credentials.load_credential(session, cipher, ids.tiktok, "access_token")
        assert credentials.load_credential(session, cipher, ids.tiktok, "refresh_token") is None
    assert loaded is not None
    assert loaded.value.get_secret_value() == TOKEN
    assert loaded.expires_at == expires
    assert TOKEN not in repr(loaded)


def test_wrong_key_fails_clearly_without_the_value(engine: Engine, ids: Ids) -> None:
    with session_scope(engine) as session:
        credentials.save_credential(session, TokenCipher(KEY), ids.tiktok, "access_token", TOKEN)
    wrong = TokenCipher(SecretStr(TokenCipher.generate_key()))
    with pytest.raises(CredentialKeyError) as raised, session_scope(engine) as session:
        credentials.load_credential(session, wrong, ids.tiktok, "access_token")
    assert TOKEN not in str(raised.value)
    assert _raw_values(engine)[0] not in str(raised.value)


def test_saving_again_replaces_and_kinds_are_separate(engine: Engine, ids: Ids) -> None:
    cipher = TokenCipher(KEY)
    with session_scope(engine) as session:
        credentials.save_credential(session, cipher, ids.tiktok, "access_token", "old")
        credentials.save_credential(session, cipher, ids.tiktok, "access_token", "new", now=T0)
        credentials.save_credential(session, cipher, ids.tiktok, "refresh_token", "refresh")
        credentials.save_credential(session, cipher, ids.shop, "access_token", "shop")
        access = credentials.load_credential(session, cipher, ids.tiktok, "access_token")
        assert credentials.delete_credentials(session, ids.tiktok, "refresh_token") == 1
        assert credentials.load_credential(session, cipher, ids.tiktok, "refresh_token") is None
        assert credentials.delete_credentials(session, ids.tiktok) == 1
        shop = credentials.load_credential(session, cipher, ids.shop, "access_token")
    assert access is not None
    assert (access.value.get_secret_value(), access.updated_at, access.expires_at) == ("new", T0, None)
    assert shop is not None
    assert shop.value.get_secret_value() == "shop"


def test_reencrypt_all_after_rotation(engine: Engine, ids: Ids) -> None:
    new_key = TokenCipher.generate_key()
    with session_scope(engine) as session:
        credentials.save_credential(session, TokenCipher(KEY), ids.tiktok, "access_token", TOKEN)
        credentials.save_credential(session, TokenCipher(None), ids.shop, "access_token", "was plaintext")
    before = _raw_values(engine)
    rotating = TokenCipher(SecretStr(f"{new_key},{KEY.get_secret_value()}"))
    with session_scope(engine) as session:
        assert credentials.reencrypt_all(session, rotating) == 2
    after = _raw_values(engine)
    assert all(value.startswith(ENCRYPTED_PREFIX) for value in after)
    assert set(after).isdisjoint(before)
    only_new = TokenCipher(SecretStr(new_key))
    with session_scope(engine) as session:
        tiktok = credentials.load_credential(session, only_new, ids.tiktok, "access_token")
        shop = credentials.load_credential(session, only_new, ids.shop, "access_token")
    assert tiktok is not None
    assert shop is not None
    assert (tiktok.value.get_secret_value(), shop.value.get_secret_value()) == (TOKEN, "was plaintext")
