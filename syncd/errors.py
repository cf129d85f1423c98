"""The error hierarchy every layer raises; the engine decides what to do from the class alone."""

from __future__ import annotations


class SyncError(Exception):
    """Base of every error syncd raises on purpose."""


class ConfigError(SyncError):
    """The configuration is invalid; `problems` lists each one with its key path."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = list(problems)
        super().__init__("invalid configuration:\n" + "\n".join(f"  {p}" for p in self.problems))


class AuthError(SyncError):
    """Credentials were rejected; the channel needs re-authorisation, retrying will not help."""


class ApiError(SyncError):
    """A platform call failed; carries the status and the platform's own code and message."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        code: str | None = None,
        platform: str | None = None,
    ) -> None:
        self.status = status
        self.code = code
        self.platform = platform
        parts = [p for p in (platform, f"HTTP {status}" if status else None, code) if p]
        super().__init__(f"{' '.join(parts)}: {message}" if parts else message)


class TransientApiError(ApiError):
    """A failure that may succeed if retried (5xx, timeouts, dropped connections)."""


class RateLimited(TransientApiError):
    """The platform asked us to slow down; `retry_after` is its hint in seconds, if it gave one."""

    def __init__(
        self,
        message: str,
        *,
        retry_after: float | None = None,
        status: int | None = None,
        code: str | None = None,
        platform: str | None = None,
    ) -> None:
        self.retry_after = retry_after
        super().__init__(message, status=status, code=code, platform=platform)


class FatalApiError(ApiError):
    """A failure that retrying cannot fix (validation errors, 4xx other than auth and throttling)."""


class RecordError(SyncError):
    """One record could not be processed; names the record so it can be quarantined."""

    def __init__(self, record: str, reason: str) -> None:
        self.record = record
        self.reason = reason
        super().__init__(f"{record}: {reason}")
