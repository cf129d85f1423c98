"""`python -m connectors.tiktok_shop.fake --port PORT [--seed FILE]`: serve the emulator until interrupted.

It prints what a client needs: the base URL (for both the API and the auth host), the app key and
secret, the shop cipher, and a valid access token and refresh token. These are test credentials for a
local fake, which is why printing them is fine here and nowhere else.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from types import FrameType

from connectors.tiktok_shop.fake.catalog import SEED_DIR
from connectors.tiktok_shop.fake.server import FakeTikTokShop


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(prog="python -m connectors.tiktok_shop.fake", description=__doc__)
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default: any free port)")
    parser.add_argument("--seed", type=Path, help=f"a seed JSON file (e.g. {SEED_DIR / 'sample_shop.json'})")
    parser.add_argument("--no-rate-limit", action="store_true", help="serve without the default rate limit")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Start the emulator, print the credentials, serve until SIGINT/SIGTERM."""
    args = parse_args(argv)
    fake = FakeTikTokShop(rate_limit=None) if args.no_rate_limit else FakeTikTokShop()
    if args.seed is not None:
        fake.load_seed(args.seed)
    fake.start(port=args.port)
    print(f"base_url       {fake.base_url}   (API and auth host)")
    print(f"app_key        {fake.app_key}")
    print(f"app_secret     {fake.app_secret}")
    print(f"shop_id        {fake.shop['id']}")
    print(f"shop_cipher    {fake.shop['cipher']}")
    print(f"access_token   {fake.access_token}")
    print(f"refresh_token  {fake.refresh_token}")
    print(f"seeded         {len(fake.products)} products, {len(fake.skus)} SKUs, {len(fake.orders)} orders")
    sys.stdout.flush()
    stop = threading.Event()

    def _stop(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    stop.wait()
    fake.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
