"""The bundled known-good listing ``US-TEST-001``: the "one try" of triage.

The product brief's test SKU is a listing the platform accepts when the shop and its app are in
order: if it passes and your own product does not, the problem is in your product data. It ships
as code (its catalogue fields) and its three main images are drawn on demand (square, as large as
the policy's ``images.min_side``, white background, a different product colour each), so nothing
binary is committed and the files always match the policy's image rules.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

__all__ = ["KNOWN_GOOD", "KNOWN_GOOD_SKU", "create_product_body", "draw_images", "materialise"]

KNOWN_GOOD_SKU = "US-TEST-001"

KNOWN_GOOD: dict[str, str] = {
    "seller_sku": KNOWN_GOOD_SKU,
    "title": "Stackable Storage Box with Lid, 12 L, Clear Plastic Organizer",
    "category": "Home Supplies > Storage & Organisation",
    "brand": "",
    "description": "Clear stackable storage box with a snap-on lid. 12 litres, food-safe PP plastic, "
                   "33 x 23 x 20 cm. Stacks securely; fits standard shelves.",
    "price": "12.99",
    "quantity": "100",
    "country_of_origin": "China",
    "origin_label": "Made in China",
    "manufacturer_name": "Ningbo Tidyhome Plastics Co., Ltd.",
    "manufacturer_address": "No. 88 Jiangnan Road, Yinzhou District, Ningbo, Zhejiang 315100, China",
    # the package, as the Create Product body below sends it
    "package_weight": "1.2 lb",
    "package_length": "13 in",
    "package_width": "9 in",
    "package_height": "8 in",
}

_COLOURS = ((40, 96, 160), (160, 70, 40), (50, 130, 70))


def draw_images(folder: Path, policy: Any = None) -> list[str]:
    """Write the three main images into ``folder`` (sides of the policy's ``images.min_side``;
    ``policy`` is a pack, a name or a path, default the built-in one); return their file names."""
    from PIL import Image, ImageDraw

    from shelfcheck.policy import Policy, load_policy

    pack = policy if isinstance(policy, Policy) else load_policy(policy)
    side = pack.images.min_side
    names = []
    for i, colour in enumerate(_COLOURS, start=1):
        img = Image.new("RGB", (side, side), (255, 255, 255))
        draw = ImageDraw.Draw(img)
        inset = side // 4 + 20 * i
        draw.rectangle([inset, inset, side - inset, side - inset], fill=colour)
        name = f"{KNOWN_GOOD_SKU}-{i}.jpg"
        img.save(folder / name, "JPEG", quality=90)
        names.append(name)
    return names


@contextmanager
def materialise(policy: Any = None) -> Iterator[Path]:
    """A temporary catalogue holding the known-good listing and its images (removed afterwards)."""
    with TemporaryDirectory(prefix="shelfcheck-known-good-") as tmp:
        folder = Path(tmp)
        row = dict(KNOWN_GOOD)
        row["main_images"] = "|".join(draw_images(folder, policy))
        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=list(row), lineterminator="\n")
        writer.writeheader()
        writer.writerow(row)
        path = folder / "known-good.csv"
        path.write_text(buf.getvalue(), "utf-8")
        yield path


def create_product_body(image_uris: list[str], *, category_id: str = "600001") -> dict[str, object]:
    """The Create Product / Check Product Listing body of the known-good listing (reference §2.2)."""
    return {
        "save_mode": "LISTING",
        "title": KNOWN_GOOD["title"],
        "description": f"<p>{KNOWN_GOOD['description']}</p>",
        "category_id": category_id,
        "main_images": [{"uri": uri} for uri in image_uris],
        "skus": [{
            "seller_sku": KNOWN_GOOD_SKU,
            "price": {"amount": KNOWN_GOOD["price"], "currency": "USD"},
            "inventory": [{"quantity": int(KNOWN_GOOD["quantity"])}],
        }],
        "package_weight": {"value": "1.2", "unit": "POUND"},
        "package_dimensions": {"length": "13", "width": "9", "height": "8", "unit": "INCH"},
    }
