"""Table-driven rule tests: every ``tests/cases/<family>.yaml`` case runs a real check.

A case starts from a clean listing (three good images, a category that needs no documents) and
applies its overrides. Keys:

* ``listing``: fields to override; ``listings``: several rows (expectations apply to the last).
* ``images``: main images to generate — ``clean``, a :func:`helpers.make_image` spec, or
  ``{ref: text}`` for a raw reference written as is, ``{file: path, content: text}`` for a file
  with that text, ``{same_as: i}`` for the ``i``-th reference again.
* ``cell_images``: ``{column: spec}`` — one image of the same specs for another image column
  (``size_chart``) of the last row.
* ``documents`` / ``shop`` / ``inventory``: the optional inputs; ``as_of``: the check day.
* ``policy``: pack blocks to override (a pack extending the default one is written).
* ``expect``: codes that must be present; ``absent``: codes that must not be; ``clean: true``:
  no finding at all; ``expect_shop`` / ``absent_shop``: the same for shop findings.
* ``evidence``: ``{code: {key: value}}`` — the first finding of that code has these values;
  ``field``: ``{code: field}``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from helpers import Workspace, codes

CASES_DIR = Path(__file__).parent / "cases"


def _load() -> list[Any]:
    params = []
    for path in sorted(CASES_DIR.glob("*.yaml")):
        for case in yaml.safe_load(path.read_text("utf-8")) or []:
            params.append(pytest.param(case, id=f"{path.stem}::{case['name']}"))
    return params


def _images(ws: Workspace, specs: list[Any]) -> str:
    refs = []
    for spec in specs:
        if spec == "clean":
            refs.append(ws.clean_images(1))
        elif isinstance(spec, dict) and "ref" in spec:
            refs.append(spec["ref"])
        elif isinstance(spec, dict) and "file" in spec:
            target = ws.root / spec["file"]
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(spec["content"].encode("utf-8"))
            refs.append(spec["file"])
        elif isinstance(spec, dict) and "same_as" in spec:
            refs.append(refs[spec["same_as"]])
        else:
            refs.append(ws.image(**spec))
    return "|".join(refs)


def _policy(ws: Workspace, case: dict[str, Any]) -> str | None:
    """A pack extending the default one with the case's ``policy`` blocks, or ``None``."""
    if not case.get("policy"):
        return None
    path = ws.root / "case-pack.yaml"
    path.write_text(yaml.safe_dump({"extends": "tiktok-us-2024-07", "name": "case-pack", **case["policy"]}), "utf-8")
    return str(path)


@pytest.mark.parametrize("case", _load())
def test_rule_case(case: dict[str, Any], ws: Workspace) -> None:
    rows = case.get("listings") or [case.get("listing") or {}]
    listings = []
    for i, row in enumerate(rows):
        row = dict(row)
        if "images" in case and i == len(rows) - 1:
            row["main_images"] = _images(ws, case["images"])
        if i == len(rows) - 1:
            row.update({name: _images(ws, [spec]) for name, spec in (case.get("cell_images") or {}).items()})
        listings.append(ws.listing(**row))
    report = ws.check(
        listings,
        documents=case.get("documents"),
        shop=case.get("shop"),
        inventory=case.get("inventory"),
        as_of=str(case.get("as_of", "2024-08-01")),
        policy=_policy(ws, case),
    )
    last = report.listings[-1]
    found = codes(last)
    for code in case.get("expect", []):
        assert code in found, f"expected {code}, got {found}"
    for code in case.get("absent", []):
        assert code not in found, f"{code} should not be reported, got {found}"
    if case.get("clean"):
        assert found == [], f"expected no finding, got {[(f.code, f.evidence) for f in last.findings]}"
    shop_codes = [f.code for f in report.shop_findings]
    for code in case.get("expect_shop", []):
        assert code in shop_codes, f"expected shop finding {code}, got {shop_codes}"
    for code in case.get("absent_shop", []):
        assert code not in shop_codes, f"{code} should not be a shop finding, got {shop_codes}"
    for code, expected in (case.get("evidence") or {}).items():
        finding = next(f for f in last.findings + report.shop_findings if f.code == code)
        for key, value in expected.items():
            assert finding.evidence.get(key) == value, f"{code}.{key}: {finding.evidence.get(key)!r} != {value!r}"
    for code, field in (case.get("field") or {}).items():
        finding = next(f for f in last.findings + report.shop_findings if f.code == code)
        assert finding.field == field


def test_family_gates_are_only_shortcuts(ws: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every case gives the same findings with every shortcut (gates, memos, the image fast
    path) switched off by the one switch, SHELFCHECK_SHORTCUTS=off."""
    from shelfcheck.engine import Engine
    from shelfcheck.rules import FAMILIES

    cases = [p.values[0] for p in _load()]
    with_gates = [_findings(case, ws, f"c{i}") for i, case in enumerate(cases)]
    monkeypatch.setenv("SHELFCHECK_SHORTCUTS", "off")
    engines: list[Engine] = []
    real_init = Engine.__init__

    def spy(self: Engine, *args: Any, **kwargs: Any) -> None:
        real_init(self, *args, **kwargs)
        engines.append(self)

    monkeypatch.setattr(Engine, "__init__", spy)
    without = [_findings(case, ws, f"c{i}") for i, case in enumerate(cases)]
    assert engines and all(not e.plan.shortcuts for e in engines)
    assert all(f.gate is None and f.memo is None for e in engines for f in e.plan.families)
    assert any(f.gate is not None for f in FAMILIES.values())  # the declarations are untouched
    assert with_gates == without


def _findings(case: dict[str, Any], ws: Workspace, folder: str) -> list[Any]:
    sub = Workspace(ws.root / folder)
    rows = case.get("listings") or [case.get("listing") or {}]
    listings = []
    for i, row in enumerate(rows):
        row = dict(row)
        if "images" in case and i == len(rows) - 1:
            row["main_images"] = _images(sub, case["images"])
        if i == len(rows) - 1:
            row.update({name: _images(sub, [spec]) for name, spec in (case.get("cell_images") or {}).items()})
        listings.append(sub.listing(**row))
    report = sub.check(listings, documents=case.get("documents"), shop=case.get("shop"),
                       inventory=case.get("inventory"), as_of=str(case.get("as_of", "2024-08-01")),
                       policy=_policy(sub, case))
    return [(r.row, [(f.code, f.field, f.evidence) for f in r.findings]) for r in report.listings]


def test_memoised_families_across_listings(ws: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    """Listings that share (or differ in) memoised cells get the findings of their own values."""
    variants = [
        {"origin_label": "Made in China", "manufacturer_address": "Shenzhen Tiancheng Electronics Factory"},
        {"origin_label": "Made in PRC"},
        {"origin_label": "Made in China", "country_of_origin": "Vietnam"},
        {"manufacturer_address": "", "manufacturer_name": "Acme Co., Ltd."},
        {},
    ]
    rows = [ws.listing(seller_sku=f"M-{i}", **variants[i % len(variants)]) for i in range(15)]

    def run() -> list[Any]:
        report = ws.check(rows)
        return [[(f.code, f.field, f.evidence) for f in r.findings] for r in report.listings]

    memoised = run()
    monkeypatch.setenv("SHELFCHECK_SHORTCUTS", "off")
    assert memoised == run()
    assert memoised[0] == memoised[5] == memoised[10] and memoised[0] != memoised[1]
    assert memoised[4] == []
