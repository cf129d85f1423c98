"""Fulfilments come from Shipment Tracking meta, else from order notes; `completed` means shipped."""

from __future__ import annotations

from woo_helpers import tiktok_order

from connectors.woocommerce import WooCommerceConnector
from connectors.woocommerce.fake import FakeWooCommerce


def _order(connector: WooCommerceConnector, store: FakeWooCommerce, source_id: str) -> int:
    (product_id,) = store.add_products(1)
    result = connector.create_order(tiktok_order(source_id, lines=[(f"WOO-{product_id}", 1)]), f"key-{source_id}")
    assert result.external_id is not None
    return int(result.external_id)


def test_tracking_meta_notes_and_completion_are_read_in_one_listing_call(
    connector: WooCommerceConnector, store: FakeWooCommerce
) -> None:
    tracked = _order(connector, store, "1")
    noted = _order(connector, store, "2")
    completed_only = _order(connector, store, "3")
    open_order = _order(connector, store, "4")
    cancelled = _order(connector, store, "5")
    item = {
        "tracking_provider": "fedex",
        "custom_tracking_provider": "",
        "tracking_number": "612999AA10NEW",
        "custom_tracking_link": "",
        "date_shipped": 1735732800,
        "tracking_id": "f00d",
    }
    # What the Shipment Tracking extension stores; the order may still be processing.
    store.edit_order(tracked, {"meta_data": [{"key": "_wc_shipment_tracking_items", "value": [item]}]})
    store.add_order_note(noted, "Shipped via Royal Mail, tracking number: AB123456789GB")
    for order_id in (noted, completed_only):
        store.edit_order(order_id, {"status": "completed"})
    store.edit_order(cancelled, {"status": "cancelled"})
    store.calls.clear()

    found = connector.read_fulfilments(
        [str(i) for i in (tracked, noted, completed_only, open_order, cancelled)] + ["x"]
    )
    by_order = {f.order_external_id: f for f in found}
    assert set(by_order) == {str(tracked), str(noted), str(completed_only)}
    assert (by_order[str(tracked)].tracking_number, by_order[str(tracked)].carrier) == ("612999AA10NEW", "fedex")
    assert by_order[str(tracked)].external_id == f"{tracked}:f00d"
    assert (by_order[str(noted)].tracking_number, by_order[str(noted)].carrier) == ("AB123456789GB", "Royal Mail")
    assert by_order[str(completed_only)].tracking_number is None
    assert by_order[str(completed_only)].line_external_ids == tuple(
        str(line["id"]) for line in store.order(completed_only)["line_items"]
    )
    # One listing call for all orders, and notes only for the completed orders without tracking meta.
    assert store.calls.by_route() == {"list_orders": 1, "list_order_notes": 2}
