"""The closed sets of values stored in the mapping store, as `StrEnum`s stored by value."""

from __future__ import annotations

from enum import StrEnum


class BindingKind(StrEnum):
    """What a binding's external id names, and so which table its `internal_id` points into."""

    PRODUCT = "product"  # -> products.id
    VARIANT = "variant"  # -> variants.id
    INVENTORY_ITEM = "inventory_item"  # -> variants.id (Shopify tracks stock on an inventory item)
    LOCATION = "location"  # -> locations.id
    ORDER = "order"  # -> order_links.id


class BindingState(StrEnum):
    """Whether the last sync of a bound record succeeded."""

    OK = "ok"
    ERROR = "error"


class ReservationState(StrEnum):
    """A reservation holds stock for a TikTok order until the store has the order (or it is cancelled)."""

    OPEN = "open"
    RELEASED = "released"


class OrderLinkState(StrEnum):
    """Where a TikTok order is in the exactly-once import protocol (DESIGN 2.2)."""

    PENDING = "pending"  # intent recorded, no store order known yet
    CREATED = "created"  # the store order exists and its id is recorded
    LINKED = "linked"  # TikTok carries the external order reference
    CANCELLED = "cancelled"
    QUARANTINED = "quarantined"  # cannot be imported; waits for `syncd retry`
    PLATFORM = "platform"  # fulfilled from TikTok's own warehouses: recorded, never sent to the store


class RestockState(StrEnum):
    """Where putting a return's units back into the store of record's stock stands (once per return and SKU)."""

    DUE = "due"  # the units came back; nothing sent yet
    SENDING = "sending"  # the quantity to set is recorded and may have reached the store
    APPLIED = "applied"
    HELD = "held"  # quarantined: refused by the store, or whether it landed is unknown; waits for `syncd retry`


class RunOutcome(StrEnum):
    """How a job run ended."""

    RUNNING = "running"
    OK = "ok"
    PARTIAL = "partial"  # finished, some records quarantined or failed
    FAILED = "failed"


class InboxStatus(StrEnum):
    """Processing state of a received webhook delivery."""

    RECEIVED = "received"
    PROCESSING = "processing"
    DONE = "done"
    FAILED = "failed"
