"""The content hash of one SKU's catalogue row, its images read from disk (``ledger record``).

:func:`shelfcheck.ledger.listing_content_hash` defines the hash; this finds the SKU's first row in
a catalogue, analyses its local main images and hashes them, so ``shelfcheck ledger record
--catalog`` stores the same hash ``check`` compares (rule ``resubmit_unchanged``).
"""

from __future__ import annotations

from pathlib import Path

from shelfcheck.analysis.images import ImageInfo, WhiteParams, analyse_image
from shelfcheck.analysis.refs import is_remote, resolve_image_ref
from shelfcheck.errors import InputError, Msg
from shelfcheck.ingest import open_catalog
from shelfcheck.ledger import listing_content_hash
from shelfcheck.policy import Policy, load_policy

__all__ = ["catalog_row_hash"]


def catalog_row_hash(catalog: str | Path, sku: str, *, sheet: str | None = None,
                     policy: Policy | str | None = None, columns: str | Path | None = None) -> str:
    """The content hash of the first row of ``sku`` in ``catalog``.

    Raises:
        InputError: the catalogue cannot be read, or has no row with that ``seller_sku``.
    """
    pack = policy if isinstance(policy, Policy) else load_policy(policy)
    with open_catalog(catalog, sheet=sheet, columns=columns) as source:
        row = source.find(sku)
    if row is None:
        raise InputError(source.path, Msg("sku_no_row", sku=sku), column="seller_sku")
    params = WhiteParams.of(pack.images.white_background)
    images: dict[str, ImageInfo] = {}
    for ref in row.main_images:
        target, _reason = resolve_image_ref(row.base_dir, ref)
        if target is not None and not is_remote(target):
            images[ref] = analyse_image(ref, target, params)
    return listing_content_hash(row, images)
