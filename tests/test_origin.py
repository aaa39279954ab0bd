"""The origin-marking analyser: which markings name the country of origin in English."""

from __future__ import annotations

import pytest

from shelfcheck.analysis.origin import (
    OriginChecker,
    assess_origin_label,
    country_code,
    find_country_mentions,
    fold,
    lookup_country,
    marking_for,
    split_words,
)
from shelfcheck.policy import load_policy


@pytest.fixture(scope="module")
def checker() -> OriginChecker:
    """A checker with the default policy's table of rejected names."""
    return OriginChecker(load_policy().origin.rejected_names)


# label, country_of_origin → accepted
ACCEPTED = [
    ("Made in China", "China"),
    ("MADE IN CHINA", "China"),
    ("made in china.", "China"),
    ("Made in China!", "China"),
    ("Product of China", "China"),
    ("Manufactured in China", "China"),
    ("Country of Origin: China", "China"),
    ("Origin: China", "China"),
    ("China", "China"),                                   # the country name alone is a marking
    ("CHINA", ""),
    ("This item is made in China by Tidyhome Plastics.", "China"),
    ("MADE IN P.R. CHINA", "China"),                      # "China" is written in full
    ("Made in PR China", "China"),
    ("Made in the People's Republic of China", "China"),
    ("Made in People’s Republic of China", "China"),     # curly apostrophe
    ("Made in China (P.R.C.)", "China"),                  # the full name is there too
    ("Ｍａｄｅ　ｉｎ　Ｃｈｉｎａ", "China"),                   # full-width letters and spaces
    ("  Made   in    China  ", "China"),
    ("Made in\tChina", "China"),
    ("Made in China 中国制造", "China"),                    # English beside Chinese is fine
    ("Made in China", "中国"),                              # origin written in Chinese
    ("Made in China", "中华人民共和国"),
    ("Made in China", "CN"),
    ("Made in China", "PRC"),
    ("Made in China", "Hong Kong"),                       # goods of Hong Kong are marked China
    ("Made in China", "香港"),
    ("Chinese made", "China"),                            # adjectival form (134.45)
    ("China made", "China"),
    ("Designed in USA, Made in China", "China"),          # the design country is no claim
    ("Designed in California. Made in China.", "China"),
    ("Made in Shenzhen, China", "China"),                 # city before the country
    ("Made in Guangdong, China", "China"),
    ("Made in Vietnam", "Vietnam"),
    ("Made in Viet Nam", "越南"),
    ("Made in Vietnam", "VN"),
    ("Made in Korea", "South Korea"),
    ("Made in South Korea", "Korea, Republic of"),
    ("Made in Taiwan", "Taiwan"),
    ("Made in Taiwan", "中国台湾"),
    ("Made in USA", "United States"),
    ("Made in U.S.A.", "USA"),
    ("MADE IN US", "US"),
    ("Made in the USA", ""),
    ("Made in Brasil", "Brazil"),                         # variant spelling (134.45)
    ("Made in Italie", "Italy"),
    ("Made in Gt. Britain", "United Kingdom"),
    ("Made in Japan", "日本"),
    ("Made in Türkiye", "Turkey"),
    ("Made in Cote d'Ivoire", "Ivory Coast"),
    ("Made in Italy", ""),                                 # no declared origin: any country
    ("Made in China and Vietnam", "Vietnam"),
    ("Made in P.R. of China", "China"),                  # "China" written in full
]


@pytest.mark.parametrize(("label", "origin"), ACCEPTED)
def test_accepted_markings(checker: OriginChecker, label: str, origin: str) -> None:
    verdict = checker.assess(label, origin)
    assert verdict.status == "ok", verdict
    assert verdict.reason == ""
    assert verdict.countries


# label, country_of_origin → reason, found, expected marking
INVALID = [
    ("Made in PRC", "China", "origin_name_rejected", ["PRC"], "Made in China"),
    ("Made in P.R.C.", "China", "origin_name_rejected", ["P.R.C."], "Made in China"),
    ("MADE IN P.R.C", "", "origin_name_rejected", ["P.R.C"], "Made in China"),
    ("made in p.r.c.", "", "origin_name_rejected", ["p.r.c."], "Made in China"),
    ("Made in P R C", "", "origin_name_rejected", ["P R C"], "Made in China"),
    ("Made in P. R. C.", "China", "origin_name_rejected", ["P. R. C."], "Made in China"),
    ("Made in ＰＲＣ", "China", "origin_name_rejected", ["PRC"], "Made in China"),
    ("Made in CN", "China", "origin_name_rejected", ["CN"], "Made in China"),
    ("PRC", "China", "origin_name_rejected", ["PRC"], "Made in China"),
    ("Made in Hong Kong", "China", "origin_name_rejected", ["Hong Kong"], "Made in China"),
    ("Made in Hong Kong", "Hong Kong", "origin_name_rejected", ["Hong Kong"], "Made in China"),
    ("Made in HK", "", "origin_name_rejected", ["HK"], "Made in China"),
    ("Made in Guangdong, P.R.C.", "China", "origin_name_rejected", ["P.R.C."], "Made in China"),
    ("Made in RF", "Russia", "origin_name_rejected", ["RF"], "Made in Russia"),
    ("Made in R.O.C.", "", "origin_name_rejected", ["R.O.C."], "Made in Taiwan"),
    ("Made in ROK", "South Korea", "origin_name_rejected", ["ROK"], "Made in South Korea"),
    ("中国制造", "China", "origin_not_english", ["中国制造"], "Made in China"),
    ("中国制造", "", "origin_not_english", ["中国制造"], "Made in China"),
    ("產地：中國", "", "origin_not_english", ["中國"], "Made in China"),
    ("越南制造", "", "origin_not_english", ["越南制造"], "Made in Vietnam"),
    ("香港製造", "", "origin_not_english", ["香港製造"], "Made in China"),
    ("Made in Vietnam", "China", "origin_country_mismatch", ["Vietnam"], "Made in China"),
    ("Made in Taiwan", "中国", "origin_country_mismatch", ["Taiwan"], "Made in China"),
    ("Product of Japan", "CN", "origin_country_mismatch", ["Japan"], "Made in China"),
    ("Made in USA", "China", "origin_country_mismatch", ["USA"], "Made in China"),
    ("Made in Shenzhen", "China", "origin_place_not_country", ["Shenzhen"], "Made in China"),
    ("Made in Guangdong", "", "origin_place_not_country", ["Guangdong"], "Made in China"),
    ("Made in Yiwu", "China", "origin_place_not_country", ["Yiwu"], "Made in China"),
    ("Made in Chian", "China", "origin_misspelled", ["Chian"], "Made in China"),
    ("Made in Chnia", "", "origin_misspelled", ["Chnia"], "Made in China"),
    ("Made in Vietman", "Vietnam", "origin_misspelled", ["Vietman"], "Made in Vietnam"),
]


@pytest.mark.parametrize(("label", "origin", "reason", "found", "expected"), INVALID)
def test_invalid_markings(checker: OriginChecker, label: str, origin: str, reason: str,
                          found: list[str], expected: str) -> None:
    verdict = checker.assess(label, origin)
    assert verdict.status == "invalid", verdict
    assert verdict.reason == reason
    assert list(verdict.found) == found
    assert verdict.expected == expected


# label, country_of_origin → reason
MISSING = [
    ("", "China", "origin_label_empty"),
    ("   ", "China", "origin_label_empty"),
    ("Designed in California", "", "origin_no_country"),
    ("Imported", "China", "origin_no_country"),
    ("Quality Product", "China", "origin_no_country"),
    ("Made in", "China", "origin_no_country"),
    ("Made with love", "China", "origin_no_country"),
    ("Made in New Mexico", "China", "origin_no_country"),  # a US state, not Mexico
    ("Fine Bone China Mug", "China", "origin_no_country"),  # porcelain, not the country
    ("made in us", "US", "origin_no_country"),              # lower-case "us" is just a word
    ("优质产品", "China", "origin_no_country"),               # Chinese, but no country either
    ("Designed in USA", "China", "origin_no_country"),
]


@pytest.mark.parametrize(("label", "origin", "reason"), MISSING)
def test_markings_naming_no_country(checker: OriginChecker, label: str, origin: str, reason: str) -> None:
    verdict = checker.assess(label, origin)
    assert verdict.status == "missing", verdict
    assert verdict.reason == reason
    assert verdict.countries == ()


def test_missing_gives_the_marking_to_print_when_the_origin_is_known(checker: OriginChecker) -> None:
    assert checker.assess("Imported", "中国").expected == "Made in China"
    assert checker.assess("Imported", "Vietnam").expected == "Made in Vietnam"
    assert checker.assess("Imported", "").expected is None


def test_design_country_is_reported_as_other(checker: OriginChecker) -> None:
    verdict = checker.assess("Designed in USA", "China")
    assert verdict.other == ("United States",)
    assert checker.assess("Designed in USA, Made in China", "China").other == ("United States",)


def test_declared_origin_is_named_in_english(checker: OriginChecker) -> None:
    assert checker.assess("Made in China", "中国").country_of_origin == "China"
    assert checker.assess("Made in China", "Hong Kong").country_of_origin == "China"
    assert checker.assess("Made in Vietnam", "VN").country_of_origin == "Vietnam"
    assert checker.assess("Made in China", "Narnia").country_of_origin is None


def test_unrecognised_origin_accepts_any_country(checker: OriginChecker) -> None:
    verdict = checker.assess("Made in Vietnam", "Narnia")
    assert verdict.status == "ok"
    assert verdict.countries == ("Vietnam",)


def test_rejected_names_come_from_the_policy() -> None:
    # Without a table, PRC is no country at all and the marking names none.
    assert assess_origin_label("Made in PRC", "China").status == "missing"
    # A pack may reject other names; keys match regardless of case, dots and spaces.
    custom = {"EU": "the country of manufacture", "Czechia": "Czech Republic"}
    assert assess_origin_label("Made in E.U.", "", custom).reason == "origin_name_rejected"
    verdict = assess_origin_label("Made in CZECHIA", "Czech Republic", custom)
    assert verdict.reason == "origin_name_rejected"
    assert verdict.expected == "Made in Czech Republic"


def test_hong_kong_stays_a_country_without_the_policy_rule() -> None:
    # Without the Hong Kong rule, a Hong Kong marking for goods of China is a different country.
    verdict = assess_origin_label("Made in Hong Kong", "China")
    assert (verdict.status, verdict.reason) == ("invalid", "origin_country_mismatch")


@pytest.mark.parametrize(("text", "code"), [
    ("China", "CN"), ("china ", "CN"), ("中国", "CN"), ("中國", "CN"), ("中国大陆", "CN"),
    ("People's Republic of China", "CN"), ("CN", "CN"), ("CHN", "CN"), ("PRC", "CN"),
    ("Hong Kong", "CN"), ("香港", "CN"), ("Vietnam", "VN"), ("Viet Nam", "VN"), ("越南", "VN"),
    ("South Korea", "KR"), ("Korea", "KR"), ("韩国", "KR"), ("Taiwan", "TW"), ("台湾", "TW"),
    ("中国台湾", "TW"), ("USA", "US"), ("United States of America", "US"), ("美国", "US"),
    ("UK", "GB"), ("Great Britain", "GB"), ("Germany", "DE"), ("DEU", "DE"), ("India", "IN"),
    ("印度尼西亚", "ID"), ("Made in China", "CN"), ("", None), ("Mars", None), ("Guangdong", None),
])
def test_country_of_origin_cells(checker: OriginChecker, text: str, code: str | None) -> None:
    assert checker.country_of(text) == code


def test_country_code_without_a_policy() -> None:
    assert country_code("中国") == "CN"
    assert country_code("Hong Kong") == "HK"
    assert country_code("Hong Kong", {"Hong Kong": "China"}) == "CN"


def test_words_fold_width_accents_and_acronyms() -> None:
    assert fold("Ｍａｄｅ　ｉｎ　Ｃｈｉｎａ") == "Made in China"
    assert fold("Türkiye") == "Turkiye"
    assert fold("People’s") == "Peoples"
    assert split_words("Made in P.R.C.").words == ("made", "in", "prc")
    assert split_words("MADE IN P R C").words == ("made", "in", "prc")
    assert split_words("MADE IN P.R. CHINA").words == ("made", "in", "pr", "china")
    assert split_words("Made in a P R C box").words[2] == "a"   # lower-case "a" is not merged
    words = split_words("Made in P.R.C.")
    assert words.shown(2, 3) == "P.R.C."


def test_lookup_country_respects_capitals() -> None:
    assert lookup_country(("china",)) == "CN"
    assert lookup_country(("us",), upper=True) == "US"
    assert lookup_country(("us",), upper=False) is None
    assert lookup_country(("new", "mexico")) is None      # blocked: a US state
    assert lookup_country(("narnia",)) is None


def test_marking_for() -> None:
    assert marking_for("CN") == "Made in China"
    assert marking_for("VN") == "Made in Vietnam"
    assert marking_for("US") == "Made in USA"


def test_mentions_carry_their_role() -> None:
    mentions = find_country_mentions("Designed in USA, Made in China")
    assert [(m.text, m.code, m.role) for m in mentions] == [("USA", "US", "other"), ("China", "CN", "origin")]
    plain = find_country_mentions("Ships from Vietnam; China")
    assert [(m.code, m.role) for m in plain] == [("VN", "other"), ("CN", "plain")]


def test_verdicts_are_cached_per_checker(checker: OriginChecker) -> None:
    first = checker.assess("Made in Chian", "China")
    assert checker.assess("Made in Chian", "China") is first


@pytest.mark.parametrize("label", ["Made in P.R.China", "MADE IN P.R.CHINA", "Made in PR. China"])
def test_pr_china_without_spaces_is_accepted(checker: OriginChecker, label: str) -> None:
    verdict = checker.assess(label, "China")
    assert verdict.status == "ok", verdict
    assert verdict.countries == ("China",)
