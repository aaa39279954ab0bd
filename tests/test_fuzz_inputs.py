"""Fuzzing the readers: random CSV, XLSX and JSON catalogues (well-formed, damaged and byte-mutated)
and garbled image headers. Whatever the bytes, ``check`` ends with exit 0, 1 or 2 — never a
traceback or an internal error — every data row is in the report, and each run is bounded.

Derandomised (the same examples on every machine, so CI is reproducible) and small enough to run
with the normal suite in a few seconds; raise ``SHELFCHECK_FUZZ_EXAMPLES`` to search longer.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import resource
import tempfile
import time
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hostile.xlsx import cell_ref, workbook
from shelfcheck.analysis.images import ImageInfo, WhiteParams, analyse_bytes
from shelfcheck.policy import load_policy
from shelfcheck.cli.main import main

_SCALE = int(os.environ.get("SHELFCHECK_FUZZ_EXAMPLES", "0") or 0)


def _fuzz(examples: int) -> settings:
    return settings(max_examples=_SCALE or examples, deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


HEADER = ["seller_sku", "title", "quantity", "price", "main_images"]
SECONDS = 30  # any one run; a hang or a runaway parse fails here
MAX_RSS_KB = 2 * 1024 * 1024

_special = st.sampled_from(["\t", "\x00", "\x0b", "\r\n", "\n", '"', ",", ";", "|", "\u3000", "é", "中文",
                            "1e100000000", "9" * 60, "NaN", "-0", "=1+1", "\ufeff", "\u202e", "😀"])
_text = st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=12) | _special
_sku = st.text(st.characters(whitelist_categories=("Lu", "Nd")), min_size=1, max_size=8)


def _check(path: Path, *extra: str) -> tuple[int, str, dict[str, Any] | None]:
    """Run ``check`` in this process: (exit status, stderr, the JSON report if written)."""
    report = path.with_name("report.json")
    err = io.StringIO()
    started = time.monotonic()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
        try:
            main(["check", str(path), "--format", "json", "-o", str(report), "--jobs", "1",
                  "--no-cache", "--as-of", "2024-08-01", *extra])
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 0
    elapsed = time.monotonic() - started
    text = err.getvalue()
    assert code in (0, 1, 2), (code, text)
    assert "Traceback" not in text and "internal error" not in text, text
    assert elapsed < SECONDS, f"check took {elapsed:.1f} s"
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss < MAX_RSS_KB
    if code == 2:
        lines = text.strip().splitlines()
        assert len(lines) == 1 and path.name in lines[0], text
        return code, text, None
    data = json.loads(report.read_text("utf-8"))
    rows = [item["row"] for item in data["listings"]]
    assert rows == sorted(set(rows)) and all(r >= 2 for r in rows)
    assert data["summary"]["listings"] == len(rows)
    return code, text, data


@contextlib.contextmanager
def _folder() -> Any:
    with tempfile.TemporaryDirectory() as name:
        yield Path(name)


_rows = st.lists(st.tuples(_sku, st.lists(_text, max_size=6)), min_size=1, max_size=8)
_damage = st.lists(st.tuples(st.floats(0, 1), st.sampled_from([b"\x00", b"\xff", b"\xc3", b"\xfe\xfe"])),
                   max_size=4)


@_fuzz(20)
@given(rows=_rows, encoding=st.sampled_from(["utf-8", "utf-8-sig", "gb18030", "utf-16"]), damage=_damage)
def test_csv_catalogues(rows: list[tuple[str, list[str]]], encoding: str, damage: list[tuple[float, bytes]]) -> None:
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(HEADER)
    for sku, cells in rows:
        writer.writerow([sku, *cells])
    data = buf.getvalue().encode(encoding)
    header_end = data.index(b"\n" if encoding != "utf-16" else b"\n\x00") + (1 if encoding != "utf-16" else 2)
    if encoding in ("utf-8", "utf-8-sig", "gb18030"):  # bytes that are not structural: same records
        for where, junk in damage:
            # before the last line end (junk after it would be a row of its own), never inside a
            # CR LF pair (a lone CR ends a line too) nor next to a quote (junk before an opening
            # quote makes it a literal one, and the quoted field then runs on into the next row)
            at = header_end + int(where * (len(data) - 2 - header_end))
            while at > header_end and (data[at - 1:at] in (b"\r", b'"') or data[at:at + 1] == b'"'):
                at -= 1
            data = data[:at] + (junk if encoding != "gb18030" else b"\x00") + data[at:]
    with _folder() as folder:
        path = folder / "catalog.csv"
        path.write_bytes(data)
        code, err, report = _check(path)
        if code == 2:
            assert "binary" in err  # control characters above 1 %: not a table
            return
        assert report is not None and report["summary"]["listings"] == len(rows)


_xml_text = st.text(st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\ufffe\uffff"),
                    max_size=12)
_xlsx_cell = st.one_of(
    _xml_text.map(lambda t: ("s", t)),
    st.integers(-(10**30), 10**30).map(lambda n: ("n", str(n))),
    st.sampled_from(["1e100000000", "9" * 5000, "abc", "", "-", "1.5.5", "NaN"]).map(lambda t: ("n", t)),
    st.sampled_from(["99999", "-1", "x", ""]).map(lambda t: ("sst", t)),  # shared-string index, likely bad
    st.sampled_from(["2", "x", "1"]).map(lambda t: ("b", t)),
    st.sampled_from(["2024-13-45", "not a date", "2024-01-01T00:00:00"]).map(lambda t: ("d", t)),
    st.sampled_from(["ZZZZZ9", "A0", "1A", ""]).map(lambda t: ("ref", t)),
)


@_fuzz(15)
@given(rows=st.lists(st.tuples(_sku, st.lists(_xlsx_cell, max_size=5)), min_size=1, max_size=6))
def test_xlsx_catalogues(rows: list[tuple[str, list[tuple[str, str]]]]) -> None:
    from xml.sax.saxutils import escape

    strings = list(HEADER)
    xml = ['<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
           'spreadsheetml/2006/main"><sheetData><row r="1">']
    xml += [f'<c r="{cell_ref(1, i + 1)}" t="s"><v>{i}</v></c>' for i in range(len(HEADER))]
    xml.append("</row>")
    for r, (sku, cells) in enumerate(rows, start=2):
        strings.append(sku)
        xml.append(f'<row r="{r}"><c r="A{r}" t="s"><v>{len(strings) - 1}</v></c>')
        for c, (kind, text) in enumerate(cells, start=2):
            ref = cell_ref(r, c)
            if kind == "s":
                strings.append(text)
                xml.append(f'<c r="{ref}" t="s"><v>{len(strings) - 1}</v></c>')
            elif kind == "sst":
                xml.append(f'<c r="{ref}" t="s"><v>{escape(text)}</v></c>')
            elif kind == "ref":
                xml.append(f'<c r="{escape(text)}"><v>1</v></c>')
            else:
                xml.append(f'<c r="{ref}" t="{kind}"><v>{escape(text)}</v></c>')
        xml.append("</row>")
    xml.append("</sheetData></worksheet>")
    with _folder() as folder:
        path = folder / "catalog.xlsx"
        path.write_bytes(workbook("".join(xml), strings))
        code, err, report = _check(path)
        assert code in (0, 1), err
        assert report is not None and report["summary"]["listings"] == len(rows)


_json_scalar = st.one_of(st.none(), st.booleans(), st.integers(-(10**60), 10**60),
                         st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=12), _special)
_json_value = st.recursive(_json_scalar, lambda inner: st.lists(inner, max_size=3)
                           | st.dictionaries(st.text(max_size=4), inner, max_size=3), max_leaves=6)


@_fuzz(20)
@given(items=st.lists(st.tuples(st.text(min_size=1, max_size=10),
                                st.dictionaries(st.sampled_from(HEADER[1:]) | st.text(max_size=6),
                                                _json_value, max_size=5)), min_size=1, max_size=8),
       ascii_only=st.booleans())
def test_json_catalogues(items: list[tuple[str, dict[str, Any]]], ascii_only: bool) -> None:
    records = [{"seller_sku": sku, "title": f"Stackable Storage Box {sku}",
                **{k: v for k, v in rest.items() if k not in ("seller_sku", "title")}} for sku, rest in items]
    text = json.dumps(records, ensure_ascii=ascii_only)
    with _folder() as folder:
        path = folder / "catalog.json"
        path.write_bytes(text.encode("utf-8", "surrogatepass"))  # a raw surrogate is damage too
        code, err, report = _check(path)
        assert code in (0, 1), err
        assert report is not None and report["summary"]["listings"] == len(records)


def _seed_files() -> dict[str, bytes]:
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(HEADER)
    for i in range(6):
        writer.writerow([f"FZ-{i}", f"Stackable Storage Box {i}", str(i), "12.99", ""])
    body = buf.getvalue()
    strings: list[str] = []
    from hostile.xlsx import sheet_xml

    rows: list[list[object]] = [HEADER, *[[f"FZ-{i}", f"Stackable Storage Box {i}", i, 12.99] for i in range(6)]]
    sheet = sheet_xml(rows, strings)
    records = [{"seller_sku": f"FZ-{i}", "title": f"Stackable Storage Box {i}", "quantity": i} for i in range(6)]
    return {"csv": body.encode(), "xlsx": workbook(sheet, strings), "json": json.dumps(records).encode()}


_SEEDS = _seed_files()
_mutation = st.tuples(st.sampled_from(["flip", "insert", "delete", "cut"]), st.floats(0, 1),
                      st.binary(min_size=1, max_size=4))


def _mutate(data: bytes, mutations: list[tuple[str, float, bytes]]) -> bytes:
    for op, where, junk in mutations:
        at = int(where * max(0, len(data) - 1))
        if op == "flip":
            data = data[:at] + junk + data[at + len(junk):]
        elif op == "insert":
            data = data[:at] + junk + data[at:]
        elif op == "delete":
            data = data[:at] + data[at + len(junk):]
        else:
            data = data[:max(1, at)]
    return data


@_fuzz(25)
@given(kind=st.sampled_from(sorted(_SEEDS)), mutations=st.lists(_mutation, min_size=1, max_size=4))
def test_byte_mutations_of_every_format(kind: str, mutations: list[tuple[str, float, bytes]]) -> None:
    with _folder() as folder:
        path = folder / f"catalog.{kind}"
        path.write_bytes(_mutate(_SEEDS[kind], mutations))
        _check(path)  # exit 0/1/2 only, one line for 2, rows in order, bounded


def _image_seeds() -> dict[str, bytes]:
    from PIL import Image

    seeds = {}
    img = Image.new("RGB", (96, 96), (255, 255, 255))
    for fmt in ("PNG", "JPEG", "GIF", "WEBP"):
        buf = io.BytesIO()
        img.save(buf, fmt)
        seeds[fmt] = buf.getvalue()
    return seeds


_IMAGES = _image_seeds()


@_fuzz(60)
@given(fmt=st.sampled_from(sorted(_IMAGES)), head=st.integers(0, 64), junk=st.binary(min_size=1, max_size=8),
       cut=st.one_of(st.none(), st.integers(0, 400)))
def test_garbled_image_headers(fmt: str, head: int, junk: bytes, cut: int | None) -> None:
    data = _IMAGES[fmt]
    data = data[:head] + junk + data[head + len(junk):]
    if cut is not None:
        data = data[:cut]
    started = time.monotonic()
    params = WhiteParams.of(load_policy().images.white_background)
    info = analyse_bytes(data, ImageInfo(ref="x"), params)  # never raises
    assert time.monotonic() - started < 5
    assert info.decodable in (True, False, None)
    if info.decodable:
        assert info.width and info.height and info.bands is not None
    else:
        assert info.decodable is False or info.decode_error


def test_a_catalogue_of_garbled_images_is_checked(tmp_path: Path) -> None:
    refs = []
    for i, (fmt, data) in enumerate(sorted(_IMAGES.items())):
        for j, cut in enumerate((8, 33, len(data) // 2)):
            name = f"img-{i}-{j}.{fmt.lower()}"
            (tmp_path / name).write_bytes(data[:cut])
            refs.append(name)
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(HEADER)
    for k in range(0, len(refs), 3):
        writer.writerow([f"IMG-{k}", "Stackable Storage Box", "1", "1", "|".join(refs[k:k + 3])])
    path = tmp_path / "catalog.csv"
    path.write_text(buf.getvalue(), "utf-8")
    code, _, report = _check(path)
    assert code == 1 and report is not None and report["summary"]["listings"] == len(refs) // 3
    unreadable = {f["field"] for item in report["listings"] for f in item["findings"]
                  if f["code"] == "image_unreadable"}
    assert unreadable == {"main_images[0]", "main_images[1]", "main_images[2]"}
