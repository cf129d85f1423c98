"""Emulator state beyond the shop's records: idempotency keys, bulk operations, webhook subscriptions, and the
switches tests use to script failures (rejected inventory items, concurrent stock changes)."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from connectors.shopify.fake_state import ShopData, gid

Emit = Callable[[str, dict[str, Any]], None]


@dataclass(slots=True)
class BulkOperation:
    """One bulk query: its JSONL result is built when it starts and published once it reports COMPLETED."""

    id: int
    query: str
    created_at: datetime
    body: bytes = b""
    root_object_count: int = 0
    lines: int = 0
    # Status polls that still answer RUNNING, so clients exercise their polling loop.
    polls_left: int = 1
    status: str = "RUNNING"
    type: str = "QUERY"
    error_code: str | None = None
    completed_at: datetime | None = None
    url: str | None = None
    partial_data_url: str | None = None
    token: str = field(default_factory=lambda: secrets.token_urlsafe(16))

    graphql_type = "BulkOperation"

    @property
    def object_count(self) -> int:
        """Lines published so far (all of them once completed)."""
        return self.lines if self.status == "COMPLETED" else 0

    @property
    def file_size(self) -> int | None:
        """Bytes of the JSONL file once completed."""
        return len(self.body) if self.status == "COMPLETED" else None


@dataclass(slots=True)
class WebhookSubscription:
    """A registered webhook: topic (GraphQL enum form) and the URL deliveries go to."""

    id: int
    topic: str
    uri: str
    created_at: datetime
    updated_at: datetime
    format: str = "JSON"

    graphql_type = "WebhookSubscription"

    @property
    def callback_url(self) -> str:
        """The deprecated name of `uri`."""
        return self.uri


class ShopServices:
    """The mutable services resolvers reach through the execution context."""

    def __init__(self, data: ShopData, emit: Emit, base_url: Callable[[], str]) -> None:
        self.data = data
        self.emit = emit
        self.base_url = base_url
        # key -> (fingerprint of the mutation and its arguments, payload returned the first time)
        self.idempotency: dict[str, tuple[str, Any]] = {}
        self.bulk_operations: dict[int, BulkOperation] = {}
        self.subscriptions: dict[int, WebhookSubscription] = {}
        # Inventory item ids whose quantity writes fail (a scripted per-item rejection).
        self.rejected_items: set[int] = set()
        # Inventory writes still to be raced by a "concurrent" change to the same levels.
        self.interference = 0
        self.bulk_polls = 1

    # -- bulk operations ----------------------------------------------------------------------------------

    def running_bulk_operation(self, kind: str = "QUERY") -> BulkOperation | None:
        """The operation of this type that is still running, if any."""
        return next(
            (op for op in self.bulk_operations.values() if op.type == kind and op.status in ("CREATED", "RUNNING")),
            None,
        )

    def current_bulk_operation(self, kind: str = "QUERY") -> BulkOperation | None:
        """The latest operation of this type, advanced by one poll."""
        ops = [op for op in self.bulk_operations.values() if op.type == kind]
        if not ops:
            return None
        return self.observe(max(ops, key=lambda op: op.id))

    def observe(self, op: BulkOperation) -> BulkOperation:
        """Count a status poll; the operation completes once its polls run out."""
        if op.status != "RUNNING":
            return op
        if op.polls_left > 0:
            op.polls_left -= 1
            return op
        op.status = "COMPLETED"
        op.completed_at = self.data.clock.tick()
        # Like Shopify, an export that found nothing has no file.
        op.url = f"{self.base_url()}/bulk-operations/{op.id}/{op.token}.jsonl" if op.lines else None
        self.emit(
            "bulk_operations/finish",
            {
                "admin_graphql_api_id": gid("BulkOperation", op.id),
                "completed_at": op.completed_at.isoformat(),
                "created_at": op.created_at.isoformat(),
                "error_code": None,
                "status": "completed",
                "type": "query",
            },
        )
        return op

    # -- lookups ------------------------------------------------------------------------------------------

    def lookup_extra(self, global_id: str) -> Any:
        """A bulk operation (advanced by one poll) or a webhook subscription by GID."""
        kind, _, number = global_id.removeprefix("gid://shopify/").partition("/")
        if not number.isdigit():
            return None
        if kind == "BulkOperation" and int(number) in self.bulk_operations:
            return self.observe(self.bulk_operations[int(number)])
        if kind == "WebhookSubscription":
            return self.subscriptions.get(int(number))
        return None

    def webhook_subscriptions(self) -> list[WebhookSubscription]:
        """Every subscription, oldest first."""
        return sorted(self.subscriptions.values(), key=lambda s: s.id)

    def take_interference(self) -> bool:
        """Spend one scripted concurrent change, if any are left."""
        if self.interference <= 0:
            return False
        self.interference -= 1
        return True
