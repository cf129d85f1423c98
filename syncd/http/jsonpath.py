"""Dotted paths into parsed JSON (`data.next_page_token`, `errors.0.extensions.code`)."""

from __future__ import annotations

from typing import Any


def get_path(document: Any, path: str, default: Any = None) -> Any:
    """The value at `path` (dot-separated keys; integers index lists), or `default` if any step is absent."""
    current = document
    for step in path.split(".") if path else ():
        if isinstance(current, dict):
            if step not in current:
                return default
            current = current[step]
        elif isinstance(current, list) and step.lstrip("-").isdigit():
            index = int(step)
            if not -len(current) <= index < len(current):
                return default
            current = current[index]
        else:
            return default
    return current


def set_path(document: dict[str, Any], path: str, value: Any) -> None:
    """Set `value` at `path` in place, creating intermediate objects as needed."""
    steps = path.split(".")
    current = document
    for step in steps[:-1]:
        child = current.get(step)
        if not isinstance(child, dict):
            child = {}
            current[step] = child
        current = child
    current[steps[-1]] = value
