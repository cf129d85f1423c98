"""Small value types shared by the settings models: durations and the strict base model."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Annotated

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, SecretStr

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$")
_UNIT_SECONDS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}


def parse_duration(value: object) -> timedelta:
    """Parse `90`, `90s`, `15m`, `2h`, `1d` or `250ms` (a bare number is seconds) into a timedelta."""
    if isinstance(value, timedelta):
        return value
    if isinstance(value, bool):
        raise ValueError("expected a duration such as 30s, 15m or 2h")
    if isinstance(value, int | float):
        seconds = float(value)
    elif isinstance(value, str) and (match := _DURATION.match(value)):
        seconds = float(match.group(1)) * _UNIT_SECONDS[match.group(2) or "s"]
    else:
        raise ValueError(f"expected a duration such as 30s, 15m or 2h, got {value!r}")
    if seconds < 0:
        raise ValueError("a duration cannot be negative")
    return timedelta(seconds=seconds)


def _positive(value: timedelta) -> timedelta:
    """Reject a zero duration where one makes no sense (timeouts, intervals)."""
    if value <= timedelta(0):
        raise ValueError("must be longer than zero")
    return value


Duration = Annotated[timedelta, BeforeValidator(parse_duration)]
PositiveDuration = Annotated[timedelta, BeforeValidator(parse_duration), AfterValidator(_positive)]


class Section(BaseModel):
    """Base of every config section: unknown keys are errors, values are validated on assignment too."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True, frozen=True)


def _not_empty(value: SecretStr) -> SecretStr:
    """Reject an empty secret, which is always a mistake (an unset variable, a blank line)."""
    if not value.get_secret_value().strip():
        raise ValueError("must not be empty")
    return value


Secret = Annotated[SecretStr, AfterValidator(_not_empty)]
