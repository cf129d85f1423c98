"""`python -m bench propagation` as a real subprocess: three changes, every one propagated, summarised as JSON.
Its timings are the benchmark's output and deliberately not asserted here."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parents[2]
TIMEOUT = 90.0


def test_the_propagation_benchmark_reports_every_change_as_json() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bench", "propagation", "--changes", "3", "--json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )

    assert result.returncode == 0, result.stderr[-4000:]
    summary = json.loads(result.stdout)
    assert set(summary) == {"benchmark", "changes", "propagated", "median_ms", "p95_ms", "max_ms"}
    assert summary["benchmark"] == "propagation"
    assert summary["changes"] == summary["propagated"] == 3
    assert all(isinstance(summary[key], float) for key in ("median_ms", "p95_ms", "max_ms"))
    assert summary["median_ms"] <= summary["p95_ms"] <= summary["max_ms"]
