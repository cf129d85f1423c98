"""`python -m connectors.tiktok_shop.fake --port PORT [--seed FILE]`: serve the emulator until interrupted.

It prints what a client needs: the base URL (for both the API and the auth host), the app key and
secret, the shop cipher, and a valid access token and refresh token. These are test credentials for a
local fake, which is why printing them is fine here and nowhere else.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

from connectors.tiktok_shop.fake.catalog import SEED_DIR
from connectors.tiktok_shop.fake.server import FakeTikTokShop
from syncd.testing.standalone import serve_until_interrupted


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
    lines = (
        f"base_url       {fake.base_url}   (API and auth host)",
        f"app_key        {fake.app_key}",
        f"app_secret     {fake.app_secret}",
        f"shop_id        {fake.shop['id']}",
        f"shop_cipher    {fake.shop['cipher']}",
        f"access_token   {fake.access_token}",
        f"refresh_token  {fake.refresh_token}",
        f"seeded         {len(fake.products)} products, {len(fake.skus)} SKUs, {len(fake.orders)} orders",
    )
    serve_until_interrupted(fake, lines)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
