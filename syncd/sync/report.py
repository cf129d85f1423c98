"""What a job run did: counts per outcome, API calls per platform, and the planned writes of a dry run."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class PlannedWrite:
    """A write a dry run would have made."""

    channel: str
    action: str
    key: str
    detail: str = ""


@dataclass
class RunReport:
    """Counts of one job run; stored as the run's `counts` and printed by `run-once` and `status`."""

    job: str
    read: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    quarantined: int = 0
    failed: int = 0
    deferred: int = 0
    api_calls: Counter[str] = field(default_factory=Counter)
    writes: Counter[str] = field(default_factory=Counter)
    planned: list[PlannedWrite] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when nothing was quarantined or failed."""
        return self.quarantined == 0 and self.failed == 0

    def wrote(self, platform: str, count: int = 1) -> None:
        """Count writes sent to a platform (the sandbox's second pass must show none)."""
        self.writes[platform] += count

    def note(self, message: str) -> None:
        """Keep a line for the summary (kept short: the first 50)."""
        if len(self.notes) < 50:
            self.notes.append(message)

    def absorb(self, other: RunReport) -> None:
        """Add another report's counts, writes, plans and notes to this one (a job made of other jobs)."""
        for name in ("read", "created", "updated", "unchanged", "quarantined", "failed", "deferred"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.api_calls.update(other.api_calls)
        self.writes.update(other.writes)
        self.planned.extend(other.planned)
        for note in other.notes:
            self.note(f"{other.job}: {note}")

    def counts(self) -> dict[str, Any]:
        """The report as plain JSON-able values."""
        return {
            "read": self.read,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "quarantined": self.quarantined,
            "failed": self.failed,
            "deferred": self.deferred,
            "api_calls": dict(self.api_calls),
            "writes": dict(self.writes),
            "planned": len(self.planned),
        }

    def summary(self) -> str:
        """One line for logs and the terminal."""
        parts = [f"{name} {value}" for name, value in self.counts().items() if isinstance(value, int) and value]
        calls = ", ".join(f"{platform} {n}" for platform, n in sorted(self.api_calls.items()))
        return f"{self.job}: {', '.join(parts) or 'nothing to do'}" + (f" (API calls: {calls})" if calls else "")
