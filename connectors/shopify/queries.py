"""The GraphQL documents the connector sends, one constant each, so every call's shape is reviewable in one place.

Page sizes are variables: a query's requested cost depends on them, and Shopify refuses a single query above 1000
points, so the defaults in `ShopifyConfig` keep each document under that.
"""

from __future__ import annotations

VARIANT_FIELDS = """
fragment SyncdVariant on ProductVariant {
  id title sku barcode price compareAtPrice position updatedAt
  selectedOptions { name value }
  image { url }
  inventoryItem { id tracked measurement { weight { unit value } } }
}
"""

PRODUCT_FIELDS = """
fragment SyncdProduct on Product {
  id title handle descriptionHtml vendor productType tags status updatedAt
  media(first: 9) { nodes { id mediaContentType ... on MediaImage { image { url } } } }
}
"""

SHOP = "query SyncdShop { shop { name myshopifyDomain currencyCode } }"

PRODUCTS = (
    """
query SyncdProducts($first: Int!, $after: String, $query: String, $variants: Int!) {
  products(first: $first, after: $after, query: $query, sortKey: UPDATED_AT) {
    nodes {
      ...SyncdProduct
      variants(first: $variants) { nodes { ...SyncdVariant } pageInfo { hasNextPage endCursor } }
    }
    pageInfo { hasNextPage endCursor }
  }
}
"""
    + PRODUCT_FIELDS
    + VARIANT_FIELDS
)

PRODUCT_VARIANTS = (
    """
query SyncdProductVariants($id: ID!, $first: Int!, $after: String) {
  product(id: $id) {
    variants(first: $first, after: $after) { nodes { ...SyncdVariant } pageInfo { hasNextPage endCursor } }
  }
}
"""
    + VARIANT_FIELDS
)

PRODUCTS_COUNT = """
query SyncdProductsCount($query: String, $limit: Int) {
  productsCount(query: $query, limit: $limit) { count precision }
}
"""

# Bulk queries take no variables and need `id` on every node with children; nested connections take no `first`.
BULK_PRODUCTS = """
{
  products%(filter)s {
    edges { node {
      id title handle descriptionHtml vendor productType tags status updatedAt
      media { edges { node { id mediaContentType ... on MediaImage { image { url } } } } }
      variants { edges { node {
        id title sku barcode price compareAtPrice position updatedAt
        selectedOptions { name value }
        image { url }
        inventoryItem { id tracked measurement { weight { unit value } } }
      } } }
    } }
  }
}
"""

BULK_RUN = """
mutation SyncdBulkRun($query: String!) {
  bulkOperationRunQuery(query: $query, groupObjects: true) {
    bulkOperation { id status createdAt }
    userErrors { code field message }
  }
}
"""

BULK_STATUS = """
query SyncdBulkStatus($id: ID!) {
  node(id: $id) {
    ... on BulkOperation { id status errorCode objectCount url partialDataUrl createdAt completedAt }
  }
}
"""

LOCATIONS = """
query SyncdLocations($after: String) {
  locations(first: 250, after: $after) { nodes { id name isActive } pageInfo { hasNextPage endCursor } }
}
"""

LOCATIONS_BY_ID = """
query SyncdLocationsById($ids: [ID!]!) { nodes(ids: $ids) { ... on Location { id isActive } } }
"""

LEVELS = """
query SyncdLevels($location: ID!, $first: Int!, $after: String, $query: String) {
  location(id: $location) {
    id
    inventoryLevels(first: $first, after: $after, query: $query) {
      nodes {
        id updatedAt
        quantities(names: ["available"]) { name quantity }
        item { id sku tracked variant { id } }
      }
      pageInfo { hasNextPage endCursor }
    }
  }
}
"""

VARIANTS_AT_LOCATION = """
query SyncdVariantsAtLocation($query: String!, $first: Int!, $location: ID!) {
  productVariants(first: $first, query: $query) {
    nodes {
      id sku product { id }
      inventoryItem {
        id tracked
        inventoryLevel(locationId: $location) { quantities(names: ["available"]) { name quantity } }
      }
    }
  }
}
"""

VARIANTS_BY_SKU = """
query SyncdVariantsBySku($query: String!, $first: Int!) {
  productVariants(first: $first, query: $query) { nodes { id sku title price product { id title } } }
}
"""

# `@idempotent` from 2026-01 (optional) and required from 2026-04; the input shape differs by version too.
SET_QUANTITIES = """
mutation SyncdSetQuantities($input: InventorySetQuantitiesInput!) {
  inventorySetQuantities(input: $input) { inventoryAdjustmentGroup { id } userErrors { code field message } }
}
"""

SET_QUANTITIES_IDEMPOTENT = """
mutation SyncdSetQuantities($input: InventorySetQuantitiesInput!, $key: String!) {
  inventorySetQuantities(input: $input) @idempotent(key: $key) {
    inventoryAdjustmentGroup { id }
    userErrors { code field message }
  }
}
"""

FIND_ORDERS = """
query SyncdFindOrders($query: String!) {
  orders(first: 10, query: $query, sortKey: CREATED_AT) {
    nodes { id name tags sourceName sourceIdentifier cancelledAt createdAt customAttributes { key value } }
  }
}
"""

ORDER_CREATE = """
mutation SyncdOrderCreate($order: OrderCreateOrderInput!, $options: OrderCreateOptionsInput) {
  orderCreate(order: $order, options: $options) {
    order { id name }
    userErrors { code field message }
  }
}
"""

ORDER_STATUS = "query SyncdOrderStatus($id: ID!) { order(id: $id) { id cancelledAt } }"

ORDER_CANCEL = """
mutation SyncdOrderCancel($id: ID!, $reason: OrderCancelReason!, $restock: Boolean!, $note: String) {
  orderCancel(
    orderId: $id, reason: $reason, restock: $restock, refund: false, notifyCustomer: false, staffNote: $note
  ) {
    job { id done }
    orderCancelUserErrors { code field message }
    userErrors { field message }
  }
}
"""

FULFILLMENTS = """
query SyncdFulfillments($ids: [ID!]!) {
  nodes(ids: $ids) {
    ... on Order {
      id
      fulfillments(first: 50) {
        id status createdAt
        trackingInfo(first: 5) { number company url }
        fulfillmentLineItems(first: 20) { nodes { lineItem { id } } }
      }
    }
  }
}
"""
