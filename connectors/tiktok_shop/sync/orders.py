"""Orders: incremental reads over overlapping windows, details 50 ids a call, and external order references."""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence

from pydantic import ValidationError

from connectors.tiktok_shop import mapping
from connectors.tiktok_shop.errors import TikTokFatalError
from connectors.tiktok_shop.models import ExternalOrderInput, ExternalOrderReference, OrderSearchFilter
from connectors.tiktok_shop.models import Order as TikTokOrder
from connectors.tiktok_shop.sync.context import ShopContext
from connectors.tiktok_shop.sync.results import describe, mapped, newest, parse_time, window_start
from syncd.connector import Page, RejectedRecord, WriteResult, WriteStatus
from syncd.domain import Order, OrderReference
from syncd.errors import ApiError, AuthError

logger = logging.getLogger(__name__)


def read_orders(context: ShopContext, since: str | None) -> Iterator[Page[Order]]:
    """Orders changed since the checkpoint, oldest first, each once per read; the checkpoint is unix seconds."""
    mark = parse_time(since)
    settings = context.settings
    filters = OrderSearchFilter(update_time_ge=window_start(mark, settings.read_overlap))
    seen: set[str] = set()
    pages = context.shop.orders.iter_search(filters, page_size=settings.page_size, **mapping.BY_UPDATE_TIME)
    for page in pages:
        ids = list(dict.fromkeys(o.id for o in page.orders if o.id not in seen))
        seen.update(ids)
        # The sort key only grows page by page, so everything before it has been read.
        mark = newest(mark, (o.update_time for o in page.orders))
        details, rejected = order_details(context, ids)
        wanted = [details[i] for i in ids if i in details]
        orders, bad = mapped(wanted, lambda o: o.id, mapping.order_to_domain)
        yield Page(orders, checkpoint=None if mark is None else str(mark), rejected=[*rejected, *bad])


def get_orders(context: ShopContext, external_ids: Sequence[str]) -> list[Order]:
    """These orders by id; missing ones are left out, unreadable ones logged and left out."""
    ids = list(dict.fromkeys(i for i in external_ids if i))
    details, rejected = order_details(context, ids)
    orders, bad = mapped([details[i] for i in ids if i in details], lambda o: o.id, mapping.order_to_domain)
    for record in [*rejected, *bad]:
        logger.warning("TikTok order %s could not be read: %s", record.key, record.reason)
    return orders


def order_details(context: ShopContext, ids: list[str]) -> tuple[dict[str, TikTokOrder], list[RejectedRecord]]:
    """Order details by id; a payload the client cannot parse is narrowed down to the orders that broke it."""
    if not ids:
        return {}, []
    try:
        return {o.id: o for o in context.shop.orders.get_details(ids)}, []
    except TikTokFatalError as exc:
        if not isinstance(exc.__cause__, ValidationError):
            raise
        if len(ids) == 1:
            return {}, [RejectedRecord(key=ids[0], reason=exc.platform_message)]
    details: dict[str, TikTokOrder] = {}
    rejected: list[RejectedRecord] = []
    for order_id in ids:
        found, bad = order_details(context, [order_id])
        details.update(found)
        rejected.extend(bad)
    return details, rejected


def add_order_references(context: ShopContext, references: Sequence[OrderReference]) -> list[WriteResult]:
    """Link TikTok orders to their store orders (100 per call); one result per reference."""
    if not references:
        return []
    groups = _line_groups(context, [r.order_external_id for r in references if r.line_ids])
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
    batch = context.shop.orders.add_external_references(inputs)
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


def _line_groups(context: ShopContext, order_ids: list[str]) -> dict[str, dict[str, list[str]]]:
    if not order_ids:
        return {}
    try:
        details, _ = order_details(context, list(dict.fromkeys(order_ids)))
    except AuthError:
        raise
    except ApiError as exc:
        # Without the units the references still go, naming the lines syncd knows.
        logger.warning("TikTok order lines could not be read for references: %s", describe(exc))
        return {}
    return {order_id: mapping.line_groups(order) for order_id, order in details.items()}


def find_order_by_reference(context: ShopContext, store_platform: str, store_order_id: str) -> str | None:
    """The TikTok order linked to this store order, if any."""
    platform = mapping.external_platform(store_platform)
    for match in context.shop.orders.search_by_external_reference(platform, store_order_id):
        if match.external_order is None or match.external_order.id == store_order_id:
            return match.id
    return None
