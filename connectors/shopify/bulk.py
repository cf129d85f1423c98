"""Bulk query operations: start one, poll it, and stream its JSONL result line by line.

The result is never held whole: the download is read with httpx streaming, and each product is reassembled
from its own line and the lines that follow it with its id as `__parentId` (variants, media). With
`groupObjects: true` Shopify writes a parent's children right after it, so a new top-level line closes the
previous product and memory holds one product at a time.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx

from connectors.shopify import queries
from connectors.shopify.api import PLATFORM, ShopifyGraphQL
from connectors.shopify.models import BulkOperationNode, UserError
from syncd.connector import RejectedRecord
from syncd.errors import FatalApiError, TransientApiError
from syncd.http import Action, classify_exception

logger = logging.getLogger("connectors.shopify.bulk")
FINAL_STATUSES = frozenset({"COMPLETED", "FAILED", "CANCELED", "EXPIRED"})
# Child lines are sorted into the product by the type in their GID.
CHILD_LISTS = {"ProductVariant": "variants", "MediaImage": "media", "Video": "media", "ExternalVideo": "media"}


@dataclass
class BulkDownload:
    """Progress of one JSONL download, for logs and for tests that check it is streamed."""

    url_host: str
    total_bytes: int | None = None
    bytes_read: int = 0
    lines: int = 0
    finished: bool = False


class BulkRunner:
    """Runs one bulk query to completion and opens its result."""

    def __init__(self, api: ShopifyGraphQL) -> None:
        self.api = api
        self.last_download: BulkDownload | None = None

    def run(self, query: str) -> BulkOperationNode:
        """Start `query` and wait until it finishes; `TransientApiError` while another bulk query holds the slot."""
        data = self.api.execute(queries.BULK_RUN, {"query": query})
        payload = data.get("bulkOperationRunQuery") or {}
        errors = [UserError.model_validate(e) for e in payload.get("userErrors") or []]
        if errors:
            raise self._start_error(errors)
        operation = BulkOperationNode.model_validate(payload["bulkOperation"])
        return self.wait(operation.id)

    @staticmethod
    def _start_error(errors: list[UserError]) -> Exception:
        message = "; ".join(e.message for e in errors)
        if any(e.code == "OPERATION_IN_PROGRESS" for e in errors):
            # One bulk query per app and shop: another run of syncd (or a crashed one) holds the slot.
            return TransientApiError(
                f"bulk query not started: {message}", code="OPERATION_IN_PROGRESS", platform=PLATFORM
            )
        return FatalApiError(f"bulk query rejected: {message}", code=errors[0].code, platform=PLATFORM)

    def wait(self, operation_id: str) -> BulkOperationNode:
        """Poll until the operation reaches a final status; raises unless it COMPLETED."""
        config = self.api.config
        interval = config.bulk_poll_interval.total_seconds()
        deadline = self.api.clock.monotonic() + config.bulk_timeout.total_seconds()
        while True:
            node = self.api.execute(queries.BULK_STATUS, {"id": operation_id}).get("node")
            if not isinstance(node, dict):
                raise FatalApiError(f"bulk operation {operation_id} not found", platform=PLATFORM)
            operation = BulkOperationNode.model_validate(node)
            if operation.status in FINAL_STATUSES:
                break
            if self.api.clock.monotonic() >= deadline:
                raise TransientApiError(f"bulk operation {operation_id} still {operation.status}", platform=PLATFORM)
            self.api.clock.sleep(interval)
        if operation.status != "COMPLETED":
            raise TransientApiError(
                f"bulk operation {operation_id} ended {operation.status}", code=operation.error_code, platform=PLATFORM
            )
        return operation

    @contextmanager
    def open(self, url: str) -> Iterator[Iterator[str]]:
        """Stream the JSONL at `url` as lines; retries the connection, never buffers the body."""
        response = self._connect(url)
        download = BulkDownload(url_host=response.url.host, total_bytes=_length(response))
        self.last_download = download
        try:
            yield self._lines(response, download)
        finally:
            response.close()

    def _connect(self, url: str) -> httpx.Response:
        policy = self.api.policy
        attempt = 0
        while True:
            attempt += 1
            try:
                response = self.api.downloads.send(self.api.downloads.build_request("GET", url), stream=True)
            except httpx.HTTPError as exc:
                resolution = classify_exception(exc)
                if resolution.action is not Action.RETRY or attempt >= policy.max_attempts:
                    raise TransientApiError(f"bulk download failed: {resolution.reason}", platform=PLATFORM) from exc
            else:
                if response.status_code == 200:
                    return response
                response.close()
                if response.status_code < 500 or attempt >= policy.max_attempts:
                    # An expired or wrong signed URL: the operation has to be run again.
                    raise TransientApiError("bulk download refused", status=response.status_code, platform=PLATFORM)
            policy.clock.sleep(policy.delay(attempt))

    @staticmethod
    def _lines(response: httpx.Response, download: BulkDownload) -> Iterator[str]:
        try:
            for line in response.iter_lines():
                download.bytes_read = response.num_bytes_downloaded
                download.lines += 1
                yield line
        except httpx.HTTPError as exc:
            raise TransientApiError(f"bulk download interrupted: {type(exc).__name__}", platform=PLATFORM) from exc
        download.bytes_read = response.num_bytes_downloaded
        download.finished = True


def _length(response: httpx.Response) -> int | None:
    value = response.headers.get("Content-Length", "")
    return int(value) if value.isdigit() else None


def _kind(global_id: Any) -> str:
    parts = str(global_id).split("/")
    return parts[3] if len(parts) > 4 and parts[0] == "gid:" else ""


def assemble_products(lines: Iterator[str]) -> Iterator[dict[str, Any] | RejectedRecord]:
    """Rebuild product objects (shaped like the paged query's nodes) from bulk JSONL lines, one at a time."""
    current: dict[str, Any] | None = None
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
            if not isinstance(obj, dict):
                raise ValueError("not an object")
        except ValueError:
            yield RejectedRecord(key=f"bulk-line-{number}", reason="unreadable JSONL line")
            continue
        parent = obj.pop("__parentId", None)
        if parent is None:
            if current is not None:
                yield current
            current = {**obj, "variants": {"nodes": []}, "media": {"nodes": []}}
            continue
        if current is None or parent != current.get("id"):
            # Not grouped under its parent: the product it belongs to was already handed on.
            yield RejectedRecord(key=str(obj.get("id") or f"bulk-line-{number}"), reason="child line out of order")
            continue
        target = CHILD_LISTS.get(_kind(obj.get("id")))
        if target is not None:
            current[target]["nodes"].append(obj)
    if current is not None:
        yield current
