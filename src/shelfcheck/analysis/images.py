"""Image analysis: existence, format by content, size, full decodability, white backdrop.

:func:`analyse_image` is a pure function of the file's bytes and the white-background parameters,
so its result can be computed in another process and cached by content hash. Headers are read
before pixels: a file that is not an image, or whose header announces an absurd pixel count, is
never decoded.

White background (contract §5.1): in each of the four border bands, ``band`` × the shorter side
wide, the share of the *backdrop's* pixels that are white (``min(R,G,B) ≥ min_channel`` and
``max − min ≤ max_chroma``); the product's own pixels where it touches or crosses the frame are
not backdrop. Transparent pixels are composited over white first (the platform shows them on
white).

Backdrop or product (:func:`judge_strip`). Each side is examined in a strip ``zone`` × the shorter
side deep. Its non-white pixels form regions (8-connected). A region is the product crossing the
edge when all three hold: it continues inward past the band; it covers at most
``max_edge_share`` of the side's length (a frame, a sweep, a band along the edge covers it all);
and at least ``min_sharp_share`` of its outline against the white is a sharp edge — within
``edge_width`` × the shorter side of a pixel distinctly darker or more coloured than white
(``min(R,G,B) < min_channel − edge_contrast``). A vignette, a gradient or a soft shadow fades
into the white, so its outline is not sharp. Of a product region only the pixels within that
distance of such a distinct pixel are the product's (its body and anti-aliased rim): a soft
shadow attached to it stays backdrop.

Every image is decoded at full scale and measured exactly. A reduced-scale decode cannot stand in
for it, not even to pass a pristine border: libjpeg's 1/8-scale pixel is the rounded mean of its
8×8 block, and a mean of 255 still hides up to two or three pixels per block well below
``min_channel`` (a block's values are clamped to 255, so its overshoot hides more). A border of
pure white speckled with such pixels — sensor noise, dust — reads pure white at 1/8 scale and
96.8 % white at full scale, below the pack's 97 % (``tests/test_images.py``). What saves time is
exact: a side whose band is white throughout is recognised from the band's extrema (every channel
of every pixel within the white threshold), without judging it pixel by pixel.
"""

from __future__ import annotations

import hashlib
import io
import os
import stat
import warnings
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np
    from PIL import Image

__all__ = [
    "ANALYSIS_VERSION",
    "BANDS",
    "ImageHeader",
    "ImageInfo",
    "WhiteParams",
    "analyse_bytes",
    "analyse_image",
    "read_header",
    "band_width",
    "judge_strip",
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


ANALYSIS_VERSION = 4  # bump when the analysis changes: cached results of older versions are ignored


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
    zone: float
    edge_width: float
    edge_contrast: int
    max_edge_share: float
    min_sharp_share: float

    @classmethod
    def of(cls, white_background: Any) -> WhiteParams:
        """The parameters of a pack's ``images.white_background`` block (any object with the
        fields above; every number comes from it)."""
        wb = white_background
        return cls(wb.band, wb.min_channel, wb.max_chroma, wb.min_ratio, wb.zone, wb.edge_width,
                   wb.edge_contrast, wb.max_edge_share, wb.min_sharp_share)

    def key(self) -> str:
        """A string that identifies these parameters and the analysis version."""
        return (f"v{ANALYSIS_VERSION}:{self.band}:{self.min_channel}:{self.max_chroma}:"
                f"{self.min_ratio}:{self.zone}:{self.edge_width}:{self.edge_contrast}:"
                f"{self.max_edge_share}:{self.min_sharp_share}")


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
    backdrop: dict[str, Any] | None = None
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
    """Share of white backdrop pixels in each border band of an ``H×W×3`` uint8 array."""
    import numpy as np

    def strip(side: str, box: tuple[int, int, int, int]) -> np.ndarray:
        return np.ascontiguousarray(_canonical(side, rgb[box[1]:box[3], box[0]:box[2]]))

    ratios, b, _ = _judge(strip, rgb.shape[1], rgb.shape[0], params)
    return ratios, b


# Each side's strip is turned so that its image edge is row 0 and the side runs along the columns.
def _canonical(side: str, strip: np.ndarray) -> np.ndarray:
    if side == "top":
        return strip
    if side == "bottom":
        return strip[::-1]
    if side == "left":
        return strip.transpose(1, 0, 2)
    return strip[:, ::-1].transpose(1, 0, 2)  # right


def _to_image_box(side: str, box: tuple[int, int, int, int], w: int, h: int) -> list[int]:
    """A canonical box (rows r0–r1, columns c0–c1, ends exclusive) as [x0, y0, x1, y1] in the image."""
    r0, r1, c0, c1 = box
    if side == "top":
        return [c0, r0, c1, r1]
    if side == "bottom":
        return [c0, h - r1, c1, h - r0]
    if side == "left":
        return [r0, c0, r1, c1]
    return [w - r1, c0, w - r0, c1]


def _box_of(mask: np.ndarray) -> tuple[int, int, int, int] | None:
    import numpy as np

    rows = np.flatnonzero(mask.any(axis=1))
    if rows.size == 0:
        return None
    cols = np.flatnonzero(mask.any(axis=0))
    return int(rows[0]), int(rows[-1]) + 1, int(cols[0]), int(cols[-1]) + 1


@dataclass(slots=True)
class StripVerdict:
    """One side's band, judged: white and backdrop pixel counts, what is off-white, the product."""

    white: int
    backdrop: int
    offending: tuple[int, int, int, int] | None  # canonical box of the off-white backdrop in the band
    crossings: list[tuple[int, int, int, int]]  # canonical boxes (within the band) of product crossings

    @property
    def ratio(self) -> float:
        return round(self.white / self.backdrop, 4) if self.backdrop else 1.0


def judge_strip(strip: np.ndarray, b: int, edge_px: int, params: WhiteParams,
                shallow: bool = False) -> StripVerdict | None:
    """Judge the band (rows ``< b``) of a strip whose row 0 is the image edge (see the module text).

    With ``shallow`` the strip is only the band and ``edge_px`` rows more: ``None`` means a product
    region may reach the band, and the strip of the full ``zone`` depth must be judged instead.
    """
    import numpy as np

    lo = _channel_min(strip)
    hi = np.maximum(np.maximum(strip[..., 0], strip[..., 1]), strip[..., 2])
    white = (lo >= params.min_channel) & ((hi - lo) <= params.max_chroma)
    band_white = white[:b]
    if band_white.all():
        return StripVerdict(band_white.size, band_white.size, None, [])
    distinct = lo < max(0, params.min_channel - params.edge_contrast)
    # Nothing distinct from white near the band (a uniform grey, cream or off-white backdrop, a
    # faint gradient or shadow): no product can reach the band, and scipy is not even loaded.
    if not (distinct[: b + edge_px].any() and distinct[b:].any()):
        return StripVerdict(int(np.count_nonzero(band_white)), band_white.size, _box_of(~band_white), [])
    # No white pixel in the strip (a grey or cream backdrop with a shadow or the product in it):
    # all of it is one region along the whole edge, which is backdrop (a strip judged to its full
    # depth: no outline against white at all; a shallow one: a region that spans the side) — the
    # verdict the labelling below reaches, without loading scipy for it.
    if not white.any() and (not shallow or params.max_edge_share < 1):
        return StripVerdict(0, band_white.size, _box_of(~band_white), [])
    if shallow:
        return None
    nonwhite = ~white
    product = np.zeros(strip.shape[:2], dtype=bool)
    crossings: list[tuple[int, int, int, int]] = []
    from scipy import ndimage

    near = ndimage.maximum_filter(distinct.view(np.uint8), size=2 * edge_px + 1) > 0
    labels, count = ndimage.label(nonwhite, structure=np.ones((3, 3), dtype=bool))
    if count:
        n = count + 1
        in_band = np.bincount(labels[:b].ravel(), minlength=n) > 0
        inward = np.bincount(labels[b:].ravel(), minlength=n) > 0
        along = np.bincount(labels[0].ravel(), minlength=n)
        spans = along > params.max_edge_share * strip.shape[1]
        # the outline against white: non-white pixels with a white 4-neighbour inside the strip
        touches = np.zeros_like(white)
        touches[1:] |= white[:-1]
        touches[:-1] |= white[1:]
        touches[:, 1:] |= white[:, :-1]
        touches[:, :-1] |= white[:, 1:]
        outline = nonwhite & touches
        edge_all = np.bincount(labels[outline], minlength=n)
        edge_sharp = np.bincount(labels[outline & near], minlength=n)
        sharp = edge_sharp >= params.min_sharp_share * np.maximum(edge_all, 1)
        accepted = in_band & inward & ~spans & sharp & (edge_all > 0)
        accepted[0] = False
        if accepted.any():
            product = accepted[labels] & near
            objects = ndimage.find_objects(labels)
            for label in np.flatnonzero(accepted):
                rows, cols = objects[label - 1]
                crossings.append((rows.start, min(b, rows.stop), cols.start, cols.stop))
    band_product = product[:b]
    offending = _box_of(nonwhite[:b] & ~band_product)
    backdrop = int(band_white.size - np.count_nonzero(band_product))
    return StripVerdict(int(np.count_nonzero(band_white)), backdrop, offending, crossings)


_CORNERS = {("top", 0): "top_left", ("top", 1): "top_right", ("bottom", 0): "bottom_left",
            ("bottom", 1): "bottom_right", ("left", 0): "top_left", ("left", 1): "bottom_left",
            ("right", 0): "top_right", ("right", 1): "bottom_right"}


def _where(side: str, box: tuple[int, int, int, int], length: int) -> str:
    """The side, or the corner when the off-white part lies within a third of the side at one end."""
    _, _, c0, c1 = box
    if c0 == 0 and c1 <= length / 3:
        return _CORNERS[(side, 0)]
    if c1 == length and c0 >= 2 * length / 3:
        return _CORNERS[(side, 1)]
    return side


def _judge(strip: Any, w: int, h: int, params: WhiteParams,
           white_band: Callable[[tuple[int, int, int, int]], bool] | None = None,
           ) -> tuple[dict[str, float], int, dict[str, Any]]:
    """Band ratios, band width and the backdrop evidence; ``strip(side, (x0, y0, x1, y1))`` gives a
    side's strip as a contiguous canonical array (its image edge at row 0); ``white_band(box)``,
    when given, is true only when every pixel of that box is white (the side is then judged
    without its strip: all backdrop, all white, as :func:`judge_strip` would find)."""
    short = min(w, h)
    b = band_width(w, h, params.band)
    depth = min(short, max(b + 1, round(short * params.zone)))
    edge_px = max(1, round(short * params.edge_width))
    boxes = {"top": (0, 0, w, depth), "bottom": (0, h - depth, w, h),
             "left": (0, 0, depth, h), "right": (w - depth, 0, w, h)}
    ratios: dict[str, float] = {}
    verdicts: dict[str, StripVerdict] = {}
    near = min(depth, b + edge_px)  # most strips are decided on the band and edge_px rows more
    shallow = {"top": (0, 0, w, near), "bottom": (0, h - near, w, h),
               "left": (0, 0, near, h), "right": (w - near, 0, w, h)}
    bands = _band_boxes(w, h, b) if white_band is not None else {}
    for side, box in boxes.items():
        verdict: StripVerdict | None
        if white_band is not None and white_band(bands[side]):
            size = b * (w if side in ("top", "bottom") else h)
            verdict = StripVerdict(size, size, None, [])
        else:
            verdict = judge_strip(strip(side, shallow[side]), b, edge_px, params, shallow=near < depth)
            if verdict is None:
                verdict = judge_strip(strip(side, box), b, edge_px, params)
        assert verdict is not None
        verdicts[side] = verdict
        ratios[side] = verdict.ratio
    white = sum(v.white for v in verdicts.values())
    total = sum(v.backdrop for v in verdicts.values())
    crossings = [_to_image_box(side, c, w, h) for side, v in verdicts.items() for c in v.crossings]
    evidence: dict[str, Any] = {
        "white_ratio": round(white / total, 4) if total else 1.0,
        "offending": {side: _to_image_box(side, v.offending, w, h)
                      for side, v in verdicts.items() if v.offending is not None},
        "product_crossings": len(crossings),
        "crossing_boxes": crossings[:8],
        "where": None,
    }
    worst = min(ratios, key=lambda k: ratios[k])
    failing = [side for side, r in ratios.items() if r < params.min_ratio]
    offending = verdicts[worst].offending
    if len(failing) == 4:
        evidence["where"] = "all_sides"
    elif offending is not None:
        evidence["where"] = _where(worst, offending, w if worst in ("top", "bottom") else h)
    return ratios, b, evidence


def _band_ratios(img: Image.Image, params: WhiteParams) -> tuple[dict[str, float], int, dict[str, Any]]:
    """White backdrop ratio of each band of an RGB image, converting only the side strips to arrays."""
    import numpy as np

    turn = _pillow().Transpose
    # Pillow turns the side strips in C, so every strip reaches numpy contiguous, edge at row 0.
    ops = {"top": None, "bottom": turn.FLIP_TOP_BOTTOM, "left": turn.TRANSPOSE, "right": turn.ROTATE_90}

    def strip(side: str, box: tuple[int, int, int, int]) -> np.ndarray:
        region = img.crop(box)
        op = ops[side]
        return np.asarray(region if op is None else region.transpose(op))

    def white_band(box: tuple[int, int, int, int]) -> bool:
        # Every pixel is white when each channel stays within [min_channel, 255] and all of them
        # within max_chroma of each other (the lowest and highest value of any channel in the box):
        # then no pixel is below min_channel, and no pixel's channels are further apart than
        # max_chroma. numpy's min and max of the box take a third of the time of Pillow's
        # getextrema, which copies each channel out first.
        values = np.asarray(img.crop(box))
        if not values.size:
            return False
        low, high = int(values.min()), int(values.max())
        return low >= params.min_channel and high - low <= params.max_chroma

    w, h = img.size
    return _judge(strip, w, h, params, white_band)


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
        if not _decode(img, info):
            return info
    info.decodable = True
    rgb, info.alpha = _to_rgb(img)
    info.bands, info.band_px, info.backdrop = _band_ratios(rgb, params)
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


@dataclass(frozen=True, slots=True)
class ImageHeader:
    """What an image file's header says, without decoding a pixel: ``reason`` is set (the
    reasons of :func:`analyse_image`, or ``image_not_an_image``) when the file cannot be read
    as an image; ``size_bytes`` is known whenever the file was found."""

    found: bool
    format: str | None = None
    width: int | None = None
    height: int | None = None
    size_bytes: int | None = None
    reason: str | None = None


def read_header(path: str) -> ImageHeader:
    """The format and pixel size of the image at ``path`` from its header only (Pillow opens
    lazily; nothing is decoded). Never raises for a bad file, and never blocks on a FIFO."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        return ImageHeader(found=False, reason="image_file_missing")
    except IsADirectoryError:
        return ImageHeader(found=False, reason="image_not_regular_file")
    except (OSError, ValueError):
        missing = not os.path.exists(path) if "\x00" not in path else True
        return ImageHeader(found=False, reason="image_file_missing" if missing else "image_file_unreadable")
    st = os.fstat(fd)
    if not stat.S_ISREG(st.st_mode):
        os.close(fd)
        return ImageHeader(found=False, reason="image_not_regular_file")
    with os.fdopen(fd, "rb") as fh, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            with _pillow().open(fh) as img:
                width, height = img.size
                return ImageHeader(True, img.format, width, height, st.st_size)
        except (OSError, ValueError, SyntaxError, EOFError):  # UnidentifiedImageError is an OSError
            return ImageHeader(True, size_bytes=st.st_size, reason="image_not_an_image")
