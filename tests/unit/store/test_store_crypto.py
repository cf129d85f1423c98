"""TokenCipher: encrypted and plaintext forms, key rotation, and errors that never show the value."""

from __future__ import annotations

import logging

import pytest
from pydantic import SecretStr

from syncd.errors import ConfigError
from syncd.store.crypto import ENCRYPTED_PREFIX, PLAINTEXT_PREFIX, CredentialKeyError, TokenCipher

TOKEN = "ROW_access_token_9f8e7d6c5b4a"


def cipher(*keys: str) -> TokenCipher:
    return TokenCipher(SecretStr(",".join(keys)))


KEY_A = TokenCipher.generate_key()
KEY_B = TokenCipher.generate_key()


def test_round_trip_is_encrypted() -> None:
    stored = cipher(KEY_A).encrypt(TOKEN)
    assert stored.startswith(ENCRYPTED_PREFIX)
    assert TOKEN not in stored
    assert cipher(KEY_A).decrypt(stored) == TOKEN
    assert cipher(KEY_A).encrypts


def test_without_a_key_values_are_marked_plaintext_and_a_warning_is_logged_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    plain = TokenCipher(None)
    with caplog.at_level(logging.WARNING, logger="syncd.store.crypto"):
        first = plain.encrypt(TOKEN)
        plain.encrypt("another")
    assert first == PLAINTEXT_PREFIX + TOKEN
    assert plain.decrypt(first) == TOKEN
    assert not plain.encrypts
    assert [r.getMessage() for r in caplog.records].count(
        "no credential encryption key is configured: credentials are stored in plaintext"
    ) == 1
    assert TOKEN not in caplog.text


def test_an_empty_key_means_no_key() -> None:
    assert not TokenCipher(SecretStr("  ")).encrypts


def test_encrypted_value_without_key_is_a_clear_error() -> None:
    stored = cipher(KEY_A).encrypt(TOKEN)
    with pytest.raises(CredentialKeyError, match="no credential encryption key") as raised:
        TokenCipher(None).decrypt(stored)
    assert isinstance(raised.value, ConfigError)
    assert TOKEN not in str(raised.value)
    assert stored[len(ENCRYPTED_PREFIX) :] not in str(raised.value)


def test_wrong_key_is_a_clear_error_without_the_value() -> None:
    stored = cipher(KEY_A).encrypt(TOKEN)
    with pytest.raises(CredentialKeyError, match="wrong") as raised:
        cipher(KEY_B).decrypt(stored)
    message = str(raised.value)
    assert TOKEN not in message
    assert stored[len(ENCRYPTED_PREFIX) :] not in message
    assert raised.value.__cause__ is None
    assert raised.value.__suppress_context__


def test_rotation_first_key_encrypts_all_keys_decrypt() -> None:
    old_stored = cipher(KEY_A).encrypt(TOKEN)
    rotated = cipher(KEY_B, KEY_A)
    assert rotated.decrypt(old_stored) == TOKEN
    new_stored = rotated.reencrypt(old_stored)
    assert cipher(KEY_B).decrypt(new_stored) == TOKEN
    with pytest.raises(CredentialKeyError):
        cipher(KEY_A).decrypt(new_stored)


def test_reencrypt_encrypts_plaintext_once_a_key_exists() -> None:
    stored = TokenCipher(None).encrypt(TOKEN)
    upgraded = cipher(KEY_A).reencrypt(stored)
    assert upgraded.startswith(ENCRYPTED_PREFIX)
    assert cipher(KEY_A).decrypt(upgraded) == TOKEN


@pytest.mark.parametrize("bad", ["not-a-key", "c2hvcnQ=", KEY_A[:-4]])
def test_an_invalid_key_is_a_config_error_that_does_not_echo_it(bad: str) -> None:
    with pytest.raises(CredentialKeyError, match="key #2 is not a Fernet key") as raised:
        cipher(KEY_A, bad)
    assert bad not in str(raised.value)


def test_an_unknown_stored_format_is_refused() -> None:
    with pytest.raises(CredentialKeyError, match="unrecognised format") as raised:
        cipher(KEY_A).decrypt(TOKEN)
    assert TOKEN not in str(raised.value)
