"""Migrations: they match the models, run up and down and up again, are idempotent, and render offline."""

from __future__ import annotations

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect
from sqlmodel import SQLModel

from syncd.store import channels, migrate
from syncd.store.engine import make_engine, session_scope

TABLES = {
    "bindings",
    "channel_quantities",
    "channels",
    "credentials",
    "cursors",
    "job_runs",
    "locations",
    "order_links",
    "products",
    "quarantine",
    "reservations",
    "return_restocks",
    "stock_levels",
    "variants",
    "webhook_inbox",
}


def _schema(url: str) -> dict[str, object]:
    """Tables with their columns, indexes and unique constraints, as the database reports them."""
    engine = make_engine(url)
    try:
        inspector = inspect(engine)
        return {
            table: (
                [(c["name"], str(c["type"]), c["nullable"]) for c in inspector.get_columns(table)],
                sorted(i["name"] or "" for i in inspector.get_indexes(table)),
                sorted(u["name"] or "" for u in inspector.get_unique_constraints(table)),
            )
            for table in sorted(inspector.get_table_names())
        }
    finally:
        engine.dispose()


def test_head_and_a_fresh_database() -> None:
    assert migrate.head() == "0002_shipping_and_restocks"


def test_a_new_database_has_no_revision(database_url: str) -> None:
    assert migrate.current(database_url) is None


def test_models_and_migrations_agree(database_url: str) -> None:
    migrate.upgrade(database_url)
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            differences = compare_metadata(context, SQLModel.metadata)
    finally:
        engine.dispose()
    assert differences == []


def test_upgrade_downgrade_upgrade(database_url: str) -> None:
    migrate.upgrade(database_url)
    assert migrate.current(database_url) == migrate.head()
    assert set(_schema(database_url)) == TABLES | {"alembic_version"}
    migrated = _schema(database_url)

    migrate.downgrade(database_url, "base")
    assert migrate.current(database_url) is None
    assert set(_schema(database_url)) == {"alembic_version"}

    migrate.upgrade(database_url)
    assert migrate.current(database_url) == migrate.head()
    assert _schema(database_url) == migrated


def test_upgrade_twice_is_a_noop(database_url: str) -> None:
    migrate.upgrade(database_url)
    engine = make_engine(database_url)
    try:
        with session_scope(engine) as session:
            channels.get_or_create_channel(session, "shop", "shopify")
        before = _schema(database_url)
        migrate.upgrade(database_url)
        assert _schema(database_url) == before
        assert migrate.current(database_url) == migrate.head()
        with session_scope(engine) as session:
            assert channels.get_channel(session, "shop") is not None
    finally:
        engine.dispose()


@pytest.mark.parametrize("url", ["postgresql://syncd@db.invalid/syncd", "sqlite:///unused.db"])
def test_offline_mode_renders_sql_without_a_database(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    command.upgrade(migrate.alembic_config(url), "head", sql=True)
    sql = capsys.readouterr().out
    assert "CREATE TABLE channels" in sql
    assert "0001_initial" in sql
    assert "0002_shipping_and_restocks" in sql
