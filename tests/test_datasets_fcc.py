"""FCC grantee names from an imported grantee list reach the evidence (the list is partial)."""

from __future__ import annotations

from pathlib import Path

from helpers import Workspace
from shelfcheck.datasets import import_dataset, load_datasets


def test_grantee_name_in_evidence_when_the_list_knows_it(ws: Workspace, shared_data: Path) -> None:
    import_dataset("fcc-grantees", shared_data / "fcc_grantees.csv")
    datasets = load_datasets()
    known = ws.listing(seller_sku="E-1", category="Phones & Electronics", fcc_id="2AC7Z--ESP32")
    unknown = ws.listing(seller_sku="E-2", category="Phones & Electronics", fcc_id="ZZZ--X")
    report = ws.check([known, unknown], datasets=datasets)
    first = next(f for f in report.listings[0].findings if f.code == "invalid_fcc_id")
    assert first.evidence["grantee"] == "2AC7Z"
    assert "ESPRESSIF" in str(first.evidence["grantee_name"]).upper()
    assert str(first.evidence["grantee_list"]).startswith("fcc-grantees@")
    report_missing = next(f for f in report.listings[0].findings if f.code == "missing_fcc_test_report")
    assert report_missing.evidence["grantee"] == "2AC7Z"
    second = next(f for f in report.listings[1].findings if f.code == "invalid_fcc_id")
    assert "grantee_name" not in second.evidence  # an unknown code is not an error, nor named
