"""The live progress line of `run-once`, drawn on a fake terminal with an injected clock."""

from __future__ import annotations

import io
import logging
import threading
from collections import Counter
from collections.abc import Iterator

import pytest

from syncd.commands.progress import CLEAR_LINE, ProgressLine, elapsed_text, is_terminal
from syncd.sync.report import RunReport

NEVER = 3600.0  # a refresh interval no test waits for: the test draws by calling refresh()


class Terminal(io.StringIO):
    """A terminal stand-in that signals each redraw of a live line."""

    def __init__(self) -> None:
        super().__init__()
        self.redraws = 0
        self.redrawn = threading.Condition()

    def isatty(self) -> bool:
        return True

    def write(self, text: str) -> int:
        with self.redrawn:
            if text.startswith(CLEAR_LINE) and len(text) > len(CLEAR_LINE) and not text.endswith("\n"):
                self.redraws += 1
                self.redrawn.notify_all()
        return super().write(text)


class Clock:
    """Monotonic seconds that move only when the test says so."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def terminal() -> Terminal:
    return Terminal()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def calls() -> list[int]:
    """The connectors' call counter, as the line reads it."""
    return [40]


@pytest.fixture
def line(terminal: Terminal, clock: Clock, calls: list[int]) -> Iterator[ProgressLine]:
    progress = ProgressLine(terminal, lambda: calls[0], clock=clock, interval=NEVER, width=60)
    yield progress
    progress.stop()


def test_a_terminal_is_told_apart_from_a_pipe(terminal: Terminal) -> None:
    closed = io.StringIO()
    closed.close()
    assert is_terminal(terminal)
    assert not is_terminal(io.StringIO())
    assert not is_terminal(closed)


@pytest.mark.parametrize(
    ("seconds", "text"), [(0, "0.0s"), (4.25, "4.2s"), (59.9, "59.9s"), (185, "3m05s"), (3725, "1h02m")]
)
def test_elapsed_time_reads_at_a_glance(seconds: float, text: str) -> None:
    assert elapsed_text(seconds) == text


def test_the_live_line_shows_the_job_its_time_its_calls_and_their_rate(
    line: ProgressLine, terminal: Terminal, clock: Clock, calls: list[int]
) -> None:
    line.start("catalog")
    assert terminal.getvalue() == f"{CLEAR_LINE}| catalog      0.0s  0 API calls"

    clock.now += 0.5
    calls[0] += 1
    assert line.render() == "/ catalog      0.5s  1 API call"

    clock.now += 2.0
    calls[0] += 9
    line.refresh()
    assert terminal.getvalue().endswith(f"{CLEAR_LINE}/ catalog      2.5s  10 API calls (4.0/s)")
    assert line.render().startswith("- catalog ")  # the spinner turns with each redraw


def test_the_line_never_wraps(terminal: Terminal, clock: Clock) -> None:
    narrow = ProgressLine(terminal, lambda: 123456, clock=clock, interval=NEVER, width=20)
    narrow.start("fulfilment")
    # One column short of the width: the calls that would not fit are cut off.
    assert narrow.render() == "/ fulfilment   0.0s"
    narrow.stop()


def test_a_finished_job_leaves_its_counts_in_place_of_the_live_line(
    line: ProgressLine, terminal: Terminal, clock: Clock
) -> None:
    report = RunReport(job="orders", read=10, created=2, updated=3, quarantined=1, deferred=4)
    report.api_calls = Counter({"tiktok_shop": 7, "shopify": 2})

    def work() -> RunReport:
        clock.now += 12
        return report

    assert line.run("orders", work) is report

    assert not line.running
    assert terminal.getvalue().endswith(
        f"{CLEAR_LINE}orders     PARTIAL  12.0s  read 10, written 5, quarantined 1, deferred 4, 9 API calls\n"
    )
    assert line.render() == ""


def test_a_clean_job_reads_ok_and_its_zero_counts_stay_short(line: ProgressLine, terminal: Terminal) -> None:
    line.run("returns", lambda: RunReport(job="returns"))

    assert terminal.getvalue().endswith("returns    ok        0.0s  read 0, written 0, quarantined 0, 0 API calls\n")


def test_the_background_thread_redraws_until_the_job_ends(terminal: Terminal, clock: Clock) -> None:
    fast = ProgressLine(terminal, lambda: 0, clock=clock, interval=0.001, width=60)

    def work() -> RunReport:
        with terminal.redrawn:
            # The first draw is start()'s own; two more can only come from the refresh thread.
            assert terminal.redrawn.wait_for(lambda: terminal.redraws >= 3, timeout=10)
        return RunReport(job="stock")

    fast.run("stock", work)

    assert not fast.running
    assert terminal.getvalue().endswith("stock      ok        0.0s  read 0, written 0, quarantined 0, 0 API calls\n")


def test_a_job_that_raises_leaves_no_half_drawn_line(line: ProgressLine, terminal: Terminal) -> None:
    def work() -> RunReport:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        line.run("catalog", work)

    assert not line.running
    assert terminal.getvalue().endswith(CLEAR_LINE)


def test_log_lines_go_above_the_live_line(line: ProgressLine, terminal: Terminal) -> None:
    handler = logging.StreamHandler(terminal)
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    logger = logging.getLogger("syncd.test.progress")
    try:
        with line.logging_above():
            line.start("catalog")
            logger.warning("quarantined listing 7")
            line.stop()
        assert handler.stream is terminal
    finally:
        root.removeHandler(handler)

    drawn = f"{CLEAR_LINE}| catalog      0.0s  0 API calls"
    assert terminal.getvalue() == (
        f"{drawn}{CLEAR_LINE}WARNING quarantined listing 7\n{CLEAR_LINE}/ catalog      0.0s  0 API calls{CLEAR_LINE}"
    )
