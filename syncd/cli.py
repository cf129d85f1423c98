"""The `syncd` command line."""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import click

from syncd import __version__
from syncd.config import Settings, load_settings, secret_values
from syncd.config.loader import check_file, config_path
from syncd.errors import ConfigError, SyncError

if TYPE_CHECKING:
    from syncd.connector import InteractiveAuth
    from syncd.runtime import Runtime

EXIT_CONFIG = 2
log = logging.getLogger("syncd.cli")


class AppContext:
    """What every command gets: the config path and lazily loaded settings."""

    def __init__(self, config: str | None) -> None:
        self.config_path = config_path(config)
        self._settings: Settings | None = None

    def settings(self) -> Settings:
        """Load the settings once, registering their secrets with the log filter."""
        if self._settings is None:
            from syncd.http.redaction import register_secret

            self._settings = load_settings(self.config_path)
            for value in secret_values(self._settings):
                register_secret(value)
        return self._settings


def fail(message: str, code: int = 1) -> NoReturn:
    """Print an error to stderr and exit."""
    click.echo(f"error: {message}", err=True)
    sys.exit(code)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="syncd")
@click.option(
    "--config",
    "config",
    envvar="SYNCD_CONFIG",
    type=click.Path(dir_okay=False),
    help="Config file (default: $SYNCD_CONFIG, then ./config.yaml).",
)
@click.option("--log-level", type=click.Choice(["DEBUG", "INFO", "WARNING", "ERROR"]), default=None)
@click.option("--log-format", type=click.Choice(["auto", "json", "text"]), default=None)
@click.pass_context
def main(ctx: click.Context, config: str | None, log_level: str | None, log_format: str | None) -> None:
    """Keep a TikTok Shop in step with Shopify and WooCommerce stores."""
    from syncd.logs import configure_logging

    configure_logging(log_level or "INFO", log_format or "auto")
    ctx.obj = AppContext(config)


@main.group("config")
def config_group() -> None:
    """Inspect the configuration."""


@config_group.command("check")
@click.argument("path", required=False, type=click.Path(dir_okay=False))
@click.pass_obj
def config_check(app: AppContext, path: str | None) -> None:
    """Validate a config file: exit 0 when valid, 2 with every problem listed when not."""
    target = Path(path) if path else app.config_path
    problems = check_file(target)
    if problems:
        click.echo(f"{target}: {len(problems)} problem{'s' if len(problems) != 1 else ''}", err=True)
        for problem in problems:
            click.echo(f"  {problem}", err=True)
        sys.exit(EXIT_CONFIG)
    click.echo(f"{target}: ok")


def _database_url(app: AppContext, override: str | None) -> str:
    if override:
        return override
    try:
        return app.settings().database.url
    except ConfigError as exc:
        click.echo(str(exc), err=True)
        click.echo("hint: pass --database-url to use a database without a config file", err=True)
        sys.exit(EXIT_CONFIG)


database_url_option = click.option(
    "--database-url", envvar="SYNCD_DATABASE__URL", help="Database URL (overrides the config)."
)


@main.group("db")
def db_group() -> None:
    """Manage the mapping store's schema."""


@db_group.command("upgrade")
@click.argument("revision", default="head")
@database_url_option
@click.pass_obj
def db_upgrade(app: AppContext, revision: str, database_url: str | None) -> None:
    """Apply migrations up to REVISION (default: head); a no-op when already there."""
    from syncd.store import migrate

    url = _database_url(app, database_url)
    before = migrate.current(url)
    migrate.upgrade(url, revision)
    after = migrate.current(url)
    if before == after:
        click.echo(f"database already at {after}")
    else:
        click.echo(f"database upgraded from {before or 'empty'} to {after}")


@db_group.command("downgrade")
@click.argument("revision")
@database_url_option
@click.pass_obj
def db_downgrade(app: AppContext, revision: str, database_url: str | None) -> None:
    """Revert migrations down to REVISION (`base` removes every table)."""
    from syncd.store import migrate

    url = _database_url(app, database_url)
    migrate.downgrade(url, revision)
    click.echo(f"database at {migrate.current(url) or 'base'}")


@db_group.command("current")
@database_url_option
@click.pass_obj
def db_current(app: AppContext, database_url: str | None) -> None:
    """Print the database's revision and whether it is the latest."""
    from syncd.store import migrate

    url = _database_url(app, database_url)
    current, head = migrate.current(url), migrate.head()
    state = "up to date" if current == head else f"behind (head is {head}); run `syncd db upgrade`"
    click.echo(f"{current or 'empty'} ({state})")


@db_group.command("generate-key")
def db_generate_key() -> None:
    """Print a new key for `database.encryption_key`."""
    from cryptography.fernet import Fernet

    click.echo(Fernet.generate_key().decode())


@main.command("connectors")
def connectors_list() -> None:
    """List the installed connectors and the capabilities each implements."""
    from syncd.connector import CAPABILITIES
    from syncd.registry import ConnectorRegistry

    registry = ConnectorRegistry()
    names = registry.names()
    if not names:
        click.echo("no connectors installed")
    for name in names:
        try:
            cls = registry.get(name)
        except ConfigError as exc:
            click.echo(f"{name}: {'; '.join(exc.problems)}")
            continue
        caps = [cap.__name__ for cap in CAPABILITIES if issubclass(cls, cap)]
        click.echo(f"{name}: {', '.join(caps) or 'no capabilities'}")


def _runtime(app: AppContext) -> Runtime:
    from syncd.runtime import Runtime

    return Runtime(app.settings())


@main.group("auth")
@click.argument("channel")
@click.pass_context
def auth_group(ctx: click.Context, channel: str) -> None:
    """Authorise syncd with CHANNEL (`tiktok` or a store name) through the platform's consent page."""
    ctx.meta["channel"] = channel


def _interactive(app: AppContext, channel: str) -> tuple[Runtime, InteractiveAuth]:
    from syncd.connector import InteractiveAuth

    runtime = _runtime(app)
    connector = runtime.connector(channel)
    if not isinstance(connector, InteractiveAuth):
        connector.close()
        runtime.close()
        fail(f"channel {channel!r} ({type(connector).name}) has no consent flow; put its credentials in the config")
    return runtime, connector


@auth_group.command("url")
@click.option("--state", default=None, help="Value echoed back on the redirect (default: random).")
@click.pass_context
def auth_url(ctx: click.Context, state: str | None) -> None:
    """Print the page where the merchant grants access (e.g. `syncd auth tiktok url`)."""
    import secrets

    runtime, connector = _interactive(ctx.obj, ctx.meta["channel"])
    try:
        click.echo(connector.authorization_url(state or secrets.token_urlsafe(16)))
    finally:
        _close(connector)
        runtime.close()


@auth_group.command("exchange")
@click.option("--code", required=True, help="The code from the consent page's redirect.")
@click.pass_context
def auth_exchange(ctx: click.Context, code: str) -> None:
    """Trade the redirect's code for tokens and store them (encrypted) in the database."""
    channel = ctx.meta["channel"]
    runtime, connector = _interactive(ctx.obj, channel)
    try:
        grant = connector.exchange_code(code)
    finally:
        _close(connector)
        runtime.close()
    click.echo(f"{channel}: authorised")
    for key, value in grant.items():
        click.echo(f"  {key}: {value}")


@main.group("tiktok")
def tiktok_group() -> None:
    """TikTok Shop account commands."""


@tiktok_group.command("shops")
@click.pass_obj
def tiktok_shops(app: AppContext) -> None:
    """List the shops the stored TikTok authorisation reaches, with their ciphers."""
    from syncd.config import TIKTOK_CHANNEL
    from syncd.connector import AccountDirectory

    runtime = _runtime(app)
    connector = runtime.connector(TIKTOK_CHANNEL)
    try:
        if not isinstance(connector, AccountDirectory):
            fail("the tiktok connector cannot list shops")
        accounts = connector.accounts()
    finally:
        connector.close()
        runtime.close()
    if not accounts:
        click.echo("no shops authorised")
    for account in accounts:
        extra = "  ".join(f"{k}={v}" for k, v in sorted(account.details.items()))
        click.echo(f"{account.id}  {account.name}  cipher={account.handle}  {extra}".rstrip())


def _close(connector: object) -> None:
    close = getattr(connector, "close", None)
    if callable(close):
        close()


def run() -> None:
    """Entry point that turns expected errors into a message and an exit code instead of a traceback."""
    try:
        main(standalone_mode=True)
    except ConfigError as exc:
        fail(str(exc), EXIT_CONFIG)
    except SyncError as exc:
        fail(str(exc))


def _register_commands() -> None:
    from syncd.commands.retry import retry
    from syncd.commands.sandbox import sandbox
    from syncd.commands.status import status
    from syncd.commands.sync import plan, run, run_once
    from syncd.commands.webhooks import webhooks

    for command in (run, run_once, plan, status, retry, sandbox, webhooks):
        main.add_command(command)


_register_commands()
