"""Daemon and job leases: one daemon per SQLite file, one lease holder per job on PostgreSQL."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine

from syncd.config.models import Schedule
from syncd.errors import ConfigError
from syncd.sync.leases import daemon_lock, job_lease, lease_key
from syncd.sync.scheduler import trigger_for


def test_a_second_daemon_on_the_same_sqlite_file_is_refused(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'syncd.db'}"
    refused = pytest.raises(ConfigError, match=r"another syncd daemon .* is running")
    with daemon_lock(url), refused, daemon_lock(url):
        pass
    with daemon_lock(url):  # released when the first daemon stops
        pass


def test_postgresql_needs_no_daemon_lock() -> None:
    with daemon_lock("postgresql://syncd@127.0.0.1/none"), daemon_lock("postgresql://syncd@127.0.0.1/none"):
        pass


def test_job_leases_exclude_each_other_on_postgresql(engine: Engine) -> None:
    if engine.dialect.name != "postgresql":
        with job_lease(engine, "stock") as first, job_lease(engine, "stock") as second:
            assert first
            assert second  # SQLite: one daemon, so every lease is granted
        return
    with job_lease(engine, "stock") as first:
        assert first
        with job_lease(engine, "stock") as second:
            assert not second
        with job_lease(engine, "orders") as other:
            assert other
    with job_lease(engine, "stock") as again:
        assert again


def test_lease_keys_are_stable_and_distinct() -> None:
    assert lease_key("stock") == lease_key("stock")
    assert lease_key("stock") != lease_key("orders")
    assert -(2**63) <= lease_key("catalog") < 2**63


def test_triggers_follow_the_schedule() -> None:
    interval = trigger_for(Schedule(every=timedelta(minutes=2), jitter=timedelta(seconds=10)))
    assert interval.interval == timedelta(minutes=2)
    assert interval.jitter == 10
    cron = trigger_for(Schedule(cron="30 3 * * *", jitter=timedelta(0)))
    assert "hour='3'" in str(cron)
    assert "minute='30'" in str(cron)
