"""Products with variants: catalogue rows grouped into products and their SKUs (issue 12).

:mod:`~shelfcheck.products.model` is the model (a :class:`Product` with its :class:`Sku` s),
:mod:`~shelfcheck.products.attributes` reads sales attributes, and
:mod:`~shelfcheck.products.tracker` groups rows while the catalogue streams. The product-level
checks are rules (``shelfcheck.rules.variants``).
"""

from shelfcheck.products.attributes import attributes_of, parse_sales_attributes
from shelfcheck.products.model import PRODUCT_FIELDS, SKU_FIELDS, Product, Sku, ValueGroup
from shelfcheck.products.tracker import ProductTracker

__all__ = ["PRODUCT_FIELDS", "SKU_FIELDS", "Product", "ProductTracker", "Sku", "ValueGroup", "attributes_of",
           "parse_sales_attributes"]
