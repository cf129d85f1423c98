"""Loads `config.yaml`: `${VAR}` expansion, environment overrides, and errors that name every key path."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from pydantic import BaseModel, ValidationError
from pydantic_settings import EnvSettingsSource

from syncd.config.models import TIKTOK_CHANNEL, TIKTOK_CONNECTOR, Settings
from syncd.errors import ConfigError

if TYPE_CHECKING:
    # Imported lazily at run time: the registry imports the contract, which imports the config types.
    from syncd.registry import ConnectorRegistry

CONFIG_ENV = "SYNCD_CONFIG"
DEFAULT_PATH = Path("config.yaml")

# ${NAME} or ${NAME:-default}; $${...} is a literal "${...}".
_REFERENCE = re.compile(r"\$(\$?)\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")

_MESSAGES = {
    "missing": "field required",
    "extra_forbidden": "unknown key",
}


def config_path(explicit: str | os.PathLike[str] | None = None) -> Path:
    """The config file to read: the explicit path, else `$SYNCD_CONFIG`, else `./config.yaml`."""
    if explicit:
        return Path(explicit)
    return Path(os.environ.get(CONFIG_ENV) or DEFAULT_PATH)


def expand(value: Any, environ: Mapping[str, str], path: str, problems: list[str]) -> Any:
    """Replace `${VAR}` references in every string, recording each unset variable with its key path."""
    if isinstance(value, dict):
        return {key: expand(item, environ, _join(path, str(key)), problems) for key, item in value.items()}
    if isinstance(value, list):
        return [expand(item, environ, f"{path}[{index}]", problems) for index, item in enumerate(value)]
    if not isinstance(value, str):
        return value

    def substitute(match: re.Match[str]) -> str:
        escaped, name, default = match.groups()
        if escaped:
            return match.group(0)[1:]
        if name in environ:
            return environ[name]
        if default is not None:
            return default
        problems.append(f"{path}: environment variable {name} is not set")
        return ""

    return _REFERENCE.sub(substitute, value)


def read_yaml(path: Path) -> dict[str, Any]:
    """Parse the file into a mapping, with a clear error for a missing, unreadable or non-mapping file."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError([f"{path}: no such file (set --config or {CONFIG_ENV})"]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError([f"{path}: cannot read: {exc}"]) from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError([f"{path}: not valid YAML: {exc}"]) from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError([f"{path}: the top level must be a mapping of sections"])
    return data


def load_settings(
    path: str | os.PathLike[str] | None = None,
    environ: Mapping[str, str] | None = None,
    registry: ConnectorRegistry | None = None,
) -> Settings:
    """Read, expand and validate the config file; raise `ConfigError` listing every problem."""
    env = os.environ if environ is None else environ
    unset: list[str] = []
    data = deep_merge(expand(read_yaml(config_path(path)), env, "", unset), environment_overrides(env))
    # Platform blocks are checked even when the rest is invalid, so one run reports every problem.
    configs, problems = resolve_connectors(data, registry)
    settings: Settings | None = None
    try:
        settings = Settings(**data)
    except ValidationError as exc:
        problems = format_errors(exc) + problems
    # A key whose variable is unset is already reported; its "empty value" error would only add noise.
    unset_keys = {problem.split(": ", 1)[0] for problem in unset}
    problems = unset + [p for p in problems if p.split(": ", 1)[0] not in unset_keys]
    if problems or settings is None:
        raise ConfigError(_dedupe(problems))
    settings._connector_configs.update(configs)
    return settings


def resolve_connectors(
    data: dict[str, Any], registry: ConnectorRegistry | None = None
) -> tuple[dict[str, BaseModel], list[str]]:
    """Validate each platform block with its connector's config model; return the configs and the problems."""
    from syncd.registry import ConnectorRegistry

    registry = registry or ConnectorRegistry()
    blocks: list[tuple[str, str, str, object]] = []
    if isinstance(data.get("tiktok"), dict):
        blocks.append((TIKTOK_CHANNEL, TIKTOK_CONNECTOR, "tiktok", data["tiktok"]))
    stores = data.get("stores")
    for index, store in enumerate(stores if isinstance(stores, list) else []):
        platform = store.get("platform") if isinstance(store, dict) else None
        if isinstance(platform, str) and isinstance(store.get(platform), dict):
            blocks.append((str(store.get("name")), platform, f"stores[{index}].{platform}", store[platform]))
    problems: list[str] = []
    configs: dict[str, BaseModel] = {}
    for channel, platform, path, block in blocks:
        try:
            model = registry.get(platform).config_model
        except ConfigError as exc:
            where = "tiktok" if channel == TIKTOK_CHANNEL else path.rsplit(".", 1)[0] + ".platform"
            problems.extend(f"{where}: {problem}" for problem in exc.problems)
            continue
        try:
            configs[channel] = model.model_validate(block)
        except ValidationError as exc:
            problems.extend(format_errors(exc, prefix=path))
    return configs, problems


def check_file(path: str | os.PathLike[str] | None = None, registry: ConnectorRegistry | None = None) -> list[str]:
    """Every problem in the config file, or an empty list when it is valid."""
    try:
        load_settings(path, registry=registry)
    except ConfigError as exc:
        return exc.problems
    return []


def format_errors(exc: ValidationError, prefix: str = "") -> list[str]:
    """Turn pydantic's errors into `key.path[0].name: message` lines, never echoing the input value."""
    lines = []
    for error in exc.errors(include_input=False, include_url=False):
        message = _MESSAGES.get(error["type"], error["msg"])
        message = message.removeprefix("Value error, ")
        location = _location(error["loc"])
        if prefix:
            location = f"{prefix}{'' if not location or location.startswith('[') else '.'}{location}"
        lines.append(f"{location}: {message}" if location else message)
    return lines


def environment_overrides(environ: Mapping[str, str]) -> dict[str, Any]:
    """`SYNCD_<SECTION>__<KEY>` variables as a nested mapping, parsed by pydantic-settings' env source."""
    source = EnvSettingsSource(Settings, env_prefix="SYNCD_", env_nested_delimiter="__", case_sensitive=False)
    # The source reads os.environ when built; point it at the given mapping instead.
    source.env_vars = {key.lower(): value for key, value in environ.items()}
    return source()


def deep_merge(base: dict[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """`base` with `override` merged in: mappings key by key, anything else replaced."""
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), dict):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _location(loc: tuple[int | str, ...]) -> str:
    parts: list[str] = []
    for item in loc:
        if isinstance(item, int):
            parts.append(f"[{item}]")
        else:
            parts.append(f".{item}" if parts else str(item))
    return "".join(parts)


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _dedupe(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


def secret_values(model: object) -> list[str]:
    """Every non-empty secret in a settings tree, so the log filter can scrub them."""
    from pydantic import SecretStr

    found: list[str] = []
    if isinstance(model, SecretStr):
        value = model.get_secret_value()
        # Several comma-separated keys (key rotation) are scrubbed one by one as well as whole.
        found.extend(v for v in {value, *value.split(",")} if v.strip())
    elif isinstance(model, BaseModel):
        for name in type(model).model_fields:
            found.extend(secret_values(getattr(model, name)))
        if isinstance(model, Settings):
            for config in model._connector_configs.values():
                found.extend(secret_values(config))
    elif isinstance(model, list | tuple):
        for item in model:
            found.extend(secret_values(item))
    elif isinstance(model, dict):
        for item in model.values():
            found.extend(secret_values(item))
    return found
