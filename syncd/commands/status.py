"""`syncd status`: channel health, token expiry, the last run of each job, cursor lag, quarantine, orders."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from syncd.cli import AppContext
    from syncd.runtime import Runtime

QUARANTINE_SHOWN = 20


def collect_status(runtime: Runtime, now: datetime | None = None) -> dict[str, Any]:
    """Everything `status` shows, as plain values."""
    from syncd.store import channels, cursors, orders, quarantine, runs
    from syncd.store.engine import session_scope
    from syncd.store.vault import DatabaseVault
    from syncd.sync.runner import job_table

    now = now or datetime.now(UTC)
    settings = runtime.settings
    status: dict[str, Any] = {"channels": [], "jobs": [], "cursors": [], "quarantine": [], "orders": {}}
    # Resolved before the session: creating a channel row needs its own transaction, and SQLite has one writer.
    ids = {runtime.channel_id(name): name for name in settings.channels}
    with session_scope(runtime.engine) as session:
        for name in settings.channels:
            channel = channels.get_channel_by_id(session, runtime.channel_id(name))
            assert channel is not None
            entry: dict[str, Any] = {
                "channel": name,
                "platform": settings.channel_platform(name),
                "healthy": not channel.needs_reauth,
            }
            if channel.needs_reauth:
                entry["problem"] = channel.reauth_reason
                entry["fix"] = f"syncd auth {name} url, then syncd auth {name} exchange --code CODE"
            status["channels"].append(entry)
        for job in job_table():
            last = runs.last_run(session, job)
            status["jobs"].append(
                {
                    "job": job,
                    "last_started": last.started_at.isoformat() if last else None,
                    "outcome": last.outcome.value if last else "never run",
                    "counts": dict(last.counts) if last else {},
                    "error": last.error if last else None,
                }
            )
        for cursor in cursors.list_cursors(session):
            status["cursors"].append(
                {
                    "channel": ids.get(cursor.channel_id, str(cursor.channel_id)),
                    "stream": cursor.stream,
                    "lag_seconds": int((now - cursor.updated_at).total_seconds()),
                }
            )
        for entry_row in quarantine.list_open(session, limit=QUARANTINE_SHOWN):
            status["quarantine"].append(
                {
                    "channel": ids.get(entry_row.channel_id, str(entry_row.channel_id)),
                    "kind": entry_row.kind,
                    "record": entry_row.record_key,
                    "reason": entry_row.reason,
                    "attempts": entry_row.attempts,
                }
            )
        status["quarantined_total"] = len(quarantine.list_open(session))
        status["orders"] = {state.value: count for state, count in orders.count_by_state(session).items()}
    for entry in status["channels"]:
        # Connectors that keep tokens in the vault store expiry times beside them (unix seconds).
        stored = DatabaseVault(runtime.engine, runtime.cipher, runtime.channel_id(entry["channel"])).load() or {}
        for key, value in stored.items():
            if key.endswith("expires_at") and isinstance(value, int | float):
                entry[key] = datetime.fromtimestamp(value, UTC).isoformat()
    return status


@click.command("status")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.pass_obj
def status(app: AppContext, as_json: bool) -> None:
    """Show channel health, token expiry, each job's last run, cursor lag and quarantined records."""
    from syncd.runtime import Runtime

    runtime = Runtime(app.settings())
    try:
        data = collect_status(runtime)
    finally:
        runtime.close()
    if as_json:
        click.echo(json.dumps(data, default=str))
        return
    click.echo("channels:")
    for channel in data["channels"]:
        health = "ok" if channel["healthy"] else f"NEEDS RE-AUTHORISATION: {channel['problem']}"
        expiry = "  ".join(f"{k}={v}" for k, v in channel.items() if k.endswith("expires_at"))
        click.echo(f"  {channel['channel']:<12} {channel['platform']:<12} {health}  {expiry}".rstrip())
        if not channel["healthy"]:
            click.echo(f"    run: {channel['fix']}")
    click.echo("jobs:")
    for job in data["jobs"]:
        counts = ", ".join(f"{k} {v}" for k, v in job["counts"].items() if isinstance(v, int) and v)
        click.echo(f"  {job['job']:<12} {job['outcome']:<10} {job['last_started'] or '':<32} {counts}".rstrip())
        if job["error"]:
            click.echo(f"    error: {job['error']}")
    click.echo("cursors:")
    for cursor in data["cursors"]:
        click.echo(f"  {cursor['channel']:<12} {cursor['stream']:<12} updated {cursor['lag_seconds']}s ago")
    click.echo(f"quarantined: {data['quarantined_total']}")
    for entry in data["quarantine"]:
        click.echo(f"  {entry['channel']} {entry['kind']} {entry['record']}: {entry['reason']} (x{entry['attempts']})")
    if data["orders"]:
        click.echo("orders: " + ", ".join(f"{state} {n}" for state, n in sorted(data["orders"].items())))
