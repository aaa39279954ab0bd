"""Damage stays local, limits are data, values are parsed with bounded work (contract §2.7)."""

from __future__ import annotations

import pickle
import time
from pathlib import Path

import pytest

import shelfcheck
from helpers import CLEAN_LISTING, write_csv
from shelfcheck.errors import InputError
from shelfcheck.ingest.catalog import open_catalog
from shelfcheck.ingest.limits import limits
from shelfcheck.ingest.table import Cells, escape_text, open_table
from shelfcheck.ingest.values import parse_int, parse_price


def _catalogue(tmp_path: Path, rows: int = 30) -> bytes:
    lines = ["seller_sku,title,quantity"] + [f"S-{i},Stackable Storage Box {i},5" for i in range(rows)]
    return ("\n".join(lines) + "\n").encode()


@pytest.mark.parametrize(("junk", "problem", "shown"), [
    (b"\x00", "nul", "Box\\x00 7"),
    (b"\xff", "undecodable_byte", "Box\\xff 7"),
])
def test_one_bad_byte_spoils_its_cell_not_the_file(tmp_path: Path, junk: bytes, problem: str, shown: str) -> None:
    path = tmp_path / "c.csv"
    path.write_bytes(_catalogue(tmp_path).replace(b"Box 7,", b"Box" + junk + b" 7,"))
    source = open_catalog(path)
    listings = list(source.listings())
    assert len(listings) == 30  # the 29 good rows are not lost
    damaged = [x for x in listings if x.damaged]
    assert [x.row for x in damaged] == [9]
    assert damaged[0].values["title"] == f"Stackable Storage {shown}"
    assert damaged[0].damaged == (("title", problem, {"value": f"Stackable Storage {shown}"}),)
    assert listings[0].values["title"] == "Stackable Storage Box 0" and not listings[0].damaged


def test_a_utf8_character_cut_in_half_is_damage_even_if_gbk_could_read_the_file(tmp_path: Path) -> None:
    lines = ["seller_sku,title"] + [f"S-{i},收收 {i}" for i in range(30)]  # its UTF-8 is valid GB18030
    data = ("\n".join(lines) + "\n").encode().replace(b"S-7,", b"S-7\xe4\xb8,")  # half of 中
    path = tmp_path / "c.csv"
    path.write_bytes(data)
    assert data.decode("gb18030")  # GB18030 reads it (as mojibake): UTF-8 with damage is right
    table = open_table(path)
    rows = list(table.rows)
    assert table.encoding == "utf-8" and rows[0][1][1] == "收收 0"
    assert rows[7][1][0] == "S-7\\xe4\\xb8" and rows[7][1].damage[0][1] == "undecodable_byte"


def test_a_gbk_file_with_one_bad_byte_stays_gbk(tmp_path: Path) -> None:
    lines = ["seller_sku,title"] + [f"S-{i},蓝牙耳机 白色 {i}" for i in range(30)]
    data = ("\n".join(lines) + "\n").encode("gbk").replace(b" 7\n", b" \xff7\n")
    path = tmp_path / "c.csv"
    path.write_bytes(data)
    table = open_table(path)
    rows = list(table.rows)
    assert table.encoding == "gb18030" and table.damaged
    assert rows[0][1][1] == "蓝牙耳机 白色 0"
    assert rows[7][1][1] == "蓝牙耳机 白色 \\xff7" and isinstance(rows[7][1], Cells)


def test_a_file_mostly_in_another_encoding_is_detected_not_damaged(tmp_path: Path) -> None:
    lines = ["seller_sku,title"] + [f"S-{i},Café au lait, déjà vu à côté {i}" for i in range(40)]
    path = tmp_path / "c.csv"
    path.write_bytes(("\n".join(lines) + "\n").encode("cp1252"))
    table = open_table(path)
    assert not table.damaged and table.encoding not in ("utf-8", "gb18030")
    rows = list(table.rows)
    assert len(rows) == 40 and not any(isinstance(cells, Cells) for _, cells in rows)


def test_binary_and_utf16_without_bom_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_bytes("seller_sku,title\nA,B\n".encode("utf-16-le"))
    with pytest.raises(InputError, match="binary"):
        open_table(path)


def test_escape_text() -> None:
    assert escape_text("a\x00b") == ("a\\x00b", "nul")
    assert escape_text("a\udcffb") == ("a\\xffb", "undecodable_byte")
    assert escape_text("a\ud800b", from_bytes=False) == ("a\\ud800b", "surrogate")
    assert escape_text("plain") == ("plain", None)


def test_damaged_rows_cross_to_worker_processes(tmp_path: Path) -> None:
    """Large catalogues are checked by forked workers that rebuild listings from raw cells."""
    rows = [{**CLEAN_LISTING, "seller_sku": f"W-{i}"} for i in range(1200)]
    path = write_csv(tmp_path / "c.csv", rows)
    data = path.read_bytes().replace(b"W-1000,", b"W-1000\xff,", 1).replace(b"W-3,", b"W\x00-3,", 1)
    path.write_bytes(data)
    cells = Cells(["a"])
    cells.damage = (("t", "nul", {}),)
    assert pickle.loads(pickle.dumps(cells)).damage == cells.damage
    for jobs in (1, 2):
        report = shelfcheck.check(path, jobs=jobs, cache=False, as_of=None)
        bad = {(x.row, f.field, f.evidence["value"]) for x in report.listings for f in x.findings
               if f.code == "cell_undecodable"}
        assert bad == {(1002, "seller_sku", "W-1000\\xff"), (5, "seller_sku", "W\\x00-3")}, jobs
        assert report.summary.listings == 1200


def test_limits_come_from_data_and_can_be_overridden(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert limits().cell_chars == 100_000 and limits().refs_per_cell == 100
    custom = tmp_path / "limits.yaml"
    custom.write_text("cell_chars: 20\nrefs_per_cell: 2\n")
    monkeypatch.setenv("SHELFCHECK_LIMITS", str(custom))
    assert limits().cell_chars == 20 and limits().rows == 1_048_576
    path = write_csv(tmp_path / "c.csv", [{"seller_sku": "A", "title": "x" * 50, "main_images": "a.jpg|b.jpg|c.jpg"}])
    (listing,) = open_catalog(path).listings()
    assert listing.values["title"] == "x" * 20 and listing.main_images == ["a.jpg", "b.jpg"]
    assert [d[1] for d in listing.damaged] == ["too_long", "too_many_refs"]
    custom.write_text("cell_chars: -1\n")
    monkeypatch.setenv("SHELFCHECK_LIMITS", str(custom) + "")
    from shelfcheck.ingest import limits as module

    module._load.cache_clear()
    with pytest.raises(InputError, match="cell_chars must be a whole number"):
        limits()
    custom.write_text("cells: 3\n")
    module._load.cache_clear()
    with pytest.raises(InputError, match="unknown key 'cells'"):
        limits()
    module._load.cache_clear()


def test_rows_limit_names_the_row(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    custom = tmp_path / "limits.yaml"
    custom.write_text("rows: 3\ncolumns: 4\n")
    monkeypatch.setenv("SHELFCHECK_LIMITS", str(custom))
    path = write_csv(tmp_path / "c.csv", [{"seller_sku": f"A{i}"} for i in range(5)])
    table = open_table(path)
    with pytest.raises(InputError, match="more than 3 rows") as exc:
        list(table.rows)
    assert exc.value.row == 5
    wide = tmp_path / "w.csv"
    wide.write_text("seller_sku,a,b\nA,1,2,3,4,5\n")
    with pytest.raises(InputError, match="more than 4 columns") as exc:
        list(open_table(wide).rows)
    assert exc.value.row == 2


@pytest.mark.parametrize(("text", "value"), [("12", 12), ("12.0", 12), ("1,200", 1200), ("1.2E+03", 1200),
                                             (" 7 ", 7), ("+5", 5), ("0", 0), ("999999999999999999", 10**18 - 1)])
def test_parse_int_accepts(text: str, value: int) -> None:
    assert parse_int(text) == value


@pytest.mark.parametrize("text", ["1e100000000", "9" * 10000, "1e18", "nan", "sNaN", "Infinity", "12.5",
                                  "١٢", "１２", "-3", "", "abc", "1e-99999999", "0x10"])
def test_parse_int_refuses_at_once(text: str) -> None:
    started = time.monotonic()
    with pytest.raises(ValueError):
        parse_int(text)
    assert time.monotonic() - started < 1


@pytest.mark.parametrize(("text", "ok"), [("12.99", True), ("$12.99", True), ("USD 1,299.00", True),
                                          ("1e100000000", False), ("1e13", False), ("-1", False),
                                          ("NaN", False), ("9" * 100, False)])
def test_parse_price(text: str, ok: bool) -> None:
    if ok:
        assert parse_price(text) > 0
    else:
        with pytest.raises(ValueError):
            parse_price(text)


def test_openpyxl_parses_through_defusedxml() -> None:
    import openpyxl
    from openpyxl.xml import functions

    assert openpyxl.DEFUSEDXML is True
    assert functions.iterparse.__module__.startswith("defusedxml")
