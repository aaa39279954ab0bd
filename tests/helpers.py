"""Test helpers: write catalogues, documents and images; run a check on them."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml
from PIL import Image, ImageDraw

import shelfcheck
from shelfcheck.datasets import Datasets

# A listing with nothing wrong in a category that needs no documents. Cases override fields.
CLEAN_LISTING: dict[str, str] = {
    "seller_sku": "SC-001",
    "title": "Stackable Storage Box with Lid, 12 L, Clear",
    "category": "Home Supplies > Storage & Organisation",
    "brand": "Tidyhome",
    "price": "12.99",
    "quantity": "40",
    "country_of_origin": "China",
    "origin_label": "Made in China",
    "manufacturer_name": "Ningbo Tidyhome Plastics Co., Ltd.",
    "manufacturer_address": "No. 88 Jiangnan Road, Yinzhou District, Ningbo, Zhejiang 315100, China",
    # the record Create Product requires of every product (issue 12)
    "description": "Clear stackable storage box with a snap-on lid. 12 litres, food-safe PP plastic.",
    "package_weight": "1.2 lb",
    "package_length": "13 in",
    "package_width": "9 in",
    "package_height": "8 in",
}


def make_image(
    path: Path,
    size: tuple[int, int] = (1080, 1080),
    background: tuple[int, int, int] = (255, 255, 255),
    fmt: str = "JPEG",
    product: tuple[int, int, int] | None = (30, 90, 160),
    band: tuple[str, tuple[int, int, int], float] | None = None,
    truncate: int | None = None,
    mode: str = "RGB",
    quality: int = 90,
    transparent: bool = False,
) -> Path:
    """Draw a product photo: a coloured box on a background, optionally a coloured border band.

    ``band`` = (side, colour, fraction of the short side) paints a strip along one edge.
    ``truncate`` keeps only that many bytes of the encoded file (a cut-off download).
    ``transparent`` (with ``mode="RGBA"``) makes the background fully transparent.
    """
    w, h = size
    fill: Any = background
    if mode == "RGBA":
        fill = (*background, 0 if transparent else 255)
    img = Image.new(mode if mode != "P" else "RGB", size, fill)
    draw = ImageDraw.Draw(img)
    if product is not None:
        draw.rectangle([w // 4, h // 4, 3 * w // 4, 3 * h // 4], fill=product)
    if band is not None:
        side, colour, fraction = band
        px = max(1, round(min(w, h) * fraction))
        box = {"top": [0, 0, w, px], "bottom": [0, h - px, w, h],
               "left": [0, 0, px, h], "right": [w - px, 0, w, h]}[side]
        draw.rectangle([box[0], box[1], box[2] - 1, box[3] - 1], fill=colour)
    if mode == "P":
        img = img.convert("P")
    buf = io.BytesIO()
    options: dict[str, Any] = {"quality": quality} if fmt == "JPEG" else {}
    img.save(buf, fmt, **options)
    data = buf.getvalue()
    if truncate is not None:
        data = data[:truncate]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def write_csv(path: Path, rows: Sequence[Mapping[str, Any]], encoding: str = "utf-8",
              header: Sequence[str] | None = None) -> Path:
    """Write rows as CSV; the header is the union of keys in first-seen order."""
    if header is None:
        header = []
        for row in rows:
            for key in row:
                if key not in header:
                    header.append(key)
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if row.get(k) is None else row.get(k) for k in header])
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(buf.getvalue().encode(encoding))
    return path


class Workspace:
    """A temporary folder holding one check's inputs."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._images = 0

    def image(self, name: str | None = None, **spec: Any) -> str:
        """Make an image (see :func:`make_image`) and return its path relative to the root."""
        if name is None:
            self._images += 1
            ext = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "GIF": "gif", "BMP": "bmp"}
            name = f"img/{self._images}.{ext.get(spec.get('fmt', 'JPEG'), 'bin')}"
        if "size" in spec:
            spec["size"] = tuple(spec["size"])
        for key in ("background", "product"):
            if spec.get(key) is not None:
                spec[key] = tuple(spec[key])
        if spec.get("band") is not None:
            side, colour, fraction = spec["band"]
            spec["band"] = (side, tuple(colour), fraction)
        make_image(self.root / name, **spec)
        return name

    def clean_images(self, n: int = 3) -> str:
        """``n`` distinct good main images, joined with ``|``."""
        refs = []
        for _ in range(n):
            i = self._images
            colour = ((37 * i + 30) % 200, (91 * i + 60) % 200, (53 * i + 90) % 200)
            refs.append(self.image(product=colour))
        return "|".join(refs)

    def listing(self, **overrides: Any) -> dict[str, Any]:
        """A clean listing with three good images, with ``overrides`` applied."""
        row: dict[str, Any] = dict(CLEAN_LISTING)
        row["main_images"] = self.clean_images()
        row.update(overrides)
        return row

    def check(
        self,
        rows: Sequence[Mapping[str, Any]],
        *,
        documents: Sequence[Mapping[str, Any]] | None = None,
        shop: Mapping[str, Any] | None = None,
        inventory: Sequence[Mapping[str, Any]] | None = None,
        as_of: str = "2024-08-01",
        policy: str | None = None,
        datasets: Datasets | None = None,
    ) -> shelfcheck.Report:
        """Write the inputs and run :func:`shelfcheck.check` on them (one process)."""
        catalog = write_csv(self.root / "catalog.csv", rows)
        docs = write_csv(self.root / "documents.csv", documents) if documents is not None else None
        shop_path = None
        if shop is not None:
            shop_path = self.root / "shop.yaml"
            shop_path.write_text(yaml.safe_dump(dict(shop), allow_unicode=True), "utf-8")
        inv = write_csv(self.root / "platform.csv", inventory) if inventory is not None else None
        return shelfcheck.check(
            catalog, documents=docs, shop=shop_path, inventory=inv,
            as_of=dt.date.fromisoformat(as_of), policy=policy, jobs=1,
            datasets=datasets,
        )


def codes(result: shelfcheck.ListingResult | shelfcheck.Report) -> list[str]:
    """Finding codes of one listing, or of every listing and the shop of a report."""
    if isinstance(result, shelfcheck.Report):
        found = [f.code for f in result.shop_findings]
        for listing in result.listings:
            found += [f.code for f in listing.findings]
        return found
    return [f.code for f in result.findings]
