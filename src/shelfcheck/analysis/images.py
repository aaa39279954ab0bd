"""Image analysis: existence, format by content, size, full decodability, white border bands.

:func:`analyse_image` is a pure function of the file's bytes and the white-background parameters,
so its result can be computed in another process and cached by content hash. Headers are read
before pixels: a file that is not an image, or whose header announces an absurd pixel count, is
never decoded.

White background (contract §5.1): in each of the four border bands, ``band`` × the shorter side
wide, the share of pixels with ``min(R,G,B) ≥ min_channel`` and ``max − min ≤ max_chroma``.
Transparent pixels are composited over white first (the platform shows them on white).

Fast path. A JPEG is first decoded at 1/8 scale (libjpeg's DCT scaling: every pixel of the
result is the mean of an 8×8 block, and the whole entropy-coded stream is still decoded, so a
truncated file is caught as surely as by a full decode). A reduced pixel of exactly (255,255,255)
stands for a block that is white at full scale; any other reduced pixel is counted as a block
that is not white at all. When even that pessimistic count clears ``min_ratio`` on all four
bands, the image passes without a full decode (``scale`` = 8, ``bands`` hold the pessimistic
ratios). Otherwise — a near-white, tinted or busy border, a failing image — the image is decoded
in full and measured exactly, so every failing ratio reported is the exact full-scale value.
"""

from __future__ import annotations

import hashlib
import io
import math
import os
import stat
import warnings
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np
    from PIL import Image

__all__ = [
    "ANALYSIS_VERSION",
    "BANDS",
    "ImageInfo",
    "WhiteParams",
    "analyse_bytes",
    "analyse_image",
    "band_width",
    "white_ratios",
]

BANDS = ("top", "bottom", "left", "right")
# Files beyond this are not read at all (the policy's limit is far lower; this only guards memory).
READ_CAP = 64 * 1024 * 1024
# Images whose header announces more pixels than this are not decoded (decompression bombs).
PIXEL_CAP = 80_000_000



def _pillow() -> Any:
    """Pillow's ``Image`` module, loaded on the first decode (numpy too): a run whose images are
    all in the cache never needs them, and starts faster without them."""
    from PIL import Image

    Image.MAX_IMAGE_PIXELS = None  # we apply our own cap from the header, before decoding
    return Image


ANALYSIS_VERSION = 2  # bump when the analysis changes: cached results of older versions are ignored


@dataclass(frozen=True, slots=True)
class WhiteParams:
    """The parameters the analysis depends on (part of the cache key).

    The numbers are the policy pack's ``images.white_background`` (no default here):
    ``WhiteParams.of(policy.images.white_background)``.
    """

    band: float
    min_channel: int
    max_chroma: int
    min_ratio: float
    fast: bool = True

    @classmethod
    def of(cls, white_background: Any, fast: bool = True) -> WhiteParams:
        """The parameters of a pack's ``images.white_background`` block (any object with
        ``band``, ``min_channel``, ``max_chroma`` and ``min_ratio``)."""
        wb = white_background
        return cls(wb.band, wb.min_channel, wb.max_chroma, wb.min_ratio, fast)

    def key(self) -> str:
        """A string that identifies these parameters and the analysis version."""
        return (f"v{ANALYSIS_VERSION}:{self.band}:{self.min_channel}:{self.max_chroma}:"
                f"{self.min_ratio}:{int(self.fast)}")


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
    scale: int = 1
    mtime_ns: int | None = None
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

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        # A flat tuple pickles several times faster than the generic dataclass state, and
        # analyses travel to worker processes with every chunk of listings.
        return (ImageInfo, tuple(getattr(self, name) for name in _FIELDS))

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ImageInfo:
        known = {f: data[f] for f in cls.__dataclass_fields__ if f in data}  # type: ignore[attr-defined]
        return cls(**known)


_FIELDS = tuple(ImageInfo.__dataclass_fields__)  # type: ignore[attr-defined]


def band_width(width: int, height: int, band: float) -> int:
    """Width in pixels of a border band: ``band`` × the shorter side, at least 1 pixel."""
    return max(1, round(min(width, height) * band))


def _band_boxes(w: int, h: int, b: int) -> dict[str, tuple[int, int, int, int]]:
    return {
        "top": (0, 0, w, b),
        "bottom": (0, h - b, w, h),
        "left": (0, 0, b, h),
        "right": (w - b, 0, w, h),
    }


def _channel_min(region: np.ndarray) -> np.ndarray:
    """Per-pixel minimum of the three channels (channel by channel: numpy's reduction over a
    last axis of length 3 is an order of magnitude slower, and it ran on every band)."""
    import numpy as np

    return np.minimum(np.minimum(region[..., 0], region[..., 1]), region[..., 2])


def _white_mask(region: np.ndarray, params: WhiteParams) -> np.ndarray:
    import numpy as np

    lo = _channel_min(region)
    hi = np.maximum(np.maximum(region[..., 0], region[..., 1]), region[..., 2])
    return (lo >= params.min_channel) & ((hi - lo) <= params.max_chroma)


def white_ratios(rgb: np.ndarray, params: WhiteParams) -> tuple[dict[str, float], int]:
    """Share of white pixels in each border band of an ``H×W×3`` uint8 array."""
    h, w = rgb.shape[:2]
    b = band_width(w, h, params.band)
    ratios = {}
    for name, (x0, y0, x1, y1) in _band_boxes(w, h, b).items():
        ratios[name] = round(float(_white_mask(rgb[y0:y1, x0:x1], params).mean()), 4)
    return ratios, b


def _band_ratios(img: Image.Image, params: WhiteParams) -> tuple[dict[str, float], int]:
    """White ratio of each band of an RGB image, converting only the band pixels to arrays."""
    import numpy as np

    w, h = img.size
    b = band_width(w, h, params.band)
    ratios = {}
    for name, box in _band_boxes(w, h, b).items():
        region = np.asarray(img.crop(box))
        ratios[name] = round(float(_white_mask(region, params).mean()), 4)
    return ratios, b


def _pristine_ratios(reduced: Image.Image, full: tuple[int, int], params: WhiteParams) -> dict[str, float]:
    """Pessimistic white ratio of each band, from an image decoded at reduced scale.

    A reduced pixel counts as white only when it is exactly (255, 255, 255); the band is widened
    to whole reduced pixels, so it covers at least the full-scale band.
    """
    import numpy as np

    w, h = full
    rw, rh = reduced.size
    b = band_width(w, h, params.band)
    bx = min(rw, math.ceil(b * rw / w))
    by = min(rh, math.ceil(b * rh / h))
    boxes = {"top": (0, 0, rw, by), "bottom": (0, rh - by, rw, rh),
             "left": (0, 0, bx, rh), "right": (rw - bx, 0, rw, rh)}
    ratios = {}
    for name, box in boxes.items():
        region = np.asarray(reduced.crop(box))
        ratios[name] = round(float((_channel_min(region) == 255).mean()), 4)
    return ratios


def _to_rgb(img: Image.Image) -> tuple[Image.Image, bool]:
    has_alpha = img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info)
    if has_alpha:
        rgba = img.convert("RGBA")
        canvas = _pillow().new("RGBA", rgba.size, (255, 255, 255, 255))
        canvas.alpha_composite(rgba)
        return canvas.convert("RGB"), True
    if img.mode != "RGB":
        return img.convert("RGB"), False
    return img, False


def _open(data: bytes) -> Image.Image:
    return _pillow().open(io.BytesIO(data))


def _decode(img: Image.Image, info: ImageInfo) -> bool:
    try:
        img.load()
    except (OSError, ValueError, SyntaxError, EOFError, _pillow().DecompressionBombError) as exc:
        info.decodable = False
        info.decode_error = " ".join(str(exc).split())[:160] or exc.__class__.__name__
        return False
    return True


def analyse_bytes(data: bytes, info: ImageInfo, params: WhiteParams) -> ImageInfo:
    """Fill ``info`` from the file's bytes: format, size, decodability and border bands."""
    info.size_bytes = len(data)
    info.sha256 = hashlib.sha256(data).hexdigest()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            img = _open(data)
        except (OSError, ValueError, SyntaxError) as exc:  # Pillow's UnidentifiedImageError is an OSError
            info.decodable = False
            info.decode_error = f"not an image ({exc.__class__.__name__})"
            return info
        info.format = img.format
        info.width, info.height = img.size
        if info.width * info.height > PIXEL_CAP:
            info.decode_error = "too many pixels to decode safely"
            return info
        full = img.size
        if params.fast and img.format in ("JPEG", "MPO") and min(full) >= 64:
            img.draft("RGB", (math.ceil(full[0] / 8), math.ceil(full[1] / 8)))
            if not _decode(img, info):
                return info
            reduced, info.alpha = _to_rgb(img)
            pessimistic = _pristine_ratios(reduced, full, params)
            if min(pessimistic.values()) >= params.min_ratio:
                info.decodable = True
                info.bands, info.band_px = pessimistic, band_width(*full, params.band)
                info.scale = max(1, round(full[0] / reduced.size[0]))
                return info
            img = _open(data)  # borderline or failing: measure exactly at full scale
        if not _decode(img, info):
            return info
    info.decodable = True
    rgb, info.alpha = _to_rgb(img)
    info.bands, info.band_px = _band_ratios(rgb, params)
    info.scale = 1
    return info


def analyse_image(ref: str, path: str, params: WhiteParams) -> ImageInfo:
    """Analyse the image file at ``path`` (``ref`` is the reference as the seller wrote it).

    Never raises for a bad file: a missing file, a directory, a device or a file that is not an
    image all come back as an :class:`ImageInfo` saying so. The size and modification time seen
    when the file was read are recorded, so the result can be cached against them.
    """
    info = ImageInfo(ref=ref, path=path)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        info.reason = "image_file_missing"
        return info
    except IsADirectoryError:
        info.reason = "image_not_regular_file"
        return info
    except (OSError, ValueError) as exc:
        missing = isinstance(exc, ValueError) or not os.path.exists(path)
        info.reason = "image_file_missing" if missing else "image_file_unreadable"
        info.extra["error"] = exc.__class__.__name__
        return info
    st = os.fstat(fd)
    if not stat.S_ISREG(st.st_mode):
        os.close(fd)
        info.reason = "image_not_regular_file"
        return info
    with os.fdopen(fd, "rb") as fh:
        info.found = True
        info.size_bytes = st.st_size
        info.mtime_ns = st.st_mtime_ns
        if st.st_size > READ_CAP:
            info.decode_error = "file too large to read"
            return info
        try:
            data = fh.read(READ_CAP + 1)
        except OSError as exc:
            info.found = False
            info.reason = "image_file_unreadable"
            info.extra["error"] = exc.__class__.__name__
            return info
    return analyse_bytes(data, info, params)
