"""The size chart image of the ``size_chart`` column, as Upload Product Image takes it.

Only a local image is judged, from its header (nothing is decoded): a URL is the platform's to
fetch, and a size-chart template id (digits that name no file) is the shop's, which only the
platform knows (``12052128`` "Size chart not found" is answered online). Whether the category
needs a size chart at all is :func:`shelfcheck.rules.category_rules.size_chart_missing`.
"""

from __future__ import annotations

from collections.abc import Iterator

from shelfcheck.findings import Hit
from shelfcheck.rules.asset_files import file_problems, header_of, local_image
from shelfcheck.rules.context import ListingContext
from shelfcheck.rules.registry import family, rule

__all__: list[str] = []


def _has_chart(c: ListingContext) -> bool:
    return bool((c.get("size_chart") or "").strip())


family("size_chart", gate=_has_chart)


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
    ref = (c.get("size_chart") or "").strip()
    path = local_image(c, ref)
    if path is None:
        return
    header = header_of(c, path)
    limits = c.policy.images.official
    evidence: dict[str, object] = {"ref": ref, "min_side": limits.size_chart_min_side,
                                   "max_side": limits.max_side, "max_bytes": c.policy.images.max_bytes}
    ctx = {"size_chart_min_side": limits.size_chart_min_side, "max_side": limits.max_side,
           "max_mb": c.policy.images.max_megabytes}
    problems = file_problems(header, "size_chart", limits.size_chart_min_side, limits.max_side,
                             c.policy.images.max_bytes, evidence)
    if problems:
        evidence.update(problem=problems[0], problems=problems)
        size = f"{header.width}x{header.height} px" if header.width else "size_not_measured"
        yield Hit("size_chart", evidence, {**ctx, "problems": problems, "size": size})
