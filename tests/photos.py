"""Product photos shaped like real e-commerce ones, drawn with numpy and Pillow, JPEG-compressed.

A shaded, textured product with an anti-aliased outline (drawn at 2× and scaled down, as a
camera and a cut-out tool leave it), on a backdrop: pure white, a grey studio sweep, cream, a
gradient, a vignette, a thin dark frame, a soft shadow. The product may touch or cross the frame
anywhere; ``box`` is its bounding box in image pixels and may reach past the image.
"""

from __future__ import annotations

import io
from typing import Any

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

__all__ = ["photo", "jpeg"]


def _product_layer(size: int, box: tuple[int, int, int, int], shape: str, colour: tuple[int, int, int],
                   seed: int) -> tuple[np.ndarray, np.ndarray]:
    """The product's pixels and its coverage (0–1), anti-aliased."""
    big = Image.new("L", (2 * size, 2 * size), 0)
    draw = ImageDraw.Draw(big)
    x0, y0, x1, y1 = (2 * v for v in box)
    if shape == "ellipse":
        draw.ellipse([x0, y0, x1, y1], fill=255)
    elif shape == "bottle":
        neck = (x1 - x0) // 3
        draw.rounded_rectangle([x0, y0 + (y1 - y0) // 4, x1, y1], radius=(x1 - x0) // 6, fill=255)
        draw.rectangle([x0 + neck, y0, x1 - neck, y0 + (y1 - y0) // 4 + 4], fill=255)
    else:
        draw.rounded_rectangle([x0, y0, x1, y1], radius=max(2, (x1 - x0) // 12), fill=255)
    cover = np.asarray(big.resize((size, size), Image.Resampling.LANCZOS), dtype=np.float32) / 255
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float32)
    cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    shade = (xx - cx) * 0.06 + (yy - cy) * 0.1
    body = np.clip(np.array(colour, np.float32) + shade[..., None] + rng.normal(0, 5, (size, size, 1)), 0, 255)
    return body, cover


def photo(size: int = 1080, backdrop: str = "white", product: tuple[int, int, int, int] | None = None,
          shape: str = "box", colour: tuple[int, int, int] = (40, 90, 150), seed: int = 1,
          shadow: str | None = None, frame: int = 0, level: int = 200) -> Image.Image:
    """One photo. ``backdrop``: white, sweep (grey, darker towards the bottom), cream, offwhite
    (uniform ``level``), gradient (white top to ``level`` bottom), vignette (corners fall to
    ``level``). ``shadow``: "under" (a small soft contact shadow under the product), "long" (a soft
    shadow from the product to the bottom edge). ``frame``: a dark frame this many pixels wide."""
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float32)
    if backdrop == "white":
        bg = np.full((size, size, 3), 255, np.float32)
    elif backdrop == "sweep":
        bg = np.repeat((232 - 30 * (yy / size) ** 2)[..., None], 3, axis=2)
    elif backdrop == "cream":
        bg = np.broadcast_to(np.array([255, 248, 230], np.float32), (size, size, 3)).copy()
    elif backdrop == "offwhite":
        bg = np.full((size, size, 3), float(level), np.float32)
    elif backdrop == "gradient":
        bg = np.repeat((255 - (255 - level) * (yy / size))[..., None], 3, axis=2)
    elif backdrop == "vignette":
        r = np.hypot(xx - size / 2, yy - size / 2) / (size / np.sqrt(2))
        fall = np.clip((r - 0.55) / 0.45, 0, 1) ** 2
        bg = np.repeat((255 - (255 - level) * fall)[..., None], 3, axis=2)
    else:
        raise ValueError(backdrop)
    if shadow is not None and product is not None:
        mask = Image.new("L", (size, size), 0)
        draw = ImageDraw.Draw(mask)
        x0, _, x1, y1 = product
        if shadow == "under":
            draw.ellipse([x0 + 20, y1 - 25, x1 - 20, y1 + 25], fill=140)
            mask = mask.filter(ImageFilter.GaussianBlur(12))
        else:
            draw.polygon([(x0, y1 - 10), (x1, y1 - 10), (x1 + size // 5, size + 60), (x0 - size // 5, size + 60)],
                         fill=130)
            mask = mask.filter(ImageFilter.GaussianBlur(size // 30))
        alpha = np.asarray(mask, np.float32)[..., None] / 255
        bg = bg * (1 - alpha) + 110 * alpha
    if product is not None:
        body, cover = _product_layer(size, product, shape, colour, seed)
        bg = bg * (1 - cover[..., None]) + body * cover[..., None]
    if frame:
        bg[:frame], bg[-frame:], bg[:, :frame], bg[:, -frame:] = 35, 35, 35, 35
    return Image.fromarray(np.clip(bg + 0.5, 0, 255).astype(np.uint8))


def jpeg(img: Image.Image, quality: int = 85, **options: Any) -> bytes:
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=quality, **options)
    return buf.getvalue()
