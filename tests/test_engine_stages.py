"""The engine's stages: the plan, the one per-listing call, the family declarations, the switch
that turns every shortcut off, and the catalogue source's SKU look-up."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest

import shelfcheck
from helpers import Workspace, codes, write_csv
from shelfcheck.engine import Checker, Plan
from shelfcheck.findings import Hit, Severity
from shelfcheck.ingest import open_catalog
from shelfcheck.policy import load_policy
from shelfcheck.rules import FAMILIES, RULES, Rule, RuleDoc, effective_severity, family, family_of
from shelfcheck.rules.context import Images, RunContext

AS_OF = dt.date(2024, 8, 1)


def _run(**kwargs: Any) -> RunContext:
    from shelfcheck.datasets import load_datasets

    return RunContext(policy=kwargs.pop("policy", load_policy()), as_of=AS_OF, datasets=load_datasets(), **kwargs)


def test_a_family_is_declared_once() -> None:
    assert FAMILIES["images"].images and FAMILIES["images"].memo == ("main_images",)
    assert FAMILIES["ledger"].gate is not None and FAMILIES["ledger"].run_gate is not None
    with pytest.raises(ValueError, match="declared already"):
        family("images")
    with pytest.raises(ValueError, match="needs the memo fields"):
        family("a_family_without_memo", images=True)
    bare = family_of("no_such_family")
    assert (bare.gate, bare.run_gate, bare.memo, bare.images) == (None, None, None, False)


def test_the_plan_takes_severity_from_the_one_definition() -> None:
    policy = load_policy()
    rule = RULES["title_too_short"]
    assert effective_severity(rule, policy) is rule.severity
    changed = policy.model_copy(update={"rules": {**policy.rules, "title_too_short": policy.rules[
        "title_too_short"].model_copy(update={"severity": "info"})}})
    assert effective_severity(rule, changed) is Severity.INFO
    off = policy.model_copy(update={"rules": {**policy.rules, "title_too_short": policy.rules[
        "title_too_short"].model_copy(update={"enabled": False})}})
    assert effective_severity(rule, off) is None
    plan = Plan.build(_run(policy=off), shortcuts=True)
    planned = {a.rule.code: a.severity for f in plan.families for a in f.rules}
    assert "title_too_short" not in planned and planned["title_too_long"] is RULES["title_too_long"].severity


def test_one_switch_turns_every_shortcut_off(monkeypatch: pytest.MonkeyPatch) -> None:
    on = Plan.build(_run())
    assert on.shortcuts and any(f.gate for f in on.families) and any(f.memo for f in on.families)
    assert all(f.name != "ledger" for f in on.families)  # no ledger given: its run gate holds it back
    monkeypatch.setenv("SHELFCHECK_SHORTCUTS", "off")
    off = Plan.build(_run())
    assert not off.shortcuts and all(f.gate is None and f.memo is None for f in off.families)
    assert any(f.name == "ledger" for f in off.families)


def test_the_one_call_gives_what_the_catalogue_run_gives(ws: Workspace) -> None:
    rows = [ws.listing(seller_sku="A-1", main_images="img/missing.jpg|" + ws.clean_images(2)),
            ws.listing(seller_sku="A-2", title="短")]
    report = ws.check(rows)
    catalog = ws.root / "catalog.csv"
    run = shelfcheck.prepare(catalog, as_of=AS_OF, jobs=1, cache=False)
    checker = Checker(run.run)
    with open_catalog(catalog) as source:
        listings = list(source.listings())
    prep = run.engine.images
    for listing, expected in zip(listings, report.listings):
        images = dict(prep.known(listing.base_dir, listing.main_images))  # a plain mapping, as the sandbox has
        got = checker.check(listing, images)
        assert [(f.code, f.field, f.evidence) for f in got.findings] == \
               [(f.code, f.field, f.evidence) for f in expected.findings]
    run.engine.close()
    assert "image_not_found" in codes(report.listings[0]) and "title_too_short" in codes(report.listings[1])


def test_image_keys_are_handed_out_with_the_analyses() -> None:
    from shelfcheck.analysis.images import ImageInfo

    info = ImageInfo(ref="a.jpg")
    plain = {"a.jpg": info, "b.jpg": info}
    wrapped = Images.of(plain)
    assert Images.of(wrapped) is wrapped
    assert wrapped.key_of("a.jpg") != wrapped.key_of("b.jpg") and wrapped.key_of("c.jpg") is None
    again = Images.of(plain)
    assert again.key_of("a.jpg") not in (wrapped.key_of("a.jpg"), wrapped.key_of("b.jpg"))
    wrapped.add("a.jpg", ImageInfo(ref="a.jpg"))  # re-analysed: a new key, so no memo reuses the old
    assert wrapped.key_of("a.jpg") != again.key_of("a.jpg")


def test_the_image_gate_asks_the_checks_themselves(ws: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    """A new per-image check is written once: the gate that lets clean images skip the family
    runs it too, so it reports on images every older check passes."""
    rows = [ws.listing(seller_sku=f"G-{i}") for i in range(3)]
    assert codes(ws.check(rows)) == []

    def image_is_a_jpeg(c: Any) -> Iterator[Hit]:
        from shelfcheck.rules.images import _images

        for i, ref, info in _images(c):
            if info.format == "JPEG":
                yield Hit(f"main_images[{i}]", {"ref": ref})

    probe = Rule("image_probe_jpeg", "images", "listing", Severity.WARNING, (), image_is_a_jpeg, RuleDoc.parse(""))
    monkeypatch.setitem(RULES, "image_probe_jpeg", probe)
    report = ws.check(rows)
    assert [codes(r).count("image_probe_jpeg") for r in report.listings] == [3, 3, 3]


def test_catalogue_source_finds_a_sku_and_closes(ws: Workspace) -> None:
    catalog = write_csv(ws.root / "catalog.csv", [ws.listing(seller_sku=s) for s in ("A", "B", "B")])
    with open_catalog(catalog) as source:
        found = source.find("B")
        assert found is not None and found.row == 3
    with open_catalog(catalog) as source:
        assert source.find("nope") is None
