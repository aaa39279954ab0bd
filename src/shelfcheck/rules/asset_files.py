"""Image files other than the main images, measured as Upload Product Image takes them.

Only a local file is judged, from its header (nothing is decoded): a URL is the platform's to
fetch. :func:`local_image` finds the file a cell names, :func:`header_of` reads its header once
per run, and :func:`file_problems` compares it with the upload's limits; the size chart
(:mod:`shelfcheck.rules.size_chart`) and the SKU images (:func:`sku_image_file_invalid`) use them.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from shelfcheck.analysis.images import ImageHeader, read_header
from shelfcheck.analysis.refs import is_remote, resolve_image_ref
from shelfcheck.findings import Hit
from shelfcheck.model import split_list
from shelfcheck.rules.context import ListingContext, Slot
from shelfcheck.rules.description import image_format_of
from shelfcheck.rules.registry import family, rule

__all__ = ["file_problems", "header_of", "local_image"]

# Headers read in a run, by resolved path (catalogues share one chart or SKU image between rows).
_HEADERS: Slot[dict[str, ImageHeader]] = Slot("asset_file_headers")
_HEADERS_KEPT = 50_000


def local_image(c: ListingContext, ref: str) -> str | None:
    """The path of the local file ``ref`` names: an existing one, or a missing one whose name
    ends like an image (a template id, a URL or an upload URI is not judged here)."""
    ref = ref.strip()
    target, _reason = resolve_image_ref(c.listing.base_dir, ref)
    if not ref or target is None or is_remote(target):
        return None
    path = Path(target)
    if path.exists() or image_format_of(ref) is not None:
        return str(path)
    return None


def header_of(c: ListingContext, path: str) -> ImageHeader:
    """The header of the image at ``path``, read once per run."""
    headers = c.run.once(_HEADERS, dict)
    header = headers.get(path)
    if header is None:
        if len(headers) >= _HEADERS_KEPT:
            headers.clear()
        header = headers[path] = read_header(path)
    return header


def file_problems(header: ImageHeader, prefix: str, min_short_side: int, max_side: int, max_bytes: int,
                  evidence: dict[str, object]) -> list[str]:
    """The problems (``{prefix}_not_found``, ``_not_an_image``, ``_side_too_small``,
    ``_side_too_large``, ``_file_too_large``) of a file against the upload's limits; what was
    measured is added to ``evidence``."""
    problems: list[str] = []
    if not header.found:
        problems.append(f"{prefix}_not_found")
        evidence["reason"] = header.reason
    elif header.reason is not None or header.width is None or header.height is None:
        problems.append(f"{prefix}_not_an_image")
    else:
        short = min(header.width, header.height)
        evidence.update(width=header.width, height=header.height, short_side=short)
        if short < min_short_side:
            problems.append(f"{prefix}_side_too_small")
        if max(header.width, header.height) > max_side:
            problems.append(f"{prefix}_side_too_large")
    if header.size_bytes is not None:
        evidence["size_bytes"] = header.size_bytes
        if header.size_bytes > max_bytes:
            problems.append(f"{prefix}_file_too_large")
    return problems


def _has_sku_image(c: ListingContext) -> bool:
    return bool((c.get("sku_image") or "").strip())


family("asset_files", gate=_has_sku_image)


@rule("sku_image_file_invalid", family="asset_files",
      reads=("images.official.min_side", "images.official.max_side", "images.max_bytes"),
      platform=("12052521",))
def sku_image_file_invalid(c: ListingContext) -> Iterator[Hit]:
    """A SKU image file cannot be uploaded: missing, not an image, too small or too large.

    What it checks:
        Each image of the ``sku_image`` cell that names a local file, from its header (no pixel
        is decoded): the file exists and is an image, each side is at least
        {images.official.min_side} px and at most {images.official.max_side} px, and the file is
        at most {images.max_megabytes} MB. A URL is the platform's to fetch and is not judged.
    Why the platform refuses it:
        The publisher uploads a SKU image with Upload Product Image (use case ``ATTRIBUTE_IMAGE``),
        which takes {images.official.min_side}–{images.official.max_side} px per side; Create
        Product refuses an oversized sale-property image ("The sale property images size over
        limit", 12052521). The product cannot be published without its SKU images.
    Bad:
        ``sku_image: images/red.jpg`` of 80×80 px; a file that is not there
    Good:
        ``sku_image: images/red.jpg`` of 800×800 px
    """
    limits = c.policy.images.official
    ctx = {"min_side": limits.min_side, "max_side": limits.max_side, "max_mb": c.policy.images.max_megabytes}
    for index, ref in enumerate(split_list(c.get("sku_image"))):
        path = local_image(c, ref)
        if path is None:
            continue
        header = header_of(c, path)
        evidence: dict[str, object] = {"ref": ref, "min_side": limits.min_side, "max_side": limits.max_side,
                                       "max_bytes": c.policy.images.max_bytes}
        problems = file_problems(header, "sku_image", limits.min_side, limits.max_side,
                                 c.policy.images.max_bytes, evidence)
        if problems:
            evidence.update(problem=problems[0], problems=problems)
            size = f"{header.width}x{header.height} px" if header.width else "size_not_measured"
            yield Hit(f"sku_image[{index}]", evidence, {**ctx, "ref": ref, "problems": problems, "size": size})
