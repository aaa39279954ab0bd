"""The image fixes of ``shelfcheck fix``: each fix with an image it mends and one it leaves alone,
and the product's pixels preserved."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image, ImageDraw

from shelfcheck.analysis.images import WhiteParams, analyse_bytes, ImageInfo
from shelfcheck.fix.images import fix_image, needs_resize
from shelfcheck.policy import load_policy

PACK = load_policy()
IMAGES, FIX = PACK.images, PACK.fix


def _photo(size: tuple[int, int], fmt: str = "JPEG", mode: str = "RGB", **save: object) -> bytes:
    """A product photo: a textured product (gradient and stripes) on white, inside a margin."""
    w, h = size
    img = Image.new("RGB", size, (255, 255, 255))
    draw = ImageDraw.Draw(img)
    x0, y0, x1, y1 = w // 5, h // 5, 4 * w // 5, 4 * h // 5
    for x in range(x0, x1):
        shade = int(40 + 160 * (x - x0) / max(1, x1 - x0))
        draw.line([(x, y0), (x, y1)], fill=(shade, 80, 200 - shade // 2))
    for y in range(y0, y1, max(4, h // 40)):
        draw.line([(x0, y), (x1, y)], fill=(20, 20, 20), width=2)
    if mode != "RGB":
        img = img.convert(mode)
    buf = io.BytesIO()
    img.save(buf, fmt, **save)
    return buf.getvalue()


def _check(data: bytes) -> ImageInfo:
    return analyse_bytes(data, ImageInfo(ref="x", path="x", found=True), WhiteParams.of(IMAGES.white_background))


def _passes(data: bytes) -> None:
    info = _check(data)
    assert info.format in IMAGES.formats
    assert not needs_resize(info.width, info.height, IMAGES)
    assert len(data) <= IMAGES.max_bytes


def _psnr(a: np.ndarray, b: np.ndarray) -> float:
    mse = float(np.mean((a.astype(float) - b.astype(float)) ** 2))
    return 99.0 if mse == 0 else 10 * np.log10(255 ** 2 / mse)


def test_a_good_image_is_left_alone() -> None:
    assert fix_image(_photo((IMAGES.min_side, IMAGES.min_side)), IMAGES, FIX) is None


def test_a_small_square_is_scaled_to_the_pack_size_and_the_product_kept() -> None:
    original = _photo((800, 800))
    fixed = fix_image(original, IMAGES, FIX)
    assert fixed is not None and fixed.size == (IMAGES.min_side, IMAGES.min_side)
    assert fixed.steps == ["fix_step_scale"]
    _passes(fixed.data)
    # the product region, brought back to the original scale, is the same picture
    before = np.asarray(Image.open(io.BytesIO(original)).convert("RGB"))
    after = np.asarray(Image.open(io.BytesIO(fixed.data)).convert("RGB").resize((800, 800), Image.Resampling.LANCZOS))
    region = (slice(160, 640), slice(160, 640))
    assert _psnr(before[region], after[region]) > 30


def test_a_portrait_is_padded_on_white_keeping_the_whole_picture_with_a_margin() -> None:
    original = _photo((1080, 1350))
    fixed = fix_image(original, IMAGES, FIX)
    assert fixed is not None and "fix_step_pad" in fixed.steps
    side = fixed.size[0]
    assert fixed.size == (side, side) and IMAGES.min_side <= side <= IMAGES.max_side
    img = np.asarray(Image.open(io.BytesIO(fixed.data)).convert("RGB"))
    margin = int(side * FIX.image_margin) - 2
    assert img[:margin].min() >= 250 and img[-margin:].min() >= 250  # pure white around it
    assert _check(fixed.data).bands is not None and min(_check(fixed.data).bands.values()) >= \
        IMAGES.white_background.min_ratio
    # the whole picture is inside: the scaled original matches the centre of the square
    inner = round(1350 * min(side * (1 - 2 * FIX.image_margin) / 1080, side * (1 - 2 * FIX.image_margin) / 1350))
    top = (side - inner) // 2
    width = round(1080 * inner / 1350)
    left = (side - width) // 2
    centre = img[top:top + inner, left:left + width]
    scaled = np.asarray(Image.open(io.BytesIO(original)).convert("RGB").resize((width, inner),
                                                                               Image.Resampling.LANCZOS))
    assert _psnr(centre, scaled) > 28


@pytest.mark.parametrize(("fmt", "mode"), [("GIF", "P"), ("BMP", "RGB"), ("TIFF", "CMYK")])
def test_unsupported_formats_and_colour_modes_become_srgb_jpeg(fmt: str, mode: str) -> None:
    fixed = fix_image(_photo((1080, 1080), fmt=fmt, mode=mode), IMAGES, FIX)
    assert fixed is not None and fixed.format == "JPEG" and fixed.suffix == ".jpg"
    assert "fix_step_format" in fixed.steps
    assert Image.open(io.BytesIO(fixed.data)).mode == "RGB"
    _passes(fixed.data)


def test_a_cmyk_jpeg_becomes_rgb() -> None:
    fixed = fix_image(_photo((1080, 1080), mode="CMYK"), IMAGES, FIX)
    assert fixed is not None and fixed.format == "JPEG" and "fix_step_srgb" in fixed.steps
    assert Image.open(io.BytesIO(fixed.data)).mode == "RGB"


def test_transparency_is_flattened_onto_white() -> None:
    img = Image.new("RGBA", (1080, 1080), (0, 0, 0, 0))
    ImageDraw.Draw(img).rectangle([300, 300, 780, 780], fill=(200, 30, 30, 255))
    buf = io.BytesIO()
    img.save(buf, "PNG")
    fixed = fix_image(buf.getvalue(), IMAGES, FIX, force=True)
    assert fixed is not None and "fix_step_flatten" in fixed.steps
    out = np.asarray(Image.open(io.BytesIO(fixed.data)).convert("RGB"))
    assert out[10, 10].min() >= 250 and tuple(out[540, 540]) == pytest.approx((200, 30, 30), abs=6)


def test_exif_orientation_is_applied() -> None:
    img = Image.open(io.BytesIO(_photo((1350, 1080))))
    exif = img.getexif()
    exif[0x0112] = 6  # rotate 90° clockwise to display
    buf = io.BytesIO()
    img.save(buf, "JPEG", exif=exif.tobytes(), quality=95)
    fixed = fix_image(buf.getvalue(), IMAGES, FIX)
    assert fixed is not None and fixed.steps[0] == "fix_step_orientation"
    out = Image.open(io.BytesIO(fixed.data))
    assert out.getexif().get(0x0112, 1) == 1


def test_a_file_over_the_byte_limit_is_recompressed_under_it() -> None:
    rng = np.random.default_rng(14)
    noise = rng.integers(0, 255, (2400, 2400, 3), dtype=np.uint8)
    buf = io.BytesIO()
    Image.fromarray(noise).save(buf, "PNG")
    data = buf.getvalue()
    assert len(data) > IMAGES.max_bytes
    fixed = fix_image(data, IMAGES, FIX)
    assert fixed is not None and "fix_step_recompress" in fixed.steps
    _passes(fixed.data)


def test_an_undecodable_file_is_not_fixed() -> None:
    assert fix_image(_photo((1080, 1080))[:5000], IMAGES, FIX) is None
    assert fix_image(b"not an image", IMAGES, FIX) is None


# --- backdrop lift (the white-background measurement says what is backdrop) -------------------

def _near_white(**spec: object) -> tuple[bytes, np.ndarray]:
    from photos import jpeg, photo

    img = photo(**spec)  # type: ignore[arg-type]
    data = jpeg(img, quality=90)
    return data, np.asarray(Image.open(io.BytesIO(data)).convert("RGB"))


@pytest.mark.parametrize("product", [(300, 300, 780, 780), (300, 420, 780, 1200)])  # inside; crossing the bottom
def test_a_near_white_uniform_backdrop_is_lifted_and_the_product_untouched(product: tuple[int, int, int, int]) -> None:
    data, before = _near_white(backdrop="offwhite", level=238, product=product)
    assert min(_check(data).bands.values()) < IMAGES.white_background.min_ratio  # fails before
    fixed = fix_image(data, IMAGES, FIX, lift=True)
    assert fixed is not None and fixed.steps == ["fix_step_backdrop"]
    after = np.asarray(Image.open(io.BytesIO(fixed.data)).convert("RGB"))
    assert min(_check(fixed.data).bands.values()) >= IMAGES.white_background.min_ratio  # passes after
    x0, y0, x1, y1 = product
    inner = (slice(y0 + 20, min(y1, 1080) - 20), slice(x0 + 20, x1 - 20))
    assert _psnr(before[inner], after[inner]) > 38  # the product's pixels as they were (JPEG aside)
    assert after[5:40, 5:40].min() >= 250


@pytest.mark.parametrize("spec", [
    {"backdrop": "offwhite", "level": 200},  # grey: not near-white
    {"backdrop": "gradient", "level": 200},  # not uniform
    {"backdrop": "vignette", "level": 180},
    {"backdrop": "cream"},  # a colour, not a white
])
def test_a_backdrop_that_is_not_near_white_and_uniform_is_not_lifted(spec: dict[str, object]) -> None:
    data, _ = _near_white(product=(300, 300, 780, 780), **spec)
    assert fix_image(data, IMAGES, FIX, lift=True) is None


def test_a_white_backdrop_needs_no_lift() -> None:
    data, _ = _near_white(backdrop="white", product=(300, 300, 780, 780))
    assert fix_image(data, IMAGES, FIX, lift=True) is None
