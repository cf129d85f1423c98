"""The shop's reference data: warehouses, categories (with rules and attributes), brands and carriers.

It is read from `connectors/tiktok_shop/seed/catalog.json`, shaped like the platform's responses; see
`seed/README.md` for where the shapes come from.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SEED_DIR = Path(__file__).resolve().parents[1] / "seed"


@dataclass(slots=True)
class Catalog:
    """Reference data the product and logistics endpoints serve."""

    warehouses: list[dict[str, Any]] = field(default_factory=list)
    categories: list[dict[str, Any]] = field(default_factory=list)
    category_rules: dict[str, dict[str, Any]] = field(default_factory=dict)
    category_attributes: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    brands: list[dict[str, Any]] = field(default_factory=list)
    delivery_options: list[dict[str, Any]] = field(default_factory=list)
    shipping_providers: list[dict[str, Any]] = field(default_factory=list)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Catalog:
        """A catalog from the seed file's structure (keys it lacks stay empty)."""
        names = cls.__dataclass_fields__
        return cls(**{key: copy.deepcopy(value) for key, value in data.items() if key in names})

    def merge(self, data: dict[str, Any]) -> None:
        """Add the records in `data` (a seed file's catalog keys), replacing records with the same id."""
        for name in ("warehouses", "categories", "brands", "delivery_options", "shipping_providers"):
            added = {record["id"]: record for record in data.get(name, [])}
            kept = [record for record in getattr(self, name) if record["id"] not in added]
            setattr(self, name, kept + copy.deepcopy(list(added.values())))
        self.category_rules.update(copy.deepcopy(data.get("category_rules", {})))
        self.category_attributes.update(copy.deepcopy(data.get("category_attributes", {})))

    def category(self, category_id: str) -> dict[str, Any] | None:
        """The category with `category_id`."""
        return next((c for c in self.categories if c["id"] == category_id), None)

    def category_chain(self, category_id: str) -> list[dict[str, Any]]:
        """The category and its ancestors, root first (the product detail's `category_chains`)."""
        chain: list[dict[str, Any]] = []
        current = self.category(category_id)
        while current is not None and len(chain) < 10:
            chain.insert(0, {key: current[key] for key in ("id", "parent_id", "local_name", "is_leaf")})
            current = self.category(current["parent_id"])
        return chain

    def rules(self, category_id: str) -> dict[str, Any]:
        """The category's listing rules."""
        return self.category_rules.get(category_id) or self.category_rules.get("default", {})

    def attributes(self, category_id: str) -> list[dict[str, Any]]:
        """The category's product and sales attributes."""
        return self.category_attributes.get(category_id) or self.category_attributes.get("default", [])

    def warehouse(self, warehouse_id: str) -> dict[str, Any] | None:
        """The warehouse with `warehouse_id`."""
        return next((w for w in self.warehouses if w["id"] == warehouse_id), None)

    def sales_warehouse_ids(self) -> list[str]:
        """Enabled sales warehouses, the default first."""
        sales = [w for w in self.warehouses if w["type"] == "SALES_WAREHOUSE" and w["effect_status"] == "ENABLED"]
        return [w["id"] for w in sorted(sales, key=lambda w: not w.get("is_default"))]

    def provider(self, provider_id: str) -> dict[str, Any] | None:
        """The shipping provider with `provider_id`."""
        return next((p for p in self.shipping_providers if p["id"] == provider_id), None)


def load_default() -> Catalog:
    """The catalog shipped in `seed/catalog.json`."""
    return Catalog.from_json(json.loads((SEED_DIR / "catalog.json").read_text(encoding="utf-8")))
