"""Readiness: the database answers, the daemon's threads run, and no channel waits for re-authorisation."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from syncd.errors import SyncError
from syncd.runtime import Runtime
from syncd.store import channels
from syncd.store.engine import session_scope

log = logging.getLogger("syncd.web")


class Readiness:
    """Lists what keeps the daemon from being ready; `alive` maps each part's name to a check that it runs."""

    def __init__(self, runtime: Runtime, alive: Mapping[str, Callable[[], bool]]) -> None:
        self._runtime = runtime
        self._alive = dict(alive)

    def problems(self) -> list[str]:
        """Each problem as a sentence that says what to do; empty when ready."""
        problems = [f"{name}: not running" for name, check in self._alive.items() if not check()]
        try:
            with session_scope(self._runtime.engine) as session:
                session.connection().execute(text("SELECT 1"))
                rows = channels.list_channels(session)
        except (SQLAlchemyError, SyncError) as exc:
            # The type only: driver messages can name hosts and users, which a public probe should not show.
            log.warning("readiness: the database is unreachable: %s", exc)
            problems.append(f"database: unreachable ({type(exc).__name__})")
            return problems
        configured = set(self._runtime.settings.channels)
        for row in rows:
            if row.key in configured and row.needs_reauth:
                reason = row.reauth_reason or "credentials rejected"
                fix = "" if "syncd auth" in reason else f"; run `syncd auth {row.key} url`"
                problems.append(f"channel {row.key}: needs re-authorisation: {reason}{fix}")
        return problems
