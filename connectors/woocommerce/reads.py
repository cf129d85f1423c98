"""Incremental reads of products (with their variations), as catalog pages or as stock levels.

Products are listed `orderby=modified&order=asc` with `modified_after` (and `dates_are_gmt=true`), `per_page`
at a time. Because the order is ascending, a checkpoint can be emitted after every page. Each request is
anchored at the checkpoint (less the overlap) rather than walking `page=2, 3, ...` of one fixed query: with a
fixed query, a product saved mid-read jumps to the end and every later one shifts a place to the left, so the
product at the next page boundary would be skipped, and the checkpoint would move past it. Page numbers are
used only when a whole page lies inside the overlap window (a bulk edit inside a few seconds), where
re-anchoring could not make progress. `X-WP-TotalPages` says when the last page has been read.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Generic, TypeVar

from pydantic import ValidationError

from connectors.woocommerce.client import WooClient
from connectors.woocommerce.mapping import SYNCED_TYPES
from connectors.woocommerce.models import WooProduct, WooVariation, format_gmt, parse_gmt
from connectors.woocommerce.watermark import Watermark
from syncd.connector import Page, RejectedRecord
from syncd.http import PaginationError

T = TypeVar("T")
# Only what the mapping reads (WordPress's `_fields`): stores keep large descriptions and plugin meta on items.
PRODUCT_FIELDS = (
    "id,name,type,status,sku,price,regular_price,sale_price,on_sale,manage_stock,stock_quantity,stock_status,"
    "weight,global_unique_id,date_modified_gmt,description,categories,tags,images,parent_id"
)
VARIATION_FIELDS = (
    "id,sku,status,price,regular_price,sale_price,on_sale,manage_stock,stock_quantity,stock_status,"
    "weight,global_unique_id,date_modified_gmt,attributes,image,parent_id"
)


@dataclass(frozen=True, slots=True)
class Row:
    """One product of a list page: parsed, or why it could not be."""

    key: str
    modified: datetime | None
    product: WooProduct | None = None
    problem: str | None = None


def scan_products(client: WooClient, watermark: Watermark) -> Iterator[list[Row]]:
    """Pages of products changed after the watermark, oldest change first, each version once.

    The caller advances `watermark` for every record it handles before asking for the next page; the next
    request is anchored on it. Raw JSON is dropped before a page is handed on.
    """
    size = client.page_size
    anchor = watermark.lower_bound()
    page = 1
    while True:
        params: dict[str, str | int] = {
            "orderby": "modified",
            "order": "asc",
            "dates_are_gmt": "true",
            "per_page": size,
            "page": page,
            "_fields": PRODUCT_FIELDS,
        }
        if anchor is not None:
            params["modified_after"] = format_gmt(anchor)
        response = client.send("GET", "products", params=params)
        raw_rows = response.json()
        if not isinstance(raw_rows, list):
            raise PaginationError("GET products did not return a list")
        total_pages = response.headers.get("X-WP-TotalPages", "").strip()
        last = len(raw_rows) < size or (total_pages.isdigit() and page >= int(total_pages))
        rows = [_row(raw) for raw in raw_rows]
        del response, raw_rows
        yield [row for row in rows if row.modified is None or watermark.is_new(row.key, row.modified)]
        if last:
            return
        next_anchor = watermark.lower_bound()
        if next_anchor is not None and next_anchor != anchor and watermark.in_window < size:
            anchor, page = next_anchor, 1
        else:
            page += 1


def _row(raw: Any) -> Row:
    key = str(raw.get("id")) if isinstance(raw, dict) else "?"
    modified = _modified(raw)
    try:
        return Row(key, modified, product=WooProduct.model_validate(raw))
    except ValidationError as exc:
        return Row(key, modified, problem=f"invalid product payload: {_short(exc)}")


def _modified(raw: Any) -> datetime | None:
    value = raw.get("date_modified_gmt") if isinstance(raw, dict) else None
    if not isinstance(value, str):
        return None
    try:
        return parse_gmt(value)
    except ValueError:
        return None


@dataclass
class PageBuffer(Generic[T]):
    """Records gathered until there are enough variants to make a page."""

    records: list[T] = field(default_factory=list)
    rejected: list[RejectedRecord] = field(default_factory=list)
    weight: int = 0

    def take(self, watermark: Watermark) -> Page[T]:
        """The buffered records as a page checkpointed at `watermark`; the buffer starts over."""
        page = Page(records=list(self.records), checkpoint=watermark.encode(), rejected=list(self.rejected))
        self.records.clear()
        self.rejected.clear()
        self.weight = 0
        return page


# Turns one product (with its variations, for a variable one) into records, rejections and a weight.
Convert = Callable[[WooProduct, list[WooVariation]], tuple[list[T], list[RejectedRecord]]]


def read_changed(
    client: WooClient,
    since: str | None,
    watermark: Watermark,
    convert: Convert[T],
    variation_params: dict[str, str | int] | None = None,
) -> Iterator[Page[T]]:
    """Pages of records built from products changed after `since`, at most about `page_size` variants each.

    Only the current product page and the variations of one product are held at a time, so a catalog of
    any size streams in bounded memory.
    """
    size = client.page_size
    buffer: PageBuffer[T] = PageBuffer()
    last_checkpoint = since
    for rows in scan_products(client, watermark):
        for row in rows:
            if row.product is None:
                buffer.rejected.append(RejectedRecord(f"product:{row.key}", row.problem or "invalid product"))
            else:
                _handle(client, row.product, convert, buffer, variation_params)
            if row.modified is not None:
                watermark.advance(row.key, row.modified)
            if buffer.weight >= size:
                page = buffer.take(watermark)
                last_checkpoint = page.checkpoint
                yield page
    # The rest, or an empty page that moves the checkpoint past products that yielded nothing.
    if buffer.records or buffer.rejected or watermark.encode() != last_checkpoint:
        yield buffer.take(watermark)


def _handle(
    client: WooClient,
    product: WooProduct,
    convert: Convert[T],
    buffer: PageBuffer[T],
    variation_params: dict[str, str | int] | None,
) -> None:
    if product.type not in SYNCED_TYPES:
        return  # grouped and external products have nothing to sell or count
    variations: list[WooVariation] = []
    if product.type == "variable":
        endpoint = f"products/{product.id}/variations"
        params: dict[str, str | int] = {"orderby": "id", "order": "asc", "_fields": VARIATION_FIELDS}
        params.update(variation_params or {})
        for raw_page in client.pages(endpoint, params):
            for raw in raw_page:
                try:
                    variations.append(WooVariation.model_validate(raw))
                except ValidationError as exc:
                    vkey = f"variation:{raw.get('id')}" if isinstance(raw, dict) else "variation:?"
                    buffer.rejected.append(RejectedRecord(vkey, f"invalid variation payload: {_short(exc)}"))
    records, rejected = convert(product, variations)
    buffer.records.extend(records)
    buffer.rejected.extend(rejected)
    buffer.weight += max(1, len(variations))


def _short(exc: ValidationError) -> str:
    errors = exc.errors()
    if not errors:
        return "invalid"
    where = ".".join(str(part) for part in errors[0]["loc"])
    return f"{where}: {errors[0]['msg']}" if where else errors[0]["msg"]
