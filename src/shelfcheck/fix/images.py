"""Image fixes: a main image rewritten so the platform takes it, the product untouched.

Each fix starts from the original file and writes a new one (never over the original): EXIF
orientation applied, colour converted to sRGB RGB (CMYK and ICC-tagged images through their
profile, transparency flattened onto white), the picture scaled and padded onto a pure-white
square of the pack's size keeping the whole picture inside a margin, and the result encoded in
a format the pack accepts within its byte limit. Every number comes from the policy pack:
``images.min_side``/``max_side``/``max_bytes``/``formats`` and ``fix.image_margin``/
``jpeg_quality``/``jpeg_min_quality``.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any

__all__ = ["ImageFix", "fix_image", "needs_resize"]

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


def fix_image(data: bytes, images: Any, fix: Any, *, force: bool = False) -> ImageFix | None:
    """The fixed image of a file's bytes, or ``None`` when it needs nothing (or cannot be
    decoded: a truncated or corrupt file is the seller's to replace).

    ``images`` is the pack's ``images`` block, ``fix`` its ``fix`` block; ``force`` rewrites a
    file even when it passes (a format conversion asked for by a finding).
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
