"""`python -m bench propagation [--changes N] [--json]`."""

from __future__ import annotations

import argparse
import json
import sys

from bench.propagation import format_summary, measure


def main(argv: list[str] | None = None) -> int:
    """Run the named benchmark and print its summary; exit 1 if any change failed to propagate."""
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    commands = parser.add_subparsers(dest="benchmark", required=True)
    propagation = commands.add_parser(
        "propagation", help="Time from a stock change in the Shopify emulator to TikTok showing it, via webhooks."
    )
    propagation.add_argument("--changes", type=int, default=200, help="Stock changes to make, one after another.")
    propagation.add_argument("--deadline", type=float, default=10.0, help="Seconds to wait for each change.")
    propagation.add_argument("--json", action="store_true", help="Print one JSON object.")
    args = parser.parse_args(argv)
    if args.changes < 1:
        parser.error("--changes must be at least 1")
    summary = measure(args.changes, deadline=args.deadline)
    print(json.dumps(summary) if args.json else format_summary(summary))
    return 0 if summary["propagated"] == summary["changes"] else 1


if __name__ == "__main__":
    sys.exit(main())
