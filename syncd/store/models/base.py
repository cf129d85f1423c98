"""What every table shares: constraint names that Alembic can address, and field helpers for common columns."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from sqlmodel import Field, SQLModel

from syncd.store.types import StrEnumType, UtcDateTime, utcnow

# Deterministic constraint names: SQLite batch migrations can only drop a constraint they can name, and the
# same names on both backends keep migrations portable. Set before any table is declared.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def timestamp(*, index: bool = False) -> Any:
    """A required aware-UTC timestamp defaulting to now (the caller usually passes its clock's time)."""
    return Field(default_factory=utcnow, sa_type=UtcDateTime, index=index)


def optional_timestamp() -> Any:
    """A nullable aware-UTC timestamp."""
    return Field(default=None, sa_type=UtcDateTime)


def enum_column(enum_class: type[StrEnum], default: StrEnum | None = None, *, index: bool = False) -> Any:
    """A required enum column stored as its string value."""
    if default is None:
        return Field(sa_type=StrEnumType(enum_class), index=index)
    return Field(default=default, sa_type=StrEnumType(enum_class), index=index)
