"""The sandbox adapters of the three emulators, checked through the real connectors over real HTTP.

What an adapter seeds must be what the connector reads, and what it reads back (stock, orders, references,
tracking) must be what the connector wrote: the engine's end-to-end tests rely on both directions.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from sandbox_support import (
    STORES,
    StartEmulator,
    catalog,
    connect,
    products_of,
    seeded_prices,
    seeded_stock,
    stock_of,
    tiktok_order,
)

from connectors.shopify.sandbox import Emulator as ShopifyEmulator
from connectors.tiktok_shop.connector import TikTokShopConnector
from connectors.tiktok_shop.sandbox import Emulator as TikTokEmulator
from connectors.woocommerce.sandbox import Emulator as WooEmulator
from syncd.connector import FulfilmentSource, OrderSink, WriteStatus
from syncd.domain import Fulfilment, Listing, ListingSpec, OrderReference, OrderStatus
from syncd.sandbox.merchant import emulator_class
from syncd.testing import FakeServer, Request, Response, route
from syncd.testing.sandbox import EmulatedMarketplace, EmulatedStore, SeedOrderLine

USPS = "6617675021119438849"  # a shipping provider of the TikTok emulator's catalog
TSHIRTS = "601302"  # a leaf category of that catalog


@pytest.mark.parametrize(
    ("platform", "adapter"),
    [("shopify", ShopifyEmulator), ("woocommerce", WooEmulator), ("tiktok_shop", TikTokEmulator)],
)
def test_each_connector_ships_its_emulator(platform: str, adapter: type, start: StartEmulator) -> None:
    assert emulator_class(platform) is adapter
    emulator = start(platform)
    protocol = EmulatedMarketplace if platform == "tiktok_shop" else EmulatedStore
    assert isinstance(emulator, protocol)
    assert emulator.server.running
    emulator.close()
    assert not emulator.server.running


# -- stores ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("platform", STORES)
def test_store_connector_reads_the_seeded_catalog_and_stock(platform: str, start: StartEmulator) -> None:
    store = start(platform)
    assert isinstance(store, EmulatedStore)
    products = catalog()
    store.seed_catalog(products)

    with connect(platform, store.config_block()) as connector:
        connector.check()
        read = products_of(connector)
        stock = stock_of(connector)

    prices = {v.sku: v.price.amount for product in read for v in product.variants if v.price is not None}
    assert prices == seeded_prices(products)
    assert sorted(p.title for p in read) == sorted(p.title for p in products)
    assert {p.title: p.product_type for p in read}["Sandbox Mug"] == "Mugs"
    variants = {v.sku: v for product in read for v in product.variants}
    assert {sku: v.weight_grams for sku, v in variants.items()} == {
        v.sku: v.weight_grams for product in products for v in product.variants
    }
    first = products[0].variants[0]
    assert variants[first.sku].options == {"Size": first.option}
    assert stock == seeded_stock(products) == store.stock_by_sku()


@pytest.mark.parametrize("platform", STORES)
def test_seeded_products_have_an_image_the_store_serves(platform: str, start: StartEmulator) -> None:
    store = start(platform)
    assert isinstance(store, EmulatedStore)
    store.seed_catalog(catalog())

    with connect(platform, store.config_block()) as connector:
        read = products_of(connector)

    urls = [url for product in read for url in product.image_urls]
    assert len(urls) == len(read)
    for url in urls:
        response = httpx.get(url, timeout=5.0)
        assert response.status_code == 200
        assert response.headers["content-type"] == "image/png"
        assert response.content.startswith(b"\x89PNG\r\n\x1a\n")


@pytest.mark.parametrize("platform", STORES)
def test_seeded_products_can_be_listed_on_tiktok(platform: str, start: StartEmulator) -> None:
    store, tiktok = start(platform), start("tiktok_shop")
    assert isinstance(store, EmulatedStore)
    assert isinstance(tiktok, EmulatedMarketplace)
    products = catalog()
    store.seed_catalog(products)
    spec = ListingSpec(category_id=TSHIRTS, package_weight_grams=250)

    with connect(platform, store.config_block()) as source, connect("tiktok_shop", tiktok.config_block()) as sink:
        read = products_of(source)
        assert isinstance(sink, TikTokShopConnector)
        results = sink.upsert_listings(
            [Listing(product=p, spec=spec, quantities={v.sku: 4 for v in p.variants}) for p in read]
        )

    assert [r.status for r in results] == [WriteStatus.CREATED] * len(products)
    assert tiktok.listing_count() == len(products)
    assert tiktok.stock_by_sku() == dict.fromkeys(seeded_stock(products), 4)
    assert set(tiktok.listings_by_sku().values()) == {r.external_id for r in results}


@pytest.mark.parametrize("platform", STORES)
def test_set_stock_is_what_the_connector_reads(platform: str, start: StartEmulator) -> None:
    store = start(platform)
    assert isinstance(store, EmulatedStore)
    products = catalog()
    store.seed_catalog(products)
    sku = products[0].variants[1].sku

    store.set_stock(sku, 3)

    with connect(platform, store.config_block()) as connector:
        stock = stock_of(connector)
    assert stock == {**seeded_stock(products), sku: 3} == store.stock_by_sku()
    with pytest.raises(KeyError):
        store.set_stock("NO-SUCH-SKU", 1)


@pytest.mark.parametrize("platform", STORES)
def test_orders_show_their_tiktok_order_and_fulfil_reaches_the_connector(platform: str, start: StartEmulator) -> None:
    store = start(platform)
    assert isinstance(store, EmulatedStore)
    products = catalog()
    store.seed_catalog(products)
    sku = products[1].variants[0].sku
    order = tiktok_order("576400000000000077", {sku: 2, "SBX-MUG": 1}, seeded_prices(products))

    with connect(platform, store.config_block()) as connector:
        assert isinstance(connector, OrderSink)
        assert isinstance(connector, FulfilmentSource)
        created = connector.create_order(order, "key-576400000000000077")
        assert created.status is WriteStatus.CREATED
        [placed] = store.orders()
        assert placed.id == created.external_id
        assert placed.source_order_id == "576400000000000077"
        assert placed.lines == {sku: 2, "SBX-MUG": 1}
        assert placed.status != "cancelled"

        store.fulfil(placed.id, "1Z999AA10123456784", "UPS")

        [shipped] = connector.read_fulfilments([placed.id])
    assert (shipped.tracking_number, shipped.carrier) == ("1Z999AA10123456784", "UPS")
    assert store.orders()[0].status == {"shopify": "fulfilled", "woocommerce": "completed"}[platform]


def test_woocommerce_credentials_follow_the_seed(start: StartEmulator) -> None:
    first, again, other = start("woocommerce", seed=3), start("woocommerce", seed=3), start("woocommerce", seed=4)
    keys = [(e.config_block()["consumer_key"], e.config_block()["consumer_secret"]) for e in (first, again, other)]
    assert keys[0] == keys[1] != keys[2]


# -- TikTok Shop -------------------------------------------------------------------------------------------


@pytest.fixture
def tiktok() -> Iterator[TikTokEmulator]:
    """The TikTok Shop adapter on a running emulator."""
    emulator = TikTokEmulator(seed=1)
    yield emulator
    emulator.close()
    emulator.server.raise_handler_errors()


@pytest.fixture
def tiktok_connector(tiktok: TikTokEmulator) -> Iterator[TikTokShopConnector]:
    """The TikTok connector built from the adapter's config block."""
    connector = connect("tiktok_shop", tiktok.config_block())
    assert isinstance(connector, TikTokShopConnector)
    with connector:
        yield connector


def test_tiktok_starts_without_listings(tiktok: TikTokEmulator, tiktok_connector: TikTokShopConnector) -> None:
    tiktok_connector.check()
    assert tiktok.listing_count() == 0
    assert tiktok.stock_by_sku() == {} == tiktok.listings_by_sku()
    assert tiktok_connector.find_variants_by_sku(list(seeded_stock(catalog()))) == {}


def test_existing_listings_are_found_by_seller_sku(
    tiktok: TikTokEmulator, tiktok_connector: TikTokShopConnector
) -> None:
    products = catalog()
    listed = products[:2]

    tiktok.list_existing(listed)

    found = tiktok_connector.find_variants_by_sku(list(seeded_stock(products)))
    assert {sku: product.external_id for sku, product in found.items()} == tiktok.listings_by_sku()
    assert set(found) == set(seeded_stock(listed))
    assert tiktok.listing_count() == len(set(tiktok.listings_by_sku().values())) == 2
    assert tiktok.stock_by_sku() == seeded_stock(listed)


def test_placed_order_is_read_by_the_connector(tiktok: TikTokEmulator, tiktok_connector: TikTokShopConnector) -> None:
    products = catalog()
    tiktok.list_existing(products)
    sku = products[0].variants[2].sku

    order_id = tiktok.place_order([SeedOrderLine(sku, 2), SeedOrderLine("SBX-MUG", 1)])

    [order] = [order for page in tiktok_connector.read_orders(None) for order in page.records]
    assert order.external_id == order_id
    assert order.status is OrderStatus.AWAITING_SHIPMENT
    quantities: dict[str, int] = {}
    for line in order.lines:
        quantities[line.sku] = quantities.get(line.sku, 0) + line.quantity
        assert line.unit_price.amount == seeded_prices(products)[line.sku]
    assert quantities == {sku: 2, "SBX-MUG": 1}
    assert tiktok.stock_by_sku()[sku] == seeded_stock(products)[sku] - 2

    tiktok.set_order_status(order_id, "CANCELLED")
    [cancelled] = tiktok_connector.get_orders([order_id])
    assert cancelled.status is OrderStatus.CANCELLED
    assert tiktok.stock_by_sku()[sku] == seeded_stock(products)[sku]


def test_an_order_needs_listed_skus(tiktok: TikTokEmulator) -> None:
    tiktok.list_existing(catalog()[:1])
    with pytest.raises(LookupError, match="SBX-MUG"):
        tiktok.place_order([SeedOrderLine("SBX-MUG", 1)])
    assert tiktok.server.orders == {}


def test_references_and_tracking_written_by_the_connector_read_back(
    tiktok: TikTokEmulator, tiktok_connector: TikTokShopConnector
) -> None:
    tiktok.list_existing(catalog())
    shipped, waiting = (tiktok.place_order([SeedOrderLine("SBX-MUG", 1)]) for _ in range(2))
    reference = OrderReference(
        order_external_id=shipped, store_order_id="gid://shopify/Order/1001", store_platform="shopify"
    )

    [linked] = tiktok_connector.add_order_references([reference])
    [marked] = tiktok_connector.write_fulfilments(
        [
            Fulfilment(
                order_external_id=shipped, external_id="f-1", tracking_number="9400111899223197428490", carrier=USPS
            )
        ]
    )

    assert linked.ok
    assert marked.ok
    assert tiktok.external_references() == {shipped: ["gid://shopify/Order/1001"]}
    assert tiktok.tracking() == {shipped: "9400111899223197428490"}
    assert waiting not in tiktok.tracking()


class HookReceiver(FakeServer):
    """A webhook endpoint that keeps the bodies it is sent."""

    def __init__(self) -> None:
        super().__init__(rate_limit=None)
        self.bodies: list[bytes] = []

    @route("POST", "/hooks/tiktok", auth=False)
    def receive(self, request: Request) -> Response:
        self.bodies.append(request.body)
        return Response.json({"ok": True})


def test_a_placed_order_is_announced_by_webhook(tiktok: TikTokEmulator) -> None:
    tiktok.list_existing(catalog())
    with HookReceiver() as receiver:
        tiktok.server.subscribe("ORDER_STATUS_CHANGE", receiver.url("/hooks/tiktok"))
        order_id = tiktok.place_order([SeedOrderLine("SBX-MUG", 1)])
        assert tiktok.server.wait_for_webhooks(5.0)
    [body] = receiver.bodies
    assert f'"order_id":"{order_id}"'.encode() in body.replace(b" ", b"")
    assert b"AWAITING_SHIPMENT" in body
