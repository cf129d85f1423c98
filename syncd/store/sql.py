"""Single-statement upserts that work on SQLite and PostgreSQL (`INSERT ... ON CONFLICT`), with RETURNING.

Both backends spell ON CONFLICT the same way, but SQLAlchemy exposes it only through each dialect's own
`insert`; the helpers here pick it from the session's dialect so repositories stay backend-neutral.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Table, and_, inspect, or_
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, SQLModel
from sqlmodel.sql.expression import SelectOfScalar

DialectInsert = sqlite.Insert | postgresql.Insert
T = TypeVar("T")
K = TypeVar("K")


def table_of(model: type[SQLModel]) -> Table:
    """The `Table` behind a table model."""
    table = inspect(model).local_table
    assert isinstance(table, Table)
    return table


def dialect_insert(session: Session, model: type[SQLModel]) -> DialectInsert:
    """An INSERT on the model's table that supports `on_conflict_do_*` for the session's backend."""
    name = session.get_bind().dialect.name
    table = table_of(model)
    if name == "postgresql":
        return postgresql.insert(table)
    if name == "sqlite":
        return sqlite.insert(table)
    raise NotImplementedError(f"the mapping store supports SQLite and PostgreSQL, not {name}")


def insert_if_absent(session: Session, model: type[SQLModel], values: Mapping[str, Any]) -> int | None:
    """Insert a row unless it conflicts with an existing one; return the new id, or None if it existed.

    The conflict is not narrowed to one constraint on purpose: on PostgreSQL a targeted `ON CONFLICT (a)`
    still raises when two concurrent inserts collide on another unique column derived from the same key (an
    order's idempotency key). Of concurrent callers exactly one gets an id; the others' `DO NOTHING` returns
    no row.
    """
    table = table_of(model)
    stmt = dialect_insert(session, model).values(**values).on_conflict_do_nothing().returning(table.c.id)
    new_id: int | None = session.exec(stmt).scalar_one_or_none()
    return new_id


def upsert(
    session: Session,
    model: type[SQLModel],
    values: Mapping[str, Any],
    conflict: Sequence[str],
    *,
    update: Sequence[str] = (),
    set_: Mapping[str, Any] | None = None,
    changed: Sequence[str] = (),
    where: ColumnElement[bool] | None = None,
    returning: str = "id",
) -> Any:
    """Insert a row, or update the existing one in the same statement; return the row's `returning` column.

    `update` names columns to take from the proposed row; `set_` adds expressions, which may refer to the
    current row (`table.c.attempts + 1`). The update only happens when one of the `changed` columns differs
    from the proposed row (if any are named) and `where` holds; otherwise nothing is written and None is
    returned, so callers learn whether anything changed.
    """
    table = table_of(model)
    stmt = dialect_insert(session, model).values(**values)
    assignments: dict[str, Any] = {name: stmt.excluded[name] for name in update}
    assignments.update(set_ or {})
    conditions: list[ColumnElement[bool]] = []
    if changed:
        conditions.append(or_(*(table.c[name].is_distinct_from(stmt.excluded[name]) for name in changed)))
    if where is not None:
        conditions.append(where)
    stmt = stmt.on_conflict_do_update(
        index_elements=list(conflict), set_=assignments, where=and_(*conditions) if conditions else None
    )
    return session.exec(stmt.returning(table.c[returning])).scalar_one_or_none()


def fetch_one(session: Session, stmt: SelectOfScalar[T]) -> T | None:
    """The single row `stmt` selects, or None, refreshed from the database even if already in the session.

    Writes here bypass the ORM, so an object loaded earlier in the same session may be stale.
    """
    return session.exec(stmt.execution_options(populate_existing=True)).one_or_none()


def fetch_all(session: Session, stmt: SelectOfScalar[T]) -> list[T]:
    """All rows `stmt` selects, refreshed from the database."""
    return list(session.exec(stmt.execution_options(populate_existing=True)).all())


def chunked(items: Iterable[K], size: int = 500) -> Iterator[list[K]]:
    """Split `items` into lists of at most `size`, to keep IN lists under the backends' parameter limits."""
    batch: list[K] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch
