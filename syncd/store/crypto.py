"""Credentials at rest: Fernet encryption with key rotation, and an explicit marker for plaintext values.

Key material is one or more Fernet keys, each 32 random bytes in url-safe base64 (44 characters, as
`TokenCipher.generate_key()` returns), separated by commas. The first key encrypts; every key decrypts. To
rotate, put a new key first, re-encrypt the stored values (`syncd.store.credentials.reencrypt_all`), then
drop the old key.

Stored values carry a prefix: `enc:v1:` followed by a Fernet token, or `plain:` followed by the value when
no key is configured (the caller decides whether that is acceptable). The prefix lets a reader tell the two
apart, and a later format change bump the version.
"""

from __future__ import annotations

import logging

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from pydantic import SecretStr

from syncd.errors import ConfigError

logger = logging.getLogger(__name__)

ENCRYPTED_PREFIX = "enc:v1:"
PLAINTEXT_PREFIX = "plain:"


class CredentialKeyError(ConfigError):
    """A stored credential cannot be read with the configured key; the message never contains the value."""

    def __init__(self, problem: str) -> None:
        super().__init__([problem])


class TokenCipher:
    """Turns credential values into their stored form and back."""

    def __init__(self, key: SecretStr | None) -> None:
        self._fernet = _load_keys(key)
        self._warned_plaintext = False

    @staticmethod
    def generate_key() -> str:
        """A new random key in the format the cipher accepts."""
        return Fernet.generate_key().decode("ascii")

    @property
    def encrypts(self) -> bool:
        """True when a key is configured, so stored values are encrypted."""
        return self._fernet is not None

    def encrypt(self, value: str) -> str:
        """The stored form of `value`: encrypted with the first key, or marked plaintext when there is none."""
        if self._fernet is None:
            if not self._warned_plaintext:
                logger.warning("no credential encryption key is configured: credentials are stored in plaintext")
                self._warned_plaintext = True
            return PLAINTEXT_PREFIX + value
        return ENCRYPTED_PREFIX + self._fernet.encrypt(value.encode("utf-8")).decode("ascii")

    def decrypt(self, stored: str) -> str:
        """The value behind a stored form; `CredentialKeyError` if the key is missing or wrong."""
        if stored.startswith(PLAINTEXT_PREFIX):
            return stored[len(PLAINTEXT_PREFIX) :]
        if not stored.startswith(ENCRYPTED_PREFIX):
            raise CredentialKeyError("a stored credential has an unrecognised format")
        if self._fernet is None:
            raise CredentialKeyError("a stored credential is encrypted but no credential encryption key is configured")
        try:
            return self._fernet.decrypt(stored[len(ENCRYPTED_PREFIX) :].encode("ascii")).decode("utf-8")
        except (InvalidToken, UnicodeError):
            # `from None`: the chained exception adds nothing and keeps the token out of tracebacks.
            raise CredentialKeyError(
                "a stored credential cannot be decrypted with the configured key(s): "
                "the key is wrong, or the key that encrypted it was removed"
            ) from None

    def reencrypt(self, stored: str) -> str:
        """The stored form again under the current first key (plaintext gets encrypted once a key exists)."""
        return self.encrypt(self.decrypt(stored))


def _load_keys(key: SecretStr | None) -> MultiFernet | None:
    """Parse comma-separated Fernet keys; an invalid key is a configuration error that does not echo it."""
    if key is None:
        return None
    parts = [part.strip() for part in key.get_secret_value().split(",") if part.strip()]
    if not parts:
        return None
    fernets: list[Fernet] = []
    for position, part in enumerate(parts, start=1):
        try:
            fernets.append(Fernet(part.encode("ascii")))
        except (ValueError, UnicodeError):
            raise CredentialKeyError(
                f"credential encryption key #{position} is not a Fernet key (32 bytes, url-safe base64)"
            ) from None
    return MultiFernet(fernets)
