"""The emulator itself, through raw GraphQL: credentials, any query over the schema subset, cost and throttling,
cursors, search syntax, idempotency keys and version rules."""

from __future__ import annotations

from pathlib import Path

import httpx
from shopify_support import FIXTURES, TOKEN, WRONG_TOKEN, gql

import connectors.shopify
from connectors.shopify.fake import FakeShopify
from syncd.http import ManualClock
from syncd.testing import RateLimit

SEED_FILES = (
    "shopify_rest_product_with_variants.json",
    "shopify_rest_inventory_levels.json",
    "shopify_rest_order_with_line_items.json",
)
SET = """
mutation($input: InventorySetQuantitiesInput!, $key: String!) {
  inventorySetQuantities(input: $input) @idempotent(key: $key) {
    inventoryAdjustmentGroup { id changes(quantityNames: ["available"]) { name delta } }
    userErrors { code field message }
  }
}
"""


def _set_input(item: str, location: str, quantity: int, **compare: int | None) -> dict[str, object]:
    return {
        "name": "available",
        "reason": "correction",
        "referenceDocumentUri": "gid://syncd/Test/1",
        "quantities": [{"inventoryItemId": item, "locationId": location, "quantity": quantity, **compare}],
    }


def _item(fake: FakeShopify, location: str) -> str:
    product = fake.add_products(1, locations=[location])[0]
    return str(
        gql(
            fake,
            "query($id: ID!) { product(id: $id) { variants(first: 1) { nodes { inventoryItem { id } } } } }",
            {"id": product},
        )["data"]["product"]["variants"]["nodes"][0]["inventoryItem"]["id"]
    )


def test_wrong_token_gets_shopifys_401(fake: FakeShopify) -> None:
    response = httpx.post(
        f"{fake.base_url}/admin/api/2026-10/graphql.json",
        json={"query": "{ shop { name } }"},
        headers={"X-Shopify-Access-Token": WRONG_TOKEN},
    )
    assert response.status_code == 401
    assert response.json() == {"errors": "[API] Invalid API key or access token (unrecognized login or wrong password)"}


def test_any_valid_query_over_the_subset_works(fake: FakeShopify) -> None:
    """Fragments, aliases, `nodes`, `productVariants` search and nested fields: not only the connector's queries."""
    location = fake.add_location("Main")
    product = fake.add_products(2, variants_per_product=2, locations=[location])[0]
    sku = fake.variant_skus(product)[1]
    body = gql(
        fake,
        """
        fragment Item on InventoryItem {
          id tracked
          inventoryLevel(locationId: $loc) { quantities(names: ["available", "on_hand"]) { name quantity } }
        }
        query($q: String!, $ids: [ID!]!, $loc: ID!) {
          found: productVariants(first: 5, query: $q) {
            nodes { sku displayName product { id } inventoryItem { ...Item } }
          }
          nodes(ids: $ids) {
            __typename
            ... on Product { title variantsCount { count } }
            ... on Location { name isActive }
          }
          productsCount { count precision }
        }
        """,
        {"q": f"sku:'{sku}'", "ids": [product, location], "loc": location},
    )
    assert "errors" not in body
    data = body["data"]
    [variant] = data["found"]["nodes"]
    assert variant["sku"] == sku
    assert variant["product"]["id"] == product
    quantities = variant["inventoryItem"]["inventoryLevel"]["quantities"]
    assert quantities == [{"name": "available", "quantity": 10}, {"name": "on_hand", "quantity": 10}]
    assert data["nodes"][0]["variantsCount"] == {"count": 2}
    assert data["nodes"][1] == {"__typename": "Location", "name": "Main", "isActive": True}
    assert data["productsCount"] == {"count": 2, "precision": "EXACT"}
    cost = body["extensions"]["cost"]
    assert cost["requestedQueryCost"] >= cost["actualQueryCost"] > 0
    assert set(cost["throttleStatus"]) == {"maximumAvailable", "currentlyAvailable", "restoreRate"}


def test_invalid_queries_and_missing_page_sizes_are_graphql_errors(fake: FakeShopify) -> None:
    assert gql(fake, "{ shop { nope } }")["errors"][0]["message"].startswith("Cannot query field 'nope'")
    assert gql(fake, "{ products { nodes { id } } }")["errors"][0]["message"] == "you must provide one of first or last"
    bad_cursor = gql(fake, '{ products(first: 1, after: "garbage") { nodes { id } } }')
    assert "Invalid cursor" in bad_cursor["errors"][0]["message"]


def test_cursor_pages_follow_the_sort_and_survive_changes(fake: FakeShopify) -> None:
    ids = fake.add_products(5)
    query = """query($after: String) {
      products(first: 2, after: $after, sortKey: UPDATED_AT) { nodes { id } pageInfo { hasNextPage endCursor } }
    }"""
    first = gql(fake, query)["data"]["products"]
    fake.touch_product(ids[0])  # moves to the end of the UPDATED_AT order
    rest = gql(fake, query, {"after": first["pageInfo"]["endCursor"]})["data"]["products"]
    assert [n["id"] for n in first["nodes"]] == ids[:2]
    assert [n["id"] for n in rest["nodes"]] == ids[2:4]
    assert rest["pageInfo"]["hasNextPage"]


def test_search_syntax_subset(fake: FakeShopify) -> None:
    ids = fake.add_products(3)
    fake.touch_product(ids[1], tags=["tiktok", "Sale"])
    later = "2024-01-01T00:00:03Z"  # the logical clock: products at :00-:02, the touch at :03
    query = "query($q: String) { products(first: 10, query: $q) { nodes { id } } }"

    def found(text: str) -> list[str]:
        return [n["id"] for n in gql(fake, query, {"q": text})["data"]["products"]["nodes"]]

    assert found(f"updated_at:>='{later}'") == [ids[1]]
    assert found(f"updated_at:>{later[:10]}T00:00:00Z") == []  # unquoted: only the date counts
    assert found("tag:sale") == [ids[1]]
    assert found("-tag:sale") == [ids[0], ids[2]]
    assert found(f"tag:sale OR id:{ids[2].rsplit('/', 1)[1]}") == [ids[1], ids[2]]
    warned = gql(fake, query, {"q": "colour:red"})
    assert warned["extensions"]["search"][0]["warnings"] == ["Invalid search field for this query: colour"]


def test_throttled_when_the_cost_bucket_cannot_pay(clock: ManualClock) -> None:
    server = FakeShopify(tokens=[TOKEN], clock=clock.monotonic, rate_limit=RateLimit(capacity=60, per_second=10))
    with server:
        server.add_products(60)
        heavy = "{ products(first: 50) { nodes { id } } }"  # 52 requested, 50 actual (one per product)
        assert "data" in gql(server, heavy)
        throttled = gql(server, heavy)
        clock.advance(5.0)
        again = gql(server, heavy)
    assert throttled["errors"][0]["extensions"]["code"] == "THROTTLED"
    assert "data" not in throttled
    status = throttled["extensions"]["cost"]["throttleStatus"]
    assert status == {"maximumAvailable": 60.0, "currentlyAvailable": 10, "restoreRate": 10.0}
    assert "data" in again
    assert server.calls.throttled == 1


def test_idempotency_key_returns_the_first_result_and_acts_once(fake: FakeShopify) -> None:
    location = fake.add_location("Main")
    item = _item(fake, location)
    variables = {"input": _set_input(item, location, 4, changeFromQuantity=10), "key": "key-1"}

    first = gql(fake, SET, variables)["data"]["inventorySetQuantities"]
    repeat = gql(fake, SET, variables)["data"]["inventorySetQuantities"]
    other = gql(fake, SET, {**variables, "input": _set_input(item, location, 6, changeFromQuantity=4)})

    assert first["userErrors"] == []
    assert repeat == first
    assert other["data"]["inventorySetQuantities"]["userErrors"][0]["code"] == "IDEMPOTENCY_KEY_PARAMETER_MISMATCH"
    changes = first["inventoryAdjustmentGroup"]["changes"]
    assert {"name": "available", "delta": -6} in changes
    level = gql(
        fake,
        """query($i: ID!, $l: ID!) {
          inventoryItem(id: $i) { inventoryLevel(locationId: $l) { quantities(names: ["available"]) { quantity } } }
        }""",
        {"i": item, "l": location},
    )
    assert level["data"]["inventoryItem"]["inventoryLevel"]["quantities"] == [{"quantity": 4}]


def test_inventory_version_rules(fake: FakeShopify) -> None:
    location = fake.add_location("Main")
    item = _item(fake, location)
    no_key = SET.replace("@idempotent(key: $key)", "").replace(", $key: String!", "")

    def errors(query: str, version: str, **compare: int | None) -> list[dict[str, object]]:
        body = gql(
            fake,
            query,
            {"input": _set_input(item, location, 5, **compare), "key": f"k-{version}-{compare}"},
            version=version,
        )
        payload = (body.get("data") or {}).get("inventorySetQuantities")
        return body.get("errors") or (payload or {}).get("userErrors") or []

    assert "2026-01" in str(errors(SET, "2025-10", changeFromQuantity=10))
    assert errors(no_key, "2025-10", compareQuantity=3)[0]["code"] == "COMPARE_QUANTITY_STALE"
    assert errors(no_key, "2025-10")[0]["code"] == "COMPARE_QUANTITY_REQUIRED"
    assert "@idempotent" in str(errors(no_key, "2026-04", changeFromQuantity=10))
    assert "changeFromQuantity is required" in str(errors(SET, "2026-04", compareQuantity=10))
    assert errors(SET, "2026-04", changeFromQuantity=9)[0]["code"] == "CHANGE_FROM_QUANTITY_STALE"
    assert errors(SET, "2026-10", changeFromQuantity=None) == []  # null skips the check


def test_bundled_seed_is_the_published_samples_and_loads(fake: FakeShopify) -> None:
    """connectors/shopify/seed/ holds byte-for-byte copies of the shared Shopify fixtures."""
    seed = Path(connectors.shopify.__file__).parent / "seed"
    for name in SEED_FILES:
        assert (seed / name).read_bytes() == (FIXTURES / name).read_bytes(), name
    fake.load_sample()
    body = gql(
        fake, "{ productsCount { count } orders(first: 5) { nodes { name lineItems(first: 5) { nodes { sku } } } } }"
    )
    assert body["data"]["productsCount"] == {"count": 1}
    [order] = body["data"]["orders"]["nodes"]
    assert order["name"] == "#1001"
    assert [n["sku"] for n in order["lineItems"]["nodes"]] == ["IPOD2008GREEN", "IPOD2008RED", "IPOD2008BLACK"]
