"""syncd: keeps a TikTok Shop in step with Shopify and WooCommerce stores."""

__version__ = "0.1.0"
