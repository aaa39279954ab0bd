"""The text fixes of ``shelfcheck fix``: each with a case it fixes and one it leaves alone."""

from __future__ import annotations

import random

import pytest

from shelfcheck.analysis import scripts
from shelfcheck.analysis.inci import builtin_dictionary, builtin_names, name_key
from shelfcheck.analysis.origin import assess_origin_label
from shelfcheck.fix.text import (clean_title, drop_cjk, fix_origin_label, inci_similarity, replace_entry,
                                 transliterate_sku, unique_sku)
from shelfcheck.policy import load_policy

PACK = load_policy()
ALLOWED = PACK.sku.allowed
REJECTED = PACK.origin.rejected_names


@pytest.mark.parametrize(("title", "expected"), [
    ("🔥Hot Sale🔥 Earbuds&nbsp;Black!!!!!!!!!!", "Hot Sale Earbuds Black!"),
    ("Ｗｉｒｅｌｅｓｓ　Ｅａｒｂｕｄｓ ＢＴ５.３", "Wireless Earbuds BT5.3"),
    ("Storage\x07 Box\u200b with Lid", "Storage Box with Lid"),
    ("Sale Sale Sale Storage Box", "Sale Storage Box"),
    ("Tom &amp;amp; Jerry Mug", "Tom & Jerry Mug"),
])
def test_clean_title_mends_the_form(title: str, expected: str) -> None:
    cleaned = clean_title(title, PACK.title.max_repeat)
    assert cleaned == expected
    assert clean_title(cleaned, PACK.title.max_repeat) == cleaned  # idempotent
    assert not scripts.emoji_characters(cleaned) and not scripts.html_entities(cleaned)


@pytest.mark.parametrize("title", ["Stackable Storage Box with Lid, 12 L, Clear", "Bose® QuietComfort™ Earbuds",
                                   "Pack of 3 (AAA) Batteries – 1.5 V, ½ Price", "Bye-bye Mug"])
def test_clean_title_leaves_good_titles_alone(title: str) -> None:
    assert clean_title(title, PACK.title.max_repeat) == title


def test_chinese_is_removed_only_as_a_suggestion_and_never_translated() -> None:
    assert drop_cjk("蓝牙耳机 Wireless Earbuds 黑色") == "Wireless Earbuds"
    assert drop_cjk("Wireless Earbuds, 黑色") == "Wireless Earbuds"
    assert drop_cjk("蓝牙耳机") == ""
    assert drop_cjk("Wireless Earbuds") == "Wireless Earbuds"


@pytest.mark.parametrize(("sku", "expected"), [
    ("红色杯子-01", "HONGSE-BEIZI-01"),
    ("耳机-黑色", "ERJI-HEISE"),
    ("ＳＫＵ－００１", "SKU-001"),
    ("BOX 12/L", "BOX-12-L"),
    ("HM-BOX-001", "HM-BOX-001"),
])
def test_sku_transliteration(sku: str, expected: str) -> None:
    assert transliterate_sku(sku, ALLOWED) == expected


def test_unique_sku_cuts_to_the_limit_and_never_collides() -> None:
    limit = PACK.sku.max_length
    long = "HM-LAMP-DESK-LED-TOUCH-DIMMER-USB-CHARGING-PORT-WHITE-2024"
    cut = unique_sku(long, set(), limit)
    assert len(cut) <= limit and long.startswith(cut) and not cut.endswith("-")
    taken = {cut}
    second = unique_sku(long, taken, limit)
    assert second != cut and len(second) <= limit and second.endswith("-2")
    assert unique_sku("SC-001", set(), limit) == "SC-001"


@pytest.mark.parametrize(("label", "found"), [("Made in PRC", ["PRC"]), ("Made in P.R.C.", ["P.R.C."]),
                                              ("中国制造", ["中国制造"]), ("MADE IN PRC", ["PRC"])])
def test_origin_markings_become_the_full_english_name(label: str, found: list[str]) -> None:
    new = fix_origin_label(label, found, "Made in China", REJECTED)
    assert new is not None and "China" in new
    assert assess_origin_label(new, "China", REJECTED).status == "ok"


def test_origin_marking_without_a_known_country_is_not_guessed() -> None:
    assert fix_origin_label("Made in PRC", ["PRC"], None, REJECTED) is None
    assert fix_origin_label("", [], "Made in China", REJECTED) is None


def test_replace_entry_rewrites_one_whole_ingredient() -> None:
    cell = "Purified Water, Glycerin, Shea Butter, Vitamin E"
    assert replace_entry(cell, "Shea Butter", "Butyrospermum Parkii Butter") == \
        "Purified Water, Glycerin, Butyrospermum Parkii Butter, Vitamin E"
    assert replace_entry(cell, "Water", "Aqua") == "Purified Aqua, Glycerin, Shea Butter, Vitamin E"  # first whole word
    assert replace_entry(cell, "Shea", "X") is not None
    assert replace_entry(cell, "Butter Shea", "X") is None


def _typos(seed: int = 14) -> list[tuple[str, str]]:
    rng = random.Random(seed)
    letters = "abcdefghijklmnopqrstuvwxyz"
    pairs = []
    for name in rng.sample(list(builtin_names()), 600):
        if len(name) < 5:
            continue
        i = rng.randrange(1, len(name) - 1)
        op = rng.choice("dsti")
        typo = {"d": name[:i] + name[i + 1:], "s": name[:i] + rng.choice(letters) + name[i + 1:],
                "t": name[:i] + name[i + 1] + name[i] + name[i + 2:],
                "i": name[:i] + rng.choice(letters) + name[i:]}[op]
        if name_key(typo) != name_key(name):
            pairs.append((typo, name))
    return pairs


def test_spelling_corrections_are_suggested_only_above_the_measured_confidence() -> None:
    """The pack's ``fix.inci_typo_min_score`` measured: over single-letter typos of the built-in
    INCI names, the corrections at or above it are (nearly) all right, and most typos reach it."""
    dictionary = builtin_dictionary()
    threshold = PACK.fix.inci_typo_min_score
    offered = right = total = 0
    for typo, name in _typos():
        suggestions = dictionary.suggest(name_key(typo))
        if len(suggestions) != 1:
            continue
        total += 1
        if inci_similarity(typo, suggestions[0]) >= threshold:
            offered += 1
            right += name_key(suggestions[0]) == name_key(name)
    assert total > 400
    assert right / offered >= 0.99  # precision of what is suggested
    assert offered / total >= 0.8  # recall: most typos are corrected
    assert inci_similarity("Waetr", "Water") < threshold  # a short name with two letters wrong: not offered
