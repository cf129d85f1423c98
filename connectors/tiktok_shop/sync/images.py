"""Listing images: downloaded from the store's CDN and uploaded to TikTok once per source URL."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import PurePosixPath
from urllib.parse import urlsplit

import httpx

from connectors.tiktok_shop.sync.context import ShopContext
from syncd.http import build_client, redact_url

MAX_IMAGE_BYTES = 10 * 1024 * 1024


class ImageFetchError(Exception):
    """A listing image could not be downloaded from its source URL."""

    def __init__(self, message: str, *, retryable: bool) -> None:
        super().__init__(message)
        self.retryable = retryable


class ImageUploader:
    """Uploads source images to TikTok and remembers the uri each URL got."""

    def __init__(self, context: ShopContext) -> None:
        self.context = context
        # Source images live on the store's CDN, not TikTok: a plain client with the same timeouts.
        self._http = build_client(
            platform="tiktok_shop_images",
            base_url="",
            timeout=context.settings.timeout.total_seconds(),
            clock=context.clock,
        )
        self._lock = threading.Lock()
        self._uploaded: dict[str, str] = {}  # source image URL -> TikTok image uri

    def calls(self) -> int:
        """Image downloads sent so far."""
        return self._http.stats.calls()

    def close(self) -> None:
        """Close the image downloader."""
        self._http.close()

    def upload(self, urls: Sequence[str]) -> list[str]:
        """TikTok image uris for the source URLs, in order; ImageFetchError when one cannot be downloaded."""
        uris = []
        for url in urls:
            uri = self._uploaded.get(url)
            if uri is None:
                data, content_type = self._fetch(url)
                name = PurePosixPath(urlsplit(url).path).name or "image"
                uri = self.context.shop.products.upload_image(data, filename=name, content_type=content_type).uri
                with self._lock:
                    self._uploaded[url] = uri
            uris.append(uri)
        return uris

    def _fetch(self, url: str) -> tuple[bytes, str]:
        shown = redact_url(url)
        try:
            with self._http.stream("GET", url, follow_redirects=True) as response:
                if response.status_code != 200:
                    retryable = response.status_code == 429 or response.status_code >= 500
                    raise ImageFetchError(
                        f"could not fetch image {shown}: HTTP {response.status_code}", retryable=retryable
                    )
                data = bytearray()
                for chunk in response.iter_bytes():
                    data += chunk
                    if len(data) > MAX_IMAGE_BYTES:
                        raise ImageFetchError(f"image {shown} is larger than 10 MB", retryable=False)
                content_type = response.headers.get("content-type", "application/octet-stream").split(";")[0]
        except httpx.InvalidURL as exc:
            raise ImageFetchError(f"image URL {shown} is not valid", retryable=False) from exc
        except httpx.HTTPError as exc:
            raise ImageFetchError(f"could not fetch image {shown}: {type(exc).__name__}", retryable=True) from exc
        if not data:
            raise ImageFetchError(f"image {shown} is empty", retryable=False)
        return bytes(data), content_type
