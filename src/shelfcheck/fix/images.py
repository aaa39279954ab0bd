"""Image fixes: a main image rewritten so the platform takes it, the product untouched.

Each fix starts from the original file and writes a new one (never over the original): EXIF
orientation applied, colour converted to sRGB RGB (CMYK and ICC-tagged images through their
profile, transparency flattened onto white), the picture scaled and padded onto a pure-white
square of the pack's size keeping the whole picture inside a margin, and the result encoded in
a format the pack accepts within its byte limit. Every number comes from the policy pack:
``images.min_side``/``max_side``/``max_bytes``/``formats`` and ``fix.image_margin``/
``jpeg_quality``/``jpeg_min_quality``.

Backdrop lift (:func:`lift_backdrop`, for ``image_background_not_white``): a near-white, uniform
backdrop is made pure white without touching the product. The backdrop's colour is the median
of the border bands; it is lifted only when that colour is near-white (min(R,G,B) ≥
``fix.backdrop_min_channel``, chroma within ``images.white_background.max_chroma``) and uniform
(at least ``fix.backdrop_min_share`` of the bands within ``fix.backdrop_tolerance`` of it, per
channel). Only the pixels of that colour connected to the bands are set to white: a product
pixel is distinct from the backdrop or enclosed by the product's outline, so it stays as it was.
Then the white-background measurement (:func:`shelfcheck.analysis.images.judge_strip`) judges
the result: whatever is still off-white at the frame must be the product crossing it; a shadow,
a frame or a gradient left over means the image is not lifted at all. A gradient, a vignette,
a grey or coloured sweep is not lifted.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any

__all__ = ["ImageFix", "fix_image", "lift_backdrop", "needs_resize"]

# Pillow's format names for the suffix a rewritten file takes.
_SUFFIX = {"JPEG": ".jpg", "PNG": ".png", "WEBP": ".webp"}


@dataclass
class ImageFix:
    """What :func:`fix_image` did: the encoded bytes, their format and the steps taken
    (reason keys of the message catalogue)."""

    data: bytes
    format: str
    size: tuple[int, int]
    steps: list[str] = field(default_factory=list)

    @property
    def suffix(self) -> str:
        return _SUFFIX[self.format]


def needs_resize(width: int, height: int, images: Any) -> bool:
    """True when the pack refuses this size (not square when it asks for square, a side out
    of ``min_side``–``max_side``)."""
    if images.square and width != height:
        return True
    return not (images.min_side <= width <= images.max_side and images.min_side <= height <= images.max_side)


def _srgb(img: Any, steps: list[str]) -> Any:
    from PIL import Image, ImageCms

    profile = img.info.get("icc_profile")
    if profile:
        try:
            src = ImageCms.ImageCmsProfile(io.BytesIO(profile))
            mode = "RGBA" if img.mode in ("RGBA", "LA", "PA") else "RGB"
            desc = ImageCms.getProfileDescription(src) or ""
            if "srgb" not in desc.lower() or img.mode not in ("RGB", "RGBA"):
                img = ImageCms.profileToProfile(img, src, ImageCms.createProfile("sRGB"), outputMode=mode)
                steps.append("fix_step_srgb")
        except (OSError, ValueError, ImageCms.PyCMSError):
            pass
    has_alpha = img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info)
    if has_alpha:
        rgba = img.convert("RGBA")
        canvas = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        canvas.alpha_composite(rgba)
        steps.append("fix_step_flatten")
        return canvas.convert("RGB")
    if img.mode != "RGB":
        if img.mode == "CMYK" and "fix_step_srgb" not in steps:
            steps.append("fix_step_srgb")
        elif img.mode not in ("L", "P", "1"):
            steps.append("fix_step_srgb")
        return img.convert("RGB")
    return img


def _square(img: Any, images: Any, margin: float, steps: list[str]) -> Any:
    from PIL import Image

    w, h = img.size
    if not needs_resize(w, h, images):
        return img
    side = min(max(max(w, h), images.min_side), images.max_side)
    if w == h:  # only the size is wrong: scale the whole square
        steps.append("fix_step_scale")
        return img.resize((side, side), Image.Resampling.LANCZOS)
    inner = side * (1 - 2 * margin)
    scale = min(inner / w, inner / h)
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    picture = img.resize(size, Image.Resampling.LANCZOS) if size != (w, h) else img
    canvas = Image.new("RGB", (side, side), (255, 255, 255))
    canvas.paste(picture, ((side - size[0]) // 2, (side - size[1]) // 2))
    steps.append("fix_step_pad")
    return canvas


def _strip(rgb: Any, side: str, depth: int) -> Any:
    """The side's strip turned so that the image edge is row 0 and the side runs along the columns."""
    if side == "top":
        return rgb[:depth]
    if side == "bottom":
        return rgb[::-1][:depth]
    if side == "left":
        return rgb[:, :depth].transpose(1, 0, 2)
    return rgb[:, ::-1][:, :depth].transpose(1, 0, 2)


def _bands(h: int, w: int, b: int) -> Any:
    import numpy as np

    mask = np.zeros((h, w), dtype=bool)
    mask[:b], mask[h - b:], mask[:, :b], mask[:, w - b:] = True, True, True, True
    return mask


def _passes_measurement(rgb: Any, params: Any) -> bool:
    """True when the white-background measurement finds every border band white enough."""
    from shelfcheck.analysis.images import band_width, judge_strip

    h, w = rgb.shape[:2]
    short = min(w, h)
    b = band_width(w, h, params.band)
    depth = min(short, max(b + 1, round(short * params.zone)))
    edge_px = max(1, round(short * params.edge_width))
    return all(judge_strip(_strip(rgb, side, depth), b, edge_px, params).ratio >= params.min_ratio
               for side in ("top", "bottom", "left", "right"))


def lift_backdrop(rgb: Any, white: Any, fix: Any) -> Any | None:
    """``rgb`` (an ``H×W×3`` uint8 array) with its near-white, uniform backdrop lifted to pure white,
    or ``None`` when there is no such backdrop (see the module docstring)."""
    import numpy as np

    from shelfcheck.analysis.images import WhiteParams, band_width

    params = WhiteParams.of(white)
    h, w = rgb.shape[:2]
    b = band_width(w, h, params.band)
    # The cheap tests first, on the bands only (every other pixel: the colour and the share of
    # a uniform backdrop do not depend on it).
    pixels = np.concatenate([part[::2, ::2].reshape(-1, 3) for part in
                             (rgb[:b], rgb[h - b:], rgb[b:h - b, :b], rgb[b:h - b, w - b:])]).astype(np.int16)
    colour = np.round(np.median(pixels, axis=0)).astype(np.int16)
    if colour.min() < fix.backdrop_min_channel or colour.max() - colour.min() > params.max_chroma:
        return None  # grey, cream, coloured: not a near-white backdrop
    if (np.abs(pixels - colour).max(axis=1) <= fix.backdrop_tolerance).mean() < fix.backdrop_min_share:
        return None  # a gradient, a vignette, a textured sweep: not a uniform backdrop
    bands = _bands(h, w, b)
    if _passes_measurement(rgb, params):
        return None  # white already
    from scipy import ndimage  # only for a backdrop worth lifting

    low = np.clip(colour - fix.backdrop_tolerance, 0, 255).astype(np.uint8)
    high = np.clip(colour + fix.backdrop_tolerance, 0, 255).astype(np.uint8)
    like = np.ones(rgb.shape[:2], dtype=bool)
    for channel in range(3):  # channel by channel: a reduction over the last axis is slow
        plane = rgb[..., channel]
        like &= (plane >= low[channel]) & (plane <= high[channel])
    labels, count = ndimage.label(like, structure=np.ones((3, 3), dtype=bool))
    keep = np.zeros(count + 1, dtype=bool)
    keep[np.unique(labels[bands & like])] = True
    keep[0] = False
    out = rgb.copy()
    out[keep[labels]] = 255
    # What is left off-white at the frame must be the product crossing it, as the measurement
    # tells it (a shadow or a frame left over means this is not a backdrop to lift).
    return out if _passes_measurement(out, params) else None


def _encode(img: Any, fmt: str, quality: int) -> bytes:
    buf = io.BytesIO()
    if fmt == "JPEG":
        options = {"quality": quality, "subsampling": 0 if quality >= 90 else 2}
        try:
            img.save(buf, "JPEG", optimize=True, **options)
        except OSError:  # libjpeg's optimised Huffman pass can run out of its output buffer
            buf = io.BytesIO()
            img.save(buf, "JPEG", **options)
    elif fmt == "PNG":
        img.save(buf, "PNG", optimize=True)
    else:
        img.save(buf, fmt, quality=quality)
    return buf.getvalue()


def fix_image(data: bytes, images: Any, fix: Any, *, force: bool = False, lift: bool = False) -> ImageFix | None:
    """The fixed image of a file's bytes, or ``None`` when it needs nothing (or cannot be
    decoded: a truncated or corrupt file is the seller's to replace).

    ``images`` is the pack's ``images`` block, ``fix`` its ``fix`` block; ``force`` rewrites a
    file even when it passes; ``lift``: lift a near-white uniform backdrop to white
    (:func:`lift_backdrop`).
    """
    from PIL import Image, ImageOps

    try:
        img = Image.open(io.BytesIO(data))
        original_format = (img.format or "").upper()
        img.load()
    except (OSError, ValueError, SyntaxError, EOFError, Image.DecompressionBombError):
        return None
    steps: list[str] = []
    orientation = img.getexif().get(0x0112, 1)
    if orientation not in (1, None):
        img = ImageOps.exif_transpose(img)
        steps.append("fix_step_orientation")
    keep_format = original_format in images.formats and original_format in _SUFFIX
    if not keep_format:
        steps.append("fix_step_format")
    before = len(steps)
    img = _srgb(img, steps)
    colour_changed = len(steps) > before
    if lift:
        import numpy as np

        lifted = lift_backdrop(np.asarray(img), images.white_background, fix)
        if lifted is not None:
            img = Image.fromarray(lifted)
            steps.append("fix_step_backdrop")
    img = _square(img, images, fix.image_margin, steps)
    too_large = len(data) > images.max_bytes
    if not steps and not too_large and not force:
        return None
    fmt = original_format if keep_format and not colour_changed else "JPEG"
    if fmt == "PNG" and too_large:
        fmt = "JPEG"
    if fmt != original_format and "fix_step_format" not in steps:
        steps.append("fix_step_format")
    quality = fix.jpeg_quality
    encoded = _encode(img, fmt, quality)
    if len(encoded) > images.max_bytes and fmt != "JPEG":
        fmt = "JPEG"
        encoded = _encode(img, fmt, quality)
    while len(encoded) > images.max_bytes and quality > fix.jpeg_min_quality:
        quality = max(fix.jpeg_min_quality, quality - 8)
        encoded = _encode(img, fmt, quality)
    while len(encoded) > images.max_bytes and min(img.size) > images.min_side:  # last resort: fewer pixels
        side = max(images.min_side, int(min(img.size) * 0.85))
        img = img.resize((side, side), Image.Resampling.LANCZOS)
        encoded = _encode(img, fmt, quality)
    if too_large or len(encoded) > images.max_bytes:
        steps.append("fix_step_recompress")
    return ImageFix(encoded, fmt, img.size, steps)
