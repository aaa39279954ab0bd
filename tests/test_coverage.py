"""Coverage of the platform's refusals: every Create Product / Check Product Listing code is caught
offline by named findings, online-only with a reason, or on the to-do list."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from shelfcheck.cli.main import app
from shelfcheck.datasets import import_dataset, load_datasets
from shelfcheck.diagnose import explain_platform_code
from shelfcheck.diagnose.coverage import ENDPOINTS, coverage, coverage_rows
from shelfcheck.diagnose.reasons import describe_reason
from shelfcheck.rules import RULES

runner = CliRunner()

# Finding codes of the product-record checks, developed separately: the table names them
# already; they appear in answers once they are registered.
PENDING: set[str] = set()  # every finding the table names exists


def test_every_named_finding_exists_or_is_pending() -> None:
    named = {f for fs in coverage().listed.values() for f in fs}
    assert named - set(RULES) <= PENDING
    for code in coverage().listed:
        assert set(coverage().findings(code)) <= set(RULES)


def test_reasons_have_both_languages() -> None:
    table = coverage()
    assert set(table.online.values()) <= set(table.reasons)
    for texts in table.reasons.values():
        assert texts["en"] and texts["zh"]
    assert not set(table.online) & set(table.todo)
    assert not {c for c in table.online if table.findings(c)}  # online-only codes are not caught offline


def test_coverage_json_without_the_official_table() -> None:
    result = runner.invoke(app, ["explain", "--coverage", "--format", "json"])
    assert result.exit_code == 0, result.output
    rows = {r["code"]: r for r in json.loads(result.stdout)}
    assert all(set(r) == {"code", "endpoint", "findings", "online_only"} for r in rows.values())
    assert rows["12052024"] == {"code": "12052024", "endpoint": None, "findings": ["category_not_leaf"],
                                "online_only": None}
    assert rows["12052104"]["findings"] == ["attribute_missing"]
    assert rows["12052201"]["online_only"] == "brand_authorization" and rows["12052201"]["findings"] == []
    assert rows["36009002"]["online_only"] == "rate_limit"
    # the variant rules declare their codes themselves: no table entry, still answered
    assert rows["12052560"]["findings"] == ["variant_duplicate"]
    assert rows["12052550"]["findings"] == ["variant_value_missing"]
    assert rows["12052050"]["findings"] == ["sku_count_exceeded"]


def test_no_table_entry_repeats_a_declared_code() -> None:
    declared = {code for r in RULES.values() for code in r.platform}
    assert not declared & set(coverage().listed)


def test_every_official_code_is_classified(shared_data: Path) -> None:
    import_dataset("tiktok-errors", shared_data / "tiktok_api" / "error_codes.csv")
    rows = coverage_rows(load_datasets())
    assert len(rows) == 264
    assert {r["endpoint"] for r in rows} <= set(ENDPOINTS)
    table = coverage()
    unclassified = [r["code"] for r in rows if not r["findings"] and not r["online_only"]
                    and r["code"] not in table.todo and not table.pending(r["code"])]
    assert unclassified == []
    for row in rows:  # exactly one class each
        kinds = [bool(row["findings"] or table.pending(row["code"])), bool(row["online_only"]),
                 row["code"] in table.todo]
        assert sum(kinds) == 1, row
    result = runner.invoke(app, ["explain", "--coverage"])
    assert "264 codes from the official error table" in result.output


def test_explain_names_findings_or_the_online_reason() -> None:
    text = runner.invoke(app, ["explain", "12052024"]).output
    assert "category_not_leaf" in text
    text = runner.invoke(app, ["explain", "12052105"]).output
    assert "certification_missing" in text
    zh = runner.invoke(app, ["explain", "36009002", "--lang", "zh"]).output
    assert "只有平台能检查这一点" in zh
    info = explain_platform_code("12052201")
    assert info.findings == () and info.online_only == "brand_authorization"
    assert info.to_json()["online_only"] == "brand_authorization"


@pytest.mark.parametrize("code, finding", [("12052024", "category_not_leaf"), ("12052673", "size_chart_missing"),
                                           ("12052182", "attribute_missing")])
def test_diagnose_links_a_platform_failure_to_its_finding(code: str, finding: str) -> None:
    assert finding in describe_reason(code)["findings"]
    assert describe_reason("36009003")["findings"] == []
