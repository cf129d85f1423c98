"""`syncd webhooks register|status`: subscribe each platform's webhooks to this daemon, and show what is there."""

from __future__ import annotations

import sys
from collections.abc import Generator
from contextlib import closing
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from syncd.cli import AppContext
    from syncd.connector import Connector

EXIT_CONFIG = 2


def webhook_address(app: AppContext, channel: str) -> str:
    """Where a channel's platform must deliver: `http.public_url` + `/webhooks/<platform>`."""
    from syncd.web.sources import webhook_path

    settings = app.settings()
    if settings.http.public_url is None:
        click.echo(
            "error: http.public_url is not set: set it to the https address at which the platforms reach this "
            "daemon (a reverse proxy or tunnel in front of http.port)",
            err=True,
        )
        sys.exit(EXIT_CONFIG)
    return str(settings.http.public_url).rstrip("/") + webhook_path(settings, channel)


def _each_connector(app: AppContext) -> Generator[tuple[str, Connector], None, None]:
    """Each configured channel with its connector, opened one at a time and closed after use."""
    from syncd.runtime import Runtime

    runtime = Runtime(app.settings())
    try:
        for channel in runtime.settings.channels:
            connector = runtime.connector(channel)
            try:
                yield channel, connector
            finally:
                connector.close()
    finally:
        runtime.close()


@click.group("webhooks")
def webhooks() -> None:
    """Subscribe the platforms' webhooks to this daemon (`http.public_url`) and check the subscriptions."""


@webhooks.command("register")
@click.pass_obj
def register(app: AppContext) -> None:
    """Subscribe every topic syncd uses on every configured platform; exit 1 if any subscription failed."""
    from syncd.connector import WebhookRegistrar

    addresses = {channel: webhook_address(app, channel) for channel in app.settings().channels}
    failed = 0
    with closing(_each_connector(app)) as channels:
        for channel, connector in channels:
            address = addresses[channel]
            if not isinstance(connector, WebhookRegistrar):
                click.echo(
                    f"{channel}: the {connector.name} connector cannot subscribe webhooks; point them at {address}"
                )
                continue
            click.echo(f"{channel} ({connector.name}) -> {address}")
            for result in connector.register_webhooks(address):
                line = f"  {result.key:<36} {result.status.value}"
                if not result.ok:
                    failed += 1
                    line += f": {result.error}"
                click.echo(line)
    if failed:
        click.echo(
            f"{failed} subscription{'s' if failed != 1 else ''} failed; fix the cause and run this again", err=True
        )
        sys.exit(1)


@webhooks.command("status")
@click.pass_obj
def status(app: AppContext) -> None:
    """List each platform's subscriptions, and what is missing; exit 1 if anything is."""
    from syncd.connector import WebhookRegistrar

    addresses = {channel: webhook_address(app, channel) for channel in app.settings().channels}
    missing_any = False
    with closing(_each_connector(app)) as channels:
        for channel, connector in channels:
            address = addresses[channel]
            if not isinstance(connector, WebhookRegistrar):
                click.echo(f"{channel} ({connector.name}): cannot list webhooks; check that they deliver to {address}")
                continue
            subscriptions = connector.list_webhooks()
            click.echo(f"{channel} ({connector.name}), expected at {address}:")
            for topic, target in sorted(subscriptions.items()):
                state = "ok" if target == address else f"delivers elsewhere: {target or '(no address)'}"
                click.echo(f"  {topic:<36} {state}")
            missing = _missing(connector, subscriptions, address)
            if missing:
                missing_any = True
                click.echo(f"  missing: {', '.join(missing)}")
    if missing_any:
        click.echo("run `syncd webhooks register` to subscribe what is missing", err=True)
        sys.exit(1)


def _missing(connector: Connector, subscriptions: dict[str, str], address: str) -> list[str]:
    """Topics syncd uses that do not deliver to `address`.

    A connector may name the topics it subscribes in `webhook_topics`; without it, all that can be said is
    whether anything at all reaches the address.
    """
    wanted = getattr(connector, "webhook_topics", None)
    if isinstance(wanted, tuple | list | frozenset | set):
        return [str(topic) for topic in wanted if subscriptions.get(str(topic)) != address]
    if address not in subscriptions.values():
        return [f"every topic (nothing delivers to {address})"]
    return []
