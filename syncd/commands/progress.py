"""Live progress of `run-once` on a terminal: a line per job, redrawn while the job runs, then its counts.

A job builds its report inside `run()`, so while it runs the only live measure is the API calls its connectors
have sent: the line shows those, their rate and the elapsed time (no platform says up front how many records
a read will bring, so there is no ETA), and the job's counts once it is done. Off a terminal nothing is drawn:
the runner already logs each job's summary.
"""

from __future__ import annotations

import logging
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TextIO

from syncd.sync.report import RunReport

SPINNER = "|/-\\"
# Carriage return, then erase to the end of the line: the next text starts on a blank line.
CLEAR_LINE = "\r\x1b[K"
REFRESH_SECONDS = 0.2
JOB_WIDTH = 10


def is_terminal(stream: TextIO) -> bool:
    """True when `stream` is an interactive terminal (a closed or odd stream is not)."""
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def elapsed_text(seconds: float) -> str:
    """`4.2s`, `3m05s` or `1h02m`."""
    if seconds < 60:
        return f"{seconds:.1f}s"
    whole = int(seconds)
    if whole < 3600:
        return f"{whole // 60}m{whole % 60:02d}s"
    return f"{whole // 3600}h{whole % 3600 // 60:02d}m"


class ProgressLine:
    """Draws one job at a time on a terminal stream, refreshed from a background thread."""

    def __init__(
        self,
        stream: TextIO,
        api_calls: Callable[[], int],
        *,
        clock: Callable[[], float] = time.monotonic,
        interval: float = REFRESH_SECONDS,
        width: int | None = None,
    ) -> None:
        self.stream = stream
        self.api_calls = api_calls
        self.clock = clock
        self.interval = interval
        # One column short of the terminal: a line that wraps cannot be redrawn in place.
        self.width = (width or shutil.get_terminal_size().columns) - 1
        self._lock = threading.RLock()
        self._job: str | None = None
        self._started = 0.0
        self._calls_before = 0
        self._ticks = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def running(self) -> bool:
        """True while a job's line is being refreshed."""
        return self._thread is not None and self._thread.is_alive()

    def run(self, job: str, work: Callable[[], RunReport]) -> RunReport:
        """Run `work` with a live line for `job`, then leave the job's summary line in its place."""
        self.start(job)
        try:
            report = work()
        finally:
            self.stop()
        self.finish(report)
        return report

    def start(self, job: str) -> None:
        """Draw `job`'s line and keep refreshing it until `stop`."""
        with self._lock:
            self._job = job
            self._started = self.clock()
            self._calls_before = self.api_calls()
            self._ticks = 0
        self.refresh()
        self._stop.clear()
        self._thread = threading.Thread(target=self._refresh_until_stopped, name="syncd-progress", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop refreshing and erase the live line."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        with self._lock:
            self._job = None
            self.stream.write(CLEAR_LINE)
            self.stream.flush()

    def finish(self, report: RunReport) -> None:
        """Write the finished job's line: outcome, elapsed time, counts and API calls."""
        seconds = self.clock() - self._started
        written = report.created + report.updated
        counts = [f"read {report.read}", f"written {written}", f"quarantined {report.quarantined}"]
        counts += [f"{name} {n}" for name, n in (("failed", report.failed), ("deferred", report.deferred)) if n]
        calls = sum(report.api_calls.values())
        counts.append(f"{calls} API call{'s' if calls != 1 else ''}")
        outcome = "ok" if report.ok else "PARTIAL"
        text = f"{report.job:<{JOB_WIDTH}} {outcome:<7} {elapsed_text(seconds):>6}  {', '.join(counts)}"
        with self._lock:
            self.stream.write(f"{CLEAR_LINE}{text}\n")
            self.stream.flush()

    def render(self) -> str:
        """The live line of the running job ("" when none runs)."""
        with self._lock:
            if self._job is None:
                return ""
            seconds = max(self.clock() - self._started, 0.0)
            calls = self.api_calls() - self._calls_before
            spinner = SPINNER[self._ticks % len(SPINNER)]
            text = f"{spinner} {self._job:<{JOB_WIDTH}} {elapsed_text(seconds):>6}  {calls} API call"
            text += "s" if calls != 1 else ""
            if seconds >= 1:
                text += f" ({calls / seconds:.1f}/s)"
            return text[: self.width]

    def refresh(self) -> None:
        """Redraw the live line and advance the spinner."""
        with self._lock:
            line = self.render()
            if line:
                self.stream.write(f"{CLEAR_LINE}{line}")
                self.stream.flush()
                self._ticks += 1

    def write_above(self, text: str) -> None:
        """Write `text` (e.g. a log line) where the live line was, then draw the line again below it."""
        with self._lock:
            self.stream.write(CLEAR_LINE if self._job is not None else "")
            self.stream.write(text)
            if text.endswith("\n"):
                self.refresh()
            self.stream.flush()

    @contextmanager
    def logging_above(self) -> Iterator[None]:
        """Route the log handlers that write to this stream through `write_above`, so lines do not collide."""
        above = _AboveLine(self)
        swapped: list[logging.StreamHandler[TextIO]] = []
        for handler in logging.getLogger().handlers:
            if isinstance(handler, logging.StreamHandler) and handler.stream is self.stream:
                handler.setStream(above)
                swapped.append(handler)
        try:
            yield
        finally:
            for handler in swapped:
                handler.setStream(self.stream)

    def _refresh_until_stopped(self) -> None:
        while not self._stop.wait(self.interval):
            self.refresh()


class _AboveLine:
    """A text stream for log handlers that writes above the live line."""

    def __init__(self, progress: ProgressLine) -> None:
        self.progress = progress

    def write(self, text: str) -> int:
        self.progress.write_above(text)
        return len(text)

    def flush(self) -> None:
        self.progress.stream.flush()
