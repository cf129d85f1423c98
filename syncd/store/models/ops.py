"""Operational state: stream cursors, job run history, the webhook inbox and stored credentials."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, LargeBinary, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from syncd.store.enums import InboxStatus, RunOutcome
from syncd.store.models.base import enum_column, optional_timestamp, timestamp


class StreamCursor(SQLModel, table=True):
    """Where a job resumes reading one stream of one channel (a connector's opaque `Page.checkpoint`)."""

    __tablename__ = "cursors"
    __table_args__ = (UniqueConstraint("channel_id", "stream"),)

    id: int | None = Field(default=None, primary_key=True)
    channel_id: int = Field(foreign_key="channels.id", ondelete="CASCADE")
    stream: str = Field(max_length=64)
    value: str = Field(sa_type=Text)
    updated_at: datetime = timestamp()


class JobRun(SQLModel, table=True):
    """One run of one job: when, what it counted, and how it ended."""

    __tablename__ = "job_runs"
    __table_args__ = (Index("ix_job_runs_job_started_at", "job", "started_at"),)

    id: int | None = Field(default=None, primary_key=True)
    job: str = Field(max_length=32)
    channel_id: int | None = Field(default=None, foreign_key="channels.id", ondelete="SET NULL", index=True)
    started_at: datetime = timestamp()
    finished_at: datetime | None = optional_timestamp()
    counts: dict[str, int] = Field(default_factory=dict, sa_type=JSON)
    outcome: RunOutcome = enum_column(RunOutcome, RunOutcome.RUNNING)
    error: str | None = Field(default=None, sa_type=Text)


class InboxEvent(SQLModel, table=True):
    """A verified webhook delivery, kept raw; the platform's event id makes redelivery a no-op."""

    __tablename__ = "webhook_inbox"
    __table_args__ = (UniqueConstraint("provider", "event_id"),)

    id: int | None = Field(default=None, primary_key=True)
    provider: str = Field(max_length=32)
    event_id: str = Field(max_length=255)
    topic: str = Field(max_length=128)
    body: bytes = Field(sa_type=LargeBinary)
    headers: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    received_at: datetime = timestamp(index=True)
    status: InboxStatus = enum_column(InboxStatus, InboxStatus.RECEIVED, index=True)
    attempts: int = 0
    error: str | None = Field(default=None, sa_type=Text)
    updated_at: datetime = timestamp()


class Credential(SQLModel, table=True):
    """A token for a channel; `value` carries an `enc:v1:` or `plain:` prefix (see `syncd.store.crypto`)."""

    __tablename__ = "credentials"
    __table_args__ = (UniqueConstraint("channel_id", "kind"),)

    id: int | None = Field(default=None, primary_key=True)
    channel_id: int = Field(foreign_key="channels.id", ondelete="CASCADE")
    kind: str = Field(max_length=32)
    value: str = Field(sa_type=Text, repr=False)
    expires_at: datetime | None = optional_timestamp()
    updated_at: datetime = timestamp()
