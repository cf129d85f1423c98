"""What `TikTokShopConnector` does with TikTok Shop, one capability a module; the connector delegates here.

`context` resolves the shop and its warehouse once, `results` turns TikTok's answers into results, pages and
checkpoints, `listings` and `images` are the catalog sink, `stock` reads and writes inventory, `orders` reads
orders and writes order references, `fulfilment` marks packages shipped and `aftersales` reads cancellations and
returns. Every call goes through `TikTokShopClient`; field names stay in `mapping`.
"""
