"""SARIF and JUnit: structure checked against the formats, content against the JSON report."""

from __future__ import annotations

import json
import os
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import unquote, urlparse

import jsonschema
import pytest

from helpers import Workspace, write_csv
from shelfcheck.api import prepare
from shelfcheck.rules import RULES
from test_reporters_support import AS_OF, ROOT, SNAPSHOTS, example_run, make_example_images, render

SCHEMA = json.loads((SNAPSHOTS / "sarif-2.1.0-subset.schema.json").read_text("utf-8"))


@pytest.fixture(scope="module")
def example() -> dict:
    """The example catalogue's SARIF log (in English) and JSON report, from one directory."""
    make_example_images()
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        sarif = json.loads(render("sarif", example_run())[0])
        report = json.loads(render("json", example_run())[0])
        zh = json.loads(render("sarif", example_run(), "zh")[0])
    finally:
        os.chdir(cwd)
    return {"sarif": sarif, "report": report, "zh": zh}


def test_sarif_is_valid_2_1_0(example: dict) -> None:
    jsonschema.Draft7Validator.check_schema(SCHEMA)
    validator = jsonschema.Draft7Validator(SCHEMA)
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(example["sarif"])]
    assert errors == []
    assert example["sarif"]["version"] == "2.1.0"
    # the schema check itself catches a broken log
    broken = json.loads(json.dumps(example["sarif"]))
    broken["runs"][0]["results"][0]["level"] = "fatal"
    del broken["runs"][0]["tool"]["driver"]["name"]
    assert len(list(validator.iter_errors(broken))) == 2


def test_sarif_has_one_result_per_finding_at_its_row(example: dict) -> None:
    run = example["sarif"]["runs"][0]
    report = example["report"]
    expected = [(f["code"], 1, f["message"]) for f in report["shop_findings"]]
    for listing in report["listings"]:
        expected += [(f["code"], listing["row"], f["message"]) for f in listing["findings"]]
    for product in report["products"]:  # once, at the first row each covers
        expected += [(f["code"], f["rows"][0], f["message"]) for f in product["findings"]]
    got = [(r["ruleId"], r["locations"][0]["physicalLocation"]["region"]["startLine"],
            r["message"]["text"].split("\n")[0]) for r in run["results"]]
    assert got == expected
    levels = {"error": "error", "warning": "warning", "info": "note"}
    severities = [f["severity"] for f in report["shop_findings"]] + [
        f["severity"] for x in report["listings"] for f in x["findings"]] + [
        f["severity"] for p in report["products"] for f in p["findings"]]
    assert [r["level"] for r in run["results"]] == [levels[s] for s in severities]
    fingerprints = [r["partialFingerprints"]["shelfcheckFinding/v1"] for r in run["results"]]
    assert len(set(fingerprints)) == len(fingerprints)


def test_sarif_locations_and_rules(example: dict) -> None:
    run = example["sarif"]["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert {r["id"] for r in rules} == set(RULES)
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        location = result["locations"][0]["physicalLocation"]["artifactLocation"]
        assert location["uri"] == "examples/catalog.csv" and location["uriBaseId"] == "%SRCROOT%"
    base = run["originalUriBaseIds"]["%SRCROOT%"]["uri"]
    assert base.endswith("/")
    resolved = Path(unquote(urlparse(base).path)) / run["artifacts"][0]["location"]["uri"]
    assert resolved.resolve() == (ROOT / "examples" / "catalog.csv").resolve()
    title = next(r for r in rules if r["id"] == "title_too_short")
    doc = RULES["title_too_short"].doc
    # the summary's number comes from the pack; the help is the catalogue's fix, as in findings
    assert title["shortDescription"]["text"] == "The title is shorter than the policy minimum (10 characters)."
    assert doc.summary == "The title is shorter than the policy minimum ({title.min_length} characters)."
    assert title["fullDescription"]["text"] == doc.sections["What it checks"].replace("``", "`")
    assert title["help"]["text"].startswith("Extend the title")
    assert "{" not in title["help"]["text"] and "Fix" not in doc.sections
    assert title["defaultConfiguration"]["level"] == "error"
    assert next(r for r in rules if r["id"] == "image_duplicate")["defaultConfiguration"]["level"] == "warning"
    zh_rules = {r["id"]: r for r in example["zh"]["runs"][0]["tool"]["driver"]["rules"]}
    assert any("\u4e00" <= ch <= "\u9fff" for ch in zh_rules["title_too_short"]["shortDescription"]["text"])


def test_sarif_outside_the_working_directory_uses_an_absolute_uri(ws: Workspace,
                                                                  tmp_path_factory: pytest.TempPathFactory,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    path = write_csv(ws.root / "目录 a" / "catalog.csv", [ws.listing(seller_sku="A-1", title="Short")])
    monkeypatch.chdir(tmp_path_factory.mktemp("elsewhere"))
    log = json.loads(render("sarif", prepare(path, as_of=AS_OF, jobs=1))[0])
    run = log["runs"][0]
    assert "originalUriBaseIds" not in run
    uri = run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri.startswith("file:///") and "%20" in uri
    assert Path(unquote(urlparse(uri).path)) == path.resolve()
    assert run["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] == 2


def _junit(path: Path, fail_on: str = "error") -> tuple[ET.Element, dict]:
    xml, summary = render("junit", prepare(path, as_of=AS_OF, jobs=1), fail_on=fail_on)
    report = json.loads(render("json", prepare(path, as_of=AS_OF, jobs=1))[0])
    return ET.fromstring(xml), report


def test_junit_one_case_per_listing_and_a_failure_per_error(ws: Workspace) -> None:
    dup = ws.image(name="img/dup.jpg")
    rows = [ws.listing(seller_sku="OK-1"),
            ws.listing(seller_sku="BAD-1", title="Short", category=""),
            ws.listing(seller_sku="WARN-1", main_images=f"{dup}|{dup}|{ws.clean_images(1)}"),
            ws.listing(seller_sku="CTRL\x07SKU", title="Ctrl \x07 char title here")]
    path = write_csv(ws.root / "catalog.csv", rows)
    root, report = _junit(path)
    suite = root.find("testsuite")
    cases = suite.findall("testcase")
    assert len(cases) == len(report["listings"]) == 4
    assert suite.get("tests") == "4" and root.get("tests") == "4"
    for case, listing in zip(cases, report["listings"]):
        assert case.get("line") == str(listing["row"])
        assert listing["seller_sku"].replace("\x07", "\ufffd") in case.get("name")
        errors = [f for f in listing["findings"] if f["severity"] == "error"]
        failures = case.findall("failure")
        assert sorted(f.get("type") for f in failures) == sorted(f["code"] for f in errors)
        warnings = [f for f in listing["findings"] if f["severity"] == "warning"]
        out = case.find("system-out")
        assert (out is not None) == bool(warnings)
        for w in warnings:
            assert w["code"] in out.text
    failing = sum(1 for x in report["listings"] if x["status"] == "fail")
    assert suite.get("failures") == str(failing)
    assert cases[3].get("name") == "row 5 · CTRL\ufffdSKU", "a control character became U+FFFD"


def test_junit_fail_on_warning_turns_warnings_into_failures(ws: Workspace) -> None:
    dup = ws.image(name="img/dup.jpg")
    rows = [ws.listing(seller_sku="WARN-1", main_images=f"{dup}|{dup}|{ws.clean_images(1)}")]
    path = write_csv(ws.root / "catalog.csv", rows)
    root, report = _junit(path, "warning")
    case = root.find("testsuite/testcase")
    assert [f.get("type") for f in case.findall("failure")] == ["image_duplicate"]
    assert root.find("testsuite").get("failures") == "1"
    root_default, _ = _junit(path)
    assert root_default.find("testsuite").get("failures") == "0"


def test_junit_shop_findings_are_a_case(example: dict, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    xml = render("junit", example_run())[0]
    root = ET.fromstring(xml)
    first = root.find("testsuite/testcase")
    assert first.get("name") == "shop and channel"
    assert [f.get("type") for f in first.findall("failure")] == [
        f["code"] for f in example["report"]["shop_findings"] if f["severity"] == "error"]
