"""Every reporter on the example catalogue, compared with its snapshot in ``tests/snapshots/``.

Regenerate after an intended change (then review ``git diff tests/snapshots``)::

    SHELFCHECK_UPDATE_SNAPSHOTS=1 .venv/bin/pytest tests/test_reporters_snapshots.py
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from test_reporters_support import (ROOT, assert_snapshot, dump_workbook, example_run,
                                    make_example_images, normalise, render)


@pytest.fixture(scope="module", autouse=True)
def _images() -> Path:
    return make_example_images()


@pytest.fixture(autouse=True)
def _at_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)


def _json_summary() -> dict:
    data, _ = render("json", example_run())
    counts = ("listings", "passed", "failed", "errors", "warnings")  # the layout keys are not counts
    return {k: v for k, v in json.loads(data)["summary"].items() if k in counts}


@pytest.mark.parametrize(("fmt", "lang", "name"), [
    ("html", "en", "example.en.html"),
    ("html", "zh", "example.zh.html"),
    ("junit", "en", "example.en.junit.xml"),
    ("junit", "zh", "example.zh.junit.xml"),
])
def test_text_reports_match_snapshots(fmt: str, lang: str, name: str) -> None:
    data, summary = render(fmt, example_run(), lang)
    assert summary.listings == 45
    assert_snapshot(name, normalise(data.decode("utf-8")))


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_sarif_matches_snapshot(lang: str) -> None:
    """The SARIF log, pretty-printed; ``tool.driver.rules`` cut to the rules results use.

    Every registered rule is listed in the real output (test_reporters_ci checks that, and that
    each ``ruleIndex`` points at its rule), so a new rule that never fires on the example does
    not churn this snapshot; ``ruleIndex`` is dropped here for the same reason.
    """
    log = json.loads(render("sarif", example_run(), lang)[0])
    run = log["runs"][0]
    used = {r["ruleId"] for r in run["results"]}
    run["tool"]["driver"]["rules"] = [r for r in run["tool"]["driver"]["rules"] if r["id"] in used]
    for result in run["results"]:
        result.pop("ruleIndex", None)
    text = json.dumps(log, ensure_ascii=False, indent=1) + "\n"
    assert_snapshot(f"example.{lang}.sarif.json", normalise(text))


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_csv_report_matches_snapshot(lang: str) -> None:
    data, summary = render("csv", example_run(), lang)
    assert data.startswith(b"\xef\xbb\xbf"), "a UTF-8 input comes back as UTF-8 with a BOM"
    assert_snapshot(f"example.{lang}.csv", normalise(data.decode("utf-8-sig")))


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_xlsx_report_matches_snapshot(lang: str) -> None:
    data, _ = render("xlsx", example_run(), lang)
    assert data[:4] == b"PK\x03\x04"
    assert_snapshot(f"example.{lang}.xlsx.txt", normalise(dump_workbook(data)))


@pytest.mark.parametrize("fmt", ["html", "csv", "xlsx", "sarif", "junit"])
def test_every_reporter_returns_the_same_summary_as_json(fmt: str) -> None:
    expected = _json_summary()
    _, summary = render(fmt, example_run())
    counts = ("listings", "passed", "failed", "errors", "warnings")  # the other keys are not counts (notes)
    assert {"listings": summary.listings, "passed": summary.passed, "failed": summary.failed,
            "errors": summary.errors, "warnings": summary.warnings} == {k: expected[k] for k in counts}


def test_normalise_hides_only_volatile_parts() -> None:
    text = normalise(f'shelfcheck 0.1.0 "version": "2.1.0" {ROOT}/x time="1.25" "sha256": "ab12cd34ef56ab78"')
    assert "<ROOT>/x" in text and 'time="<time>"' in text and '"sha256": "<sha256>"' in text
    assert '"version": "2.1.0"' in text  # the SARIF version is not the tool's


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_json_listing_text_is_the_listing_dumped(lang: str) -> None:
    """The fast JSON text of each listing is exactly ``json.dumps`` of its contract dict, twice
    over (the second time from the memo of rendered findings)."""
    from shelfcheck.i18n import catalogue
    from shelfcheck.reporters.json import listing_dict, listing_text

    cat = catalogue(lang)
    results = list(example_run().results())
    assert sum(len(r.findings) for r in results) > 20
    for _ in range(2):
        for result in results:
            expected = json.dumps(listing_dict(result, cat), ensure_ascii=False, default=str)
            assert listing_text(result, cat) == expected
