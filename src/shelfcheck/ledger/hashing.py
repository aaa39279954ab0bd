"""The listing content hash: did anything the platform judges change since the last attempt?

:func:`listing_content_hash` is shared by ``check`` (rule ``resubmit_unchanged``) and the
publisher (which records it with every attempt), so the two always agree.

What goes in: every canonical catalogue field the platform judges (title, category, brand,
description, price, documents' numbers, origin, manufacturer …), NFC-normalised, and the main
images by *content* (their sha256, in order), so renaming or moving a file changes nothing and
re-shooting a photo changes the hash. What stays out: ``main_images`` paths, ``quantity`` (stock
is synced through its own endpoint, not resubmitted with the listing) and ``product_id`` (the
platform's id, not content). Unknown columns are not part of a listing and never count.
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from collections.abc import Mapping, Sequence
from typing import Any

from shelfcheck.model import Listing, split_list

__all__ = ["HASH_VERSION", "NOT_CONTENT", "listing_content_hash"]

HASH_VERSION = "shelfcheck.listing-content/1"
NOT_CONTENT = frozenset({"main_images", "quantity", "product_id"})


def _digest(info: Any) -> str | None:
    if info is None:
        return None
    if isinstance(info, str):
        return info or None
    return getattr(info, "sha256", None)


def listing_content_hash(listing: Listing | Mapping[str, Any], images: Mapping[str, Any] | Sequence[Any]) -> str:
    """A stable sha256 (hex) of a listing's canonical field values and its main images' content.

    Args:
        listing: a :class:`~shelfcheck.model.Listing`, or a mapping of canonical field names to
            values (the publisher's view of a row).
        images: the analysed main images — a mapping of image reference to
            :class:`~shelfcheck.analysis.images.ImageInfo` (what rules see), or a sequence in
            ``main_images`` order of ``ImageInfo`` objects or sha256 strings. An image without
            a digest (missing, remote, unreadable) counts by its reference instead.
    """
    if isinstance(listing, Listing):
        values = dict(listing.values)
    else:
        values = {str(k): str(v).strip() for k, v in listing.items() if v is not None and str(v).strip()}
    refs = split_list(values.get("main_images", ""))
    fields = {k: unicodedata.normalize("NFC", v) for k, v in sorted(values.items())
              if k not in NOT_CONTENT and v}
    main: list[str] = []
    for i, ref in enumerate(refs):
        if isinstance(images, Mapping):
            info = images.get(ref)
        else:
            info = images[i] if i < len(images) else None
        digest = _digest(info)
        main.append(f"sha256:{digest}" if digest else f"ref:{ref}")
    payload = json.dumps({"v": HASH_VERSION, "fields": fields, "main_images": main},
                         ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    # surrogatepass: a lone surrogate (from a JSON catalogue) hashes instead of crashing the run;
    # any other text encodes exactly as UTF-8, so no existing hash changes.
    return hashlib.sha256(payload.encode("utf-8", "surrogatepass")).hexdigest()
