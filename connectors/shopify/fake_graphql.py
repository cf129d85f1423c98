"""The emulator's GraphQL engine: `schema.graphql` built with graphql-core, scalars, and the query resolvers.

Records are the plain objects of `fake_state`; a default resolver maps a camelCase field to the record's
snake_case attribute, so only computed fields and fields with arguments have resolvers of their own. Mutation
resolvers live in `fake_mutations`, which registers them here.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from functools import cache
from importlib import resources
from typing import Any, TypeAlias

from graphql import GraphQLError, GraphQLResolveInfo, GraphQLSchema, build_schema

from connectors.shopify import fake_state as st
from connectors.shopify.fake_search import Fields, connection, parse_search
from connectors.shopify.fake_services import ShopServices

Resolver = Callable[..., Any]
Info: TypeAlias = "GraphQLResolveInfo[Any]"
RESOLVERS: dict[tuple[str, str], Resolver] = {}
_CAMEL = re.compile(r"(?<!^)(?=[A-Z])")


@dataclass
class Context:
    """Per-request execution context."""

    data: st.ShopData
    version: tuple[int, int]
    services: ShopServices
    bulk: bool = False
    warnings: list[dict[str, Any]] = field(default_factory=list)


def resolver(type_name: str, *field_names: str) -> Callable[[Resolver], Resolver]:
    """Register the decorated function as the resolver of `type_name.field` for each field name."""

    def register(fn: Resolver) -> Resolver:
        for name in field_names:
            RESOLVERS[(type_name, name)] = fn
        return fn

    return register


def ctx(info: Info) -> Context:
    """The request's context, typed."""
    context: Context = info.context
    return context


def version_tuple(version: str) -> tuple[int, int]:
    """`2026-04` as (2026, 4); `unstable` sorts after every release."""
    if version == "unstable":
        return (9999, 12)
    year, _, month = version.partition("-")
    return (int(year), int(month))


def global_id(record: Any) -> str:
    """The GID of an emulator record."""
    if isinstance(record, st.Level):
        return f"gid://shopify/InventoryLevel/{record.location_id}?inventory_item_id={record.item_id}"
    if isinstance(record, st.ShopInfo):
        return "gid://shopify/Shop/1"
    return st.gid(record.graphql_type, record.id)


def lookup(info: Info, value: str, kind: str | None = None) -> Any:
    """The record a GID names (optionally only of `kind`), including levels, bulk operations, subscriptions."""
    context = ctx(info)
    match = st.GID_PATTERN.match(value)
    if match is None:
        raise GraphQLError(f"Invalid global id '{value}'")
    if kind is not None and match.group(1) != kind:
        return None
    if match.group(1) == "InventoryLevel":
        item = re.search(r"inventory_item_id=(\d+)", value)
        return context.data.levels.get((int(item.group(1)), int(match.group(2)))) if item else None
    if match.group(1) == "MediaImage":
        number = int(match.group(2))
        return next((i for p in context.data.products.values() for i in p.images if i.id == number), None)
    return context.data.lookup(value) or context.services.lookup_extra(value)


def default_resolver(source: Any, info: Info, **_args: Any) -> Any:
    """Dict keys as they are; record attributes by snake_case name; `id` as a GID."""
    if isinstance(source, dict):
        return source.get(info.field_name)
    if info.field_name == "id":
        return global_id(source)
    return getattr(source, _snake(info.field_name), None)


@cache
def _snake(name: str) -> str:
    return _CAMEL.sub("_", name).lower()


def _iso(value: Any) -> str:
    if not isinstance(value, datetime):
        raise GraphQLError(f"DateTime cannot represent {value!r}")
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _parse_time(value: Any) -> datetime:
    try:
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError as exc:
        raise GraphQLError(f"Invalid DateTime {value!r}") from exc
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _decimal(value: Any) -> Decimal:
    try:
        return Decimal(str(value))
    except InvalidOperation as exc:
        raise GraphQLError(f"Invalid decimal {value!r}") from exc


def _money_text(value: Any) -> str:
    return str(_decimal(value).quantize(Decimal("0.01")))


@cache
def schema_sdl() -> str:
    """The SDL text of the emulated subset."""
    return resources.files("connectors.shopify").joinpath("schema.graphql").read_text(encoding="utf-8")


def build_executable_schema() -> GraphQLSchema:
    """The subset schema with scalars, resolvers and abstract-type resolution wired in."""
    # Imported for their side effect: each registers its resolvers in RESOLVERS.
    from connectors.shopify import (  # noqa: F401
        fake_bulk,
        fake_mutations,
        fake_order_mutations,
        fake_order_resolvers,
        fake_resolvers,
    )

    schema = build_schema(schema_sdl())
    scalars: dict[str, tuple[Callable[[Any], Any], Callable[[Any], Any]]] = {
        "DateTime": (_iso, _parse_time),
        "Money": (_money_text, _decimal),
        "Decimal": (_money_text, _decimal),
        "URL": (str, str),
        "UnsignedInt64": (str, int),
    }
    for name, (serialize, parse) in scalars.items():
        scalar: Any = schema.type_map[name]
        # graphql-core 3.3 reads the coerce_* names; the older names are set too for earlier releases.
        scalar.coerce_output_value = scalar.serialize = serialize
        scalar.coerce_input_value = scalar.parse_value = parse
        literal = _literal_parser(parse)
        scalar.coerce_input_literal = literal
        scalar.parse_literal = lambda node, _variables=None, literal=literal: literal(node)
    for (type_name, field_name), fn in RESOLVERS.items():
        owner: Any = schema.type_map[type_name]
        owner.fields[field_name].resolve = fn
    for name in ("Node", "Media"):
        abstract: Any = schema.type_map[name]
        abstract.resolve_type = lambda record, _info, _type: getattr(record, "graphql_type", None)
    return schema


def _literal_parser(parse: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def parse_literal(node: Any) -> Any:
        return parse(getattr(node, "value", None))

    return parse_literal


# -- helpers for resolvers ------------------------------------------------------------------------------------


def bag(amount: Decimal, currency: str) -> dict[str, Any]:
    """A MoneyBag in one currency."""
    money = {"amount": amount, "currencyCode": currency}
    return {"shopMoney": money, "presentmentMoney": money}


def search_connection(
    info: Info,
    records: Iterable[Any],
    fields: Fields,
    args: dict[str, Any],
    key: Callable[[Any], Sequence[Any]],
) -> dict[str, Any]:
    """Filter `records` by the `query` argument, sort by `key` (reversed if asked), and page them."""
    search = parse_search(args.get("query"), fields)
    if search.warnings:
        warning = {"path": list(info.path.as_list()), "query": args.get("query"), "warnings": list(search.warnings)}
        ctx(info).warnings.append(warning)
    descending = bool(args.get("reverse"))
    chosen = sorted(
        (r for r in records if search.matches(r, fields)), key=lambda r: _sort_tuple(key(r)), reverse=descending
    )
    return connection(chosen, key, args, unbounded=ctx(info).bulk, descending=descending)


def _sort_tuple(key: Sequence[Any]) -> tuple[Any, ...]:
    return tuple(p.astimezone(UTC).isoformat() if isinstance(p, datetime) else p for p in key)


def sort_key(name: str | None, created: str = "created_at") -> Callable[[Any], tuple[Any, ...]]:
    """The key function for a `sortKey` enum value (ID when unknown)."""
    if name == "UPDATED_AT":
        return lambda r: (r.updated_at, r.id)
    if name in ("CREATED_AT", "PROCESSED_AT"):
        return lambda r: (getattr(r, created), r.id)
    if name == "TITLE":
        return lambda r: (r.title.lower(), r.id)
    if name == "SKU":
        return lambda r: ((r.sku or "").lower(), r.id)
    return lambda r: (r.id,)
