"""TikTokShopConnector: TikTok Shop as a sales channel for syncd, built on the typed client in this package.

Capabilities: catalog sink (link by seller SKU, create and update listings), stock sink and source, order
source, order reference sink, fulfilment sink and returns source. Every call goes through
`TikTokShopClient`, which signs, refreshes tokens, retries and rate-limits; this module decides what to call
and turns TikTok's answers into pages and per-record results. Field names stay in `mapping.py`.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import PurePosixPath
from typing import Protocol, TypeVar
from urllib.parse import urlsplit

import httpx
from pydantic import BaseModel, SecretStr, ValidationError

from connectors.tiktok_shop import mapping
from connectors.tiktok_shop.client import ShopClient, TikTokShopClient
from connectors.tiktok_shop.config import TikTokShopConfig
from connectors.tiktok_shop.errors import TikTokAPIError, TikTokFatalError
from connectors.tiktok_shop.models import (
    AuthorizedShop,
    CancellationSearchFilter,
    ExternalOrderInput,
    ExternalOrderReference,
    InventoryQuantity,
    OrderSearchFilter,
    ProductSearchFilter,
    ReturnSearchFilter,
    SkuInventoryUpdate,
)
from connectors.tiktok_shop.models import Order as TikTokOrder
from connectors.tiktok_shop.models import Product as TikTokProduct
from connectors.tiktok_shop.tokens import TokenSet, TokenStore, VaultTokenStore
from syncd.connector import Account, Connector, CredentialVault, Page, RejectedRecord, WriteResult, WriteStatus
from syncd.domain import (
    Fulfilment,
    Listing,
    Order,
    OrderReference,
    Product,
    Return,
    StockLevel,
    StockUpdate,
)
from syncd.errors import ApiError, AuthError, FatalApiError, TransientApiError
from syncd.http import Clock, RetryPolicy, build_client, redact_url

logger = logging.getLogger(__name__)
T = TypeVar("T")
R = TypeVar("R")


class _Dated(Protocol):
    """A search result with TikTok's `update_time`."""

    @property
    def update_time(self) -> int | None: ...


A = TypeVar("A", bound=_Dated)

# TikTok may report an order's update late ("update times may exceed the selected search range", ref §6.4),
# so each incremental read starts this far before the checkpoint. TikTokShopConfig has no field for it yet.
AFTERSALES_PAGE_SIZE = 50  # the largest page of the return and cancellation searches
SKU_SEARCH_CHUNK = 50  # seller SKUs per product search
MAX_MAIN_IMAGES = 9  # TikTok shows at most nine main images
MAX_IMAGE_BYTES = 10 * 1024 * 1024
# The seed tokens' lifetime is unknown; TikTok's 105002 answer triggers the refresh when they do expire.
UNKNOWN_EXPIRY = datetime(9999, 12, 31, tzinfo=UTC)


class ImageFetchError(Exception):
    """A listing image could not be downloaded from its source URL."""

    def __init__(self, message: str, *, retryable: bool) -> None:
        super().__init__(message)
        self.retryable = retryable


def _config_tokens(config: TikTokShopConfig) -> TokenSet | None:
    """The tokens the config bootstraps with, if any (none: every call raises AuthError until authorised)."""
    if config.access_token is None and config.refresh_token is None:
        return None
    epoch = datetime.fromtimestamp(0, UTC)
    # Only a refresh token: the access token counts as expired, so the first call refreshes. Only an
    # access token: it is used until TikTok says it expired, and then re-authorisation is needed.
    return TokenSet(
        access_token=config.access_token or SecretStr(""),
        access_token_expires_at=UNKNOWN_EXPIRY if config.access_token else epoch,
        refresh_token=config.refresh_token or SecretStr(""),
        refresh_token_expires_at=UNKNOWN_EXPIRY if config.refresh_token else epoch,
    )


def _parse_time(value: str | None) -> int | None:
    if value is None or value == "":
        return None
    if not value.isdigit():
        raise ValueError(f"not a TikTok Shop checkpoint: {value!r}")
    return int(value)


def _since(checkpoint: int | None, overlap: timedelta) -> int | None:
    """The lower `update_time` bound of a read resuming at `checkpoint`, overlap included."""
    return None if checkpoint is None else max(0, checkpoint - int(overlap.total_seconds()))


def _newest(mark: int | None, times: Iterable[int | None]) -> int | None:
    """The latest of `mark` and `times`, ignoring missing values."""
    return max((t for t in (mark, *times) if t is not None), default=None)


def _describe(error: ApiError) -> str:
    if isinstance(error, TikTokAPIError):
        return f"TikTok {error.code}: {error.platform_message}"
    return str(error)


def _failure(key: str, error: ApiError) -> WriteResult:
    """A failed result for a call TikTok refused; auth errors are not results, they stop the run."""
    if isinstance(error, AuthError):
        raise error
    return WriteResult.failed(key, _describe(error), retryable=isinstance(error, TransientApiError))


def _attempt(call: Callable[[], T]) -> T | ApiError:
    """The call's value, or the API error it raised (auth errors still raise)."""
    try:
        return call()
    except AuthError:
        raise
    except ApiError as exc:
        return exc


def _mapped(
    raw: Iterable[T], key: Callable[[T], str], convert: Callable[[T], R]
) -> tuple[list[R], list[RejectedRecord]]:
    records: list[R] = []
    rejected: list[RejectedRecord] = []
    for item in raw:
        try:
            records.append(convert(item))
        except ValueError as exc:  # includes pydantic's ValidationError
            rejected.append(RejectedRecord(key=key(item), reason=str(exc)))
    return records, rejected


class TikTokShopConnector(Connector):
    """TikTok Shop: catalog sink, stock sink and source, orders, order references, fulfilment, returns."""

    name = "tiktok_shop"
    config_model = TikTokShopConfig

    def __init__(
        self,
        config: BaseModel,
        *,
        base_url: str | None = None,
        clock: Clock | None = None,
        vault: CredentialVault | None = None,
        token_store: TokenStore | None = None,
    ) -> None:
        super().__init__(config, base_url=base_url, clock=clock, vault=vault)
        assert isinstance(config, TikTokShopConfig)  # checked by the base class; narrows the type
        self.settings = config
        timeout = config.timeout.total_seconds()
        self.client = TikTokShopClient(
            config.app_key,
            config.app_secret,
            # Tokens live in the vault (the daemon's encrypted table); the config's only bootstrap it.
            token_store=token_store or VaultTokenStore(self.vault, _config_tokens(config)),
            base_url=(base_url or str(config.api_base_url)).rstrip("/"),
            auth_base_url=(base_url or str(config.auth_base_url)).rstrip("/"),
            timeout=timeout,
            retry_policy=RetryPolicy(
                max_attempts=config.max_attempts, max_elapsed=config.retry_budget.total_seconds(), clock=self.clock
            ),
            requests_per_second=config.requests_per_second,
            burst=config.burst,
            refresh_margin=config.refresh_margin,
            clock=self.clock,
        )
        # Source images live on the store's CDN, not TikTok: a plain client with the same timeouts.
        self._images = build_client(platform="tiktok_shop_images", base_url="", timeout=timeout, clock=self.clock)
        self._lock = threading.Lock()
        self._shop: ShopClient | None = None
        self._warehouse_id: str | None = None
        self._uploaded: dict[str, str] = {}  # source image URL -> TikTok image uri
        self._created: dict[date, int] = {}

    def close(self) -> None:
        """Close the TikTok client and the image downloader."""
        self.client.close()
        self._images.close()

    # -- shop, warehouse, health -----------------------------------------------------------------------

    def authorization_url(self, state: str) -> str:
        """The page where the seller authorises the app (the service link when `service_id` is set)."""
        return self.client.auth.authorization_url(state, service_id=self.settings.service_id)

    def exchange_code(self, code: str) -> dict[str, str]:
        """Trade the redirect's code for tokens; the token store saves them to the vault."""
        tokens = self.client.auth.get_token(code)
        return {
            "seller": tokens.seller_name or "",
            "region": tokens.seller_base_region or "",
            "access token expires": tokens.access_token_expires_at.isoformat(),
            "refresh token expires": tokens.refresh_token_expires_at.isoformat(),
            "scopes": ", ".join(tokens.granted_scopes),
        }

    def accounts(self) -> list[Account]:
        """The shops the stored authorisation reaches, with their ciphers."""
        return [
            Account(
                id=shop.id,
                name=shop.name or "",
                handle=shop.cipher,
                details={k: v for k, v in (("region", shop.region), ("type", shop.seller_type)) if v},
            )
            for shop in self.client.seller.shops()
        ]

    def check(self) -> None:
        """List the authorised shops; raises AuthError if TikTok refuses the credentials or lacks the shop."""
        self._resolve_shop(self.client.seller.shops())

    def _resolve_shop(self, shops: Sequence[AuthorizedShop]) -> ShopClient:
        wanted_cipher, wanted_id = self.settings.shop_cipher, self.settings.shop_id
        for shop in shops:
            if shop.cipher == wanted_cipher or (not wanted_cipher and shop.id == wanted_id):
                with self._lock:
                    self._shop = self._shop or self.client.for_shop(shop.cipher)
                    return self._shop
        raise AuthError(f"the TikTok Shop authorisation does not cover shop {wanted_id or wanted_cipher}")

    @property
    def shop(self) -> ShopClient:
        """The configured shop's API view; a shop id is resolved to its cipher once."""
        if self._shop is not None:
            return self._shop
        if self.settings.shop_cipher:
            with self._lock:
                self._shop = self._shop or self.client.for_shop(self.settings.shop_cipher)
                return self._shop
        return self._resolve_shop(self.client.seller.shops())

    def default_warehouse_id(self) -> str:
        """The shop's default sales warehouse (fetched once)."""
        if self._warehouse_id is None:
            found = mapping.default_warehouse(self.shop.logistics.warehouses())
            if found is None:
                raise FatalApiError("the TikTok shop has no enabled sales warehouse", platform=self.name)
            self._warehouse_id = found
        return self._warehouse_id

    # -- catalog sink ----------------------------------------------------------------------------------

    def _products_with_skus(self, skus: Iterable[str]) -> list[TikTokProduct]:
        wanted = list(dict.fromkeys(s for s in skus if s))
        found: dict[str, TikTokProduct] = {}
        for start in range(0, len(wanted), SKU_SEARCH_CHUNK):
            filters = ProductSearchFilter(seller_skus=wanted[start : start + SKU_SEARCH_CHUNK])
            for page in self.shop.products.iter_search(filters, page_size=100):
                found.update((p.id, p) for p in page.products if not mapping.is_deleted(p))
        # The best holder of a SKU comes last, so it wins when the products are mapped into a dict.
        return sorted(found.values(), key=mapping.holder_rank)

    def find_variants_by_sku(self, skus: Sequence[str]) -> dict[str, Product]:
        """Map each SKU already listed on TikTok (by `seller_sku`) to the TikTok product holding it."""
        wanted = set(skus)
        found: dict[str, Product] = {}
        for raw in self._products_with_skus(wanted):
            try:
                product = mapping.product_to_domain(raw)
            except ValueError as exc:
                logger.warning("TikTok product %s could not be read: %s", raw.id, exc)
                continue
            found.update((v.sku, product) for v in product.variants if v.sku in wanted)
        return found

    def upsert_listings(self, listings: Sequence[Listing]) -> list[WriteResult]:
        """Create listings (no `external_id`) or update their store-owned fields; one result per listing."""
        return [self._upsert(listing) for listing in listings]

    def _upsert(self, listing: Listing) -> WriteResult:
        key = listing.product.external_id
        try:
            return self._update(listing) if listing.external_id else self._create(listing)
        except ImageFetchError as exc:
            return WriteResult.failed(key, str(exc), retryable=exc.retryable)
        except ApiError as exc:
            return _failure(key, exc)
        except ValueError as exc:
            return WriteResult.failed(key, f"cannot list on TikTok Shop: {exc}")

    def _create(self, listing: Listing) -> WriteResult:
        key = listing.product.external_id
        today = self.clock.now().date()
        with self._lock:
            if self._created.get(today, 0) >= self.settings.daily_listing_cap:
                return WriteResult.failed(key, "daily listing cap reached", retryable=True)
        spec = mapping.listing_spec(listing)
        skus = mapping.sku_inputs(listing, self.default_warehouse_id())
        uris = self._upload_images(listing.product.image_urls[:MAX_MAIN_IMAGES])
        # Same source product, same day: a create retried after a lost answer returns the first product.
        idempotency_key = hashlib.sha256(f"{key}|{today.isoformat()}".encode()).hexdigest()[:32]
        created = self.shop.products.create(mapping.product_input(listing, spec, skus, uris, idempotency_key))
        if not created.product_id:
            return WriteResult.failed(key, "TikTok accepted the product but returned no product id", retryable=True)
        with self._lock:
            self._created = {today: self._created.get(today, 0) + 1}
        details = {sku.seller_sku: sku.id for sku in created.skus if sku.seller_sku}
        return WriteResult(key=key, status=WriteStatus.CREATED, external_id=created.product_id, details=details)

    def _update(self, listing: Listing) -> WriteResult:
        assert listing.external_id is not None
        product_id = listing.external_id
        current = self.shop.products.get(product_id)
        urls = listing.product.image_urls[:MAX_MAIN_IMAGES]
        changes = mapping.listing_changes(listing.product, current, self._upload_images(urls) if urls else None)
        prices = mapping.price_updates(listing.product, current)
        if changes is not None:
            self.shop.products.partial_edit(product_id, changes)
        if prices:
            self.shop.products.update_prices(product_id, prices)
        status = WriteStatus.UPDATED if changes is not None or prices else WriteStatus.UNCHANGED
        return WriteResult(
            key=listing.product.external_id,
            status=status,
            external_id=product_id,
            details=mapping.sku_ids(current),
        )

    def _upload_images(self, urls: Sequence[str]) -> list[str]:
        uris = []
        for url in urls:
            uri = self._uploaded.get(url)
            if uri is None:
                data, content_type = self._fetch_image(url)
                name = PurePosixPath(urlsplit(url).path).name or "image"
                uri = self.shop.products.upload_image(data, filename=name, content_type=content_type).uri
                with self._lock:
                    self._uploaded[url] = uri
            uris.append(uri)
        return uris

    def _fetch_image(self, url: str) -> tuple[bytes, str]:
        shown = redact_url(url)
        try:
            with self._images.stream("GET", url, follow_redirects=True) as response:
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

    # -- stock -----------------------------------------------------------------------------------------

    def read_stock(self, since: str | None) -> Iterator[Page[StockLevel]]:
        """Every SKU's available quantity per warehouse: always a full read (TikTok has no stock change feed).

        Pages before the last carry no checkpoint; the last carries the read's start time, which a later
        read accepts and ignores.
        """
        started = str(int(self.clock.now().timestamp()))
        for page in self.shop.products.iter_search(None, page_size=self.settings.page_size):
            product_ids = [p.id for p in page.products if not mapping.is_deleted(p)]
            inventory = self.shop.products.search_inventory(product_ids=product_ids) if product_ids else []
            levels: list[StockLevel] = []
            rejected: list[RejectedRecord] = []
            for product in inventory:
                for sku in product.skus:
                    try:
                        levels.extend(mapping.stock_levels(sku))
                    except ValueError as exc:
                        rejected.append(RejectedRecord(key=sku.id, reason=str(exc)))
            yield Page(levels, checkpoint=None if page.has_next_page else started, rejected=rejected)

    def write_stock(self, updates: Sequence[StockUpdate]) -> list[WriteResult]:
        """Set quantities with one inventory call per TikTok product; one result per update, keyed by SKU.

        TikTok has no compare-and-set, so `expected` is not checked.
        """
        unknown = [u.sku for u in updates if not (u.product_external_id and u.variant_external_id)]
        found = _attempt(lambda: self._products_with_skus(unknown)) if unknown else []
        located = {
            sku.seller_sku: (product.id, sku.id)
            for product in (found if isinstance(found, list) else [])
            for sku in product.skus
            if sku.seller_sku
        }
        default = _attempt(self.default_warehouse_id) if any(not u.location_id for u in updates) else None
        results: dict[int, WriteResult] = {}
        by_product: dict[str, list[tuple[int, str, str]]] = {}
        for index, update in enumerate(updates):
            product_id, sku_id = located.get(update.sku, (None, None))
            product_id, sku_id = update.product_external_id or product_id, update.variant_external_id or sku_id
            warehouse_id = update.location_id or default
            if not (product_id and sku_id):
                missing = WriteResult.failed(update.sku, "the SKU is not listed on TikTok Shop")
                results[index] = _failure(update.sku, found) if isinstance(found, ApiError) else missing
            elif isinstance(warehouse_id, ApiError):
                results[index] = _failure(update.sku, warehouse_id)
            else:
                assert warehouse_id is not None  # fetched above whenever an update names no warehouse
                by_product.setdefault(product_id, []).append((index, sku_id, warehouse_id))
        for product_id, entries in by_product.items():
            results.update(self._write_product_stock(product_id, entries, updates))
        return [results[index] for index in range(len(updates))]

    def _write_product_stock(
        self, product_id: str, entries: list[tuple[int, str, str]], updates: Sequence[StockUpdate]
    ) -> list[tuple[int, WriteResult]]:
        quantities: dict[str, dict[str, int]] = {}
        for index, sku_id, warehouse_id in entries:
            quantities.setdefault(sku_id, {})[warehouse_id] = mapping.clamp_quantity(updates[index].quantity)
        skus = [
            SkuInventoryUpdate(
                id=sku_id, inventory=[InventoryQuantity(warehouse_id=w, quantity=q) for w, q in by.items()]
            )
            for sku_id, by in quantities.items()
        ]
        try:
            outcome = self.shop.products.update_inventory(product_id, skus)
        except ApiError as exc:
            return [(index, _failure(updates[index].sku, exc)) for index, _, _ in entries]
        by_item = {(o.key, o.warehouse_id): o for o in outcome.outcomes}
        results = []
        for index, sku_id, warehouse_id in entries:
            sku = updates[index].sku
            item = by_item.get((sku_id, warehouse_id))
            if item is None or item.ok:
                results.append((index, WriteResult(key=sku, status=WriteStatus.UPDATED, external_id=sku_id)))
            else:
                results.append((index, WriteResult.failed(sku, f"TikTok {item.code}: {item.message}")))
        return results

    # -- orders ----------------------------------------------------------------------------------------

    def read_orders(self, since: str | None) -> Iterator[Page[Order]]:
        """Orders changed since the checkpoint (unix seconds of the newest `update_time` read), oldest first.

        Windows overlap by the config's `read_overlap`, so a resumed read may repeat orders; within one read each order
        comes once. Details are fetched 50 ids per call.
        """
        mark = _parse_time(since)
        filters = OrderSearchFilter(update_time_ge=_since(mark, self.settings.read_overlap))
        seen: set[str] = set()
        pages = self.shop.orders.iter_search(filters, page_size=self.settings.page_size, **mapping.BY_UPDATE_TIME)
        for page in pages:
            ids = list(dict.fromkeys(o.id for o in page.orders if o.id not in seen))
            seen.update(ids)
            # The sort key only grows page by page, so everything before it has been read.
            mark = _newest(mark, (o.update_time for o in page.orders))
            details, rejected = self._order_details(ids)
            wanted = [details[i] for i in ids if i in details]
            orders, bad = _mapped(wanted, lambda o: o.id, mapping.order_to_domain)
            yield Page(orders, checkpoint=None if mark is None else str(mark), rejected=[*rejected, *bad])

    def get_orders(self, external_ids: Sequence[str]) -> list[Order]:
        """These orders by id; missing ones are left out, unreadable ones logged and left out."""
        ids = list(dict.fromkeys(i for i in external_ids if i))
        details, rejected = self._order_details(ids)
        orders, bad = _mapped([details[i] for i in ids if i in details], lambda o: o.id, mapping.order_to_domain)
        for record in [*rejected, *bad]:
            logger.warning("TikTok order %s could not be read: %s", record.key, record.reason)
        return orders

    def _order_details(self, ids: list[str]) -> tuple[dict[str, TikTokOrder], list[RejectedRecord]]:
        """Order details by id; a payload the client cannot parse is narrowed down to the orders that broke it."""
        if not ids:
            return {}, []
        try:
            return {o.id: o for o in self.shop.orders.get_details(ids)}, []
        except TikTokFatalError as exc:
            if not isinstance(exc.__cause__, ValidationError):
                raise
            if len(ids) == 1:
                return {}, [RejectedRecord(key=ids[0], reason=exc.platform_message)]
        details: dict[str, TikTokOrder] = {}
        rejected: list[RejectedRecord] = []
        for order_id in ids:
            found, bad = self._order_details([order_id])
            details.update(found)
            rejected.extend(bad)
        return details, rejected

    # -- order references ------------------------------------------------------------------------------

    def add_order_references(self, references: Sequence[OrderReference]) -> list[WriteResult]:
        """Link TikTok orders to their store orders (100 per call); one result per reference."""
        if not references:
            return []
        groups = self._line_groups([r.order_external_id for r in references if r.line_ids])
        inputs = [
            ExternalOrderReference(
                id=r.order_external_id,
                external_order=ExternalOrderInput(
                    id=r.store_order_id,
                    platform=mapping.external_platform(r.store_platform),
                    line_items=mapping.reference_lines(r.line_ids, groups.get(r.order_external_id, {})),
                ),
            )
            for r in references
        ]
        batch = self.shop.orders.add_external_references(inputs)
        results = []
        for reference, outcome in zip(references, batch.outcomes, strict=True):
            if outcome.ok:
                results.append(
                    WriteResult(
                        key=reference.order_external_id,
                        status=WriteStatus.UPDATED,
                        external_id=reference.store_order_id,
                    )
                )
            else:
                message = f"TikTok {outcome.code}: {outcome.message}"
                results.append(WriteResult.failed(reference.order_external_id, message, retryable=outcome.retryable))
        return results

    def _line_groups(self, order_ids: list[str]) -> dict[str, dict[str, list[str]]]:
        if not order_ids:
            return {}
        try:
            details, _ = self._order_details(list(dict.fromkeys(order_ids)))
        except AuthError:
            raise
        except ApiError as exc:
            # Without the units the references still go, naming the lines syncd knows.
            logger.warning("TikTok order lines could not be read for references: %s", _describe(exc))
            return {}
        return {order_id: mapping.line_groups(order) for order_id, order in details.items()}

    def find_order_by_reference(self, store_platform: str, store_order_id: str) -> str | None:
        """The TikTok order linked to this store order, if any."""
        platform = mapping.external_platform(store_platform)
        for match in self.shop.orders.search_by_external_reference(platform, store_order_id):
            if match.external_order is None or match.external_order.id == store_order_id:
                return match.id
        return None

    # -- fulfilment ------------------------------------------------------------------------------------

    def write_fulfilments(self, fulfilments: Sequence[Fulfilment]) -> list[WriteResult]:
        """Mark packages shipped with tracking number and provider id (`carrier`); shipped ones are UNCHANGED."""
        try:
            details, rejected = self._order_details(list(dict.fromkeys(f.order_external_id for f in fulfilments)))
        except ApiError as exc:
            return [_failure(f.external_id, exc) for f in fulfilments]
        unreadable = {r.key: r.reason for r in rejected}
        results = []
        for fulfilment in fulfilments:
            order = details.get(fulfilment.order_external_id)
            if order is None:
                reason = unreadable.get(fulfilment.order_external_id, "not found")
                results.append(
                    WriteResult.failed(fulfilment.external_id, f"TikTok order {fulfilment.order_external_id}: {reason}")
                )
                continue
            results.append(self._ship(fulfilment, order))
        return results

    def _ship(self, fulfilment: Fulfilment, order: TikTokOrder) -> WriteResult:
        key = fulfilment.external_id
        if order.status in mapping.SHIPPED_ORDER_STATUSES:
            return WriteResult(key=key, status=WriteStatus.UNCHANGED)
        if order.status not in mapping.SHIPPABLE_ORDER_STATUSES:
            # Unpaid and on-hold orders become shippable later; cancelled ones never do.
            waiting = order.status in mapping.NOT_YET_SHIPPABLE_ORDER_STATUSES
            return WriteResult.failed(key, f"a TikTok order in {order.status} cannot be shipped", retryable=waiting)
        if not fulfilment.tracking_number or not fulfilment.carrier:
            return WriteResult.failed(key, "a tracking number and a TikTok shipping provider id are required")
        units = mapping.units_to_ship(order, fulfilment.line_external_ids)
        if not units:
            return WriteResult(key=key, status=WriteStatus.UNCHANGED)
        try:
            shipped = self.shop.fulfillment.mark_package_shipped(
                order.id, fulfilment.tracking_number, fulfilment.carrier, order_line_item_ids=units
            )
        except ApiError as exc:
            # A failure that may have been applied is not retried by the client; the next attempt re-reads
            # the order and finds it shipped (UNCHANGED) if it was.
            return _failure(key, exc)
        return WriteResult(key=key, status=WriteStatus.CREATED, external_id=shipped.package_id or None)

    # -- returns ---------------------------------------------------------------------------------------

    def read_returns(self, since: str | None) -> Iterator[Page[Return]]:
        """Cancellations, then returns and refunds, changed since the checkpoint, oldest change first.

        The checkpoint is `<cancellations>:<returns>`, each the newest `update_time` read in that search,
        so a read resumed from any page loses nothing; windows overlap by the config's `read_overlap`.
        """
        first, _, second = (since or "").partition(":")
        marks = [_parse_time(first), _parse_time(second or first)]
        size = min(self.settings.page_size, AFTERSALES_PAGE_SIZE)
        seen: set[str] = set()
        cancellations = self.shop.returns.iter_search_cancellations(
            CancellationSearchFilter(update_time_ge=_since(marks[0], self.settings.read_overlap)),
            page_size=size,
            **mapping.BY_UPDATE_TIME,
        )
        yield from _after_sales(
            (p.cancellations for p in cancellations),
            marks,
            0,
            seen,
            lambda c: c.cancel_id,
            mapping.cancellation_to_domain,
        )
        returns = self.shop.returns.iter_search_returns(
            ReturnSearchFilter(update_time_ge=_since(marks[1], self.settings.read_overlap)),
            page_size=size,
            **mapping.BY_UPDATE_TIME,
        )
        yield from _after_sales(
            (p.return_orders for p in returns), marks, 1, seen, lambda r: r.return_id, mapping.return_to_domain
        )


def _after_sales(
    pages: Iterable[Sequence[A]],
    marks: list[int | None],
    slot: int,
    seen: set[str],
    key: Callable[[A], str],
    convert: Callable[[A], Return],
) -> Iterator[Page[Return]]:
    """Pages of one after-sales search, each record once, moving `marks[slot]` to the newest change read."""
    for items in pages:
        fresh = [item for item in items if key(item) not in seen]
        seen.update(key(item) for item in fresh)
        marks[slot] = _newest(marks[slot], (item.update_time for item in items))
        records, rejected = _mapped(fresh, key, convert)
        checkpoint = None if marks == [None, None] else f"{marks[0] or 0}:{marks[1] or 0}"
        yield Page(records, checkpoint=checkpoint, rejected=rejected)
