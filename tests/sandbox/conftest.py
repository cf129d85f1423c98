"""Fixtures of the sandbox tests: emulators started by platform name and closed after the test."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sandbox_support import StartEmulator

from syncd.sandbox.merchant import emulator_class


@pytest.fixture
def start() -> Iterator[StartEmulator]:
    """Start emulators by platform name (seed keyword passed through); every one is closed after the test."""
    started: list[Any] = []

    def make(platform: str, *, seed: int = 0) -> Any:
        emulator = emulator_class(platform)(seed=seed)
        started.append(emulator)
        return emulator

    yield make
    for emulator in started:
        emulator.close()
        emulator.server.raise_handler_errors()
