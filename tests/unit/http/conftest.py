"""Fixtures for the HTTP toolkit tests: a scripted server on 127.0.0.1 and a manual clock."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from http_fakes import PLATFORM, ScriptedServer

from syncd.http import ApiClient, ManualClock, build_client


@pytest.fixture
def server() -> Iterator[ScriptedServer]:
    """A scripted server running in a background thread for one test."""
    srv = ScriptedServer()
    thread = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True)
    thread.start()
    try:
        yield srv
    finally:
        srv.stopping.set()
        srv.shutdown()
        srv.server_close()
        thread.join(timeout=5)


@pytest.fixture
def clock() -> ManualClock:
    """A clock that only moves when slept or advanced."""
    return ManualClock()


@pytest.fixture
def client(server: ScriptedServer, clock: ManualClock) -> Iterator[ApiClient]:
    """A client for the scripted server, timing itself on the manual clock."""
    with build_client(platform=PLATFORM, base_url=server.url, timeout=2.0, clock=clock) as c:
        yield c
