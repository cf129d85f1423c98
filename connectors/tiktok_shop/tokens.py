"""Token lifecycle: the seller's tokens, where they are kept, and refreshing them once and only once.

TikTok's `access_token_expire_in` / `refresh_token_expire_in` are absolute Unix seconds, not durations
(ref §3.2). Refresh tokens may rotate, so the one a refresh returns is always saved (the safe choice, as the
PHP and PY examples do). Tokens are `SecretStr` and registered with the log redactor as soon as they are seen.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol, runtime_checkable

from pydantic import BaseModel, ConfigDict, SecretStr, field_validator

from connectors.tiktok_shop.errors import NO_CODE, TikTokAuthError, TikTokTransientError
from syncd.connector import CredentialVault
from syncd.http import Clock, SystemClock, register_secret

logger = logging.getLogger(__name__)

# Below this an "expire_in" cannot be a date (it would be before 2001): treat it as seconds from now, in
# case a market or a fake sends a duration. TikTok itself sends absolute times.
_DURATION_CUTOFF = 1_000_000_000


def expiry_from_api(value: int | str | None, now: datetime) -> datetime:
    """A UTC expiry time from an API `*_expire_in` value (absolute Unix seconds)."""
    seconds = int(value or 0)
    if 0 < seconds < _DURATION_CUTOFF:
        return now + timedelta(seconds=seconds)
    return datetime.fromtimestamp(seconds, UTC)


class TokenSet(BaseModel):
    """A seller's tokens with their absolute expiry times and the identity the token response names."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    access_token: SecretStr
    access_token_expires_at: datetime
    refresh_token: SecretStr
    refresh_token_expires_at: datetime
    open_id: str | None = None
    seller_name: str | None = None
    seller_base_region: str | None = None
    user_type: int | None = None
    granted_scopes: tuple[str, ...] = ()

    @field_validator("access_token_expires_at", "refresh_token_expires_at")
    @classmethod
    def _aware(cls, value: datetime) -> datetime:
        if value.tzinfo is None:
            raise ValueError("expiry times must be timezone-aware")
        return value.astimezone(UTC)

    def access_expires_within(self, now: datetime, margin: timedelta) -> bool:
        """True if the access token expires before `now + margin`."""
        return self.access_token_expires_at <= now + margin

    def refresh_expired(self, now: datetime) -> bool:
        """True if the refresh token can no longer be used."""
        return self.refresh_token_expires_at <= now

    def to_storage(self) -> dict[str, Any]:
        """Plain JSON-able values, secrets included, for a store that persists them (encrypt at rest)."""
        return {
            "access_token": self.access_token.get_secret_value(),
            "access_token_expires_at": int(self.access_token_expires_at.timestamp()),
            "refresh_token": self.refresh_token.get_secret_value(),
            "refresh_token_expires_at": int(self.refresh_token_expires_at.timestamp()),
            "open_id": self.open_id,
            "seller_name": self.seller_name,
            "seller_base_region": self.seller_base_region,
            "user_type": self.user_type,
            "granted_scopes": list(self.granted_scopes),
        }

    @classmethod
    def from_storage(cls, values: Mapping[str, Any]) -> TokenSet:
        """The inverse of `to_storage`."""
        data = dict(values)
        for key in ("access_token_expires_at", "refresh_token_expires_at"):
            if isinstance(data.get(key), int | float):
                data[key] = datetime.fromtimestamp(data[key], UTC)
        return cls.model_validate(data)


@runtime_checkable
class TokenStore(Protocol):
    """Where a seller's tokens live between runs; implementations must be safe to call from several threads."""

    def load(self) -> TokenSet | None:
        """The current tokens, or None if the seller has not authorised yet."""
        ...

    def save(self, tokens: TokenSet) -> None:
        """Replace the stored tokens (called after every exchange and refresh)."""
        ...


class InMemoryTokenStore:
    """A `TokenStore` in process memory: for tests, scripts and a single short-lived process."""

    def __init__(self, tokens: TokenSet | None = None) -> None:
        self._lock = threading.Lock()
        self._tokens = tokens
        self.saves = 0

    def load(self) -> TokenSet | None:
        """The tokens last saved."""
        with self._lock:
            return self._tokens

    def save(self, tokens: TokenSet) -> None:
        """Keep `tokens`."""
        with self._lock:
            self._tokens = tokens
            self.saves += 1


Refresher = Callable[[SecretStr], TokenSet]
"""Exchanges a refresh token for a new `TokenSet` (one HTTP call to the auth host)."""


def _remember(tokens: TokenSet) -> TokenSet:
    register_secret(tokens.access_token)
    register_secret(tokens.refresh_token)
    return tokens


class TokenManager:
    """Hands out a valid access token: refreshes ahead of expiry and on demand, never twice at once.

    A refresh runs under a lock and first re-reads the store: a thread (or another process sharing the
    store) that waited while someone else refreshed finds the new token and uses it instead of refreshing.
    """

    def __init__(
        self,
        store: TokenStore,
        refresher: Refresher,
        *,
        clock: Clock | None = None,
        margin: timedelta = timedelta(hours=1),
    ) -> None:
        self._store = store
        self._refresher = refresher
        self._clock = clock or SystemClock()
        self._margin = margin
        self._lock = threading.Lock()
        self._cached: TokenSet | None = None
        self.refreshes = 0

    def current(self) -> TokenSet:
        """The tokens in use, loaded from the store on first use; raises `TikTokAuthError` if there are none."""
        tokens = self._cached
        if tokens is None:
            tokens = self._load()
        return tokens

    def access_token(self) -> SecretStr:
        """A token valid for at least the margin, refreshing first when the current one is about to expire."""
        tokens = self.current()
        if not tokens.access_expires_within(self._clock.now(), self._margin):
            return tokens.access_token
        try:
            return self.refresh(stale=tokens.access_token).access_token
        except TikTokTransientError:
            if tokens.access_token_expires_at > self._clock.now():
                # Early refresh failed for now; the current token still works, so the call need not fail.
                logger.warning("TikTok Shop token refresh failed transiently; using the current token until expiry")
                return tokens.access_token
            raise

    def refresh(self, stale: SecretStr | None = None) -> TokenSet:
        """Refresh and save the tokens, unless the stored access token is no longer `stale` (already refreshed)."""
        with self._lock:
            stored = self._load()
            now = self._clock.now()
            replaced = stale is not None and stored.access_token.get_secret_value() != stale.get_secret_value()
            if replaced and not stored.access_expires_within(now, self._margin):
                return stored
            if stored.refresh_expired(now):
                raise TikTokAuthError(NO_CODE, "the refresh token has expired; the seller must authorise the app again")
            fresh = _remember(self._refresher(stored.refresh_token))
            self._store.save(fresh)
            self._cached = fresh
            self.refreshes += 1
            logger.info(
                "refreshed the TikTok Shop access token (open_id %s); it expires at %s",
                fresh.open_id,
                fresh.access_token_expires_at.isoformat(),
            )
            return fresh

    def replace(self, tokens: TokenSet) -> None:
        """Save tokens obtained outside a refresh (the authorization-code exchange)."""
        with self._lock:
            self._store.save(_remember(tokens))
            self._cached = tokens

    def _load(self) -> TokenSet:
        tokens = self._store.load()
        if tokens is None:
            raise TikTokAuthError(NO_CODE, "no TikTok Shop tokens are stored; the seller must authorise the app")
        self._cached = _remember(tokens)
        return tokens


class VaultTokenStore:
    """A `TokenStore` over a syncd `CredentialVault` (the daemon's encrypted credentials table).

    Until the first save, `initial` (tokens from the config) stands in for an empty vault.
    """

    def __init__(self, vault: CredentialVault, initial: TokenSet | None = None) -> None:
        self._vault = vault
        self._initial = initial
        self._lock = threading.Lock()

    def load(self) -> TokenSet | None:
        """The saved tokens, else the initial ones."""
        with self._lock:
            stored = self._vault.load()
            return TokenSet.from_storage(stored) if stored else self._initial

    def save(self, tokens: TokenSet) -> None:
        """Persist the tokens (the refresh token rotates, so every save matters)."""
        with self._lock:
            self._vault.save(tokens.to_storage())
