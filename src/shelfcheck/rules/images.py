"""Main image rules: count, existence, format, file size, pixel size, decodability, background.

Each image finding names its image in ``field`` (``main_images[0]`` is the first). The pixel
measurements come from :mod:`shelfcheck.analysis.images`, computed once per file per run.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from shelfcheck.analysis.images import ImageInfo
from shelfcheck.findings import Hit
from shelfcheck.rules.context import Images, ListingContext, Slot
from shelfcheck.rules.registry import RULES, family, rule

__all__: list[str] = []

_IMAGE_LIST: Slot[list[tuple[int, str, ImageInfo]]] = Slot("image_list")
# Whether one analysed image passes every per-image check, by the engine's key of its analysis.
_VERDICTS: Slot[dict[int, bool]] = Slot("image_verdicts")
_VERDICTS_KEPT = 50_000
# The rules that look at the listing's images together; every other rule of the family judges
# each image on its own (so a clean image is clean in any listing).
_WHOLE_LISTING = ("main_images_too_few", "main_images_too_many", "image_duplicate")


def _images(c: ListingContext) -> list[tuple[int, str, ImageInfo]]:
    """(position, reference, analysis) of each main image, computed once per listing."""
    def make() -> list[tuple[int, str, ImageInfo]]:
        images = c.images
        return [(i, ref, images[ref]) for i, ref in enumerate(c.listing.main_images) if ref in images]

    return c.once(_IMAGE_LIST, make)


def _images_may_fail(c: ListingContext) -> bool:
    """False when no image rule can report anything: the whole-listing rules find nothing and
    every image passes every per-image rule.

    The gate asks the rules themselves (a new image check is written once): each per-image rule
    runs over a probe that holds one image, and the verdict is kept per analysed image for the
    run (catalogues share images between many listings), so most listings skip the image rules.
    """
    for code in _WHOLE_LISTING:
        if code in RULES and next(iter(RULES[code].check(c)), None) is not None:
            return True
    images = c.images
    keys = images if isinstance(images, Images) else Images.of(images)
    verdicts = c.run.once(_VERDICTS, dict)
    per_image = _per_image_checks()
    for ref in c.listing.main_images:
        info = images.get(ref)
        key = keys.key_of(ref)
        if info is None or key is None:
            return True
        clean = verdicts.get(key)
        if clean is None:
            probe = ListingContext(c.run, c.listing, images, c.first_row_of_sku)
            probe.put(_IMAGE_LIST, [(0, ref, info)])
            clean = not any(next(iter(check(probe)), None) is not None for check in per_image)
            if len(verdicts) >= _VERDICTS_KEPT:
                verdicts.clear()
            verdicts[key] = clean
        if not clean:
            return True
    return False


def _per_image_checks() -> list[Any]:
    """The checks of the family's per-image rules (every registered one, enabled or not)."""
    global _PER_IMAGE
    if _PER_IMAGE[0] != len(RULES):  # worked out again only when a rule was registered since
        _PER_IMAGE = (len(RULES), [r.check for code, r in RULES.items()
                                   if r.family == "images" and code not in _WHOLE_LISTING])
    return _PER_IMAGE[1]


_PER_IMAGE: tuple[int, list[Any]] = (0, [])

# Listings that name the same images (variants of one product) get the same image findings.
family("images", gate=_images_may_fail, memo=("main_images",), images=True)


def _readable(info: ImageInfo) -> bool:
    return info.found and info.decodable is not False and info.format is not None


@rule("main_images_too_few", family="images", reads=("images.min_count",),
      platform=("12052028",))
def main_images_too_few(c: ListingContext) -> Iterator[Hit]:
    """Fewer main images than the policy minimum ({images.min_count}).

    What it checks:
        The number of entries in ``main_images`` (``|``-separated; a repeated image counts each
        time) against ``images.min_count``.
    Why the platform refuses it:
        TikTok Shop US requires at least {images.min_count} main images
        ({images.min_side}×{images.min_side}, white background).
    Bad:
        ``main_images: front.jpg``
    Good:
        ``main_images: front.jpg|side.jpg|detail.jpg``
    """
    count = len(c.listing.main_images)
    minimum = c.policy.images.min_count
    if count < minimum:
        yield Hit("main_images", {"count": count, "min": minimum})


@rule("main_images_too_many", family="images", reads=("images.max_count",),
      platform=("12052306",))
def main_images_too_many(c: ListingContext) -> Iterator[Hit]:
    """More main images than the policy maximum ({images.max_count}).

    What it checks:
        The number of entries in ``main_images`` against ``images.max_count``.
    Why the platform refuses it:
        A product takes at most {images.max_count} main images; extra ones are refused.
    Bad:
        12 images in ``main_images``
    Good:
        the best {images.max_count}
    """
    count = len(c.listing.main_images)
    maximum = c.policy.images.max_count
    if count > maximum:
        yield Hit("main_images", {"count": count, "max": maximum})


@rule("image_not_found", family="images")
def image_not_found(c: ListingContext) -> Iterator[Hit]:
    """A main image cannot be found (missing file, not a file, a URL that could not be fetched).

    What it checks:
        Each ``main_images`` entry resolves (relative to the catalogue file) to an existing
        regular file, or to a URL that was fetched.
    Why the platform refuses it:
        An image that cannot be uploaded leaves the product short of main images.
    Bad:
        ``main_images: images/eb-001-front.jpg`` where the file is not there
    Good:
        a path that exists next to the catalogue
    """
    for i, ref, info in _images(c):
        if not info.found:
            reason = info.reason or "image_file_missing"
            yield Hit(f"main_images[{i}]", {"ref": ref, "reason": reason, **info.extra}, {"reason": reason})


@rule("image_unreadable", family="images",
      platform=("12038004",))
def image_unreadable(c: ListingContext) -> Iterator[Hit]:
    """A main image is not a decodable image (not an image, or a truncated or corrupt file).

    What it checks:
        The whole image decodes — a valid header is not enough: a truncated JPEG fails here.
    Why the platform refuses it:
        The platform cannot process an image it cannot decode; a half-uploaded file shows grey.
    Bad:
        a JPEG cut off during download; a PDF renamed ``.jpg``
    Good:
        a complete JPEG or PNG that opens in any viewer
    """
    for i, ref, info in _images(c):
        if info.found and info.decodable is False:
            yield Hit(f"main_images[{i}]", {"ref": ref, "error": info.decode_error,
                                            "format": info.format, "size_bytes": info.size_bytes})


@rule("image_format_unsupported", family="images", reads=("images.formats",),
      platform=("12052304", "12038015"))
def image_format_unsupported(c: ListingContext) -> Iterator[Hit]:
    """A main image is in a format the platform does not take (by content, not by extension).

    What it checks:
        The format read from the file's content is one of ``images.formats`` (JPEG, PNG, WEBP);
        a GIF renamed ``.jpg`` is still a GIF.
    Why the platform refuses it:
        Upload Product Image accepts JPEG, PNG and WEBP only.
    Bad:
        ``front.jpg`` that is really a BMP or GIF
    Good:
        a real JPEG
    """
    allowed = [f.upper() for f in c.policy.images.formats]
    for i, ref, info in _images(c):
        if info.format and info.format.upper() not in allowed:
            yield Hit(f"main_images[{i}]", {"ref": ref, "format": info.format, "allowed": allowed})


@rule("image_file_too_large", family="images", reads=("images.max_bytes", "images.min_side"),
      platform=("12052302", "12038005"))
def image_file_too_large(c: ListingContext) -> Iterator[Hit]:
    """A main image file is larger than {images.max_megabytes} MB ({images.max_megabytes} × 1024 × 1024 bytes).

    What it checks:
        The file size in bytes against ``images.max_bytes``.
    Why the platform refuses it:
        Image uploads are limited to {images.max_megabytes} MB.
    Bad:
        a 9 MB 4000×4000 PNG
    Good:
        the same picture as a JPEG of quality 85–90 (usually under 1 MB)
    """
    limit = c.policy.images.max_bytes
    for i, ref, info in _images(c):
        if info.found and info.size_bytes is not None and info.size_bytes > limit:
            evidence = {"ref": ref, "size_bytes": info.size_bytes, "max_bytes": limit,
                        "size_mb": round(info.size_bytes / 1048576, 2)}
            if "download_stopped_at" in info.extra:  # a download cut at the limit: at least this
                evidence["download_stopped_at"] = info.extra["download_stopped_at"]
            yield Hit(f"main_images[{i}]", evidence,
                      {"max_mb": c.policy.images.max_megabytes, "min_side": c.policy.images.min_side})


@rule("image_wrong_size", family="images", reads=("images.square", "images.min_side", "images.max_side"),
      platform=("12052301", "12052305", "12038014", "12019116"))
def image_wrong_size(c: ListingContext) -> Iterator[Hit]:
    """A main image is not square, or a side is outside {images.min_side}–{images.max_side} pixels.

    What it checks:
        Width and height from the file: equal when ``images.square``, and each within
        ``images.min_side``–``images.max_side``.
    Why the platform refuses it:
        TikTok Shop US main images must be square, at least {images.min_side}×{images.min_side} pixels.
    Bad:
        800×800, or 1080×1350
    Good:
        {images.min_side}×{images.min_side}, 1600×1600
    """
    policy = c.policy.images
    for i, ref, info in _images(c):
        if not _readable(info) or info.width is None or info.height is None:
            continue
        w, h = info.width, info.height
        problems = []
        if policy.square and w != h:
            problems.append("image_not_square")
        if min(w, h) < policy.min_side:
            problems.append("image_side_too_small")
        if max(w, h) > policy.max_side:
            problems.append("image_side_too_large")
        if problems:
            yield Hit(f"main_images[{i}]", {"ref": ref, "width": w, "height": h, "square": policy.square,
                                            "min_side": policy.min_side, "max_side": policy.max_side,
                                            "problems": problems},
                      {"problems": problems})


@rule("image_background_not_white", family="images", reads=("images.white_background",))
def image_background_not_white(c: ListingContext) -> Iterator[Hit]:
    """A main image's backdrop is not white at the borders.

    What it checks:
        In each of the four border bands ({images.white_background.band_percent} % of the shorter
        side wide) the share of the *backdrop's* pixels with min(R,G,B) ≥
        {images.white_background.min_channel} and max − min ≤ {images.white_background.max_chroma};
        every band needs at least {images.white_background.min_percent} %. The product itself
        may touch or cross the frame: a non-white region in the
        {images.white_background.zone_percent} % strip along a side is the product, not backdrop,
        when it continues inward past the band, covers at most
        {images.white_background.max_edge_percent} % of the side, and at least
        {images.white_background.sharp_percent} % of its outline is a sharp edge (a pixel with
        min(R,G,B) below {images.white_background.distinct_below} within
        {images.white_background.edge_percent} % of the shorter side). A frame, a grey sweep, a
        vignette, a gradient or a soft shadow reaching the border stays backdrop. The evidence
        gives the worst band's backdrop ratio, the share of all the border's backdrop that is
        white, where the off-white part is (a side or a corner) and its box in image pixels.
        (The platform publishes no tolerance: these thresholds are policy data.)
    Why the platform refuses it:
        The main image must show the product on a pure white background; grey, cream or
        coloured backdrops and lifestyle scenes are refused by the review engine.
    Bad:
        a product photographed on a grey table; a white photo with a dark frame or a vignette
    Good:
        the product cut out on pure white (255, 255, 255), also when it touches or crosses the
        frame
    """
    wb = c.policy.images.white_background
    for i, ref, info in _images(c):
        if info.bands is None or min(info.bands.values()) >= wb.min_ratio:
            continue
        band, ratio = info.worst_band  # type: ignore[misc]
        failing = [b for b, r in info.bands.items() if r < wb.min_ratio]
        backdrop = info.backdrop or {}
        offending = backdrop.get("offending") or {}
        boxes = [offending[b] for b in failing if b in offending]
        # the box around the off-white backdrop of every failing band, in image pixels
        box = ([min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes),
                max(b[3] for b in boxes)] if boxes else None)
        where = backdrop.get("where") or band
        overall = backdrop.get("white_ratio", ratio)
        box_text = f"x {box[0]}–{box[2]}, y {box[1]}–{box[3]}" if box else "-"
        yield Hit(f"main_images[{i}]",
                  {"ref": ref, "white_ratio": ratio, "min": wb.min_ratio, "band": band,
                   "failing_bands": failing, "bands": dict(info.bands),
                   "band_px": info.band_px, "min_channel": wb.min_channel,
                   "max_chroma": wb.max_chroma, "background_white_ratio": overall,
                   "where": where, "box": box, "offending": dict(offending),
                   "product_crossings": backdrop.get("product_crossings", 0),
                   "crossing_boxes": list(backdrop.get("crossing_boxes") or [])},
                  {"band": band, "percent": round(ratio * 100, 1), "min_percent": round(wb.min_ratio * 100, 1),
                   "overall_percent": round(overall * 100, 1), "where": f"where_{where}", "box": box_text})


@rule("image_duplicate", family="images")
def image_duplicate(c: ListingContext) -> Iterator[Hit]:
    """The same picture appears twice among the main images.

    What it checks:
        Main images with identical content (same bytes, whatever the file name); each repeat
        after the first is reported, naming the first.
    Why the platform refuses it:
        Not a refusal on its own, but a repeat adds nothing and may be the only reason the
        count reaches the minimum of {images.min_count}.
    Bad:
        ``front.jpg|front.jpg|side.jpg``
    Good:
        ``front.jpg|side.jpg|detail.jpg``
    """
    seen: dict[str, int] = {}
    for i, ref, info in _images(c):
        if info.sha256 is None:
            continue
        first = seen.setdefault(info.sha256, i)
        if first != i:
            yield Hit(f"main_images[{i}]", {"ref": ref, "same_as": f"main_images[{first}]",
                                            "sha256": info.sha256[:16]},
                      {"first": first + 1, "position": i + 1})
