"""Loads `config.yaml`: `${VAR}` expansion, environment overrides, and errors that name every key path."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from syncd.config.models import Settings
from syncd.errors import ConfigError

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


def load_settings(path: str | os.PathLike[str] | None = None, environ: Mapping[str, str] | None = None) -> Settings:
    """Read, expand and validate the config file; raise `ConfigError` listing every problem."""
    env = os.environ if environ is None else environ
    raw = read_yaml(config_path(path))
    problems: list[str] = []
    data = expand(raw, env, "", problems)
    try:
        settings = _validate(data, env)
    except ValidationError as exc:
        # A key whose variable is unset was already reported; its "empty value" error would only add noise.
        unset = {problem.split(": ", 1)[0] for problem in problems}
        problems.extend(p for p in format_errors(exc) if p.split(": ", 1)[0] not in unset)
    else:
        if not problems:
            return settings
    raise ConfigError(_dedupe(problems))


def check_file(path: str | os.PathLike[str] | None = None) -> list[str]:
    """Every problem in the config file, or an empty list when it is valid."""
    try:
        load_settings(path)
    except ConfigError as exc:
        return exc.problems
    return []


def format_errors(exc: ValidationError) -> list[str]:
    """Turn pydantic's errors into `key.path[0].name: message` lines, never echoing the input value."""
    lines = []
    for error in exc.errors(include_input=False, include_url=False):
        message = _MESSAGES.get(error["type"], error["msg"])
        message = message.removeprefix("Value error, ")
        location = _location(error["loc"])
        lines.append(f"{location}: {message}" if location else message)
    return lines


def _validate(data: dict[str, Any], environ: Mapping[str, str]) -> Settings:
    # pydantic-settings reads os.environ; a custom mapping is applied by overlaying it for this call only.
    if environ is os.environ:
        return Settings(**data)
    saved = dict(os.environ)
    try:
        os.environ.clear()
        os.environ.update(environ)
        return Settings(**data)
    finally:
        os.environ.clear()
        os.environ.update(saved)


def _location(loc: tuple[int | str, ...]) -> str:
    parts: list[str] = []
    previous: int | str | None = None
    for item in loc:
        if isinstance(item, int):
            parts.append(f"[{item}]")
        elif isinstance(previous, int) and item in ("shopify", "woocommerce") and loc.count(item) > 1:
            # A discriminated union repeats its tag in the location; the next element names the block.
            pass
        else:
            parts.append(f".{item}" if parts else str(item))
        previous = item
    return "".join(parts)


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _dedupe(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


def secret_values(model: object) -> list[str]:
    """Every non-empty secret in a settings tree, so the log filter can scrub them."""
    from pydantic import BaseModel, SecretStr

    found: list[str] = []
    if isinstance(model, SecretStr):
        value = model.get_secret_value()
        # Several comma-separated keys (key rotation) are scrubbed one by one as well as whole.
        found.extend(v for v in {value, *value.split(",")} if v.strip())
    elif isinstance(model, BaseModel):
        for name in type(model).model_fields:
            found.extend(secret_values(getattr(model, name)))
    elif isinstance(model, list | tuple):
        for item in model:
            found.extend(secret_values(item))
    elif isinstance(model, dict):
        for item in model.values():
            found.extend(secret_values(item))
    return found
