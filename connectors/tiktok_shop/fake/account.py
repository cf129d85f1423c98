"""Token exchange and refresh (the auth host), authorized shops, seller info, and webhook subscriptions."""

from __future__ import annotations

from connectors.tiktok_shop.fake.api import INVALID_PARAM, JSON, ApiCall, ApiError, endpoint, invalid
from connectors.tiktok_shop.fake.core import FakeCore
from connectors.tiktok_shop.fake.state import Grant, Subscription
from connectors.tiktok_shop.fake.webhooks import EVENT_TYPES
from syncd.testing import Request, Response, route

# Token-endpoint codes seen in real answers (EcomPHP/tiktokshop-php#15): unknown grant, expired refresh token.
NO_AUTH_RECORD = 36004005
REFRESH_EXPIRED = 36004001


class AccountAPI(FakeCore):
    """`/api/v2/token/*`, `/authorization/*`, `/seller/*` and `/event/*/webhooks`."""

    # -- the auth host: unsigned GETs with the app secret in the query (§3.2) ------------------------------

    @route("GET", "/api/v2/token/get", auth=False)
    def token_get(self, request: Request) -> Response:
        try:
            self._check_app(request, "authorized_code")
            code = request.arg("auth_code") or ""
            if code not in self.auth_codes:
                raise ApiError(NO_AUTH_RECORD, "can not find related auth record")
            self.auth_codes.discard(code)  # authorization codes are single-use
        except ApiError as error:
            return self.envelope(None, code=error.code, message=error.message, status=error.status)
        return self.envelope(self.token_payload(self._replace_grant()))

    @route("GET", "/api/v2/token/refresh", auth=False)
    def token_refresh(self, request: Request) -> Response:
        try:
            self._check_app(request, "refresh_token")
            grant = self.refresh_tokens.get(request.arg("refresh_token") or "")
            if grant is None:
                raise ApiError(NO_AUTH_RECORD, "can not find related auth record")
            if grant.refresh_expires_at <= self.now():
                raise ApiError(REFRESH_EXPIRED, "rt has expired")
        except ApiError as error:
            return self.envelope(None, code=error.code, message=error.message, status=error.status)
        if self.rotate_refresh_tokens:
            del self.refresh_tokens[grant.refresh_token]
        return self.envelope(self.token_payload(self._replace_grant()))

    def _check_app(self, request: Request, grant_type: str) -> None:
        if request.arg("app_key") != self.app_key or request.arg("app_secret") != self.app_secret:
            raise ApiError(INVALID_PARAM, "Invalid param: app_key or app_secret is invalid")
        if request.arg("grant_type") != grant_type:
            raise ApiError(INVALID_PARAM, f"Invalid param: grant_type must be {grant_type}")

    def _replace_grant(self) -> Grant:
        """Mint new tokens; the previous access token stops working (it answers 105002 from now on)."""
        previous = self.grant
        previous.current = False
        self.grant = self.mint_grant()
        return self.grant

    # -- authorization and seller (no shop cipher) ---------------------------------------------------------

    @endpoint("GET", "/authorization/{version}/shops", cipher=False)
    def get_authorized_shops(self, call: ApiCall) -> JSON:
        return {"shops": [dict(self.shop)]}

    @endpoint("GET", "/authorization/{version}/category_assets", versions=("202309", "202405"), cipher=False)
    def get_category_assets(self, call: ApiCall) -> JSON:
        roots = [c for c in self.catalog.categories if c["parent_id"] == "0"]
        return {
            "category_assets": [
                {
                    "cipher": self.shop["cipher"],
                    "target_market": self.shop["region"],
                    "category": {"id": c["id"], "name": c["local_name"]},
                }
                for c in roots
            ]
        }

    @endpoint("GET", "/seller/{version}/shops", cipher=False)
    def get_active_shops(self, call: ApiCall) -> JSON:
        return {"shops": [{"id": self.shop["id"], "region": self.shop["region"]}]}

    @endpoint("GET", "/seller/{version}/permissions", cipher=False)
    def get_seller_permissions(self, call: ApiCall) -> JSON:
        return {"permissions": []}

    # -- webhook subscriptions (§4.2) ----------------------------------------------------------------------

    @endpoint("GET", "/event/{version}/webhooks")
    def get_shop_webhooks(self, call: ApiCall) -> JSON:
        webhooks = [
            {
                "event_type": s.event_type,
                "address": s.address,
                "create_time": s.create_time,
                "update_time": s.update_time,
            }
            for s in self.subscriptions.values()
        ]
        return {"webhooks": webhooks, "total_count": len(webhooks)}

    @endpoint("PUT", "/event/{version}/webhooks")
    def update_shop_webhook(self, call: ApiCall) -> JSON:
        event_type = self._event_type(call)
        address = call.field("address", str, required=True) or ""
        if not address.startswith(("http://", "https://")) or len(address) > 255:
            raise invalid("address must be an http(s) URL of at most 255 characters")
        now = self.unix_now()
        existing = self.subscriptions.get(event_type)
        created = existing.create_time if existing else now
        self.subscriptions[event_type] = Subscription(event_type, address, created, now)
        return {}

    @endpoint("DELETE", "/event/{version}/webhooks")
    def delete_shop_webhook(self, call: ApiCall) -> JSON:
        event_type = self._event_type(call)
        if self.subscriptions.pop(event_type, None) is None:
            raise invalid(f"no webhook is configured for {event_type}")
        return {}

    def _event_type(self, call: ApiCall) -> str:
        event_type = call.field("event_type", str, required=True) or ""
        if event_type not in EVENT_TYPES:
            raise invalid(f"event_type {event_type!r} is not supported")
        return event_type
