"""Where a finding points, as a structure (``Finding.where``), and the keys the engine gives the
findings it shares between listings (``Finding.shared``), which reporters remember their
renderings by instead of by ``id()``."""

from __future__ import annotations

import datetime as dt
import multiprocessing

from shelfcheck.datasets import load_datasets
from shelfcheck.engine import Checker
from shelfcheck.findings import Finding, ListingResult, Severity, Where, share_key
from shelfcheck.i18n import catalogue
from shelfcheck.policy import load_policy
from shelfcheck.reporters import json as json_report
from shelfcheck.reporters.sheet import field_column
from shelfcheck.rules.context import RunContext
from shelfcheck.sandbox.app import make_listing


def test_every_shape_of_field_is_taken_apart() -> None:
    assert Where.parse("title") == Where("title", text="title")
    assert Where.parse("main_images[2]") == Where("main_images", index=2, text="main_images[2]")
    assert Where.parse("documents[FCC-7]") == Where("documents", key="FCC-7", text="documents[FCC-7]")
    assert Where.parse("documents[CPI-LIP].file") == Where("documents", key="CPI-LIP", member="file",
                                                           text="documents[CPI-LIP].file")
    assert Where.parse("app.api_version") == Where("app", member="api_version", text="app.api_version")
    assert Where.parse("integrations[1].connected_at") == Where("integrations", index=1, member="connected_at",
                                                                text="integrations[1].connected_at")
    assert Where.parse("sales_attributes.Size").member == "Size"
    odd = Where.parse("a[1][2]")  # no known shape: the field before the first bracket
    assert (odd.field, odd.index, odd.text) == ("a", None, "a[1][2]")
    assert Where.parse("") == Where("", text="")
    assert Where.parse("main_images").position == -1 and Where.parse("main_images[0]").position == 0


def test_a_finding_derives_its_where_from_its_field_and_keeps_the_text() -> None:
    f = Finding("image_wrong_size", Severity.ERROR, "main_images[3]", {}, {})
    assert f.where.field == "main_images" and f.where.index == 3 and f.where.text == f.field
    assert f.where is Finding("x", Severity.INFO, "main_images[3]", {}, {}).where  # parsed once per text
    columns = {"title": "标题", "main_images": "主图"}
    assert field_column(f.where, columns) == "主图"
    assert field_column(Where.parse("documents[FCC-7]"), columns) is None
    assert field_column(Where.parse(""), columns) is None


def _child_key(queue: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    queue.put(share_key())


def test_share_keys_differ_across_processes() -> None:
    first, second = share_key(), share_key()
    assert first != second and first[0] == second[0]
    queue: multiprocessing.Queue = multiprocessing.get_context("fork").Queue()  # type: ignore[type-arg]
    child = multiprocessing.get_context("fork").Process(target=_child_key, args=(queue,))
    child.start()
    theirs = queue.get(timeout=30)
    child.join()
    mine = share_key()
    assert theirs[0] != mine[0]  # a forked worker's keys never equal the parent's


def _checker() -> Checker:
    run = RunContext(policy=load_policy(), as_of=dt.date(2024, 8, 1), datasets=load_datasets())
    return Checker(run)


def test_the_engine_keys_the_findings_it_shares_and_only_those() -> None:
    checker = _checker()
    row = {"seller_sku": "A-1", "title": "短", "category": "Home Supplies > Storage", "price": "9.99",
           "quantity": "lots"}
    one = checker.check(make_listing(row), {})
    two = checker.check(make_listing({**row, "seller_sku": "A-2"}), {})
    shared_one = {f.code: f.shared for f in one.findings}
    shared_two = {f.code: f.shared for f in two.findings}
    assert shared_one["value_invalid"] is not None  # a memoised family: shared by value
    assert shared_one["value_invalid"] == shared_two["value_invalid"]
    assert shared_one["title_too_short"] is None  # a family that is not memoised: this listing's own
    other = _checker().check(make_listing(row), {})  # another checker (another plan) never reuses them
    assert {f.shared for f in other.findings}.isdisjoint(set(shared_one.values()) - {None})
    # equality of findings is their value, not the key
    assert [f for f in one.findings if f.code == "value_invalid"] == \
           [f for f in other.findings if f.code == "value_invalid"]


def test_the_json_reporter_reuses_a_rendering_by_key_and_language_only() -> None:
    en, zh = catalogue("en"), catalogue("zh")
    key = share_key()
    finding = Finding("title_too_short", Severity.ERROR, "title", {"length": 1, "min": 20}, {}, key)
    lookalike = Finding("title_too_short", Severity.ERROR, "title", {"length": 1, "min": 20}, {}, key)
    text = json_report.listing_text(ListingResult(2, "A", [finding]), en)
    assert json_report.listing_text(ListingResult(2, "A", [lookalike]), en) == text  # by key, not id()
    assert json_report._RENDERED[key][1] in text
    assert json_report.listing_text(ListingResult(2, "A", [finding]), zh) != text
    alone = Finding("title_too_short", Severity.ERROR, "title", {"length": 3, "min": 20}, {})
    before = dict(json_report._RENDERED)
    assert '"length": 3' in json_report.listing_text(ListingResult(3, "B", [alone]), en)
    assert json_report._RENDERED == before  # a finding of one listing only is not remembered


def test_the_table_reporter_reuses_a_drawn_table_only_when_every_finding_is_shared() -> None:
    from shelfcheck.reporters import table

    look = table.Look(None, True, 100)
    key = share_key()
    shared = Finding("title_too_short", Severity.ERROR, "title", {"length": 1, "min": 20}, {}, key)
    table._TABLES.clear()
    first = table.render_listing(ListingResult(2, "A", [shared]), "en", look)
    again = table.render_listing(ListingResult(3, "B", [Finding(*_fields(shared), key)]), "en", look)
    assert len(table._TABLES) == 1 and first.split("\n", 1)[1] == again.split("\n", 1)[1]
    own = Finding("title_too_short", Severity.ERROR, "title", {"length": 2, "min": 20}, {})
    drawn = table.render_listing(ListingResult(4, "C", [shared, own]), "en", look)
    assert len(table._TABLES) == 1 and "length=2" in drawn


def _fields(f: Finding) -> tuple[object, ...]:
    return f.code, f.severity, f.field, f.evidence, f.ctx
