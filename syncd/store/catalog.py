"""The canonical catalog: products, variants keyed by SKU, and stock locations."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import insert, update
from sqlmodel import Session, col, select

from syncd.store.models import CanonicalProduct, CanonicalVariant, Location
from syncd.store.sql import chunked, fetch_all, fetch_one, table_of, upsert
from syncd.store.types import utcnow


def create_product(session: Session, title: str = "", *, now: datetime | None = None) -> int:
    """Create a canonical product and return its id; the caller binds it to the channel ids it came from."""
    now = now or utcnow()
    table = table_of(CanonicalProduct)
    stmt = insert(table).values(title=title, created_at=now, updated_at=now).returning(table.c.id)
    product_id: int = session.exec(stmt).scalar_one()
    return product_id


def update_product(session: Session, product_id: int, *, title: str, now: datetime | None = None) -> None:
    """Change a product's fields."""
    table = table_of(CanonicalProduct)
    stmt = update(table).where(table.c.id == product_id).values(title=title, updated_at=now or utcnow())
    if session.exec(stmt).rowcount == 0:
        raise LookupError(f"no product with id {product_id}")


def get_product(session: Session, product_id: int) -> CanonicalProduct | None:
    """The product with this id, if any."""
    return fetch_one(session, select(CanonicalProduct).where(CanonicalProduct.id == product_id))


def upsert_variant(
    session: Session,
    sku: str,
    product_id: int,
    *,
    title: str = "",
    barcode: str | None = None,
    now: datetime | None = None,
) -> int:
    """Create the variant with this SKU or update it (a SKU may move to another product); return its id."""
    now = now or utcnow()
    values = {
        "sku": sku,
        "product_id": product_id,
        "title": title,
        "barcode": barcode,
        "created_at": now,
        "updated_at": now,
    }
    variant_id: int = upsert(
        session, CanonicalVariant, values, ["sku"], update=["product_id", "title", "barcode", "updated_at"]
    )
    return variant_id


def get_variant(session: Session, variant_id: int) -> CanonicalVariant | None:
    """The variant with this id, if any."""
    return fetch_one(session, select(CanonicalVariant).where(CanonicalVariant.id == variant_id))


def get_variant_by_sku(session: Session, sku: str) -> CanonicalVariant | None:
    """The variant with this SKU, if any."""
    return fetch_one(session, select(CanonicalVariant).where(CanonicalVariant.sku == sku))


def variant_ids_by_sku(session: Session, skus: Iterable[str]) -> dict[str, int]:
    """SKU -> variant id for the SKUs that exist; unknown SKUs are left out."""
    found: dict[str, int] = {}
    for batch in chunked(set(skus)):
        rows = session.exec(
            select(CanonicalVariant.sku, CanonicalVariant.id).where(col(CanonicalVariant.sku).in_(batch))
        )
        found.update({sku: variant_id for sku, variant_id in rows if variant_id is not None})
    return found


def list_variants(session: Session, product_id: int) -> list[CanonicalVariant]:
    """The variants of a product, by SKU."""
    stmt = select(CanonicalVariant).where(CanonicalVariant.product_id == product_id).order_by(CanonicalVariant.sku)
    return fetch_all(session, stmt)


def create_location(session: Session, name: str = "", *, now: datetime | None = None) -> int:
    """Create a canonical stock location and return its id; channels bind their location ids to it."""
    table = table_of(Location)
    stmt = insert(table).values(name=name, created_at=now or utcnow()).returning(table.c.id)
    location_id: int = session.exec(stmt).scalar_one()
    return location_id
