"""Products and their SKUs (contract §2.1): one product, several SKUs, each a catalogue row.

A :class:`Product` carries the product-level values (title, description, category, brand, main
images, package, size chart …), the same for every SKU; a :class:`Sku` the values of one
variant (seller SKU, sales attributes, SKU image, prices, quantity, identifier code) and the row
it was read from. Rows group into one product by their ``product_key``; a row without one (or a
catalogue without the column) is a product of its own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["PRODUCT_FIELDS", "SKU_FIELDS", "Product", "Sku", "ValueGroup"]

# Product-level fields: one value per product. A later row of a product may leave them blank (it
# then takes the product's value); a different value is ``product_field_conflict``.
PRODUCT_FIELDS = ("title", "description", "category", "brand", "main_images", "package_weight",
                  "package_length", "package_width", "package_height", "package_dimensions", "size_chart", "video",
                  "country_of_origin", "origin_label", "manufacturer_name", "manufacturer_address")
# SKU-level fields the model keeps (besides the seller SKU and the sales attributes).
SKU_FIELDS = ("sku_image", "price", "list_price", "sale_price", "quantity", "identifier_code",
              "identifier_code_type")


@dataclass(slots=True)
class Sku:
    """One SKU: a catalogue row of a product.

    Attributes:
        row: the row it was read from.
        seller_sku: the seller's SKU.
        sales_attributes: attribute name → value (``{"Color": "Red", "Size": "M"}``).
        values: the SKU-level fields (:data:`SKU_FIELDS`) that were filled.
        position: its place in the catalogue's stream of rows (0-based).
    """

    row: int
    seller_sku: str
    sales_attributes: dict[str, str]
    values: dict[str, str] = field(default_factory=dict)
    position: int = 0

    @property
    def sku_image(self) -> str:
        return self.values.get("sku_image", "")

    @property
    def price(self) -> str:
        return self.values.get("price", "")

    @property
    def list_price(self) -> str:
        return self.values.get("list_price", "")

    @property
    def sale_price(self) -> str:
        return self.values.get("sale_price", "")

    @property
    def quantity(self) -> str:
        return self.values.get("quantity", "")

    @property
    def identifier_code(self) -> str:
        return self.values.get("identifier_code", "")


@dataclass(slots=True)
class ValueGroup:
    """Rows of one product that give a product-level field the same value."""

    value: str
    rows: list[int]


@dataclass(slots=True)
class Product:
    """One product: its key, product-level values and SKUs (in row order).

    ``values`` holds each product-level field's value as the product's first row giving it wrote
    it (long texts shortened to a preview: the full text is checked on each row); ``conflicts``
    the fields whose rows disagree, each with its groups of rows by value (the first value first).
    """

    key: str | None
    values: dict[str, str] = field(default_factory=dict)
    skus: list[Sku] = field(default_factory=list)
    conflicts: dict[str, list[ValueGroup]] = field(default_factory=dict)

    @property
    def rows(self) -> list[int]:
        return [s.row for s in self.skus]

    @property
    def title(self) -> str:
        return self.values.get("title", "")

    @property
    def description(self) -> str:
        return self.values.get("description", "")

    @property
    def category(self) -> str:
        return self.values.get("category", "")

    @property
    def brand(self) -> str:
        return self.values.get("brand", "")

    @property
    def main_images(self) -> list[str]:
        return [p.strip() for p in self.values.get("main_images", "").split("|") if p.strip()]

    @property
    def package(self) -> dict[str, str]:
        """Weight and dimensions as written (``{"weight": "1.2 lb", "length": "10 in", …}``)."""
        return {k.removeprefix("package_"): v for k, v in self.values.items() if k.startswith("package_")}

    def summary(self) -> dict[str, Any]:
        """The product-level values and SKU count, for reports."""
        return {"product_key": self.key, "title": self.title, "category": self.category,
                "skus": len(self.skus), "rows": self.rows}
