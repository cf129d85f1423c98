"""The search syntax subset of `query:` arguments, and Relay cursor pagination over in-memory lists.

Search: terms joined by whitespace or `AND`, alternatives by `OR` (AND binds tighter), `-term` or `NOT term`
to negate, `field:value` and `field:>value` / `:>=` / `:<` / `:<=` with values bare or quoted. As on Shopify,
a date compared without quotes counts only its date part. Unknown fields are ignored with a warning.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from graphql import GraphQLError

# term := [-]field:[op]value | [-]word ; value := 'quoted' | "quoted" | bare
_TOKEN = re.compile(
    r"""\s*(-?)(?:([A-Za-z_][\w.]*):(>=|<=|>|<)?('[^']*'|"[^"]*"|[^\s()]+)|("[^"]*"|'[^']*'|[^\s()]+))"""
)

# A field's value(s) on a record: a string, a datetime, or a list of strings (tags, SKUs).
FieldValue = str | datetime | Sequence[str] | None
Fields = Mapping[str, Callable[[Any], FieldValue]]


@dataclass(frozen=True, slots=True)
class Term:
    """One `field:op value` test (field "" is free text)."""

    field: str
    op: str
    value: str
    quoted: bool
    negated: bool


@dataclass(frozen=True, slots=True)
class Search:
    """A parsed query: OR of AND-groups of terms, and the warnings about ignored terms."""

    groups: tuple[tuple[Term, ...], ...]
    warnings: tuple[str, ...] = ()

    def matches(self, record: Any, fields: Fields) -> bool:
        """True when `record` satisfies the query (an empty query matches everything)."""
        if not self.groups:
            return True
        return any(all(_test(term, record, fields) for term in group) for group in self.groups)


def parse_search(text: str | None, fields: Fields) -> Search:
    """Parse a `query:` string; terms on fields not in `fields` are dropped with a warning."""
    if not text or not text.strip():
        return Search(())
    groups: list[list[Term]] = [[]]
    warnings: list[str] = []
    negate_next = False
    position = 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None:
            position += 1  # parentheses and stray characters: the subset has no grouping
            continue
        position = match.end()
        minus, field, op, value, word = match.groups()
        if word is not None and field is None:
            if word == "OR":
                groups.append([])
                continue
            if word == "AND":
                continue
            if word == "NOT":
                negate_next = True
                continue
            field, op, value = "", "", word
        negated = bool(minus) or negate_next
        negate_next = False
        quoted = value[:1] in ("'", '"')
        raw = value[1:-1] if quoted else value
        if field and field not in fields:
            warnings.append(f"Invalid search field for this query: {field}")
            continue
        groups[-1].append(Term(field, op or "", raw, quoted, negated))
    return Search(tuple(tuple(g) for g in groups if g), tuple(warnings))


def _parse_time(text: str) -> datetime | None:
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _compare(actual: Any, op: str, expected: Any) -> bool:
    if op == ">":
        return bool(actual > expected)
    if op == ">=":
        return bool(actual >= expected)
    if op == "<":
        return bool(actual < expected)
    if op == "<=":
        return bool(actual <= expected)
    return bool(actual == expected)


def _test(term: Term, record: Any, fields: Fields) -> bool:
    value = fields[term.field](record) if term.field else fields.get("", lambda r: None)(record)
    result: bool
    if isinstance(value, datetime):
        wanted = _parse_time(term.value)
        if wanted is None:
            raise GraphQLError(f"Invalid date in search query: {term.value}")
        if term.quoted:
            result = _compare(value.astimezone(UTC), term.op, wanted.astimezone(UTC))
        else:
            # Shopify ignores the time of an unquoted date.
            result = _compare(value.astimezone(UTC).date(), term.op, wanted.astimezone(UTC).date())
    elif isinstance(value, str):
        result = _compare(value.lower(), term.op, term.value.lower()) if term.op else _text_match(value, term)
    elif value is None:
        result = False
    else:
        result = any(_text_match(v, term) for v in value)
    return result != term.negated


def _text_match(value: str, term: Term) -> bool:
    wanted = term.value.lower()
    if wanted.endswith("*"):
        return value.lower().startswith(wanted[:-1])
    if term.field:
        return value.lower() == wanted
    return wanted in value.lower()  # free text: a substring of the default field


# -- cursor pagination --------------------------------------------------------------------------------------


def _tagged(part: Any) -> list[Any]:
    if isinstance(part, datetime):
        return ["t", part.astimezone(UTC).isoformat()]
    if isinstance(part, int) and not isinstance(part, bool):
        return ["i", part]
    return ["s", str(part).lower()]


def encode_cursor(key: Sequence[Any]) -> str:
    """An opaque cursor for a record's sort key."""
    payload = json.dumps(["v1", [_tagged(part) for part in key]], separators=(",", ":"))
    return base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[Any, ...]:
    """The (comparable) sort key inside a cursor; a GraphQL error when the cursor is not one of ours."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        version, key = json.loads(base64.urlsafe_b64decode(padded.encode()).decode())
        if version != "v1":
            raise ValueError(version)
        return tuple((str(tag), value) for tag, value in key)
    except (ValueError, binascii.Error, UnicodeDecodeError, TypeError) as exc:
        raise GraphQLError(f"Invalid cursor for current pagination sort: {cursor[:40]}") from exc


MAX_PAGE = 250


def connection(
    records: Sequence[Any],
    key: Callable[[Any], Sequence[Any]],
    args: Mapping[str, Any],
    *,
    unbounded: bool = False,
    descending: bool = False,
) -> dict[str, Any]:
    """A Relay connection over `records` (already filtered and sorted by `key`): edges, nodes, pageInfo.

    `descending` says the records are in reverse key order; `unbounded` (bulk operations) lifts the
    requirement to pass `first` or `last` and returns everything.
    """
    first, last = args.get("first"), args.get("last")
    if not unbounded:
        if first is None and last is None:
            raise GraphQLError("you must provide one of first or last")
        for name, value in (("first", first), ("last", last)):
            if value is not None and not 0 <= value <= MAX_PAGE:
                raise GraphQLError(f"The value of '{name}' must be between 0 and {MAX_PAGE}")
    keys = [_comparable(key(r)) for r in records]
    start, end = 0, len(records)
    if args.get("after"):
        after = decode_cursor(args["after"])
        start = next((i for i, k in enumerate(keys) if (k < after if descending else k > after)), len(records))
    if args.get("before"):
        before = decode_cursor(args["before"])
        end = next((i for i, k in enumerate(keys) if (k <= before if descending else k >= before)), len(records))
    end = max(start, end)
    window_start, window_end = start, end
    if not unbounded and first is not None:
        window_end = min(end, start + first)
    if not unbounded and last is not None:
        window_start = max(window_start, window_end - last)
    page = records[window_start:window_end]
    cursors = [encode_cursor(key(r)) for r in page]
    return {
        "edges": [{"cursor": c, "node": r} for c, r in zip(cursors, page, strict=True)],
        "nodes": list(page),
        "pageInfo": {
            "hasNextPage": window_end < end,
            "hasPreviousPage": window_start > start,
            "startCursor": cursors[0] if cursors else None,
            "endCursor": cursors[-1] if cursors else None,
        },
    }


def _comparable(key: Sequence[Any]) -> tuple[Any, ...]:
    # The same typed form a cursor decodes to, so records and cursors compare alike.
    return tuple((tag, value) for tag, value in (_tagged(part) for part in key))
