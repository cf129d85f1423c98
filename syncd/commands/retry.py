"""`syncd retry`: run quarantined records through their job again, or dismiss one fixed by hand."""

from __future__ import annotations

import sys
from collections import Counter
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from syncd.cli import AppContext
    from syncd.sync.retry import Entry, RetryResult

EXIT_USAGE = 2


@click.command("retry")
@click.argument("kind", required=False)
@click.argument("record", required=False)
@click.option("--all", "every", is_flag=True, help="Retry every open quarantine entry.")
@click.option("--dismiss", is_flag=True, help="Close the KIND RECORD entry without retrying (fixed by hand).")
@click.option("--channel", default=None, help="Only the entry on this channel (`tiktok` or a store name).")
@click.pass_obj
def retry(
    app: AppContext, kind: str | None, record: str | None, every: bool, dismiss: bool, channel: str | None
) -> None:
    """Retry the quarantined KIND RECORD (as `syncd status` lists them), or --all. Exit 1 if any stays quarantined."""
    from syncd.runtime import Runtime
    from syncd.sync import retry as retrying
    from syncd.sync.context import JobContext

    _check_arguments(kind, record, every, dismiss)
    runtime = Runtime(app.settings())
    try:
        with JobContext(runtime) as ctx:
            if every:
                entries = retrying.open_entries(ctx, channel=channel)
                if not entries:
                    click.echo("nothing is quarantined")
                    return
            else:
                entries = retrying.open_entries(ctx, kind=kind, key=record, channel=channel)
                if not entries:
                    where = f" on {channel}" if channel else ""
                    click.echo(f"error: no open quarantine entry {kind} {record}{where}; see `syncd status`", err=True)
                    sys.exit(EXIT_USAGE)
            result = retrying.dismiss(ctx, entries) if dismiss else retrying.retry(ctx, entries)
    finally:
        runtime.close()
    _print(result)
    if result.still_open:
        sys.exit(1)


def _check_arguments(kind: str | None, record: str | None, every: bool, dismiss: bool) -> None:
    from syncd.sync.retry import KINDS

    if every and (kind or record):
        raise click.UsageError("give either KIND RECORD or --all, not both")
    if every and dismiss:
        raise click.UsageError("--dismiss closes one entry at a time: give KIND RECORD")
    if not every and not (kind and record):
        raise click.UsageError(f"give KIND RECORD or --all; kinds: {', '.join(KINDS)}")
    if kind and kind not in KINDS:
        lines = "\n".join(f"  {name}: {what}" for name, what in KINDS.items())
        raise click.UsageError(f"unknown kind {kind!r}; the kinds are:\n{lines}")


def _print(result: RetryResult) -> None:
    for outcome in result.outcomes:
        entry = outcome.entry
        line = f"{_name(entry)}: {outcome.state}"
        if outcome.open:
            line += f": {outcome.reason}"
        click.echo(line)
        for detail in outcome.details:
            click.echo(f"  {detail}")
    for report in result.reports:
        click.echo(report.summary())
    states = Counter(outcome.state for outcome in result.outcomes)
    click.echo(", ".join(f"{count} {state}" for state, count in states.items()))
    if any(outcome.open and outcome.entry.kind != "stock_sale" for outcome in result.outcomes):
        click.echo("fix the cause and retry, or `syncd retry KIND RECORD --dismiss` once it was handled by hand")


def _name(entry: Entry) -> str:
    return f"{entry.kind} {entry.key} ({entry.channel})"
