"""CPI documents: the list is read from text, CSV and PDF files and compared with the listing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from shelfcheck.analysis import cpi as cpi_module
from shelfcheck.analysis.cpi import CpiReader, extract_ingredient_text, read_cpi

from helpers import Workspace, make_image

DECLARED = "Water, Glycerin, Butyrospermum Parkii (Shea) Butter, Niacinamide, 1,2-Hexanediol, Phenoxyethanol"
NAMES = ["Water", "Glycerin", "Butyrospermum Parkii (Shea) Butter", "Niacinamide", "1,2-Hexanediol",
         "Phenoxyethanol"]


def make_pdf(path: Path, lines: list[str]) -> Path:
    """A text PDF, one string per line, like a filled-in CPI template."""
    path.parent.mkdir(parents=True, exist_ok=True)
    pdf = canvas.Canvas(str(path), pagesize=A4)
    y = 800
    for line in lines:
        pdf.drawString(60, y, line)
        y -= 16
    pdf.showPage()
    pdf.save()
    return path


def make_scanned_pdf(path: Path) -> Path:
    """A PDF with only shapes: what a scanner produces (no text layer)."""
    pdf = canvas.Canvas(str(path), pagesize=A4)
    pdf.rect(50, 50, 400, 600, fill=1)
    pdf.showPage()
    pdf.save()
    return path


def cpi_pdf(path: Path, body: list[str] | None = None) -> Path:
    return make_pdf(path, [
        "Cosmetic Product Ingredient Statement (CPI)",
        "Product: Shea Face Cream 50 ml",
        "Responsible person: Guangzhou Lanting Cosmetics Co., Ltd.",
        "",
        *(body if body is not None else [
            "Ingredients: Water, Glycerin, Butyrospermum Parkii",
            "(Shea) Butter, Niacinamide, 1,2-Hexanediol, Phenoxy-",
            "ethanol",
        ]),
        "",
        "Manufacturer: Guangzhou Lanting Cosmetics Co., Ltd.",
    ])


def beauty(ws: Workspace, **overrides: Any) -> dict[str, Any]:
    row = dict(seller_sku="BT-1", title="Shea Face Cream, Moisturising, 50 ml",
               category="Beauty & Personal Care > Skincare", fda_registration_number="3012345678",
               ingredients=DECLARED)
    row.update(overrides)
    return ws.listing(**row)


def cpi_row(file: str, doc_id: str = "CPI-1", status: str = "Verified", applies_to: str = "BT-1",
            **extra: str) -> dict[str, str]:
    return {"doc_id": doc_id, "type": "CPI", "number": "CPI-2024-1", "status": status, "issued_on": "2024-03-01",
            "file": file, "applies_to": applies_to, **extra}


def findings(report: Any, code: str) -> list[Any]:
    return [f for f in report.listings[-1].findings if f.code == code]


# Extracting the list ---------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("text", "block"),
    [
        ("Product: Cream\nIngredients: Water, Glycerin\n\nNet Wt 50 g", "Water, Glycerin"),
        ("INGREDIENTS:\n\nWater, Glycerin,\nNiacinamide\nDirections: apply daily", "Water, Glycerin, Niacinamide"),
        ("产品: 面霜\n成分：Water, Glycerin\n生产商：广州", "Water, Glycerin"),
        ("成分: Water, Glycerin", "Water, Glycerin"),
        ("# CPI\n\n**Ingredients:** Water, Glycerin\n\n## Manufacturer", "** Water, Glycerin"),
        ("## Ingredients\n\nWater, Glycerin\n\n## Directions", "Water, Glycerin"),
        ("Ingredients: Water, Phenoxy-\nethanol, Steareth-\n21", "Water, Phenoxyethanol, Steareth-21"),
        ("Ingredient list: Water\n----\nmore", "Water"),
    ],
)
def test_extract_ingredient_text(text: str, block: str) -> None:
    assert extract_ingredient_text(text) == block


def test_no_ingredient_heading_means_no_list() -> None:
    assert extract_ingredient_text("Cosmetic Product Ingredient Statement\nProduct: Cream") is None


def test_read_text_markdown_and_csv_cpis(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(f"CPI\nIngredients: {DECLARED}.\n\nKeep away from eyes.\n", "utf-8")
    (tmp_path / "b.md").write_text(f"# CPI\n\n**Ingredients:** {DECLARED}\n", "utf-8")
    (tmp_path / "c.csv").write_text("No.,INCI Name,CAS\n" + "".join(f'{i},"{n}",\n' for i, n in enumerate(NAMES, 1)),
                                    "utf-8")
    (tmp_path / "d.csv").write_text(f'Product,Shea Cream\nIngredients:,"{DECLARED}"\n', "utf-8")
    (tmp_path / "e.txt").write_bytes(f"成分：{DECLARED}\n".encode("gb18030"))
    for name in ("a.txt", "b.md", "c.csv", "d.csv", "e.txt"):
        content = read_cpi(tmp_path / name)
        assert content.problem is None, (name, content)
        assert list(content.ingredients or ()) == NAMES, name


def test_read_pdf_cpi_with_wrapped_lines(tmp_path: Path) -> None:
    content = read_cpi(cpi_pdf(tmp_path / "cpi.pdf"))
    assert content.form == "pdf" and content.problem is None
    assert list(content.ingredients or ()) == NAMES


def test_pdf_problems(tmp_path: Path) -> None:
    scanned = read_cpi(make_scanned_pdf(tmp_path / "scan.pdf"))
    assert scanned.form == "pdf" and scanned.problem == "cpi_pdf_no_text" and scanned.ingredients is None
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog >>\ngarbage without xref\n")
    assert read_cpi(broken).problem == "cpi_pdf_unreadable"
    no_list = read_cpi(make_pdf(tmp_path / "nolist.pdf", ["Cosmetic Product Ingredient Statement", "Product: Cream"]))
    assert no_list.problem == "cpi_no_ingredient_list"


def test_format_is_read_from_content_not_extension(tmp_path: Path) -> None:
    disguised = tmp_path / "cpi.txt"
    disguised.write_bytes(cpi_pdf(tmp_path / "real.pdf").read_bytes())
    assert read_cpi(disguised).form == "pdf" and read_cpi(disguised).ingredients
    photo = make_image(tmp_path / "cpi.pdf", size=(200, 300), fmt="PNG")
    image = read_cpi(photo)
    assert image.form == "image" and image.problem is None and image.ingredients is None
    missing = read_cpi(tmp_path / "nope.pdf")
    assert missing.form == "missing" and missing.problem == "cpi_file_missing"
    binary = tmp_path / "cpi.bin"
    binary.write_bytes(b"\x00\x01\x02\x03" * 100)
    assert read_cpi(binary).problem == "cpi_format_unsupported"


def test_reader_reads_each_file_once_and_parses_each_content_once(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    real = cpi_module.parse_cpi_bytes
    monkeypatch.setattr(cpi_module, "parse_cpi_bytes",
                        lambda path, data, suffix="": calls.append(path) or real(path, data, suffix))
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text(f"Ingredients: {DECLARED}\n", "utf-8")
    b.write_text(f"Ingredients: {DECLARED}\n", "utf-8")
    reader = CpiReader()
    for _ in range(20):
        first, second = reader.read(a), reader.read(b)
    assert len(calls) == 1  # same content: parsed once
    assert first.path == str(a) and second.path == str(b) and first.ingredients == second.ingredients


# The rules, end to end -------------------------------------------------------------------------

def test_matching_pdf_cpi_is_clean(ws: Workspace) -> None:
    cpi_pdf(ws.root / "docs" / "cpi.pdf")
    report = ws.check([beauty(ws)], documents=[cpi_row("docs/cpi.pdf")])
    assert report.listings[0].findings == []


def test_pdf_cpi_in_another_order_is_a_mismatch(ws: Workspace) -> None:
    cpi_pdf(ws.root / "docs" / "cpi.pdf", ["Ingredients: Water, Niacinamide, Glycerin, Butyrospermum Parkii (Shea)",
                                           "Butter, 1,2-Hexanediol, Phenoxyethanol"])
    report = ws.check([beauty(ws)], documents=[cpi_row("docs/cpi.pdf")])
    (finding,) = findings(report, "cpi_ingredients_mismatch")
    assert finding.field == "documents[CPI-1]"
    ev = finding.evidence
    assert ev["order_only"] is True and ev["missing_from_cpi"] == [] and ev["extra_in_cpi"] == []
    assert (ev["position"], ev["declared_at"], ev["cpi_at"]) == (2, "Glycerin", "Niacinamide")
    assert ev["declared_count"] == ev["cpi_count"] == 6
    assert finding.ctx["problem"] == "cpi_order_differs"


def test_text_cpi_with_different_names_lists_missing_and_extra(ws: Workspace) -> None:
    (ws.root / "docs").mkdir()
    (ws.root / "docs" / "cpi.txt").write_text(
        "Ingredients: Purified Water, Glycerin, Shea Butter, Niacinamide, 1,2-Hexanediol, Phenoxyethanol, Parfum\n",
        "utf-8")
    report = ws.check([beauty(ws)], documents=[cpi_row("docs/cpi.txt")])
    (mismatch,) = findings(report, "cpi_ingredients_mismatch")
    ev = mismatch.evidence
    assert ev["missing_from_cpi"] == ["Water", "Butyrospermum Parkii (Shea) Butter"]
    assert ev["extra_in_cpi"] == ["Purified Water", "Shea Butter", "Parfum"]
    assert ev["position"] == 1 and ev["order_only"] is False
    assert mismatch.ctx["problem"] == "cpi_content_differs"
    # the CPI's own non-INCI names are reported too, pointing into the document
    bad = {f.evidence["name"]: f for f in findings(report, "ingredient_not_inci")}
    assert set(bad) == {"Purified Water", "Shea Butter"}
    assert bad["Purified Water"].field == "documents[CPI-1].ingredients[0]"
    assert bad["Purified Water"].evidence["source"] == "documents[CPI-1]"
    assert bad["Shea Butter"].evidence["suggestions"] == ["Butyrospermum Parkii Butter"]


def test_a_name_wrong_in_both_lists_is_reported_once(ws: Workspace) -> None:
    (ws.root / "cpi.txt").write_text("Ingredients: Purified Water, Glycerin\n", "utf-8")
    report = ws.check([beauty(ws, ingredients="Purified Water, Glycerin")], documents=[cpi_row("cpi.txt")])
    (finding,) = findings(report, "ingredient_not_inci")
    assert finding.field == "ingredients[0]" and finding.evidence["also_in"] == ["documents[CPI-1]"]
    assert findings(report, "cpi_ingredients_mismatch") == []


def test_cpi_normalisation_matches_case_width_footnotes_and_percentages(ws: Workspace) -> None:
    (ws.root / "cpi.txt").write_text(
        "成分：WATER, GLYCERIN 5%, BUTYROSPERMUM PARKII (SHEA) BUTTER*, NIACINAMIDE (4%), 1,2-HEXANEDIOL，"
        "Phenoxyethanol.\n*Ecocert", "utf-8")
    report = ws.check([beauty(ws)], documents=[cpi_row("cpi.txt")])
    assert report.listings[0].findings == []


def test_one_matching_cpi_is_enough(ws: Workspace) -> None:
    (ws.root / "old.txt").write_text("Ingredients: Water, Glycerin\n", "utf-8")
    (ws.root / "new.txt").write_text(f"Ingredients: {DECLARED}\n", "utf-8")
    report = ws.check([beauty(ws)], documents=[cpi_row("old.txt", "CPI-OLD"), cpi_row("new.txt", "CPI-NEW")])
    assert findings(report, "cpi_ingredients_mismatch") == []


def test_unusable_cpi_is_not_compared(ws: Workspace) -> None:
    (ws.root / "cpi.txt").write_text("Ingredients: Water\n", "utf-8")
    pending = ws.check([beauty(ws)], documents=[cpi_row("cpi.txt", status="Pending Review")])
    assert findings(pending, "cpi_ingredients_mismatch") == [] and findings(pending, "document_not_verified")
    expired = ws.check([beauty(ws)], documents=[cpi_row("cpi.txt", expires_on="2024-07-01")])
    assert findings(expired, "cpi_ingredients_mismatch") == [] and findings(expired, "document_expired")


def test_empty_declared_list_is_missing_ingredients_not_a_mismatch(ws: Workspace) -> None:
    (ws.root / "cpi.txt").write_text(f"Ingredients: {DECLARED}\n", "utf-8")
    report = ws.check([beauty(ws, ingredients="")], documents=[cpi_row("cpi.txt")])
    (missing,) = findings(report, "missing_ingredients")
    assert missing.evidence["cpi_doc_id"] == "CPI-1" and missing.evidence["cpi_names"] == 6
    assert findings(report, "cpi_ingredients_mismatch") == []


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (lambda root: make_scanned_pdf(root / "cpi.pdf"), "cpi_pdf_no_text"),
        (lambda root: (root / "cpi.pdf").write_bytes(b"%PDF-1.7\nnot really\n"), "cpi_pdf_unreadable"),
        (lambda root: (root / "cpi.pdf").write_text("CPI for the shea cream, see attachment\n", "utf-8"),
         "cpi_no_ingredient_list"),
        (lambda root: None, "cpi_file_missing"),
    ],
)
def test_unreadable_cpi_file_is_a_warning(ws: Workspace, make: Any, reason: str) -> None:
    make(ws.root)
    report = ws.check([beauty(ws)], documents=[cpi_row("cpi.pdf")])
    (finding,) = findings(report, "document_file_unreadable")
    assert finding.severity.label == "warning"
    assert finding.field == "documents[CPI-1].file"
    assert finding.evidence["reason"] == reason and finding.evidence["doc_id"] == "CPI-1"
    assert finding.evidence["file"].endswith("cpi.pdf")
    assert report.listings[0].status == "pass"  # a warning alone does not fail the listing
    assert findings(report, "cpi_ingredients_mismatch") == []


def test_image_cpi_is_checked_for_presence_only(ws: Workspace) -> None:
    make_image(ws.root / "cpi.jpg", size=(600, 800))
    report = ws.check([beauty(ws)], documents=[cpi_row("cpi.jpg")])
    assert report.listings[0].findings == []


def test_star_cpi_is_read_once_for_many_listings(ws: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    reads: list[str] = []
    real = CpiReader.read
    monkeypatch.setattr(CpiReader, "read", lambda self, path: reads.append(str(path)) or real(self, path))
    cpi_pdf(ws.root / "cpi.pdf")
    calls: list[str] = []
    real_parse = cpi_module.parse_cpi_bytes
    monkeypatch.setattr(cpi_module, "parse_cpi_bytes",
                        lambda path, data, suffix="": calls.append(path) or real_parse(path, data, suffix))
    rows = [beauty(ws, seller_sku=f"BT-{i}") for i in range(12)]
    report = ws.check(rows, documents=[cpi_row("cpi.pdf", applies_to="*")])
    assert all(r.findings == [] for r in report.listings)
    assert len(calls) == 1 and len(reads) == 12


def test_messages_render_in_both_languages(ws: Workspace) -> None:
    from shelfcheck.i18n import catalogue

    (ws.root / "cpi.txt").write_text("Ingredients: Water, Niacinamide, Glycerin\n", "utf-8")
    report = ws.check([beauty(ws, ingredients="Water, Glycerin, Niacinamide, Vitamin E")],
                      documents=[cpi_row("cpi.txt"), cpi_row("gone.pdf", "CPI-2")])
    found = report.listings[0].findings
    assert {f.code for f in found} == {"ingredient_not_inci", "cpi_ingredients_mismatch", "document_file_unreadable"}
    en, zh = catalogue("en"), catalogue("zh")
    for f in found:
        for text in (en.message(f), en.fix(f), zh.message(f), zh.fix(f)):
            assert "{" not in text and "inci_" not in text and "cpi_" not in text, text
    vit = next(f for f in found if f.code == "ingredient_not_inci")
    assert "Tocopherol, Tocopheryl Acetate" in en.fix(vit)
    assert "Seller Center > Compliance > Document Templates" in en.fix(vit)
    assert "Tocopherol、Tocopheryl Acetate" in zh.fix(vit)
    mismatch = next(f for f in found if f.code == "cpi_ingredients_mismatch")
    assert "missing from the CPI: Vitamin E" in en.message(mismatch)
