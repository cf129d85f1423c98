"""Reading the catalog: paged queries sorted by `updatedAt` for increments, a bulk operation for big backfills.

Paged reads ask for `updated_at:>'<checkpoint>'` sorted by UPDATED_AT ascending, so every page can carry a
checkpoint (see `checkpoints`). Products whose variants do not fit in the first page get the rest through
follow-up pages of `product.variants`. A backfill (no checkpoint) of more than `bulk_threshold` products runs a
bulk operation instead; its pages carry no checkpoint until the last one, as a bulk file has no order.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

from pydantic import ValidationError

from connectors.shopify import queries
from connectors.shopify.api import ShopifyGraphQL
from connectors.shopify.bulk import BulkRunner, assemble_products
from connectors.shopify.checkpoints import Watermark, parse_checkpoint, updated_after
from connectors.shopify.mapping import product_to_domain
from connectors.shopify.models import ProductNode, VariantConnection
from syncd.connector import Page, RejectedRecord
from syncd.domain import Product

logger = logging.getLogger("connectors.shopify.catalog")
# Variants per follow-up page of one product (cost about 2 + 7 per variant).
MORE_VARIANTS_PAGE = 100

RawPage = tuple[list[ProductNode], list[RejectedRecord]]


class CatalogReader:
    """Products and variants of one shop, as domain pages."""

    def __init__(self, api: ShopifyGraphQL, currency: Callable[[], str], bulk: BulkRunner) -> None:
        self.api = api
        self.config = api.config
        self.currency = currency
        self.bulk = bulk

    def read(self, since: str | None) -> Iterator[Page[Product]]:
        """Products changed after the checkpoint `since` (every product when None)."""
        after = parse_checkpoint(since)
        watermark = Watermark(after, self.config.cursor_lag)
        # A generator: nothing is asked of Shopify until the first page is wanted.
        if after is None and self._should_bulk():
            yield from self._bulk_pages(watermark)
        else:
            yield from self._paged(watermark)

    def _should_bulk(self) -> bool:
        threshold = self.config.bulk_threshold
        data = self.api.execute(queries.PRODUCTS_COUNT, {"query": None, "limit": threshold + 1})
        count = data.get("productsCount") or {}
        return int(count.get("count") or 0) > threshold

    # -- paged --------------------------------------------------------------------------------------------------

    def _paged(self, watermark: Watermark) -> Iterator[Page[Product]]:
        held: RawPage | None = None
        for raw in self._raw_pages(watermark):
            nodes = raw[0]
            if held is not None:
                yield self._page(held, watermark, next_first=nodes[0].updated_at if nodes else None)
            held = raw
        if held is not None:
            yield self._page(held, watermark, next_first=None)

    def _raw_pages(self, watermark: Watermark) -> Iterator[RawPage]:
        variables = {
            "first": self.config.page_size,
            "variants": self.config.variants_page_size,
            "query": updated_after(watermark.since),
        }
        for records, _response in self.api.pages(queries.PRODUCTS, variables, "products"):
            watermark.started(self.api.last_server_time)
            nodes: list[ProductNode] = []
            rejected: list[RejectedRecord] = []
            for raw in records:
                try:
                    nodes.append(self._complete(ProductNode.model_validate(raw)))
                except ValidationError as exc:
                    rejected.append(
                        RejectedRecord(key=_key(raw), reason=f"unreadable product: {exc.error_count()} error(s)")
                    )
            yield nodes, rejected

    def _complete(self, node: ProductNode) -> ProductNode:
        """The product with all of its variants, fetching the pages after the first."""
        if not node.variants.page_info.has_next_page:
            return node
        variants = list(node.variants.nodes)
        variables = {"id": node.id, "first": MORE_VARIANTS_PAGE, "after": node.variants.page_info.end_cursor}
        for records, _ in self.api.pages(queries.PRODUCT_VARIANTS, variables, "product.variants"):
            variants.extend(VariantConnection.model_validate({"nodes": records}).nodes)
        return node.model_copy(update={"variants": VariantConnection(nodes=variants)})

    def _page(self, raw: RawPage, watermark: Watermark, next_first: datetime | None) -> Page[Product]:
        nodes, rejected = raw
        products, more_rejected = self._to_domain(nodes)
        checkpoint = watermark.sorted_page([n.updated_at for n in nodes], next_first)
        return Page(records=products, checkpoint=checkpoint, rejected=[*rejected, *more_rejected])

    def _to_domain(self, nodes: list[ProductNode]) -> tuple[list[Product], list[RejectedRecord]]:
        currency = self.currency()
        products: list[Product] = []
        rejected: list[RejectedRecord] = []
        for node in nodes:
            try:
                product, problems = product_to_domain(node, currency)
            except (ValidationError, ValueError) as exc:
                rejected.append(RejectedRecord(key=node.id, reason=f"{type(exc).__name__}: {exc}"[:500]))
                continue
            rejected.extend(problems)
            if product is not None:
                products.append(product)
        return products, rejected

    # -- bulk ---------------------------------------------------------------------------------------------------

    def _bulk_pages(self, watermark: Watermark) -> Iterator[Page[Product]]:
        query = queries.BULK_PRODUCTS % {"filter": ""}
        operation = self.bulk.run(query)
        # The export is a snapshot from when the operation was created: later changes are the next read's.
        watermark.started(operation.created_at)
        logger.info("shopify bulk export ready: %s lines", operation.object_count)
        if operation.url is None:  # Shopify gives no file when the export is empty
            yield Page(records=[], checkpoint=watermark.finish())
            return
        with self.bulk.open(operation.url) as lines:
            batch: list[ProductNode] = []
            rejected: list[RejectedRecord] = []
            for item in assemble_products(lines):
                if isinstance(item, RejectedRecord):
                    rejected.append(item)
                    continue
                try:
                    batch.append(ProductNode.model_validate(item))
                except ValidationError as exc:
                    rejected.append(
                        RejectedRecord(key=_key(item), reason=f"unreadable product: {exc.error_count()} error(s)")
                    )
                if len(batch) >= self.config.page_size:
                    yield self._bulk_page(batch, rejected, watermark)
                    batch, rejected = [], []
            yield self._bulk_page(batch, rejected, watermark, final=True)

    def _bulk_page(
        self, batch: list[ProductNode], rejected: list[RejectedRecord], watermark: Watermark, *, final: bool = False
    ) -> Page[Product]:
        products, more = self._to_domain(batch)
        watermark.unsorted_page([n.updated_at for n in batch])
        return Page(records=products, checkpoint=watermark.finish() if final else None, rejected=[*rejected, *more])


def _key(raw: Any) -> str:
    return str(raw.get("id")) if isinstance(raw, dict) and raw.get("id") else "unknown product"
