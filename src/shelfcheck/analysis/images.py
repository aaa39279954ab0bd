"""Image analysis: existence, format by content, size, full decodability, white border bands.

:func:`analyse_image` is a pure function of the file's bytes and the white-background parameters,
so its result can be computed in another process and cached by content hash. Headers are read
before pixels: a file that is not an image, or whose header announces an absurd pixel count, is
never decoded.

White background (contract §5.1): in each of the four border bands, ``band`` × the shorter side
wide, the share of pixels with ``min(R,G,B) ≥ min_channel`` and ``max − min ≤ max_chroma``.
Transparent pixels are composited over white first (the platform shows them on white).
"""

from __future__ import annotations

import hashlib
import io
import os
import stat
import warnings
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, UnidentifiedImageError

__all__ = [
    "BANDS",
    "ImageInfo",
    "WhiteParams",
    "analyse_bytes",
    "analyse_image",
    "band_width",
    "white_ratios",
]

BANDS = ("top", "bottom", "left", "right")
# Files beyond this are not read at all (the limit is 5 MB; this only guards memory).
READ_CAP = 64 * 1024 * 1024
# Images whose header announces more pixels than this are not decoded (decompression bombs).
PIXEL_CAP = 80_000_000

Image.MAX_IMAGE_PIXELS = None  # we apply our own cap from the header, before decoding


@dataclass(frozen=True, slots=True)
class WhiteParams:
    """The white-background parameters the analysis depends on (part of the cache key)."""

    band: float = 0.02
    min_channel: int = 245
    max_chroma: int = 10


@dataclass(slots=True)
class ImageInfo:
    """What is known about one image file. ``None`` means "not measured"."""

    ref: str
    path: str | None = None
    found: bool = False
    reason: str | None = None
    size_bytes: int | None = None
    sha256: str | None = None
    format: str | None = None
    width: int | None = None
    height: int | None = None
    decodable: bool | None = None
    decode_error: str | None = None
    alpha: bool = False
    bands: dict[str, float] | None = None
    band_px: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def worst_band(self) -> tuple[str, float] | None:
        """The border band with the lowest white ratio, and that ratio."""
        if not self.bands:
            return None
        name = min(self.bands, key=lambda k: self.bands[k])  # type: ignore[index]
        return name, self.bands[name]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def band_width(width: int, height: int, band: float) -> int:
    """Width in pixels of a border band: ``band`` × the shorter side, at least 1 pixel."""
    return max(1, round(min(width, height) * band))


def white_ratios(rgb: np.ndarray, params: WhiteParams) -> tuple[dict[str, float], int]:
    """Share of white pixels in each border band of an ``H×W×3`` uint8 array."""
    h, w = rgb.shape[:2]
    b = band_width(w, h, params.band)
    regions = {
        "top": rgb[:b, :, :],
        "bottom": rgb[h - b :, :, :],
        "left": rgb[:, :b, :],
        "right": rgb[:, w - b :, :],
    }
    ratios = {}
    for name, region in regions.items():
        lo = region.min(axis=2)
        hi = region.max(axis=2)
        white = (lo >= params.min_channel) & ((hi - lo) <= params.max_chroma)
        ratios[name] = round(float(white.mean()), 4)
    return ratios, b


def _to_rgb(img: Image.Image) -> tuple[Image.Image, bool]:
    has_alpha = img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info)
    if has_alpha:
        rgba = img.convert("RGBA")
        canvas = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        canvas.alpha_composite(rgba)
        return canvas.convert("RGB"), True
    if img.mode != "RGB":
        return img.convert("RGB"), False
    return img, False


def analyse_bytes(data: bytes, info: ImageInfo, params: WhiteParams) -> ImageInfo:
    """Fill ``info`` from the file's bytes: format, size, decodability and border bands."""
    info.size_bytes = len(data)
    info.sha256 = hashlib.sha256(data).hexdigest()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            img = Image.open(io.BytesIO(data))
        except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
            info.decodable = False
            info.decode_error = f"not an image ({exc.__class__.__name__})"
            return info
        info.format = img.format
        info.width, info.height = img.size
        if info.width * info.height > PIXEL_CAP:
            info.decode_error = "too many pixels to decode safely"
            return info
        try:
            img.load()
        except (OSError, ValueError, SyntaxError, EOFError, Image.DecompressionBombError) as exc:
            info.decodable = False
            info.decode_error = " ".join(str(exc).split())[:160] or exc.__class__.__name__
            return info
    info.decodable = True
    rgb, info.alpha = _to_rgb(img)
    info.bands, info.band_px = white_ratios(np.asarray(rgb), params)
    return info


def analyse_image(ref: str, path: str, params: WhiteParams = WhiteParams()) -> ImageInfo:
    """Analyse the image file at ``path`` (``ref`` is the reference as the seller wrote it).

    Never raises for a bad file: a missing file, a directory, a device or a file that is not an
    image all come back as an :class:`ImageInfo` saying so.
    """
    info = ImageInfo(ref=ref, path=path)
    try:
        st = os.stat(path)
    except (OSError, ValueError):
        info.reason = "image_file_missing"
        return info
    if not stat.S_ISREG(st.st_mode):
        info.reason = "image_not_regular_file"
        return info
    info.found = True
    info.size_bytes = st.st_size
    if st.st_size > READ_CAP:
        info.decode_error = "file too large to read"
        return info
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        info.found = False
        info.reason = "image_file_unreadable"
        info.extra["error"] = exc.__class__.__name__
        return info
    return analyse_bytes(data, info, params)
