"""The catalog sink: find TikTok products by seller SKU, create listings within the daily cap, update them."""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Iterable, Sequence
from datetime import date

from connectors.tiktok_shop import mapping
from connectors.tiktok_shop.models import Product as TikTokProduct
from connectors.tiktok_shop.models import ProductSearchFilter
from connectors.tiktok_shop.sync.context import ShopContext
from connectors.tiktok_shop.sync.images import ImageFetchError, ImageUploader
from connectors.tiktok_shop.sync.results import failure
from syncd.connector import WriteResult, WriteStatus
from syncd.domain import Listing, Product
from syncd.errors import ApiError

logger = logging.getLogger(__name__)

SKU_SEARCH_CHUNK = 50  # seller SKUs per product search
MAX_MAIN_IMAGES = 9  # TikTok shows at most nine main images


def products_with_skus(context: ShopContext, skus: Iterable[str]) -> list[TikTokProduct]:
    """The live TikTok products holding any of `skus`, the best holder of a SKU last."""
    wanted = list(dict.fromkeys(s for s in skus if s))
    found: dict[str, TikTokProduct] = {}
    for start in range(0, len(wanted), SKU_SEARCH_CHUNK):
        filters = ProductSearchFilter(seller_skus=wanted[start : start + SKU_SEARCH_CHUNK])
        for page in context.shop.products.iter_search(filters, page_size=100):
            found.update((p.id, p) for p in page.products if not mapping.is_deleted(p))
    # The best holder of a SKU comes last, so it wins when the products are mapped into a dict.
    return sorted(found.values(), key=mapping.holder_rank)


class ListingCatalog:
    """Finds TikTok products by seller SKU, creates them (at most `daily_listing_cap` a day) and updates them."""

    def __init__(self, context: ShopContext, images: ImageUploader) -> None:
        self.context = context
        self.images = images
        self._lock = threading.Lock()
        self._created: dict[date, int] = {}

    def find_variants_by_sku(self, skus: Sequence[str]) -> dict[str, Product]:
        """Each SKU already listed on TikTok mapped to the product holding it; unreadable products are logged."""
        wanted = set(skus)
        found: dict[str, Product] = {}
        for raw in products_with_skus(self.context, wanted):
            try:
                product = mapping.product_to_domain(raw)
            except ValueError as exc:
                logger.warning("TikTok product %s could not be read: %s", raw.id, exc)
                continue
            found.update((v.sku, product) for v in product.variants if v.sku in wanted)
        return found

    def upsert(self, listings: Sequence[Listing]) -> list[WriteResult]:
        """One result per listing: created when it has no `external_id`, else updated or unchanged."""
        return [self._upsert(listing) for listing in listings]

    def _upsert(self, listing: Listing) -> WriteResult:
        key = listing.product.external_id
        try:
            return self._update(listing) if listing.external_id else self._create(listing)
        except ImageFetchError as exc:
            return WriteResult.failed(key, str(exc), retryable=exc.retryable)
        except ApiError as exc:
            return failure(key, exc)
        except ValueError as exc:
            return WriteResult.failed(key, f"cannot list on TikTok Shop: {exc}")

    def _create(self, listing: Listing) -> WriteResult:
        key = listing.product.external_id
        today = self.context.clock.now().date()
        with self._lock:
            if self._created.get(today, 0) >= self.context.settings.daily_listing_cap:
                return WriteResult.failed(key, "daily listing cap reached", retryable=True)
        spec = mapping.listing_spec(listing)
        skus = mapping.sku_inputs(listing, self.context.default_warehouse_id())
        uris = self.images.upload(listing.product.image_urls[:MAX_MAIN_IMAGES])
        # Same source product, same day: a create retried after a lost answer returns the first product.
        idempotency_key = hashlib.sha256(f"{key}|{today.isoformat()}".encode()).hexdigest()[:32]
        created = self.context.shop.products.create(mapping.product_input(listing, spec, skus, uris, idempotency_key))
        if not created.product_id:
            return WriteResult.failed(key, "TikTok accepted the product but returned no product id", retryable=True)
        with self._lock:
            self._created = {today: self._created.get(today, 0) + 1}
        details = {sku.seller_sku: sku.id for sku in created.skus if sku.seller_sku}
        return WriteResult(key=key, status=WriteStatus.CREATED, external_id=created.product_id, details=details)

    def _update(self, listing: Listing) -> WriteResult:
        assert listing.external_id is not None
        product_id = listing.external_id
        products = self.context.shop.products
        current = products.get(product_id)
        urls = listing.product.image_urls[:MAX_MAIN_IMAGES]
        changes = mapping.listing_changes(listing.product, current, self.images.upload(urls) if urls else None)
        prices = mapping.price_updates(listing.product, current)
        if changes is not None:
            products.partial_edit(product_id, changes)
        if prices:
            products.update_prices(product_id, prices)
        status = WriteStatus.UPDATED if changes is not None or prices else WriteStatus.UNCHANGED
        return WriteResult(
            key=listing.product.external_id,
            status=status,
            external_id=product_id,
            details=mapping.sku_ids(current),
        )
