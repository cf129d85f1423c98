"""Query cost the Shopify way, simplified: what a query may cost (before it runs) and what it did cost.

Requested cost: scalars and enums are free, every object is 1, a connection is 2 plus `first` (or `last`) times
the cost of one node, a mutation field is 10 plus its selection. Actual cost counts the objects the response
really holds, never more than requested; the difference is refunded to the bucket, as Shopify does.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    VariableNode,
    get_named_type,
    is_leaf_type,
)

MUTATION_COST = 10
CONNECTION_BASE_COST = 2
# A connection without `first`/`last` is an error on Shopify (except in bulk queries); cost it as one page.
UNSIZED_CONNECTION = 250

CompositeType = GraphQLObjectType | GraphQLInterfaceType


class _Costing:
    def __init__(self, schema: GraphQLSchema, document: DocumentNode, variables: Mapping[str, Any] | None) -> None:
        self.schema = schema
        self.variables = variables or {}
        self.fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}

    def selection(self, parent: CompositeType, selection_set: SelectionSetNode | None) -> int:
        if selection_set is None:
            return 0
        total = 0
        for node in selection_set.selections:
            if isinstance(node, FieldNode):
                total += self.field(parent, node)
            elif isinstance(node, InlineFragmentNode):
                total += self.selection(self._condition(node.type_condition, parent), node.selection_set)
            elif isinstance(node, FragmentSpreadNode) and node.name.value in self.fragments:
                fragment = self.fragments[node.name.value]
                total += self.selection(self._condition(fragment.type_condition, parent), fragment.selection_set)
        return total

    def _condition(self, condition: Any, parent: CompositeType) -> CompositeType:
        if condition is None:
            return parent
        found = self.schema.get_type(condition.name.value)
        return found if isinstance(found, GraphQLObjectType | GraphQLInterfaceType) else parent

    def field(self, parent: CompositeType, node: FieldNode) -> int:
        name = node.name.value
        if name.startswith("__") or name not in parent.fields:
            return 0
        named = get_named_type(parent.fields[name].type)
        if is_leaf_type(named) or not isinstance(named, GraphQLObjectType | GraphQLInterfaceType):
            return 0
        if named.name.endswith("Connection"):
            return CONNECTION_BASE_COST + self._size(node) * self._node_cost(named, node.selection_set)
        return 1 + self.selection(named, node.selection_set)

    def _size(self, node: FieldNode) -> int:
        for argument in node.arguments or ():
            if argument.name.value not in ("first", "last"):
                continue
            value = argument.value
            if isinstance(value, IntValueNode):
                return int(value.value)
            if isinstance(value, VariableNode):
                given = self.variables.get(value.name.value)
                if isinstance(given, int):
                    return given
        return UNSIZED_CONNECTION

    def _node_cost(self, connection: CompositeType, selection_set: SelectionSetNode | None) -> int:
        """The cost of one item: the richer of its `nodes` and `edges { node }` selections."""
        best = 0
        for node in selection_set.selections if selection_set else ():
            if not isinstance(node, FieldNode):
                continue
            if node.name.value == "nodes":
                item = get_named_type(connection.fields["nodes"].type)
                if isinstance(item, GraphQLObjectType | GraphQLInterfaceType):
                    best = max(best, 1 + self.selection(item, node.selection_set))
            elif node.name.value == "edges":
                edge = get_named_type(connection.fields["edges"].type)
                if isinstance(edge, GraphQLObjectType):
                    best = max(best, self.selection(edge, node.selection_set))
        return max(best, 1)


def requested_cost(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation: OperationDefinitionNode,
    variables: Mapping[str, Any] | None = None,
) -> int:
    """What `operation` may cost at most, from its shape and page sizes."""
    costing = _Costing(schema, document, variables)
    if operation.operation is OperationType.MUTATION:
        root = schema.mutation_type
        assert root is not None
        return sum(
            MUTATION_COST + costing.selection(get_named_type(root.fields[n.name.value].type), n.selection_set)
            if isinstance(n, FieldNode)
            and n.name.value in root.fields
            and isinstance(get_named_type(root.fields[n.name.value].type), GraphQLObjectType)
            else MUTATION_COST
            for n in operation.selection_set.selections
        )
    root = schema.query_type
    assert root is not None
    return max(1, costing.selection(root, operation.selection_set))


def actual_cost(data: Any, requested: int, mutation_fields: int = 0) -> int:
    """What a response cost: one per object it holds, plus the mutations' flat cost; at most `requested`."""
    roots = data.values() if isinstance(data, dict) else ()
    return min(requested, MUTATION_COST * mutation_fields + sum(_objects(value) for value in roots))


_BOOKKEEPING = frozenset({"nodes", "edges", "node", "pageInfo", "hasNextPage"})


def _objects(value: Any) -> int:
    if isinstance(value, dict):
        # Connection wrappers, edges and pageInfo are bookkeeping, not objects.
        own = 0 if _BOOKKEEPING & value.keys() else 1
        return own + sum(_objects(v) for v in value.values())
    if isinstance(value, list):
        return sum(_objects(v) for v in value)
    return 0
