"""Reading the seller's files: catalogue, documents, shop profile, platform inventory.

Every reader either returns data that remembers where each value came from, or raises
:class:`~shelfcheck.errors.InputError` naming the file, row and column it could not read.
"""

from shelfcheck.ingest.catalog import CatalogSource, open_catalog
from shelfcheck.ingest.documents import load_documents
from shelfcheck.ingest.inventory import load_platform_inventory
from shelfcheck.ingest.mapping import ColumnMap, load_column_map
from shelfcheck.ingest.shop import load_shop

__all__ = [
    "CatalogSource",
    "ColumnMap",
    "load_column_map",
    "load_documents",
    "load_platform_inventory",
    "load_shop",
    "open_catalog",
]
