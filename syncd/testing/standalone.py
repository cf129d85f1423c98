"""Standalone mode of an emulator (`python -m connectors.<platform>.fake`): serve until Ctrl-C or SIGTERM."""

from __future__ import annotations

import signal
import sys
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import TextIO

from syncd.testing.fakeserver import FakeServer

# SIGTERM is what `docker stop`, systemd and CI runners send: it must stop the emulator as Ctrl-C does.
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def serve_until_interrupted(
    fake: FakeServer, lines: Iterable[str], *, stop: threading.Event | None = None, out: TextIO | None = None
) -> None:
    """Print `lines` (what a client needs to reach the running `fake`), serve until interrupted, then stop it.

    Interrupted means SIGINT or SIGTERM when called on the main thread, or `stop` being set (from another
    thread). Either way it returns normally, with the emulator stopped.
    """
    if not fake.running:
        raise RuntimeError(f"start {type(fake).__name__} first: the lines to print usually name its URL")
    stop = stop or threading.Event()
    stream = out or sys.stdout
    try:
        # The handlers go in before the first line, so whoever reads the output may signal at once.
        with _signals_interrupt():
            for line in lines:
                print(line, file=stream, flush=True)
            stop.wait()
    except KeyboardInterrupt:
        pass
    finally:
        fake.stop()


@contextmanager
def _signals_interrupt() -> Iterator[None]:
    """Make SIGINT and SIGTERM raise KeyboardInterrupt while inside; no-op off the main thread."""
    if threading.current_thread() is not threading.main_thread():
        yield  # only the main thread may set signal handlers (and receives the signals)
        return
    # Raising, rather than setting an Event from the handler, cannot deadlock on the Event's own lock.
    previous = {number: signal.signal(number, signal.default_int_handler) for number in STOP_SIGNALS}
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
