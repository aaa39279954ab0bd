"""Generate the hostile-input corpus: every malformed file shelfcheck must answer with exit 2 and
one line, or with a finding on its row — never a traceback, never unbounded time or memory.

    python tests/hostile/make_corpus.py OUTDIR      # writes the files and OUTDIR/cases.json

Nothing here is committed as a binary: each file is built from the description below, so a
reviewer can read what every hostile input is. ``tests/test_hostile.py`` runs ``check`` over all.
"""

from __future__ import annotations

import codecs
import io
import json
import sys
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

if __package__ in (None, ""):  # run as a script
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from xlsx import cell_ref, sheet_xml, workbook  # type: ignore[no-redef]
else:
    from hostile.xlsx import cell_ref, sheet_xml, workbook

__all__ = ["CASES", "Case", "build"]

HEADER = ["seller_sku", "title", "quantity", "price", "main_images"]


def _rows(n: int = 30) -> list[list[str]]:
    return [[f"HS-{i:03d}", f"Stackable Storage Box Model {i}", "5", "12.99", ""] for i in range(n)]


def _csv(rows: list[list[str]], header: list[str] = HEADER) -> str:
    return "\n".join(",".join(r) for r in [header, *rows]) + "\n"


@dataclass
class Case:
    """One hostile input: the files to write, the command, and what must come out.

    ``exit``: the allowed exit statuses. ``listings``: how many rows the report must hold (every
    data row accounted for). ``codes``: ``[row, code, field]`` findings that must be there.
    ``stderr``: words the single stderr line must contain (exit 2). ``catalog`` is the file
    ``check`` is given; ``options`` further arguments (``{dir}`` is the corpus folder).
    """

    name: str
    catalog: str
    files: dict[str, bytes] = field(repr=False, default_factory=dict)
    options: list[str] = field(default_factory=list)
    exit: list[int] = field(default_factory=lambda: [1])
    listings: int | None = None
    codes: list[list[object]] = field(default_factory=list)
    stderr: list[str] = field(default_factory=list)


def _xlsx(rows: list[list[object]], **kwargs: object) -> bytes:
    strings: list[str] = []
    sheet = sheet_xml(rows, strings)
    return workbook(sheet, strings, **kwargs)  # type: ignore[arg-type]


def _png(size: int = 64) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (size, size), (255, 255, 255)).save(buf, "PNG")
    return buf.getvalue()


def _image(fmt: str) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (1080, 1080), (255, 255, 255)).save(buf, fmt)
    return buf.getvalue()


def _cases() -> list[Case]:
    good = _rows()
    cases: list[Case] = []
    add = cases.append

    # -- CSV: bytes that are not text stay in their cell -------------------------------------
    body = _csv(good).encode()
    add(Case("csv-nul", "c.csv", {"c.csv": body.replace(b"Model 7", b"Mo\x00del 7")},
             listings=30, codes=[[9, "cell_undecodable", "title"]]))
    add(Case("csv-byte-neither-utf8-nor-gbk", "c.csv", {"c.csv": body.replace(b"Model 7", b"Mo\xffdel 7")},
             listings=30, codes=[[9, "cell_undecodable", "title"]]))
    chinese = _csv([[f"HS-{i:03d}", f"收纳箱 Storage Box {i}", "5", "12.99", ""] for i in range(30)])
    add(Case("csv-utf8-chinese-one-bad-byte", "c.csv",
             {"c.csv": chinese.encode().replace(b"Box 7", b"Box \xff7")},
             listings=30, codes=[[9, "cell_undecodable", "title"], [3, "title_not_english", "title"]]))
    add(Case("csv-gbk-one-bad-byte", "c.csv",
             {"c.csv": chinese.encode("gbk").replace(b"Box 7", b"Box \xff7")},
             listings=30, codes=[[9, "cell_undecodable", "title"], [3, "title_not_english", "title"]]))
    add(Case("csv-utf8-bom-with-nul", "c.csv", {"c.csv": codecs.BOM_UTF8 + body.replace(b"HS-003", b"HS\x00003")},
             listings=30, codes=[[5, "cell_undecodable", "seller_sku"]]))
    add(Case("csv-quantity-1e100000000", "c.csv", {"c.csv": _csv([*good[:3], ["HS-X", "Stackable Storage Box X", "1e100000000", "1e100000000", ""]]).encode()},
             listings=4, codes=[[5, "value_invalid", "quantity"], [5, "value_invalid", "price"]]))
    add(Case("csv-quantity-10000-digits", "c.csv", {"c.csv": _csv([["HS-X", "Stackable Storage Box X", "9" * 10000, "1", ""]]).encode()},
             listings=1, codes=[[2, "value_invalid", "quantity"]]))
    add(Case("csv-quantity-odd-numbers", "c.csv", {"c.csv": _csv([["HS-A", "Stackable Storage Box A", "sNaN", "Infinity", ""],
                                                                  ["HS-B", "Stackable Storage Box B", "١٢", "1e-999999", ""]]).encode()},
             listings=2, codes=[[2, "value_invalid", "quantity"], [2, "value_invalid", "price"],
                                [3, "value_invalid", "quantity"], [3, "value_invalid", "price"]]))
    refs = "|".join(["box.jpg"] * 2_000_000)
    add(Case("csv-2-million-image-refs", "c.csv", {"c.csv": _csv([["HS-R", "Stackable Storage Box R", "5", "1", refs], *good[:2]]).encode()},
             listings=3, codes=[[2, "cell_too_large", "main_images"], [2, "main_images_too_many", "main_images"]]))
    add(Case("csv-5-million-char-cell", "c.csv", {"c.csv": _csv([["HS-L", "T" * 5_000_000, "5", "1", ""], *good[:2]]).encode()},
             listings=3, codes=[[2, "cell_too_large", "title"]]))
    add(Case("csv-too-many-columns", "c.csv", {"c.csv": _csv(good[:2], HEADER + [f"x{i}" for i in range(16_400)]).encode()},
             exit=[2], stderr=["columns", "row 1"]))
    add(Case("csv-png-renamed", "c.csv", {"c.csv": _png()}, exit=[2], stderr=["binary"]))
    add(Case("csv-utf16-without-bom", "c.csv", {"c.csv": _csv(good[:3]).encode("utf-16-le")}, exit=[2], stderr=["binary"]))

    # -- XLSX -------------------------------------------------------------------------------
    xrows: list[list[object]] = [HEADER, *[[r[0], r[1], 5, 12.99] for r in good[:5]]]
    add(Case("xlsx-good", "c.xlsx", {"c.xlsx": _xlsx(xrows)}, listings=5))
    strings: list[str] = []
    sheet = sheet_xml(xrows, strings)
    add(Case("xlsx-no-worksheet-part", "c.xlsx", {"c.xlsx": workbook(None, strings)}, exit=[2],
             stderr=["no worksheet"]))
    bad_sst = sheet.replace(f'<c r="{cell_ref(3, 2)}" t="s"><v>', f'<c r="{cell_ref(3, 2)}" t="s"><v>99999', 1)
    add(Case("xlsx-shared-string-out-of-range", "c.xlsx", {"c.xlsx": workbook(bad_sst, strings)},
             listings=5, codes=[[3, "cell_undecodable", "title"]]))
    not_index = sheet.replace(f'<c r="{cell_ref(4, 2)}" t="s"><v>', f'<c r="{cell_ref(4, 2)}" t="s"><v>x', 1)
    add(Case("xlsx-shared-string-not-a-number", "c.xlsx", {"c.xlsx": workbook(not_index, strings)},
             listings=5, codes=[[4, "cell_undecodable", "title"]]))
    big = [HEADER, ["HS-1", "Stackable Storage Box 1", ("raw", f'<c r="C2"><v>{"9" * 10000}</v></c>')],
           ["HS-2", "Stackable Storage Box 2", ("raw", '<c r="C3"><v>1e100000000</v></c>')],
           ["HS-3", "Stackable Storage Box 3", ("raw", '<c r="ZZZZZ4"><v>1</v></c>')]]
    add(Case("xlsx-numbers-beyond-int-and-float", "c.xlsx", {"c.xlsx": _xlsx(big)}, listings=3,
             codes=[[2, "value_invalid", "quantity"], [3, "value_invalid", "quantity"], [4, "cell_undecodable", "quantity"]]))
    bomb = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">'
            ']><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>&lol2;</t></si></sst>')
    add(Case("xlsx-entity-bomb", "c.xlsx", {"c.xlsx": workbook(sheet, strings, sst=bomb)}, exit=[2],
             stderr=["XML bomb"]))
    add(Case("xlsx-sheet-xml-cut-off", "c.xlsx", {"c.xlsx": workbook(sheet[: sheet.index('<row r="4"') + 30], strings)},
             exit=[2], stderr=["XML not well-formed"]))
    add(Case("xlsx-zip-truncated", "c.xlsx", {"c.xlsx": _xlsx(xrows)[:300]}, exit=[2], stderr=["XLSX"]))
    huge = {"xl/media/huge.bin": b"\0" * (64 * 1024 * 1024)}
    add(Case("xlsx-unzips-beyond-the-limit", "c.xlsx", {"c.xlsx": _xlsx(xrows, extra=huge),
                                                        "limits.yaml": b"xlsx_unzipped_bytes: 10000000\n"},
             exit=[2], stderr=["unzips"]))

    # -- JSON -------------------------------------------------------------------------------
    add(Case("json-nested-200000-deep", "c.json", {"c.json": b"[" * 200_000 + b"]" * 200_000}, exit=[2],
             stderr=["nested"]))
    deep_value = json.dumps([{"seller_sku": "HS-1", "title": "Stackable Storage Box 1",
                              "main_images": json.loads("[" * 100 + "]" * 100)}])
    add(Case("json-value-nested-100-deep", "c.json", {"c.json": deep_value.encode()}, exit=[2],
             stderr=["nested", "row 2", "main_images"]))
    add(Case("json-10000-digit-number", "c.json",
             {"c.json": b'[{"seller_sku": "HS-1", "title": "Stackable Storage Box 1", "quantity": ' + b"9" * 10000 + b"}]"},
             listings=1, codes=[[2, "value_invalid", "quantity"]]))
    add(Case("json-lone-surrogate", "c.json",
             {"c.json": b'[{"seller_sku": "HS-1\\ud800", "title": "Stackable \\udc00Storage Box"},'
                        b' {"seller_sku": "HS-2", "title": "Stackable Storage Box 2"}]'},
             listings=2, codes=[[2, "cell_undecodable", "seller_sku"], [2, "cell_undecodable", "title"]]))
    add(Case("json-lone-surrogate-table-output", "c.json",
             {"c.json": b'[{"seller_sku": "HS-1", "title": "Stackable Storage Box \\ud83d"}]'},
             options=["--format", "table"], listings=None))
    add(Case("json-nul-escape-and-raw-byte", "c.json",
             {"c.json": b'[{"seller_sku": "HS-1", "title": "Stackable\\u0000 Storage Box"},'
                        b' {"seller_sku": "HS-2", "title": "Stackable \xff Storage Box"}]'},
             listings=2, codes=[[2, "cell_undecodable", "title"], [3, "cell_undecodable", "title"]]))
    add(Case("json-not-a-list", "c.json", {"c.json": b'{"seller_sku": "HS-1"}'}, exit=[2], stderr=["list of objects"]))

    # -- images: garbled and truncated headers ---------------------------------------------
    images = {"png-cut.png": _image("PNG")[:40], "jpeg-cut.jpg": _image("JPEG")[:200],
              "gif-garbled.gif": b"GIF89a" + b"\xff" * 40, "webp-cut.webp": _image("WEBP")[:30],
              "png-huge-header.png": _png()[:16] + (100000).to_bytes(4, "big") * 2 + _png()[24:]}
    row = ["HS-I", "Stackable Storage Box I", "5", "12.99", "|".join(images)]
    add(Case("images-garbled-headers", "c.csv", {"c.csv": _csv([row]).encode(),
                                                  **{f"{k}": v for k, v in images.items()}},
             listings=1, codes=[[2, "image_unreadable", "main_images[0]"], [2, "image_unreadable", "main_images[1]"]]))

    # -- documents, inventory, shop ---------------------------------------------------------
    cat = _csv(good[:3]).encode()
    docs = (b"doc_id,type,number,status,issued_on,expires_on,file,applies_to\n"
            b"D-1,FCC_TEST_REPORT,R\x00-1,Verified,2024-01-01,,,HS-001\n"
            b"D-2,CPC,C-\xff2,Verified,2024-01-01,99999-99-99,,*\n")
    add(Case("documents-damaged-cells", "c.csv", {"c.csv": cat, "documents.csv": docs},
             options=["--documents", "{dir}/documents.csv"], exit=[0, 1], listings=3))
    inventory = b"seller_sku,platform_quantity\nHS-000," + b"9" * 10000 + b"\nHS-001,1e100000000\nHS-002,\x005\n"
    add(Case("inventory-hostile-numbers", "c.csv", {"c.csv": cat, "platform.csv": inventory},
             options=["--inventory", "{dir}/platform.csv"], exit=[0, 1], listings=3))
    add(Case("shop-nested-deeply", "c.csv", {"c.csv": cat, "shop.yaml": b"[" * 100_000},
             options=["--shop", "{dir}/shop.yaml"], exit=[2], stderr=["shop"]))
    add(Case("shop-lone-surrogate", "c.csv", {"c.csv": cat, "shop.yaml": b'seller_id: "CN\\ud800"\nkyc_complete: true\n'},
             options=["--shop", "{dir}/shop.yaml"], exit=[1], listings=3))
    add(Case("shop-too-large", "c.csv", {"c.csv": cat, "shop.yaml": b"# " + b"x" * (2 * 1024 * 1024)},
             options=["--shop", "{dir}/shop.yaml"], exit=[2], stderr=["shop_bytes"]))
    return cases


CASES: list[Callable[[], list[Case]]] = [_cases]


def build(directory: str | Path) -> list[Case]:
    """Write every case's files under ``directory/<case name>/`` and return the cases."""
    root = Path(directory)
    out: list[Case] = []
    for make in CASES:
        for case in make():
            folder = root / case.name
            folder.mkdir(parents=True, exist_ok=True)
            for name, data in case.files.items():
                (folder / name).write_bytes(data)
            out.append(case)
    manifest = [{k: v for k, v in asdict(c).items() if k != "files"} for c in out]
    (root / "cases.json").write_text(json.dumps(manifest, indent=1), "utf-8")
    return out


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: make_corpus.py OUTDIR")
    cases = build(sys.argv[1])
    print(f"{len(cases)} hostile inputs written to {sys.argv[1]}")
