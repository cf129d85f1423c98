"""Base classes for TikTok Shop payloads, cursor pages and per-item batch results.

Field names are TikTok's own JSON names. Responses keep unknown fields (`extra="allow"`), so a field TikTok
adds is not lost; requests forbid them, so a typo fails here instead of being silently ignored by TikTok.
Ids are strings (TikTok ids exceed 2**53), money is `Decimal`, times are Unix seconds as TikTok sends them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Annotated, Any, ClassVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator


def _blank_to_none(value: Any) -> Any:
    # TikTok sends "" for amounts that do not apply; that is "no amount", not a parse failure.
    return None if isinstance(value, str) and not value.strip() else value


Amount = Annotated[Decimal | None, BeforeValidator(_blank_to_none)]
"""A money amount in a response: TikTok sends decimal strings, sometimes empty."""


class TikTokModel(BaseModel):
    """A response payload."""

    model_config = ConfigDict(extra="allow", coerce_numbers_to_str=True)

    @model_validator(mode="before")
    @classmethod
    def _null_means_default(cls, data: Any) -> Any:
        # TikTok sends `"orders": null` for "none": a declared field with a default takes its default.
        if not isinstance(data, dict):
            return data
        fields = cls.model_fields
        return {k: v for k, v in data.items() if v is not None or k not in fields or fields[k].is_required()}


class TikTokRequest(BaseModel):
    """A request payload."""

    model_config = ConfigDict(extra="forbid", coerce_numbers_to_str=True)

    def to_body(self) -> dict[str, Any]:
        """The JSON body: fields left unset (None) are omitted, Decimals become strings as TikTok expects."""
        return self.model_dump(mode="json", exclude_none=True)


class CursorPage(TikTokModel):
    """One page of a cursor-paginated list; an empty `next_page_token` means it is the last."""

    items_field: ClassVar[str] = ""

    next_page_token: str | None = None
    total_count: int | None = None

    @property
    def has_next_page(self) -> bool:
        """True if another page follows."""
        return bool(self.next_page_token)


class ItemError(TikTokModel):
    """One failed item inside a successful response (`data.errors[]`); `code` is text, as in some endpoints."""

    code: str | None = None
    message: str | None = None
    detail: dict[str, Any] = Field(default_factory=dict)


class ItemOutcome(BaseModel):
    """What happened to one item of a batch call."""

    model_config = ConfigDict(frozen=True)

    key: str
    ok: bool
    code: str | None = None
    message: str | None = None
    retryable: bool = False


class BatchResult(BaseModel):
    """Per-item outcomes of a batch call, so a partial failure cannot pass for success."""

    model_config = ConfigDict(frozen=True)

    outcomes: list[ItemOutcome] = Field(default_factory=list)
    errors: list[ItemError] = Field(default_factory=list)

    @property
    def all_ok(self) -> bool:
        """True only if every item succeeded."""
        return all(outcome.ok for outcome in self.outcomes)

    @property
    def succeeded(self) -> list[str]:
        """Keys of the items that succeeded."""
        return [outcome.key for outcome in self.outcomes if outcome.ok]

    @property
    def failed(self) -> list[ItemOutcome]:
        """Outcomes of the items that failed."""
        return [outcome for outcome in self.outcomes if not outcome.ok]


def outcomes_from_errors(keys: Sequence[str], errors: Iterable[ItemError], detail_key: str) -> list[ItemOutcome]:
    """One outcome per key: failed if an error's `detail[detail_key]` names it, else succeeded.

    An error that names no key we sent cannot be placed, so every item not already failed is marked failed
    with it: claiming success for an item that may have failed is the one mistake a batch result must not make.
    """
    failures: dict[str, ItemError] = {}
    unplaced: list[ItemError] = []
    wanted = set(keys)
    for error in errors:
        named = error.detail.get(detail_key)
        if named is not None and str(named) in wanted:
            failures.setdefault(str(named), error)
        else:
            unplaced.append(error)
    outcomes = []
    for key in keys:
        failure = failures.get(key) or (unplaced[0] if unplaced else None)
        if failure is None:
            outcomes.append(ItemOutcome(key=key, ok=True))
        else:
            outcomes.append(ItemOutcome(key=key, ok=False, code=failure.code, message=failure.message))
    return outcomes


def failed_outcomes(keys: Iterable[str], code: str | None, message: str, *, retryable: bool) -> list[ItemOutcome]:
    """Every key failed with the same error (a whole batch call that failed)."""
    return [ItemOutcome(key=key, ok=False, code=code, message=message, retryable=retryable) for key in keys]
