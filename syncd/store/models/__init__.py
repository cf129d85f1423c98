"""The mapping store's tables; importing this module registers all of them on `SQLModel.metadata`."""

from __future__ import annotations

from syncd.store.models.catalog import Binding, CanonicalProduct, CanonicalVariant, Channel, Location
from syncd.store.models.ops import Credential, InboxEvent, JobRun, StreamCursor
from syncd.store.models.orders import OrderLink, QuarantineEntry, ReturnRestock
from syncd.store.models.stock import ChannelQuantity, InventoryLevel, Reservation

__all__ = [
    "Binding",
    "CanonicalProduct",
    "CanonicalVariant",
    "Channel",
    "ChannelQuantity",
    "Credential",
    "InboxEvent",
    "InventoryLevel",
    "JobRun",
    "Location",
    "OrderLink",
    "QuarantineEntry",
    "Reservation",
    "ReturnRestock",
    "StreamCursor",
]
