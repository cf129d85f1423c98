"""TikTok Shop webhooks: signature verification and typed events (ref §7).

The `Authorization` header is the lowercase hex HMAC-SHA256, keyed by the app secret, of the app key followed
by the raw body, with no `Bearer` prefix. Verify the raw bytes before parsing them. Ids are kept as strings:
`product_id` arrives as a JSON number, and Python's `json` parses integers exactly, so it becomes the exact
decimal string (a float round-trip, as in JavaScript clients, would corrupt it).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from decimal import Decimal
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError


class WebhookPayloadError(ValueError):
    """The body is not a TikTok Shop webhook (not JSON, no envelope, or a known type with invalid data)."""


def verify_webhook(app_key: str, app_secret: str | SecretStr, body: bytes, authorization: str | None) -> bool:
    """True if `authorization` is the signature of `body` for this app; never raises, whatever it is given."""
    try:
        if not isinstance(body, bytes | bytearray) or not isinstance(authorization, str):
            return False
        received = authorization.strip().lower()
        if not received:
            return False
        secret = app_secret.get_secret_value() if isinstance(app_secret, SecretStr) else app_secret
        expected = hmac.new(secret.encode(), app_key.encode() + bytes(body), hashlib.sha256).hexdigest()
        # Bytes, so a non-ASCII header compares unequal instead of raising.
        return hmac.compare_digest(expected.encode(), received.encode("utf-8", "replace"))
    except (TypeError, ValueError, AttributeError, UnicodeError):
        return False


class _Data(BaseModel):
    # Unknown fields are kept: TikTok adds fields to events without notice.
    model_config = ConfigDict(extra="allow", coerce_numbers_to_str=True, frozen=True)


class OrderStatusChangeData(_Data):
    """Type 1: an order moved to a new status."""

    order_id: str
    # The webhook says CANCEL where the order API says CANCELLED (ref §4.4, DISAGREE): both are accepted.
    order_status: str
    is_on_hold_order: bool | None = None
    update_time: int | None = None

    @property
    def normalized_status(self) -> str:
        """The status in the order API's vocabulary (`CANCEL` becomes `CANCELLED`)."""
        return "CANCELLED" if self.order_status == "CANCEL" else self.order_status


class RecipientAddressUpdateData(_Data):
    """Type 3: the buyer changed the shipping address."""

    order_id: str
    update_time: int | None = None


class PackageRef(_Data):
    """One package named in a PACKAGE_UPDATE event."""

    package_id: str
    order_id_list: list[str] = Field(default_factory=list)


class PackageUpdateData(_Data):
    """Type 4: packages were combined, split or otherwise changed."""

    sc_type: str | None = None
    role_type: str | None = None
    package_list: list[PackageRef] = Field(default_factory=list)
    update_time: int | None = None


class ProductStatusChangeData(_Data):
    """Type 5: a product passed or failed review, or changed status."""

    product_id: str
    status: str | None = None
    suspended_reason: str | None = None
    update_time: int | None = None


class SellerDeauthorizationData(_Data):
    """Type 6: the seller removed the app's authorization."""

    message: str | None = None


class UpcomingAuthorizationExpirationData(_Data):
    """Type 7: the authorization expires soon (sent 30 days ahead, then daily)."""

    message: str | None = None
    expiration_time: int | None = None


class CancellationStatusChangeData(_Data):
    """Type 11: a cancellation request changed status."""

    order_id: str
    cancellations_role: str | None = None
    cancel_status: str | None = None
    cancel_id: str | None = None
    create_time: int | None = None
    update_time: int | None = None


class ReturnStatusChangeData(_Data):
    """Type 12: a return or refund changed status."""

    order_id: str
    return_role: str | None = None
    return_type: str | None = None
    return_status: str | None = None
    return_id: str | None = None
    create_time: int | None = None
    update_time: int | None = None


class ProductChangeData(_Data):
    """Types 15, 16 and 18: a product's information, existence or category changed."""

    product_id: str
    update_time: int | None = None


class WebhookEvent(BaseModel):
    """The envelope every delivery shares; `type` picks the subclass."""

    model_config = ConfigDict(extra="allow", coerce_numbers_to_str=True, frozen=True)

    event_type: ClassVar[str | None] = None  # the subscription name (`PUT /event/202309/webhooks`)

    type: int
    tts_notification_id: str | None = None  # absent from older deliveries; use it to dedupe when present
    shop_id: str
    timestamp: int


class OrderStatusChange(WebhookEvent):
    """ORDER_STATUS_CHANGE (type 1)."""

    event_type: ClassVar[str | None] = "ORDER_STATUS_CHANGE"
    type: Literal[1]
    data: OrderStatusChangeData


class RecipientAddressUpdate(WebhookEvent):
    """RECIPIENT_ADDRESS_UPDATE (type 3)."""

    event_type: ClassVar[str | None] = "RECIPIENT_ADDRESS_UPDATE"
    type: Literal[3]
    data: RecipientAddressUpdateData


class PackageUpdate(WebhookEvent):
    """PACKAGE_UPDATE (type 4)."""

    event_type: ClassVar[str | None] = "PACKAGE_UPDATE"
    type: Literal[4]
    data: PackageUpdateData


class ProductStatusChange(WebhookEvent):
    """PRODUCT_STATUS_CHANGE (type 5)."""

    event_type: ClassVar[str | None] = "PRODUCT_STATUS_CHANGE"
    type: Literal[5]
    data: ProductStatusChangeData


class SellerDeauthorization(WebhookEvent):
    """SELLER_DEAUTHORIZATION (type 6)."""

    event_type: ClassVar[str | None] = "SELLER_DEAUTHORIZATION"
    type: Literal[6]
    data: SellerDeauthorizationData


class UpcomingAuthorizationExpiration(WebhookEvent):
    """UPCOMING_AUTHORIZATION_EXPIRATION (type 7)."""

    event_type: ClassVar[str | None] = "UPCOMING_AUTHORIZATION_EXPIRATION"
    type: Literal[7]
    data: UpcomingAuthorizationExpirationData


class CancellationStatusChange(WebhookEvent):
    """CANCELLATION_STATUS_CHANGE (type 11)."""

    event_type: ClassVar[str | None] = "CANCELLATION_STATUS_CHANGE"
    type: Literal[11]
    data: CancellationStatusChangeData


class ReturnStatusChange(WebhookEvent):
    """RETURN_STATUS_CHANGE (type 12)."""

    event_type: ClassVar[str | None] = "RETURN_STATUS_CHANGE"
    type: Literal[12]
    data: ReturnStatusChangeData


class ProductInformationChange(WebhookEvent):
    """PRODUCT_INFORMATION_CHANGE (type 15)."""

    event_type: ClassVar[str | None] = "PRODUCT_INFORMATION_CHANGE"
    type: Literal[15]
    data: ProductChangeData


class ProductCreation(WebhookEvent):
    """PRODUCT_CREATION (type 16)."""

    event_type: ClassVar[str | None] = "PRODUCT_CREATION"
    type: Literal[16]
    data: ProductChangeData


class ProductCategoryChange(WebhookEvent):
    """PRODUCT_CATEGORY_CHANGE (type 18)."""

    event_type: ClassVar[str | None] = "PRODUCT_CATEGORY_CHANGE"
    type: Literal[18]
    data: ProductChangeData


class UnknownEvent(WebhookEvent):
    """Any type this client does not model; `data` is kept as received."""

    data: dict[str, Any] = Field(default_factory=dict)


EVENT_TYPES: dict[int, type[WebhookEvent]] = {
    1: OrderStatusChange,
    3: RecipientAddressUpdate,
    4: PackageUpdate,
    5: ProductStatusChange,
    6: SellerDeauthorization,
    7: UpcomingAuthorizationExpiration,
    11: CancellationStatusChange,
    12: ReturnStatusChange,
    15: ProductInformationChange,
    16: ProductCreation,
    18: ProductCategoryChange,
}


def parse_webhook(body: bytes | str) -> WebhookEvent:
    """The typed event in a (verified) delivery body; raises `WebhookPayloadError` if it is not one."""
    try:
        # parse_float=Decimal: a number with a fraction must not lose digits either.
        document = json.loads(body, parse_float=Decimal)
    except (ValueError, TypeError) as exc:
        raise WebhookPayloadError("webhook body is not JSON") from exc
    if not isinstance(document, dict):
        raise WebhookPayloadError("webhook body is not a JSON object")
    event_type = document.get("type")
    if isinstance(event_type, str) and event_type.strip().isdigit():
        event_type = int(event_type)
        document = {**document, "type": event_type}
    cls = EVENT_TYPES.get(event_type, UnknownEvent) if isinstance(event_type, int) else UnknownEvent
    try:
        return cls.model_validate(document)
    except ValidationError as exc:
        fields = ", ".join(".".join(str(p) for p in error["loc"]) for error in exc.errors())
        raise WebhookPayloadError(f"webhook of type {event_type!r} is invalid at: {fields}") from exc
