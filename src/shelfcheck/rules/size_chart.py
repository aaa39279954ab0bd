"""The size chart image of the ``size_chart`` column, as Upload Product Image takes it.

Only a local image is judged, from its header (nothing is decoded): a URL is the platform's to
fetch, and a size-chart template id (digits that name no file) is the shop's, which only the
platform knows (``12052128`` "Size chart not found" is answered online). Whether the category
needs a size chart at all is :func:`shelfcheck.rules.category_rules.size_chart_missing`.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from shelfcheck.analysis.images import ImageHeader, read_header
from shelfcheck.analysis.refs import is_remote, resolve_image_ref
from shelfcheck.findings import Hit
from shelfcheck.rules.context import ListingContext, Slot
from shelfcheck.rules.description import image_format_of
from shelfcheck.rules.registry import family, rule

__all__: list[str] = []

# Headers read in a run, by resolved path (catalogues share one chart between many rows).
_HEADERS: Slot[dict[str, ImageHeader]] = Slot("size_chart_headers")
_HEADERS_KEPT = 50_000


def _has_chart(c: ListingContext) -> bool:
    return bool((c.get("size_chart") or "").strip())


family("size_chart", gate=_has_chart)


def _local_chart(c: ListingContext) -> tuple[str, str] | None:
    """``(reference, path)`` when the cell names a local file: an existing one, or a missing one
    whose name ends like an image (a template id, a URL or an upload URI is not judged here)."""
    ref = (c.get("size_chart") or "").strip()
    target, _reason = resolve_image_ref(c.listing.base_dir, ref)
    if not ref or target is None or is_remote(target):
        return None
    path = Path(target)
    if path.exists() or image_format_of(ref) is not None:
        return ref, str(path)
    return None


def _header(c: ListingContext, path: str) -> ImageHeader:
    headers = c.run.once(_HEADERS, dict)
    header = headers.get(path)
    if header is None:
        if len(headers) >= _HEADERS_KEPT:
            headers.clear()
        header = headers[path] = read_header(path)
    return header


@rule("size_chart_image_invalid", family="size_chart",
      reads=("images.official.size_chart_min_side", "images.official.max_side", "images.max_bytes"),
      platform=("12038014", "12019116", "12052671"))
def size_chart_image_invalid(c: ListingContext) -> Iterator[Hit]:
    """The size chart image cannot be uploaded: missing, not an image, too small or too large.

    What it checks:
        When the ``size_chart`` cell names a local file, its header (no pixel is decoded): the
        file exists and is an image, its short side is at least
        {images.official.size_chart_min_side} px, no side is longer than
        {images.official.max_side} px, and the file is at most {images.max_megabytes} MB. A
        size-chart template id or a URL is not judged.
    Why the platform refuses it:
        Upload Product Image takes a size chart (use case ``SIZE_CHART_IMAGE``) only from
        {images.official.size_chart_min_side} px on the short side and refuses other dimensions
        ("The image dimensions exceed the allowed limits", 12038014); Create Product refuses an
        oversized size chart (12052671). The product cannot be published without it.
    Bad:
        ``size_chart: images/sizes.png`` of 800×1200 px; a file that is not an image
    Good:
        ``size_chart: images/sizes.png`` of {images.official.size_chart_min_side}×1600 px, or a
        size-chart template id
    """
    found = _local_chart(c)
    if found is None:
        return
    ref, path = found
    header = _header(c, path)
    limits = c.policy.images.official
    evidence: dict[str, object] = {"ref": ref, "min_side": limits.size_chart_min_side,
                                   "max_side": limits.max_side, "max_bytes": c.policy.images.max_bytes}
    ctx = {"size_chart_min_side": limits.size_chart_min_side, "max_side": limits.max_side,
           "max_mb": c.policy.images.max_megabytes}
    problems: list[str] = []
    if not header.found:
        problems.append("size_chart_not_found")
        evidence["reason"] = header.reason
    elif header.reason is not None or header.width is None or header.height is None:
        problems.append("size_chart_not_an_image")
    else:
        evidence.update(width=header.width, height=header.height, short_side=min(header.width, header.height))
        if min(header.width, header.height) < limits.size_chart_min_side:
            problems.append("size_chart_side_too_small")
        if max(header.width, header.height) > limits.max_side:
            problems.append("size_chart_side_too_large")
    if header.size_bytes is not None:
        evidence["size_bytes"] = header.size_bytes
        if header.size_bytes > c.policy.images.max_bytes:
            problems.append("size_chart_file_too_large")
    if problems:
        evidence.update(problem=problems[0], problems=problems)
        size = f"{header.width}x{header.height}" if header.width else "size_not_measured"
        yield Hit("size_chart", evidence, {**ctx, "problems": problems, "size": size})
