"""Reading catalogues in the forms sellers' ERPs and Excel produce, and refusing unreadable ones."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest

from helpers import write_csv
from shelfcheck.errors import InputError
from shelfcheck.ingest import load_documents, load_platform_inventory, load_shop, open_catalog
from shelfcheck.ingest.columns import normalise_header

ROWS = [
    {"SKU": "EB-001", "标题": "Wireless Earbuds Bluetooth 5.3", "类目": "手机与数码", "主图": "a.jpg|b.jpg"},
    {"SKU": "EB-002", "标题": "蓝牙耳机 白色", "类目": "Phones & Electronics", "主图": ""},
]


def _listings(path: Path, **kw: object) -> list:
    return list(open_catalog(path, **kw).listings())  # type: ignore[arg-type]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030", "utf-16"])
def test_csv_encodings_are_detected(tmp_path: Path, encoding: str) -> None:
    path = write_csv(tmp_path / "c.csv", ROWS, encoding=encoding)
    listings = _listings(path)
    assert [x.seller_sku for x in listings] == ["EB-001", "EB-002"]
    assert listings[1].title == "蓝牙耳机 白色"
    assert listings[0].get("category") == "手机与数码"
    assert listings[0].column_of("title") == "标题"


def test_gbk_detected_even_when_chinese_appears_late(tmp_path: Path) -> None:
    rows = [{"SKU": f"S-{i}", "title": "Plain ASCII title here"} for i in range(5000)]
    rows.append({"SKU": "S-last", "title": "最后一行有中文"})
    path = write_csv(tmp_path / "c.csv", rows, encoding="gbk")
    listings = _listings(path)
    assert listings[-1].title == "最后一行有中文"


def test_headers_match_case_and_separators(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "c.csv",
                     [{" Seller SKU ": "A-1", "TITLE": "Some product title", "Main-Images": "x.jpg"}])
    (listing,) = _listings(path)
    assert listing.seller_sku == "A-1"
    assert listing.title == "Some product title"
    assert listing.main_images == ["x.jpg"]
    assert normalise_header(" Seller SKU ") == "seller_sku"


def test_two_columns_for_one_field_are_refused_until_the_map_says_which(tmp_path: Path) -> None:
    # Issue 16: the second column used to be dropped silently; now both are named.
    path = write_csv(tmp_path / "c.csv", [{"SKU": "alias", "seller_sku": "canonical", "title": "Some product title",
                                           "备注": "keep me"}])
    with pytest.raises(InputError) as info:
        open_catalog(path)
    text = str(info.value)
    assert "'SKU' (column A)" in text and "'seller_sku' (column B)" in text and "--columns" in text
    assert info.value.row == 1
    (tmp_path / "map.yaml").write_text("seller_sku: seller_sku\n", "utf-8")
    source = open_catalog(path, columns=tmp_path / "map.yaml")
    (listing,) = list(source.listings())
    assert listing.seller_sku == "canonical"
    assert listing.raw["备注"] == "keep me" and listing.raw["SKU"] == "alias"
    ignored = {u["header"]: u["status"] for u in source.layout()["ignored_columns"]}
    assert ignored == {"SKU": "not_selected", "备注": "unknown"}


def test_semicolon_and_tab_delimiters(tmp_path: Path) -> None:
    (tmp_path / "s.csv").write_text("seller_sku;title\nA-1;Semicolon title here\n", "utf-8")
    (tmp_path / "t.csv").write_text("seller_sku\ttitle\nA-2\tTab separated title\n", "utf-8")
    assert _listings(tmp_path / "s.csv")[0].title == "Semicolon title here"
    assert _listings(tmp_path / "t.csv")[0].seller_sku == "A-2"


def test_row_numbers_are_physical_lines_and_blank_lines_skipped(tmp_path: Path) -> None:
    text = 'seller_sku,title\nA-1,"first line\nsecond line"\n\nA-2,Title two\n'
    (tmp_path / "c.csv").write_text(text, "utf-8")
    listings = _listings(tmp_path / "c.csv")
    assert [(x.row, x.seller_sku) for x in listings] == [(2, "A-1"), (5, "A-2")]


def test_empty_sku_row_is_kept(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "c.csv", [{"seller_sku": "", "title": "No SKU here at all"}])
    (listing,) = _listings(path)
    assert listing.seller_sku == "" and listing.row == 2


def test_extra_cells_beyond_the_header_are_kept(tmp_path: Path) -> None:
    (tmp_path / "c.csv").write_text("seller_sku,title\nA-1,Title one here,surplus\n", "utf-8")
    (listing,) = _listings(tmp_path / "c.csv")
    assert listing.raw["column 3"] == "surplus"


def test_xlsx_first_sheet_and_named_sheet(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "说明"
    ws.append(["this sheet has instructions"])
    data = wb.create_sheet("商品")
    data.append(["卖家SKU", "商品标题", "库存", "型号首次备案日期"])
    data.append(["X-1", "Excel product title", 12.0, None])
    data.append([None, None, None, None])
    data.append(["X-2", "Second excel title", 3, "2023-05-01"])
    path = tmp_path / "c.xlsx"
    wb.save(path)
    with pytest.raises(InputError, match="no seller_sku column"):
        open_catalog(path)
    listings = _listings(path, sheet="商品")
    assert [(x.row, x.seller_sku, x.get("quantity")) for x in listings] == [(2, "X-1", "12"), (4, "X-2", "3")]
    with pytest.raises(InputError, match="no sheet named 'Nope'"):
        open_catalog(path, sheet="Nope")


def test_xlsx_dates_become_iso(tmp_path: Path) -> None:
    import datetime as dt

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["seller_sku", "model_first_filing_date"])
    ws.append(["D-1", dt.datetime(2023, 5, 1)])
    path = tmp_path / "d.xlsx"
    wb.save(path)
    (listing,) = _listings(path)
    assert listing.get("model_first_filing_date") == "2023-05-01"


def test_json_catalogue(tmp_path: Path) -> None:
    path = tmp_path / "c.json"
    path.write_text(json.dumps([{"seller_sku": "J-1", "main_images": ["a.jpg", "b.jpg"], "quantity": 5}]), "utf-8")
    (listing,) = _listings(path)
    assert listing.main_images == ["a.jpg", "b.jpg"]
    assert listing.get("quantity") == "5"
    assert listing.row == 2


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "not found"),
        (b"", "empty"),
        (b"   \n\n", "empty"),
        (b"\x00\x01\x02\x03binary\x00garbage" * 50, "binary"),
        (b"title,brand\nSome title,Acme\n", "no seller_sku column"),
        (b"PK\x03\x04not really a zip", "XLSX"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1old excel", ".xls"),
        (b'[{"seller_sku": 1,', "not valid JSON"),
        (b'{"seller_sku": "A"}', "must be a list"),
    ],
)
def test_unreadable_catalogues_raise_one_clear_error(tmp_path: Path, content: bytes | None, message: str) -> None:
    path = tmp_path / "catalog.csv"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(InputError) as info:
        open_catalog(path)
    text = info.value.one_line()
    assert message in text
    assert str(path) in text
    assert "\n" not in text


def test_missing_sku_column_names_row_and_column(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "c.csv", [{"title": "x"}])
    with pytest.raises(InputError) as info:
        open_catalog(path)
    assert info.value.row == 1 and info.value.column == "seller_sku"


def test_documents_bad_values_become_problems(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "d.csv", [
        {"doc_id": "A", "type": "fcc test report", "status": "pending review", "issued_on": "2024/7/5",
         "expires_on": "", "file": "a.pdf", "applies_to": "X|Y"},
        {"doc_id": "B", "type": "PASSPORT", "status": "Verified", "issued_on": "yesterday", "expires_on": "2024-02-30"},
    ])
    a, b = load_documents(path)
    assert a.type == "FCC_TEST_REPORT" and a.status == "Pending Review"
    assert a.issued_on is not None and a.issued_on.isoformat() == "2024-07-05"
    assert a.applies_to == ("X", "Y") and a.file == (tmp_path / "a.pdf").resolve()
    assert a.problems == ()
    assert len(b.problems) == 3


def test_documents_need_doc_id_and_type(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "d.csv", [{"doc_id": "A", "status": "Verified"}])
    with pytest.raises(InputError, match="no type column"):
        load_documents(path)


def test_platform_inventory(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "p.csv", [
        {"seller_sku": "A", "platform_quantity": "10", "synced_at": "2024-07-31"},
        {"seller_sku": "B", "platform_quantity": "n/a"},
    ])
    stock = load_platform_inventory(path)
    assert stock["A"].quantity == 10
    assert stock["B"].quantity is None and stock["B"].problems


def test_shop_profile(tmp_path: Path) -> None:
    path = tmp_path / "shop.yaml"
    path.write_text("seller_id: US1\napp:\n  api_version: 4.1\n  authorized_at: 2024-06-20\nextra_key: kept\n", "utf-8")
    shop = load_shop(path)
    assert shop.app is not None and shop.app.api_version == "4.1"
    path.write_text("seller_id: [unclosed\n", "utf-8")
    with pytest.raises(InputError, match="not valid YAML"):
        load_shop(path)
    path.write_text("kyc_complete: maybe\n", "utf-8")
    with pytest.raises(InputError) as info:
        load_shop(path)
    assert info.value.column == "kyc_complete"
    path.write_text("- a list\n", "utf-8")
    with pytest.raises(InputError, match="mapping"):
        load_shop(path)
