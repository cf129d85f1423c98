"""Stored credentials (access and refresh tokens) per channel, encrypted by a `TokenCipher`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from pydantic import SecretStr
from sqlalchemy import delete, update
from sqlmodel import Session, col, select

from syncd.store.crypto import TokenCipher
from syncd.store.models import Credential
from syncd.store.sql import fetch_all, fetch_one, table_of, upsert
from syncd.store.types import utcnow


@dataclass(frozen=True, slots=True)
class StoredCredential:
    """A credential as read back: the value stays wrapped so it does not end up in a log by accident."""

    kind: str
    value: SecretStr
    expires_at: datetime | None
    updated_at: datetime


def save_credential(
    session: Session,
    cipher: TokenCipher,
    channel_id: int,
    kind: str,
    value: SecretStr | str,
    *,
    expires_at: datetime | None = None,
    now: datetime | None = None,
) -> None:
    """Store (or replace) one credential of a channel, e.g. kind `access_token` or `refresh_token`."""
    secret = value.get_secret_value() if isinstance(value, SecretStr) else value
    values = {
        "channel_id": channel_id,
        "kind": kind,
        "value": cipher.encrypt(secret),
        "expires_at": expires_at,
        "updated_at": now or utcnow(),
    }
    upsert(session, Credential, values, ["channel_id", "kind"], update=["value", "expires_at", "updated_at"])


def load_credential(session: Session, cipher: TokenCipher, channel_id: int, kind: str) -> StoredCredential | None:
    """One credential of a channel, decrypted; None if none is stored."""
    row = fetch_one(session, select(Credential).where(Credential.channel_id == channel_id, Credential.kind == kind))
    if row is None:
        return None
    return StoredCredential(
        kind=row.kind,
        value=SecretStr(cipher.decrypt(row.value)),
        expires_at=row.expires_at,
        updated_at=row.updated_at,
    )


def delete_credentials(session: Session, channel_id: int, kind: str | None = None) -> int:
    """Delete one or all credentials of a channel; return how many were deleted."""
    table = table_of(Credential)
    stmt = delete(table).where(table.c.channel_id == channel_id)
    if kind is not None:
        stmt = stmt.where(table.c.kind == kind)
    return session.exec(stmt).rowcount


def reencrypt_all(session: Session, cipher: TokenCipher) -> int:
    """Rewrite every stored credential under the cipher's first key (after a key rotation); return the count."""
    table = table_of(Credential)
    rows = fetch_all(session, select(Credential).order_by(col(Credential.id)))
    for row in rows:
        session.exec(update(table).where(table.c.id == row.id).values(value=cipher.reencrypt(row.value)))
    return len(rows)
