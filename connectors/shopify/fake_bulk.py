"""Bulk query operations in the emulator: validate the query, run it over everything, write the JSONL result.

Shopify's rules kept here: one top-level connection, at most five connections, connections nested at most two
deep, no `first`/`last` needed (everything is returned), one running query operation per shop. The result is
one JSON object per line; nodes of nested connections follow their parent as their own lines with `__parentId`
(grouped under their parent, as `groupObjects: true` promises).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from graphql import (
    FieldNode,
    GraphQLSchema,
    OperationDefinitionNode,
    SelectionSetNode,
    execute_sync,
    get_named_type,
    parse,
    validate,
)
from graphql.error import GraphQLSyntaxError

from connectors.shopify.fake_graphql import Context, Info, ctx, default_resolver, resolver
from connectors.shopify.fake_services import BulkOperation

MAX_CONNECTIONS = 5
MAX_DEPTH = 2


def _error(message: str, code: str = "INVALID") -> dict[str, Any]:
    return {"bulkOperation": None, "userErrors": [{"code": code, "field": ["query"], "message": message}]}


def _connections(schema: GraphQLSchema, parent: Any, selection_set: SelectionSetNode | None, depth: int) -> list[int]:
    """The depth of every connection field in the selection (1 = top level)."""
    found: list[int] = []
    for node in selection_set.selections if selection_set else ():
        if not isinstance(node, FieldNode):
            if getattr(node, "selection_set", None) is not None:
                found += _connections(schema, parent, node.selection_set, depth)  # type: ignore[attr-defined]
            continue
        field = getattr(parent, "fields", {}).get(node.name.value)
        if field is None:
            continue
        named = get_named_type(field.type)
        is_connection = named.name.endswith("Connection")
        if is_connection:
            found.append(depth)
        found += _connections(schema, named, node.selection_set, depth + 1 if is_connection else depth)
    return found


def check_bulk_query(schema: GraphQLSchema, query: str) -> tuple[Any, str | None]:
    """Parse and validate a bulk query; returns (document, problem)."""
    try:
        document = parse(query)
    except GraphQLSyntaxError as exc:
        return None, f"Invalid bulk query: {exc.message}"
    problems = validate(schema, document)
    if problems:
        return None, f"Invalid bulk query: {problems[0].message}"
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if len(operations) != 1 or operations[0].operation.value != "query":
        return None, "Bulk queries must contain exactly one query operation"
    roots = [s for s in operations[0].selection_set.selections if isinstance(s, FieldNode)]
    depths = _connections(schema, schema.query_type, operations[0].selection_set, 1)
    if len(roots) != 1 or 1 not in depths:
        return None, "Bulk queries must contain one top-level connection field"
    if len(depths) > MAX_CONNECTIONS:
        return None, f"Bulk queries cannot contain more than {MAX_CONNECTIONS} connections"
    if max(depths) > MAX_DEPTH:
        return None, f"Bulk queries cannot contain connections with a nesting depth greater than {MAX_DEPTH}"
    return document, None


def _nodes(connection: Any) -> list[Any]:
    if not isinstance(connection, dict):
        return []
    if connection.get("nodes") is not None:
        return list(connection["nodes"])
    return [edge["node"] for edge in connection.get("edges") or [] if isinstance(edge, dict) and "node" in edge]


def _is_connection(value: Any) -> bool:
    return isinstance(value, dict) and ("edges" in value or "nodes" in value)


def flatten(connection: Any, parent_id: str | None = None) -> Iterator[dict[str, Any]]:
    """The JSONL objects of a connection: each node without its nested connections, then their nodes."""
    for node in _nodes(connection):
        own = {key: value for key, value in node.items() if not _is_connection(value)}
        if parent_id is not None:
            own["__parentId"] = parent_id
        yield own
        for value in node.values():
            if _is_connection(value):
                yield from flatten(value, node.get("id"))


def run_bulk_query(context: Context, schema: GraphQLSchema, query: str) -> dict[str, Any]:
    """Start a bulk query operation: the payload of `bulkOperationRunQuery`."""
    services = context.services
    running = services.running_bulk_operation("QUERY")
    if running is not None:
        message = f"A bulk query operation for this app and shop is already in progress: gid://shopify/BulkOperation/{running.id}."
        return _error(message, "OPERATION_IN_PROGRESS")
    document, problem = check_bulk_query(schema, query)
    if problem is not None:
        return _error(problem)
    bulk_context = Context(data=context.data, version=context.version, services=services, bulk=True)
    result = execute_sync(schema, document, context_value=bulk_context, field_resolver=default_resolver)
    op = BulkOperation(
        id=context.data.new_id(), query=query, created_at=context.data.clock.tick(), polls_left=services.bulk_polls
    )
    if result.errors or not result.data:
        op.status, op.error_code = "FAILED", "INTERNAL_SERVER_ERROR"
    else:
        lines = []
        top = next(iter(result.data.values()))
        for obj in flatten(top):
            lines.append(json.dumps(obj, separators=(",", ":"), default=str))
        op.body = ("\n".join(lines) + "\n").encode("utf-8") if lines else b""
        op.lines = len(lines)
        op.root_object_count = len(_nodes(top))
    services.bulk_operations[op.id] = op
    return {"bulkOperation": op, "userErrors": []}


@resolver("Mutation", "bulkOperationRunQuery")
def _run(_root: Any, info: Info, query: str, groupObjects: bool | None = None) -> Any:
    return run_bulk_query(ctx(info), info.schema, query)


@resolver("Mutation", "bulkOperationCancel")
def _cancel(_root: Any, info: Info, id: str) -> Any:
    services = ctx(info).services
    op = services.lookup_extra(id)
    if not isinstance(op, BulkOperation):
        return {"bulkOperation": None, "userErrors": [{"field": ["id"], "message": "Bulk operation does not exist"}]}
    if op.status in ("CREATED", "RUNNING"):
        op.status = "CANCELED"
    return {"bulkOperation": op, "userErrors": []}
