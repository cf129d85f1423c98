"""The Shopify connector: GraphQL Admin API client, catalog/stock/order capabilities, webhooks, and an emulator."""
