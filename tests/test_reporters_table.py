"""The terminal table wraps long messages and fixes, in English and Chinese, instead of cutting them."""

from __future__ import annotations

import json
import re

import pytest

from test_reporters_support import ROOT, example_run, make_example_images, render

_SPACE = re.compile(r"\s+")


def _flat(text: str) -> str:
    return _SPACE.sub("", text)


def _cells(table: str) -> list[tuple[str, str]]:
    """(message column, fix column) of every finding row of every findings table, each joined
    over the lines it was wrapped onto."""
    rows: list[list[str]] = []
    for line in table.splitlines():
        if not line.startswith("│"):
            continue
        cells = line.split("│")[1:-1]
        if len(cells) != 5:
            continue
        if cells[0].strip():
            rows.append(["", ""])
        rows[-1][0] += cells[3].strip()
        rows[-1][1] += cells[4].strip()
    return [(_flat(m), _flat(f)) for m, f in rows]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_message_and_fix_is_shown_whole(lang: str, monkeypatch: pytest.MonkeyPatch) -> None:
    make_example_images()
    monkeypatch.chdir(ROOT)
    table = render("table", example_run(), lang)[0].decode("utf-8")
    report = json.loads(render("json", example_run(), lang)[0])
    shown = _cells(table)
    findings = [f for x in report["listings"] for f in x["findings"]] + report["shop_findings"]
    assert len(shown) == len(findings)
    long_ones = 0
    for finding in findings:
        message, fix = _flat(finding["message"]), _flat(finding["fix"])
        long_ones += len(fix) > 60
        assert any(m.startswith(message) and f == fix for m, f in shown), (finding["code"], lang)
    assert long_ones > 5  # the example has fixes long enough to need wrapping
