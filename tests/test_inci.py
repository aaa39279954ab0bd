"""The INCI analyser: splitting, normalising, the built-in list, suggestions, list comparison.

The tests that take ``cosing_csv`` read the CosIng inventory from ../shared/data at test time
(never copied into the repository) and skip, saying why, when it is not there.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from shelfcheck.analysis import inci
from shelfcheck.analysis.inci import (
    InciDictionary,
    builtin_dictionary,
    builtin_names,
    clean_name,
    compare_lists,
    load_synonyms,
    name_key,
    split_ingredients,
)
from shelfcheck.datasets import import_dataset, load_datasets

from helpers import Workspace, codes


# Splitting -------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("Water, Glycerin, Niacinamide", ["Water", "Glycerin", "Niacinamide"]),
        ("Ingredients: Water (Aqua), Glycerin, 1,2-Hexanediol, Parfum*.",
         ["Water (Aqua)", "Glycerin", "1,2-Hexanediol", "Parfum"]),
        ("INGREDIENTS:WATER;GLYCERIN", ["WATER", "GLYCERIN"]),
        ("成分：水，甘油、丁二醇", ["水", "甘油", "丁二醇"]),
        ("Niacinamide 5%, Glycerin (3.5 %), 0,5% Salicylic Acid, Zinc PCA 0,1%",
         ["Niacinamide", "Glycerin", "Salicylic Acid", "Zinc PCA"]),
        ("Mica, Iron Oxides (CI 77491, CI 77492, CI 77499), Titanium Dioxide",
         ["Mica", "Iron Oxides (CI 77491, CI 77492, CI 77499)", "Titanium Dioxide"]),
        ("Water, Glycerin, May Contain (+/-): Mica, CI 77891",
         ["Water", "Glycerin", "Mica", "CI 77891"]),
        ("Dimethicone, Silica, [+/- CI 77891, CI 77491]", ["Dimethicone", "Silica", "CI 77891", "CI 77491"]),
        ("Water, Aloe Barbadensis Leaf Juice*, Citric Acid. *Certified organic ingredient",
         ["Water", "Aloe Barbadensis Leaf Juice", "Citric Acid"]),
        ("Water,, Glycerin ,  ,Alcohol Denat.", ["Water", "Glycerin", "Alcohol Denat."]),
        ("Water, Glycerin (vegetable, Panthenol", ["Water", "Glycerin (vegetable", "Panthenol"]),
        ("Caprylic/Capric Triglyceride, Sodium C14-16 Olefin Sulfonate",
         ["Caprylic/Capric Triglyceride", "Sodium C14-16 Olefin Sulfonate"]),
        ("", []),
        ("  Ingredients:  ", []),
    ],
)
def test_split_ingredients(text: str, names: list[str]) -> None:
    assert split_ingredients(text) == names


def test_comma_between_digits_belongs_to_the_name_but_not_after_a_digit_and_space() -> None:
    assert split_ingredients("1,2-Hexanediol, 1,3-Propanediol") == ["1,2-Hexanediol", "1,3-Propanediol"]
    assert split_ingredients("Polysorbate 20, 2-Oleamido-1,3-Octadecanediol") == [
        "Polysorbate 20", "2-Oleamido-1,3-Octadecanediol"]


def test_clean_name_strips_marks_percentages_and_trailing_dot() -> None:
    assert clean_name("  Glycerin** ") == "Glycerin"
    assert clean_name("Niacinamide (5%).") == "Niacinamide"
    assert clean_name("(Water)") == "Water"
    assert clean_name("Alcohol Denat.") == "Alcohol Denat."


def test_name_key_folds_case_width_space_dashes_and_trailing_dot() -> None:
    assert name_key("  Caprylic / Capric   Triglyceride ") == "caprylic/capric triglyceride"
    assert name_key("ＷＡＴＥＲ") == "water"  # full-width letters (NFKC)
    assert name_key("PEG\u2013100 Stearate") == name_key("peg-100 stearate")
    assert name_key("Butyrospermum Parkii ( Shea ) Butter") == "butyrospermum parkii (shea) butter"
    assert name_key("ALCOHOL DENAT.") == name_key("Alcohol Denat")
    assert name_key("Glycerin") != name_key("Glycerine")


# The built-in list and the synonym table --------------------------------------------------------

def test_builtin_list_has_several_hundred_distinct_names() -> None:
    names = builtin_names()
    assert 400 <= len(names) <= 2000
    keys = [name_key(n) for n in names]
    assert len(set(keys)) == len(keys), "duplicate names in inci_builtin.txt"
    assert all("," not in n or n[0].isdigit() for n in names)


@pytest.mark.parametrize("name", ["Water", "Glycerin", "Dimethicone", "Phenoxyethanol", "Cetearyl Alcohol",
                                  "Sodium Laureth Sulfate", "Niacinamide", "CI 77891", "Tocopherol",
                                  "Simmondsia Chinensis Seed Oil", "Hyaluronic Acid", "Aqua", "Parfum",
                                  "Fragrance", "Iron Oxides", "FD&C Yellow No. 5", "Blue 1 Lake",
                                  "Theobroma Cacao Seed Butter"])
def test_builtin_dictionary_accepts_common_inci_and_us_label_names(name: str) -> None:
    verdict = builtin_dictionary().check(name)
    assert verdict.inci is True, verdict


@pytest.mark.parametrize(
    ("name", "reason", "suggestions"),
    [
        ("Purified Water", "inci_common_name", ("Water",)),
        ("Deionized Water", "inci_common_name", ("Water",)),
        ("Distilled Water", "inci_common_name", ("Water",)),
        ("Aqua Purificata", "inci_common_name", ("Water",)),
        ("Vitamin E", "inci_common_name", ("Tocopherol", "Tocopheryl Acetate")),
        ("Vitamin C", "inci_common_name", ("Ascorbic Acid",)),
        ("Vitamin B3", "inci_common_name", ("Niacinamide",)),
        ("Shea Butter", "inci_common_name", ("Butyrospermum Parkii Butter",)),
        ("Lavender Essential Oil", "inci_common_name", ("Lavandula Angustifolia Oil",)),
        ("Essential Oil", "inci_marketing_term", ()),
        ("Natural Extract", "inci_marketing_term", ()),
        ("Secret Complex", "inci_marketing_term", ()),
        ("Herbal Essence", "inci_marketing_term", ()),
        ("Proprietary Rose Blend", "inci_marketing_term", ()),
        ("ACTIWHITE PW LS 9860", "inci_trade_name",
         ("Maltodextrin", "Sucrose Dilaurate", "Sodium Cocoyl Glutamate", "Pisum Sativum Extract")),
        ("ACTIWHITE® PW LS 9860", "inci_trade_name",
         ("Maltodextrin", "Sucrose Dilaurate", "Sodium Cocoyl Glutamate", "Pisum Sativum Extract")),
        ("Hydrasoft™", "inci_trade_name", ()),
        ("Carbopol Ultrez 21", "inci_trade_name", ("Carbomer",)),
        ("Tween 20", "inci_trade_name", ("Polysorbate 20",)),
        ("BIOLUX XR 7710", "inci_trade_name", ()),
        ("甘油", "inci_not_latin", ("Glycerin",)),
        ("1,2-己二醇", "inci_not_latin", ("1,2-Hexanediol",)),
        ("玫瑰精华", "inci_not_latin", ()),
        ("Vitamin B3 (Niacinamide)", "inci_common_name", ("Niacinamide",)),
        ("Organic Aloe Barbadensis Leaf Juice", "inci_qualified_name", ("Aloe Barbadensis Leaf Juice",)),
        ("Cold-Pressed Organic Jojoba Oil", "inci_qualified_name", ("Simmondsia Chinensis Seed Oil",)),
    ],
)
def test_clearly_not_inci_is_reported_even_with_the_builtin_list(name: str, reason: str,
                                                                  suggestions: tuple[str, ...]) -> None:
    verdict = builtin_dictionary().check(name)
    assert verdict.reported, verdict
    assert verdict.reason == reason
    assert verdict.suggestions == suggestions


def test_vitamin_e_is_never_auto_picked() -> None:
    verdict = builtin_dictionary().check("Vitamin E")
    assert verdict.advice == "inci_advice_pick_one" and verdict.matched is None
    assert len(verdict.suggestions) == 2


@pytest.mark.parametrize("name", ["Water (Aqua)", "Aqua (Water)", "Aqua/Water", "Water/Aqua/Eau", "aqua / water",
                                  "Butyrospermum Parkii (Shea) Butter", "Tocopherol (Vitamin E)",
                                  "Niacinamide (Vitamin B3)", "Fragrance (Parfum)",
                                  "Iron Oxides (CI 77491, CI 77492, CI 77499)", "Titanium Dioxide (CI 77891)",
                                  "Phenoxyethanol (and) Ethylhexylglycerin"])
def test_dual_and_bracketed_names_are_accepted(name: str) -> None:
    assert builtin_dictionary().check(name).inci is True


@pytest.mark.parametrize("name", ["Sodium Cocoyl Apple Amino Acids", "Sclerocarya Birrea Seed Oil",
                                  "Sclerocarya Birrea Seed Oil/Marula Oil"])
def test_the_builtin_list_does_not_report_names_it_does_not_know(name: str) -> None:
    verdict = builtin_dictionary().check(name)
    assert verdict.inci is None and not verdict.reported


def test_verdicts_are_cached_per_name(monkeypatch: pytest.MonkeyPatch) -> None:
    dictionary = InciDictionary(None, label="builtin")
    calls = []
    real = dictionary._check
    monkeypatch.setattr(dictionary, "_check", lambda name: calls.append(name) or real(name))
    for _ in range(50):
        dictionary.check("Purified Water")
        dictionary.check("Water")
    assert calls == ["Purified Water", "Water"]


# A complete dictionary (a small stand-in for CosIng) ---------------------------------------------

@pytest.fixture
def small_complete() -> InciDictionary:
    names = ["WATER", "AQUA", "GLYCERIN", "PHENOXYETHANOL", "SODIUM LAURETH SULFATE", "SODIUM LAURYL SULFATE",
             "HYALURONIC ACID", "BUTYROSPERMUM PARKII BUTTER", "PARFUM", "CI 77491"]
    return InciDictionary({name_key(n): n for n in names}, label="cosing@2021-12-15", complete=True)


def test_complete_dictionary_reports_every_absent_name(small_complete: InciDictionary) -> None:
    verdict = small_complete.check("Xylo Mystery Ferment")
    assert verdict.reported and verdict.reason == "inci_not_in_dictionary"
    assert verdict.suggestions == ()
    assert verdict.advice == "inci_advice_check_spelling"
    remark = small_complete.check("Glycerin (Vegetable)")  # a remark after an INCI name: the policy decides
    assert remark.inci is True and remark.remark == "Vegetable" and remark.bare == "Glycerin" and remark.remark_clear


def test_fuzzy_suggestion_for_a_misspelling(small_complete: InciDictionary) -> None:
    verdict = small_complete.check("Phenoxyethenol")
    assert verdict.reported and verdict.suggestions == ("Phenoxyethanol",)  # built-in casing preferred
    assert small_complete.check("Acid Hyaluronic").suggestions == ("Hyaluronic Acid",)


def test_no_partial_match_suggestions(small_complete: InciDictionary) -> None:
    # WRatio/partial_ratio would map "Sodium" onto "Sodium Laureth Sulfate"
    verdict = small_complete.check("Sodium")
    assert verdict.reported and verdict.suggestions == ()
    assert "Sodium Laureth Sulfate" not in small_complete.check("Sodium Sulfate").suggestions


def test_complete_dictionary_still_accepts_us_label_names(small_complete: InciDictionary) -> None:
    for name in ("Fragrance", "Red 40", "Iron Oxides", "Water (Aqua)", "Butyrospermum Parkii (Shea) Butter"):
        assert small_complete.check(name).inci is True, name


def test_fuzzy_cutoff_is_high() -> None:
    assert inci.FUZZY_CUTOFF >= 90


# Comparing lists -------------------------------------------------------------------------------

def test_lists_equal_after_normalisation() -> None:
    assert compare_lists(["Water", "Glycerin", "1,2-Hexanediol"], ["WATER", " glycerin ", "1,2-HEXANEDIOL"]) is None


def test_order_only_difference() -> None:
    diff = compare_lists(["Water", "Glycerin", "Niacinamide"], ["Water", "Niacinamide", "Glycerin"])
    assert diff is not None and diff.order_only
    assert diff.first_difference == 1 and diff.declared_at == "Glycerin" and diff.cpi_at == "Niacinamide"


def test_missing_and_extra_names() -> None:
    diff = compare_lists(["Water", "Glycerin", "Niacinamide"], ["Purified Water", "Glycerin"])
    assert diff is not None and not diff.order_only
    assert diff.missing == ("Water", "Niacinamide") and diff.extra == ("Purified Water",)
    assert diff.first_difference == 0


def test_a_shorter_list_differs_where_it_ends() -> None:
    diff = compare_lists(["Water", "Glycerin"], ["Water", "Glycerin", "Parfum"])
    assert diff is not None and diff.first_difference == 2
    assert diff.declared_at is None and diff.cpi_at == "Parfum" and diff.extra == ("Parfum",)


def test_duplicates_count() -> None:
    diff = compare_lists(["Water", "Water"], ["Water"])
    assert diff is not None and diff.missing == ("Water",)


# Against the real CosIng inventory (read at test time from ../shared/data) ----------------------

def _cosing_keys(cosing_csv: Path) -> set[str]:
    with cosing_csv.open(encoding="utf-8", newline="") as fh:
        return {name_key(row["inci_name"]) for row in csv.DictReader(fh)}


def test_every_builtin_name_is_in_cosing(cosing_csv: Path) -> None:
    cosing = _cosing_keys(cosing_csv)
    missing = []
    for name in builtin_names():
        key = name_key(name)
        if key not in cosing and inci._strip_parens(key) not in cosing:
            missing.append(name)
    assert missing == []


def test_synonym_targets_are_inci_and_synonyms_are_not(cosing_csv: Path) -> None:
    cosing = _cosing_keys(cosing_csv)
    syn = load_synonyms()
    us = set(syn.us_label_names)
    for key, targets in syn.synonyms.items():
        assert key not in cosing, f"synonym {key!r} is itself an INCI name"
        for target in targets:
            assert name_key(target) in cosing or name_key(target) in us, (key, target)
    for key, targets in syn.trade_names.items():
        assert key not in cosing, key
        for target in targets:
            assert name_key(target) in cosing, (key, target)
    assert "fragrance" in us and "fragrance" not in cosing  # a US label name, not a CosIng entry


def test_no_cosing_name_is_judged_clearly_not_inci(cosing_csv: Path) -> None:
    dictionary = builtin_dictionary()
    with cosing_csv.open(encoding="utf-8", newline="") as fh:
        flagged = [row["inci_name"] for row in csv.DictReader(fh)
                   if dictionary.clearly_not_inci(row["inci_name"]) is not None]
    assert flagged == []


@pytest.fixture
def cosing(cosing_csv: Path) -> InciDictionary:
    import_dataset("cosing", cosing_csv)
    return load_datasets().inci


@pytest.mark.parametrize("name", ["1,2-Hexanediol", "Caprylic/Capric Triglyceride",
                                  "Butyrospermum Parkii (Shea) Butter", "Water (Aqua)", "Aqua (Water)", "Aqua/Water",
                                  "WATER", "Fragrance", "Parfum", "Alcohol Denat.", "Hyaluronic Acid",
                                  "Sodium Hyaluronate", "CI 77891", "Red 40", "Iron Oxides (CI 77491, CI 77492)"])
def test_cosing_accepts_inci_and_dual_names(cosing: InciDictionary, name: str) -> None:
    assert cosing.complete and cosing.label == "cosing@2021-12-15"
    assert cosing.check(name).inci is True, cosing.check(name)


def test_cosing_flags_purified_water_and_suggests_water(cosing: InciDictionary) -> None:
    verdict = cosing.check("Purified Water")
    assert verdict.reported and verdict.suggestions == ("Water",)
    typo = cosing.check("Glycerine")
    assert typo.reported and typo.suggestions == ("Glycerin",)
    unknown = cosing.check("Sclerocarya Birreaa Seed Oill")
    assert unknown.reported and unknown.reason == "inci_not_in_dictionary"
    assert unknown.suggestions == ("SCLEROCARYA BIRREA SEED OIL",)


def test_cosing_check_in_a_full_run_names_the_dictionary(cosing_csv: Path, ws: Workspace) -> None:
    import_dataset("cosing", cosing_csv)
    datasets = load_datasets()
    listing = ws.listing(category="Beauty & Personal Care > Skincare", fda_registration_number="3012345678",
                         ingredients="Purified Water, Butyrospermum Parkii (Shea) Butter, 1,2-Hexanediol, "
                                     "Caprylic/Capric Triglyceride, Glycerin (Vegetable), Xylo Mystery Ferment")
    docs = [{"doc_id": "CPI-1", "type": "CPI", "status": "Verified", "issued_on": "2024-03-01", "applies_to": "*"}]
    report = ws.check([listing], documents=docs, datasets=datasets)
    findings = [f for f in report.listings[0].findings if f.code == "ingredient_not_inci"]
    assert [f.field for f in findings] == ["ingredients[0]", "ingredients[5]"]  # Glycerin (Vegetable): a remark
    assert {f.evidence["dictionary"] for f in findings} == {"cosing@2021-12-15"}
    assert findings[0].evidence["suggestions"] == ["Water"]
    assert all(f.evidence["dictionary_complete"] for f in findings)
    assert report.datasets["inci"] == "cosing@2021-12-15"
    assert codes(report).count("ingredient_not_inci") == 2


# Labels as printed (issue: correct labels were rejected) ---------------------------------------
# Shaped like real US/EU/Canadian labels: INCI/common dual names, backslashes, trilingual water,
# footnote marks and footnote lines, May Contain colourant sections, drug-facts headings, bullets.

LABELS = [
    ("INGREDIENTS: WATER\\AQUA\\EAU, GLYCERIN, CETEARYL ALCOHOL, PERSEA GRATISSIMA OIL/AVOCADO OIL, FRAGRANCE+, "
     "TOCOPHERYL ACETATE (VITAMIN E). +NATURAL FRAGRANCE",
     ["WATER/AQUA/EAU", "GLYCERIN", "CETEARYL ALCOHOL", "PERSEA GRATISSIMA OIL/AVOCADO OIL", "FRAGRANCE",
      "TOCOPHERYL ACETATE (VITAMIN E)"]),
    ("Aqua/Water/Eau, Dimethicone, Talc. May Contain/Peut Contenir (+/-): Mica, Titanium Dioxide (CI 77891), "
     "Iron Oxides (CI 77491, CI 77492, CI 77499).",
     ["Aqua/Water/Eau", "Dimethicone", "Talc", "Mica", "Titanium Dioxide (CI 77891)",
      "Iron Oxides (CI 77491, CI 77492, CI 77499)"]),
    ("AQUA / WATER / EAU ● GLYCERIN ● BUTYLENE GLYCOL ● [+/- MAY CONTAIN / PEUT CONTENIR CI 77491 ● CI 77492 ● CI 77499]",  # noqa: E501 (a label as printed)
     ["AQUA / WATER / EAU", "GLYCERIN", "BUTYLENE GLYCOL", "CI 77491", "CI 77492", "CI 77499"]),
    ("Active Ingredients: Zinc Oxide 20%. Inactive Ingredients: Water, Caprylic/Capric Triglyceride, Glycerin.",
     ["Zinc Oxide", "Water", "Caprylic/Capric Triglyceride", "Glycerin"]),
    ("Ingredients:\nWater\nGlycerin\nCetyl Alcohol\nPhenoxyethanol", ["Water", "Glycerin", "Cetyl Alcohol", "Phenoxyethanol"]),  # noqa: E501 (a label as printed)
    ("Water, Glycerin,\nCetyl Alcohol, Sodium\nHyaluronate", ["Water", "Glycerin", "Cetyl Alcohol", "Sodium Hyaluronate"]),  # noqa: E501 (a label as printed)
    ("Water, Butyrospermum Parkii (Shea) Butter*, Simmondsia Chinensis (Jojoba) Seed Oil*, Linalool¹, Limonene¹.\n"
     "*Certified Organic\n¹Component of natural essential oils",
     ["Water", "Butyrospermum Parkii (Shea) Butter", "Simmondsia Chinensis (Jojoba) Seed Oil", "Linalool", "Limonene"]),
    ("Water, Glycerin, Phenoxyethanol (and) Ethylhexylglycerin, Fragrance**, Aloe Barbadensis Leaf Juice†, "
     "Citric Acid‡, Glycerin^. **Phthalate free †Organic",
     ["Water", "Glycerin", "Phenoxyethanol (and) Ethylhexylglycerin", "Fragrance", "Aloe Barbadensis Leaf Juice",
      "Citric Acid", "Glycerin"]),
    ("INGREDIENTS/INGRÉDIENTS: Aqua, Cera Alba/Beeswax, Parfum°, Citral.", ["Aqua", "Cera Alba/Beeswax", "Parfum", "Citral"]),  # noqa: E501 (a label as printed)
    ("Water, Sodium Laureth Sulfate, Ext. D&C Violet No. 2, FD&C Blue No. 1, Alcohol Denat.",
     ["Water", "Sodium Laureth Sulfate", "Ext. D&C Violet No. 2", "FD&C Blue No. 1", "Alcohol Denat."]),
    ("Ricinus Communis (Castor) Seed Oil, Ozokerite, +/- Mica, CI 77891, CI 15850",
     ["Ricinus Communis (Castor) Seed Oil", "Ozokerite", "Mica", "CI 77891", "CI 15850"]),
    ("Water • Glycerin • Niacinamide • Panthenol.", ["Water", "Glycerin", "Niacinamide", "Panthenol"]),
    ("Citrus Paradisi M. Peel Oil Expressed, Water", ["Citrus Paradisi M. Peel Oil Expressed", "Water"]),  # noqa: E501 (a botanist's initial)
]


@pytest.mark.parametrize(("text", "names"), LABELS)
def test_labels_as_printed_split_into_their_names(text: str, names: list[str]) -> None:
    assert split_ingredients(text) == names


@pytest.mark.parametrize("text", [t for t, _ in LABELS])
def test_labels_as_printed_pass_the_builtin_list(text: str) -> None:
    assert [n for n in split_ingredients(text) if builtin_dictionary().check(n).reported] == []


def test_backslash_and_slash_labels_compare_equal() -> None:
    assert name_key("Water\\Aqua\\Eau") == name_key("Water / Aqua / Eau")
    assert compare_lists(split_ingredients("Water\\Aqua, Fragrance+, Linalool¹"),
                         split_ingredients("WATER/AQUA, Fragrance, Linalool")) is None


@pytest.mark.parametrize(("name", "side"), [
    ("Persea Gratissima Oil/Avocado Oil", "Persea Gratissima Oil"),
    ("Avocado Oil/Persea Gratissima Oil", "Persea Gratissima Oil"),
    ("Glycine Soja Oil/Soybean Oil", "Glycine Soja Oil"),
    ("Water\\Aqua\\Eau", "Water"),
    ("Cera Alba/Beeswax", "Cera Alba"),
    ("Butyrospermum Parkii Butter/Shea Butter", "Butyrospermum Parkii Butter"),
])
def test_dual_label_passes_and_names_the_side_that_matched(name: str, side: str) -> None:
    verdict = builtin_dictionary().check(name)
    assert verdict.inci is True and verdict.part == side, verdict


def test_a_slash_inside_an_inci_name_is_not_a_dual_label() -> None:
    verdict = builtin_dictionary().check("Caprylic/Capric Triglyceride")
    assert verdict.inci is True and verdict.part is None and verdict.matched == "Caprylic/Capric Triglyceride"


def test_dual_label_of_two_common_names_is_reported_with_both_suggestions() -> None:
    verdict = builtin_dictionary().check("Purified Water/Shea Butter")
    assert verdict.reported and verdict.reason == "inci_common_name"
    assert verdict.suggestions == ("Water", "Butyrospermum Parkii Butter")


@pytest.mark.parametrize(("name", "remark", "bare"), [
    ("Tocopheryl Acetate (Vitamin E)", "Vitamin E", "Tocopheryl Acetate"),
    ("Riboflavin (Vitamin B2)", "Vitamin B2", "Riboflavin"),
    ("Aloe Barbadensis Leaf Juice (Organic)", "Organic", "Aloe Barbadensis Leaf Juice"),
    ("Water/Aqua (Purified)", "Purified", "Water/Aqua"),
])
def test_a_remark_after_an_inci_name_is_one_consistent_verdict(name: str, remark: str, bare: str) -> None:
    for dictionary in (builtin_dictionary(),
                       InciDictionary({name_key(n): n for n in ("TOCOPHERYL ACETATE", "RIBOFLAVIN", "WATER")},
                                      label="cosing@2021-12-15", complete=True)):
        verdict = dictionary.check(name)
        assert verdict.inci is True and verdict.remark == remark and verdict.bare == bare, (dictionary, verdict)


@pytest.mark.parametrize("name", ["Titanium Dioxide (CI 77891)", "Zinc Oxide (Nano)", "Titanium Dioxide (nano)",
                                  "Water (Aqua)", "Fragrance (Parfum)", "Iron Oxides (CI 77491/CI 77492)",
                                  "Phenoxyethanol (and) Ethylhexylglycerin"])
def test_inci_and_nano_remarks_are_part_of_the_name(name: str) -> None:
    verdict = builtin_dictionary().check(name)
    assert verdict.inci is True and verdict.remark is None, verdict


def test_a_common_name_before_its_inci_name_in_brackets_is_still_reported() -> None:
    verdict = builtin_dictionary().check("Vitamin B3 (Niacinamide)")
    assert verdict.reported and verdict.suggestions == ("Niacinamide",)


def test_a_blend_with_one_wrong_part_names_the_part(small_complete: InciDictionary) -> None:
    verdict = small_complete.check("Phenoxyethanol (and) Glycerine")
    assert verdict.reported and verdict.part == "Glycerine" and verdict.suggestions == ("Glycerin",)


# The policy setting for remarks, end to end ---------------------------------------------------

def _remark_policy(ws: Workspace, value: str) -> str:
    path = ws.root / f"remarks-{value}.yaml"
    path.write_text(f"extends: tiktok-us-2024-07\nname: remarks-{value}\ningredients:\n"
                    f"  parenthetical_remark: {value}\n", "utf-8")
    return str(path)


_REMARKS = ("Water, Tocopheryl Acetate (Vitamin E), Riboflavin (Vitamin B2), Glycerin (Vegetable), "
            "Titanium Dioxide (CI 77891), Zinc Oxide (nano)")


def _inci_findings(ws: Workspace, ingredients: str, policy: str | None = None, datasets: object = None) -> list:
    listing = ws.listing(category="Beauty & Personal Care > Skincare", fda_registration_number="3012345678",
                         ingredients=ingredients)
    docs = [{"doc_id": "CPI-1", "type": "CPI", "status": "Verified", "issued_on": "2024-03-01", "applies_to": "*"}]
    report = ws.check([listing], documents=docs, policy=policy, datasets=datasets)  # type: ignore[arg-type]
    return [f for f in report.listings[0].findings if f.code == "ingredient_not_inci"]


def test_remarks_are_accepted_by_default(ws: Workspace) -> None:
    assert _inci_findings(ws, _REMARKS) == []


def test_remarks_are_reported_when_the_policy_rejects_them(ws: Workspace) -> None:
    findings = _inci_findings(ws, _REMARKS, policy=_remark_policy(ws, "reject"))
    # built-in list: "Vitamin E" and "Vitamin B2" are known common names; "Vegetable" is unknown to it, not judged
    assert [(f.field, f.evidence["reason"], f.evidence["remark"], f.evidence["suggestions"]) for f in findings] == [
        ("ingredients[1]", "inci_parenthetical_remark", "Vitamin E", ["Tocopheryl Acetate"]),
        ("ingredients[2]", "inci_parenthetical_remark", "Vitamin B2", ["Riboflavin"])]


def test_policy_rejects_an_unknown_setting(ws: Workspace) -> None:
    from shelfcheck.errors import PolicyError
    from shelfcheck.policy import load_policy

    with pytest.raises(PolicyError):
        load_policy(_remark_policy(ws, "sometimes"))


def test_remarks_with_cosing_reject_every_remark_that_is_not_inci(cosing_csv: Path, ws: Workspace) -> None:
    import_dataset("cosing", cosing_csv)
    findings = _inci_findings(ws, _REMARKS, policy=_remark_policy(ws, "reject"), datasets=load_datasets())
    assert [f.evidence["remark"] for f in findings] == ["Vitamin E", "Vitamin B2", "Vegetable"]
    assert _inci_findings(ws, _REMARKS, datasets=load_datasets()) == []  # the default accepts them


# Misspellings and their suggestions ---------------------------------------------------------------
# (as typed on a label, the INCI name meant) — written for this test, not taken from any list.

MISSPELLINGS = [
    ("Cetl Alcohol", "Cetyl Alcohol"), ("Frgrance", "Fragrance"), ("Methl Trimethicone", "Methyl Trimethicone"),
    ("Glycerine", "Glycerin"), ("Glycern", "Glycerin"), ("Dimethicon", "Dimethicone"), ("Dimeticone", "Dimethicone"),
    ("Phenoxyethenol", "Phenoxyethanol"), ("Phenoxyethanole", "Phenoxyethanol"), ("Phenoxy Ethanol", "Phenoxyethanol"),
    ("Niacinimide", "Niacinamide"), ("Niacinamid", "Niacinamide"), ("Tocopheryl Acetat", "Tocopheryl Acetate"),
    ("Tocopherl", "Tocopherol"), ("Sodium Hyaluronat", "Sodium Hyaluronate"), ("Sodium Hyularonate", "Sodium Hyaluronate"),  # noqa: E501 (a label as printed)
    ("Hyaluronic Acd", "Hyaluronic Acid"), ("Cetearyl Alchol", "Cetearyl Alcohol"), ("Cetearyl Alcohl", "Cetearyl Alcohol"),  # noqa: E501 (a label as printed)
    ("Stearic Acide", "Stearic Acid"), ("Butylene Glycole", "Butylene Glycol"), ("Butylen Glycol", "Butylene Glycol"),
    ("Propanediole", "Propanediol"), ("1,2-Hexandiol", "1,2-Hexanediol"), ("Ethylhexylglycerine", "Ethylhexylglycerin"),
    ("Ethylhexyl Glycerin", "Ethylhexylglycerin"), ("Caprylyl Glycole", "Caprylyl Glycol"),
    ("Caprylic/Capric Triglycerides", "Caprylic/Capric Triglyceride"),
    ("Caprylic Capric Triglyceride", "Caprylic/Capric Triglyceride"),
    ("Xanthan Gumm", "Xanthan Gum"), ("Xantham Gum", "Xanthan Gum"),
    ("Triethanolamin", "Triethanolamine"), ("Disodium ETDA", "Disodium EDTA"),
    ("Sodium Benzoat", "Sodium Benzoate"), ("Potassium Sorbat", "Potassium Sorbate"), ("Citric Acide", "Citric Acid"),
    ("Sodium Laureth Sulphate", "Sodium Laureth Sulfate"), ("Sodium Lauryl Sulphate", "Sodium Lauryl Sulfate"),
    ("Cocamidopropyl Betain", "Cocamidopropyl Betaine"), ("Cocoamidopropyl Betaine", "Cocamidopropyl Betaine"),
    ("Panthenole", "Panthenol"), ("Allantoine", "Allantoin"),
    ("Cyclopentasiloxan", "Cyclopentasiloxane"), ("Titanium Dioxyde", "Titanium Dioxide"), ("Zinc Oxyde", "Zinc Oxide"),
    ("Iron Oxide", "Iron Oxides"), ("Aloe Barbadensis Leaf Juce", "Aloe Barbadensis Leaf Juice"),
    ("Aloe Barbadensis Leaf Extact", "Aloe Barbadensis Leaf Extract"),
    ("Simmondsia Chinesis Seed Oil", "Simmondsia Chinensis Seed Oil"),
    ("Butyrospermum Parki Butter", "Butyrospermum Parkii Butter"), ("Persea Gratisima Oil", "Persea Gratissima Oil"),
    ("Argania Spinoza Kernel Oil", "Argania Spinosa Kernel Oil"),
    ("Camelia Sinensis Leaf Extract", "Camellia Sinensis Leaf Extract"),
    ("Lavandula Angustifolia Oill", "Lavandula Angustifolia Oil"),
    ("Rosmarinus Oficinalis Leaf Extract", "Rosmarinus Officinalis Leaf Extract"),
    ("Cocos Nucifera Oli", "Cocos Nucifera Oil"), ("Helianthus Anuus Seed Oil", "Helianthus Annuus Seed Oil"),
    ("Polysorbate20", "Polysorbate 20"), ("PEG 40 Hydrogenated Castor Oil", "PEG-40 Hydrogenated Castor Oil"),
    ("Glyceryl Stearat", "Glyceryl Stearate"), ("Isopropyl Myristat", "Isopropyl Myristate"),
    ("Ascorbic Acd", "Ascorbic Acid"), ("Retinyl Palmitat", "Retinyl Palmitate"), ("Salicilic Acid", "Salicylic Acid"),
    ("Lactic Acide", "Lactic Acid"), ("Limonen", "Limonene"), ("Linalol", "Linalool"), ("Parfume", "Parfum"),
    ("Hydrogenated Polyisobutane", "Hydrogenated Polyisobutene"),
]


def _suggestion_quality(dictionary: InciDictionary, cases: list[tuple[str, str]]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {"right": [], "wrong": [], "none": [], "not_reported": []}
    for typo, meant in cases:
        verdict = dictionary.check(typo)
        if not verdict.reported:
            out["not_reported"].append(typo)
        elif not verdict.suggestions:
            out["none"].append(typo)
        elif name_key(verdict.suggestions[0]) in (name_key(meant), inci._strip_parens(name_key(meant))):
            out["right"].append(typo)
        else:
            out["wrong"].append(f"{typo} → {verdict.suggestions[0]} (meant {meant})")
    return out


def test_misspellings_keep_their_error_and_get_the_meant_name(cosing: InciDictionary) -> None:
    quality = _suggestion_quality(cosing, MISSPELLINGS)
    assert quality["not_reported"] == [] and quality["wrong"] == [] and quality["none"] == []
    assert len(quality["right"]) == len(MISSPELLINGS) == 69


def test_random_one_letter_typos_of_common_names(cosing: InciDictionary) -> None:
    """A measurement on typos this test makes: one letter dropped, doubled, swapped or replaced by a
    vowel in each built-in name (seeded). Measured: 588 of 595 reported typos get the meant name,
    7 none (two-letter CI codes such as "oI 77891"), 0 a wrong one; 9 typos are other real names."""
    import random

    rng = random.Random(7)
    cases = []
    for name in builtin_names():
        letters = [i for i, ch in enumerate(name) if ch.isalpha()]
        if len(name) < 5:
            continue
        i = rng.choice(letters)
        op = rng.choice("dtsr")
        if op == "d":
            typo = name[:i] + name[i + 1:]
        elif op == "t" and i + 1 < len(name) and name[i + 1].isalpha():
            typo = name[:i] + name[i + 1] + name[i] + name[i + 2:]
        elif op == "s":
            typo = name[:i] + rng.choice("aeiou") + name[i + 1:]
        else:
            typo = name[:i] + name[i] + name[i:]
        if name_key(typo) != name_key(name):
            cases.append((typo, name))
    quality = _suggestion_quality(cosing, cases)
    reported = len(cases) - len(quality["not_reported"])
    assert len(quality["right"]) >= 0.95 * reported, quality["none"] + quality["wrong"]
    assert len(quality["wrong"]) <= 0.01 * reported, quality["wrong"]


def test_suggestions_keep_the_numbers(cosing: InciDictionary) -> None:
    assert cosing.check("PEG-40 Hydrogenated Castor Oill").suggestions == ("PEG-40 Hydrogenated Castor Oil",)
    assert cosing.check("Polysorbate 81x").suggestions in ((), ("POLYSORBATE 81",))
    assert all("PEG-2" not in s for s in cosing.check("PEG 40 Hydrogenated Castor Oil").suggestions)


def test_the_builtin_list_reports_no_cosing_name_whatever_its_form(cosing_csv: Path) -> None:
    """The built-in list reports only what is clearly wrong: no CosIng name, dual or bracketed, is
    reported by it (30,059 names; a misspelling is therefore only caught with CosIng installed)."""
    dictionary = builtin_dictionary()
    with cosing_csv.open(encoding="utf-8", newline="") as fh:
        reported = [row["inci_name"] for row in csv.DictReader(fh) if dictionary.check(row["inci_name"]).reported]
    assert reported == []


def test_cosing_passes_the_printed_labels(cosing: InciDictionary) -> None:
    for text, _ in LABELS:
        wrong = [(n, cosing.check(n)) for n in split_ingredients(text) if cosing.check(n).reported]
        assert wrong == [], text
    for name, side in (("Persea Gratissima Oil/Avocado Oil", "Persea Gratissima Oil"),
                       ("Glycine Soja Oil/Soybean Oil", "Glycine Soja Oil"),
                       ("Cera Microcristallina/Microcrystalline Wax", "Cera Microcristallina")):
        verdict = cosing.check(name)
        assert verdict.inci is True and verdict.part == side, verdict
    failing = cosing.check("Persea Gratisima Oil/Avocado Oil")
    assert failing.reported and failing.suggestions[0] == "Persea Gratissima Oil"
