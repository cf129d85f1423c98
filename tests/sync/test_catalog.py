"""The catalog job against the emulators: listings created, linked, updated, quarantined, deferred, resumed."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import func
from sqlmodel import select

from connectors.tiktok_shop.fake import FakeTikTokShop
from syncd.config import load_settings
from syncd.config.models import PriceSettings, Rounding
from syncd.domain import Money, Product, Variant
from syncd.errors import AuthError
from syncd.runtime import Runtime
from syncd.sandbox.merchant import Merchant
from syncd.store import bindings, catalog, cursors, migrate, quarantine, reservations, stock
from syncd.store.engine import session_scope
from syncd.store.enums import BindingKind
from syncd.store.models import Binding, CanonicalProduct, StreamCursor
from syncd.sync.context import JobContext, Window
from syncd.sync.jobs import catalog as catalog_job
from syncd.sync.jobs.catalog_listings import channel_product, listing_digest
from syncd.testing.faults import Fault
from syncd.testing.sandbox import SeedProduct, SeedVariant
from tests.sync.conftest import MakeRuntime

# A leaf category of the fake's seeded TikTok catalog (the fake refuses listings in a parent category).
CATEGORY_RULES = {"categories": [{"match": {"product_type": "T-Shirts"}, "category_id": "601302"}]}
# Routes of the TikTok fake that change the shop.
WRITE_ROUTES = frozenset(
    {
        "create_product",
        "edit_product",
        "partial_edit_product",
        "update_prices",
        "update_inventory",
        "upload_product_image",
        "activate_products",
        "deactivate_products",
        "delete_products",
    }
)
Context = Callable[..., JobContext]
RuntimeWith = Callable[..., Runtime]


def tiktok_writes(merchant: Merchant) -> list[str]:
    """Write calls the TikTok fake received, as `route path`."""
    return [f"{c.route} {c.path}" for c in merchant.tiktok.server.calls.all() if c.route in WRITE_ROUTES]


def tiktok_server(merchant: Merchant) -> FakeTikTokShop:
    """The TikTok fake itself, for its knobs and records."""
    server = merchant.tiktok.server
    assert isinstance(server, FakeTikTokShop)
    return server


def tiktok_products(merchant: Merchant) -> dict[str, Any]:
    """TikTok product id -> the fake's product record."""
    server = tiktok_server(merchant)
    with server.lock:
        return dict(server.products)


def store_server(merchant: Merchant) -> Any:
    """The fake behind the store of record."""
    return merchant.stores[merchant.catalog_store].server


def shopify_gid(merchant: Merchant, sku: str) -> str:
    """The Shopify product GID holding `sku`."""
    server = store_server(merchant)
    with server.lock:
        return f"gid://shopify/Product/{server.data.variant_by_sku(sku).product_id}"


def cursor(runtime: Runtime, channel: str = "main") -> str | None:
    """The committed catalog cursor of a channel."""
    with session_scope(runtime.engine) as session:
        return cursors.get_cursor(session, runtime.channel_id(channel), catalog_job.STREAM)


def run(context: Context, runtime: Runtime, window: Window | None = None, **kwargs: Any) -> Any:
    """One catalog run in a fresh context."""
    return catalog_job.run(context(runtime, **kwargs), window or Window())


def list_existing(merchant: Merchant, products: list[SeedProduct]) -> list[str]:
    """List products on TikTok by hand; return their TikTok ids, in order."""
    merchant.tiktok.list_existing(products)
    listed = merchant.tiktok.listings_by_sku()
    return [listed[product.variants[0].sku] for product in products]


def assert_listed_once(merchant: Merchant) -> None:
    """Every seeded product is one TikTok listing holding all its SKUs, and nothing is duplicated."""
    listed = merchant.tiktok.listings_by_sku()
    assert merchant.tiktok.listing_count() == len(merchant.products)
    for product in merchant.products:
        assert len({listed[v.sku] for v in product.variants}) == 1, product.title


def seed_known_stock(merchant: Merchant, runtime: Runtime) -> tuple[dict[str, int], int]:
    """Record the store's stock per SKU as the stock job would have; return it and the product holding the SKUs."""
    on_hand = merchant.stores[merchant.catalog_store].stock_by_sku()
    with session_scope(runtime.engine) as session:
        placeholder = catalog.create_product(session)
        location = catalog.create_location(session, "warehouse")
        for sku, quantity in on_hand.items():
            stock.set_on_hand(session, catalog.upsert_variant(session, sku, placeholder), location, quantity)
    return on_hand, placeholder


@pytest.fixture
def runtime_with(tmp_path: Path) -> Iterator[RuntimeWith]:
    """A runtime whose `tiktok:` block (fewer attempts: refused calls fail fast) and store block are changed too."""
    made: list[Runtime] = []

    def make(merchant: Merchant, tiktok: dict[str, Any], store: dict[str, Any] | None = None, **sync: Any) -> Runtime:
        url = f"sqlite:///{tmp_path / 'catalog.db'}"
        migrate.upgrade(url)
        config = merchant.config(url, **sync)
        config["tiktok"].update(tiktok)
        record = config["stores"][0]
        record[record["platform"]].update(store or {})
        path = tmp_path / "catalog.yaml"
        path.write_text(yaml.safe_dump(config, sort_keys=False))
        runtime = Runtime(load_settings(path, environ={}))
        made.append(runtime)
        return runtime

    yield make
    for runtime in made:
        runtime.close()


def test_backfill_lists_each_product_with_channel_prices_and_sellable_stock(
    merchant: Merchant, make_runtime: MakeRuntime, context: Context
) -> None:
    runtime = make_runtime(
        merchant,
        catalog=CATEGORY_RULES,
        prices={"markup_percent": 10, "markup_amount": "0.50"},
        stock={"channels": {"tiktok": {"buffer": 2}}},
    )
    held_sku = merchant.products[0].variants[0].sku
    # The stock job has already seen the store's stock (and a TikTok order holds 3 units of one SKU).
    on_hand, placeholder = seed_known_stock(merchant, runtime)
    with session_scope(runtime.engine) as session:
        variant_id = catalog.variant_ids_by_sku(session, [held_sku])[held_sku]
        reservations.reserve(session, "576000000000000001", variant_id, 3)

    report = run(context, runtime)

    assert (report.read, report.created, report.quarantined, report.deferred) == (6, 6, 0, 0)
    assert report.writes["tiktok_shop"] == 6
    assert_listed_once(merchant)
    expected_stock = {sku: max(0, n - 2 - (3 if sku == held_sku else 0)) for sku, n in on_hand.items()}
    assert merchant.tiktok.stock_by_sku() == expected_stock
    prices = {s.seller_sku: Decimal(s.price) for p in tiktok_products(merchant).values() for s in p.skus}
    for product in merchant.products:
        for variant in product.variants:
            expected = (variant.price * Decimal("1.10") + Decimal("0.50")).quantize(Decimal("0.01"), ROUND_HALF_UP)
            assert prices[variant.sku] == expected, variant.sku
    with session_scope(runtime.engine) as session:
        tiktok_id = runtime.channel_id("tiktok")
        ids = catalog.variant_ids_by_sku(session, on_hand)
        # The stock job will not push what the new listings already show.
        assert stock.confirmed_quantities(session, tiktok_id, ids.values()) == {
            ids[sku]: quantity for sku, quantity in expected_stock.items()
        }
        sku_ids = {s.seller_sku: s.id for p in tiktok_products(merchant).values() for s in p.skus}
        for sku, variant_id in ids.items():
            assert bindings.to_external(session, tiktok_id, BindingKind.VARIANT, variant_id) == sku_ids[sku]
        # The SKUs moved from the placeholder to one canonical product per store product.
        assert catalog.list_variants(session, placeholder) == []
    assert cursor(runtime) is not None


def test_new_listings_leave_stock_to_the_stock_job_when_locations_map_to_warehouses(
    merchant: Merchant, make_runtime: MakeRuntime, context: Context
) -> None:
    mapping = {"gid://shopify/Location/1": "7068517275539719942"}
    runtime = make_runtime(merchant, catalog=CATEGORY_RULES, stock={"location_warehouses": mapping})
    on_hand, _ = seed_known_stock(merchant, runtime)

    assert run(context, runtime).created == 6

    assert merchant.tiktok.stock_by_sku() == dict.fromkeys(on_hand, 0)
    with session_scope(runtime.engine) as session:
        assert stock.confirmed_quantities(session, runtime.channel_id("tiktok")) == {}


def test_channel_prices_and_the_owned_field_digest() -> None:
    usd = "USD"
    store = Product(
        external_id="p1",
        title="Tee",
        image_urls=("https://cdn.example/tee.png",),
        variants=(
            Variant(
                external_id="v1",
                sku="A",
                price=Money(amount=Decimal("10.00"), currency=usd),
                compare_at_price=Money(amount=Decimal("15.00"), currency=usd),
            ),
            Variant(
                external_id="v2",
                sku="B",
                price=Money(amount=Decimal("10.00"), currency=usd),
                compare_at_price=Money(amount=Decimal("10.00"), currency=usd),
            ),
        ),
        updated_at=datetime(2026, 1, 1, tzinfo=UTC),
    )
    rules = PriceSettings(markup_percent=Decimal(20), rounding=Rounding.NINETY_NINE)

    listed = channel_product(store, rules)
    plain = channel_product(store, rules.model_copy(update={"use_compare_at_price": False}))

    assert [(v.price, v.compare_at_price) for v in listed.variants] == [
        (Money(amount=Decimal("12.99"), currency=usd), Money(amount=Decimal("18.99"), currency=usd)),
        # A compare-at price no higher than the price is no discount.
        (Money(amount=Decimal("12.99"), currency=usd), None),
    ]
    assert all(v.compare_at_price is None for v in plain.variants)
    digest = listing_digest(listed)
    assert listing_digest(listed.model_copy(update={"variants": listed.variants[::-1]})) == digest
    assert listing_digest(listed.model_copy(update={"updated_at": datetime(2027, 1, 1, tzinfo=UTC)})) == digest
    assert listing_digest(plain) != digest
    assert listing_digest(listed.model_copy(update={"image_urls": ()})) != digest
    assert listing_digest(listed.model_copy(update={"description_html": "<p>New</p>"})) != digest


def test_second_run_writes_nothing(merchant: Merchant, make_runtime: MakeRuntime, context: Context) -> None:
    runtime = make_runtime(merchant, catalog=CATEGORY_RULES, prices={"markup_percent": 25, "rounding": "ninety_nine"})
    assert run(context, runtime).created == 6
    merchant.tiktok.server.calls.clear()

    # Read everything again (not only what changed since the cursor): every listing is unchanged.
    again = run(context, runtime, Window(since=datetime(2000, 1, 1, tzinfo=UTC)))
    incremental = run(context, runtime)

    assert (again.read, again.unchanged, again.created, again.updated) == (6, 6, 0, 0)
    assert not again.writes
    assert not incremental.writes
    assert tiktok_writes(merchant) == []
    assert_listed_once(merchant)


def test_existing_listing_is_linked_not_duplicated(
    merchant: Merchant, make_runtime: MakeRuntime, context: Context
) -> None:
    existing = list_existing(merchant, merchant.products[:2])
    runtime = make_runtime(merchant, catalog=CATEGORY_RULES)

    report = run(context, runtime)

    assert (report.created, report.updated + report.unchanged) == (4, 2)
    assert_listed_once(merchant)
    listed = merchant.tiktok.listings_by_sku()
    for product, tiktok_id in zip(merchant.products[:2], existing, strict=True):
        assert {listed[v.sku] for v in product.variants} == {tiktok_id}
        # The store owns the title and description: the linked listing now shows the store's.
        assert tiktok_products(merchant)[tiktok_id].description == product.description
    with session_scope(runtime.engine) as session:
        bound = bindings.to_internal_many(session, runtime.channel_id("tiktok"), BindingKind.PRODUCT, existing)
    assert len(bound) == 2
    merchant.tiktok.server.calls.clear()
    assert not run(context, runtime, Window(since=datetime(2000, 1, 1, tzinfo=UTC))).writes
    assert tiktok_writes(merchant) == []


def test_creation_off_still_links(merchant: Merchant, make_runtime: MakeRuntime, context: Context) -> None:
    existing = list_existing(merchant, merchant.products[:1])
    runtime = make_runtime(merchant, catalog={**CATEGORY_RULES, "create_listings": False})

    report = run(context, runtime)

    assert report.created == 0
    assert merchant.tiktok.listing_count() == 1
    assert set(merchant.tiktok.listings_by_sku().values()) == set(existing)
    assert any("create_listings is off" in note for note in report.notes)


def test_title_change_updates_only_that_listing(
    merchant: Merchant, make_runtime: MakeRuntime, context: Context
) -> None:
    runtime = make_runtime(merchant, catalog=CATEGORY_RULES)
    run(context, runtime)
    changed_sku = merchant.products[2].variants[0].sku
    tiktok_id = merchant.tiktok.listings_by_sku()[changed_sku]
    before = {pid: (p.title, p.update_time) for pid, p in tiktok_products(merchant).items()}
    store_server(merchant).touch_product(shopify_gid(merchant, changed_sku), title="Sandbox Tee 3, organic")
    merchant.tiktok.server.calls.clear()

    report = run(context, runtime)

    assert (report.updated, report.created) == (1, 0)
    after = {pid: (p.title, p.update_time) for pid, p in tiktok_products(merchant).items()}
    assert after[tiktok_id][0] == "Sandbox Tee 3, organic"
    assert {pid: v for pid, v in after.items() if pid != tiktok_id} == {
        pid: v for pid, v in before.items() if pid != tiktok_id
    }
    edits = [call for call in tiktok_writes(merchant) if not call.startswith("upload_product_image")]
    assert edits
    assert all(f"/products/{tiktok_id}/" in call for call in edits)
    merchant.tiktok.server.calls.clear()
    assert not run(context, runtime).writes
    assert tiktok_writes(merchant) == []


def test_product_without_category_rule_is_quarantined(
    merchant: Merchant, make_runtime: MakeRuntime, context: Context
) -> None:
    mug = shopify_gid(merchant, merchant.products[1].variants[0].sku)
    store_server(merchant).touch_product(mug, product_type="Mugs")
    runtime = make_runtime(merchant, catalog=CATEGORY_RULES)

    report = run(context, runtime)

    assert (report.created, report.quarantined) == (5, 1)
    assert merchant.tiktok.listing_count() == 5
    assert not set(merchant.tiktok.listings_by_sku()) & {v.sku for v in merchant.products[1].variants}
    with session_scope(runtime.engine) as session:
        entries = quarantine.list_open(session, channel_id=runtime.channel_id("tiktok"))
    assert [(e.kind, e.record_key) for e in entries] == [("listing", mug)]
    assert "no category rule" in entries[0].reason


def test_duplicate_sku_on_a_page_quarantines_both_products(
    merchant: Merchant, make_runtime: MakeRuntime, context: Context
) -> None:
    first, second = merchant.products[0].variants[0].sku, merchant.products[1].variants[0].sku
    first_gid, second_gid = shopify_gid(merchant, first), shopify_gid(merchant, second)
    server = store_server(merchant)
    with server.lock:
        server.data.variant_by_sku(second).sku = first
    runtime = make_runtime(merchant, catalog=CATEGORY_RULES)

    report = run(context, runtime)

    assert (report.created, report.quarantined) == (4, 2)
    with session_scope(runtime.engine) as session:
        entries = quarantine.list_open(session, channel_id=runtime.channel_id("main"))
        assert catalog.get_variant_by_sku(session, first) is None
    assert sorted(e.record_key for e in entries) == sorted([first_gid, second_gid])
    for entry in entries:
        assert first in entry.reason
        assert first_gid in entry.reason
        assert second_gid in entry.reason


def test_daily_cap_defers_the_rest_to_the_next_run(
    merchant: Merchant, runtime_with: RuntimeWith, context: Context
) -> None:
    runtime = runtime_with(merchant, {"max_attempts": 1}, catalog=CATEGORY_RULES)
    tiktok = tiktok_server(merchant)
    tiktok.daily_product_cap = 2

    capped = run(context, runtime)

    assert (capped.created, capped.deferred, capped.quarantined, capped.failed) == (2, 4, 0, 0)
    assert merchant.tiktok.listing_count() == 2
    assert cursor(runtime) is None
    with session_scope(runtime.engine) as session:
        assert quarantine.list_open(session) == []
    # The next day on TikTok: two more; then the cap is lifted and the rest follow.
    with tiktok.lock:
        tiktok.created_per_day.clear()
    next_day = run(context, runtime)
    assert (next_day.created, next_day.deferred, next_day.unchanged) == (2, 2, 2)
    assert cursor(runtime) is None
    tiktok.daily_product_cap = None
    last = run(context, runtime)

    assert (last.created, last.deferred, last.unchanged) == (2, 0, 4)
    assert_listed_once(merchant)
    assert cursor(runtime) is not None


def test_failure_mid_page_leaves_the_cursor_and_the_rerun_does_not_duplicate(
    merchant: Merchant, runtime_with: RuntimeWith, context: Context
) -> None:
    runtime = runtime_with(merchant, {"max_attempts": 1}, catalog=CATEGORY_RULES)
    # The third creation is refused for good (credentials rejected, even after a refresh): the run stops
    # with two listings created on TikTok that syncd has not recorded yet.
    fault = merchant.tiktok.server.inject(Fault.unauthorized(route="create_product", after=2, times=None))

    with pytest.raises(AuthError):
        run(context, runtime)

    assert merchant.tiktok.listing_count() == 2
    assert cursor(runtime) is None
    merchant.tiktok.server.faults.clear()
    assert fault is not None

    report = run(context, runtime)

    assert report.created == 4
    assert report.updated + report.unchanged == 2  # the two created before the failure, found by SKU
    assert_listed_once(merchant)
    assert cursor(runtime) is not None


def test_lost_answer_to_a_creation_is_linked_on_the_rerun(
    merchant: Merchant, runtime_with: RuntimeWith, context: Context
) -> None:
    runtime = runtime_with(merchant, {"max_attempts": 1}, catalog=CATEGORY_RULES)
    # TikTok creates the third product but its answer is cut off; the rest of the run's creations wait.
    merchant.tiktok.server.inject(Fault.malformed(route="create_product", after=2, times=1))

    first = run(context, runtime)

    assert (first.created, first.failed, first.deferred) == (2, 1, 3)
    assert merchant.tiktok.listing_count() == 3
    assert cursor(runtime) is None

    second = run(context, runtime)

    assert second.created == 3
    assert_listed_once(merchant)


def test_a_stop_request_ends_the_run_after_the_page_in_hand(
    merchant: Merchant, runtime_with: RuntimeWith, context: Context
) -> None:
    runtime = runtime_with(merchant, {}, store={"page_size": 2}, catalog=CATEGORY_RULES)
    stopping = context(runtime)
    stopping.stop.set()

    first = catalog_job.run(stopping, Window())

    assert (first.read, first.created) == (2, 2)
    after_first_page = cursor(runtime)
    assert after_first_page is not None

    rest = run(context, runtime)

    assert rest.created == 4
    assert_listed_once(merchant)
    assert (cursor(runtime) or "") > after_first_page


def test_dry_run_plans_and_writes_nothing(merchant: Merchant, make_runtime: MakeRuntime, context: Context) -> None:
    runtime = make_runtime(merchant, catalog=CATEGORY_RULES)

    dry = context(runtime, dry_run=True)
    report = catalog_job.run(dry, Window())
    dry.close()

    assert sorted(p.action for p in report.planned) == ["create_listing"] * 6
    assert {p.key for p in report.planned} == {shopify_gid(merchant, p.variants[0].sku) for p in merchant.products}
    assert not report.writes
    assert tiktok_writes(merchant) == []
    assert merchant.tiktok.listing_count() == 0
    with session_scope(runtime.engine) as session:
        assert session.exec(select(func.count()).select_from(CanonicalProduct)).one() == 0
        assert session.exec(select(func.count()).select_from(Binding)).one() == 0
        assert session.exec(select(func.count()).select_from(StreamCursor)).one() == 0

    # After a real run, a dry run plans exactly the update a title change needs.
    run(context, runtime)
    sku = merchant.products[0].variants[0].sku
    store_server(merchant).touch_product(shopify_gid(merchant, sku), title="Renamed")
    merchant.tiktok.server.calls.clear()
    planned = run(context, runtime, dry_run=True).planned
    assert [(p.action, p.key) for p in planned] == [("update_listing", merchant.tiktok.listings_by_sku()[sku])]
    assert tiktok_writes(merchant) == []
    assert "Renamed" not in {p.title for p in tiktok_products(merchant).values()}


def test_woocommerce_as_store_of_record(woo_merchant: Merchant, make_runtime: MakeRuntime, context: Context) -> None:
    runtime = make_runtime(woo_merchant, catalog=CATEGORY_RULES, prices={"markup_percent": 20, "rounding": "whole"})

    report = run(context, runtime)

    assert (report.read, report.created, report.quarantined) == (6, 6, 0)
    assert_listed_once(woo_merchant)
    prices = {s.seller_sku: Decimal(s.price) for p in tiktok_products(woo_merchant).values() for s in p.skus}
    for product in woo_merchant.products:
        for variant in product.variants:
            assert prices[variant.sku] == (variant.price * Decimal("1.2")).quantize(Decimal(1), ROUND_HALF_UP)
    woo_merchant.tiktok.server.calls.clear()
    assert not run(context, runtime, Window(since=datetime(2000, 1, 1, tzinfo=UTC))).writes
    assert tiktok_writes(woo_merchant) == []


def test_sales_store_variants_are_bound_by_sku(
    two_store_merchant: Merchant, make_runtime: MakeRuntime, context: Context
) -> None:
    merchant = two_store_merchant
    # A product the second store sells but the store of record does not.
    merchant.stores["woo"].seed_catalog([SeedProduct("Woo-only mug", (SeedVariant("MUG-1", Decimal("9.50"), 4),))])
    runtime = make_runtime(merchant, catalog=CATEGORY_RULES)

    report = run(context, runtime)

    assert (report.read, report.created, report.quarantined) == (4, 4, 0)
    assert any("MUG-1" in note for note in report.notes)
    woo = runtime.channel_id("woo")
    with session_scope(runtime.engine) as session:
        assert session.exec(select(func.count()).select_from(CanonicalProduct)).one() == 4
        assert catalog.get_variant_by_sku(session, "MUG-1") is None
        variants = session.exec(select(Binding).where(Binding.channel_id == woo, Binding.kind == BindingKind.VARIANT))
        bound = {b.internal_id for b in variants.all()}
        expected = catalog.variant_ids_by_sku(session, [v.sku for p in merchant.products for v in p.variants])
        products = session.exec(select(Binding).where(Binding.channel_id == woo, Binding.kind == BindingKind.PRODUCT))
        assert len(products.all()) == 4
    assert bound == set(expected.values())
    assert cursor(runtime, "woo") is not None
