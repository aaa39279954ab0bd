"""Labeling rules: the country-of-origin marking and the manufacturer's address on the package.

The product brief: 包装信息需标注“Made in China”及制造商地址(非工厂名,须为营业执照注册地址).
The marking must name the country of origin in English (19 CFR 134.11, 134.45); the address
must be the manufacturer's registered business address with a street-level part, a city and the
country. The reading of markings and addresses lives in :mod:`shelfcheck.analysis.origin` and
:mod:`shelfcheck.analysis.address`; the names CBP refuses (``PRC``, ``Hong Kong`` …) come from
the policy (``origin.rejected_names``). One problem, one code: an invalid marking is not also
reported missing, and an address that is a name is not also reported incomplete.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache
from typing import Any

from shelfcheck.analysis.address import AddressAnalysis, analyse_address
from shelfcheck.analysis.origin import OriginChecker, OriginVerdict
from shelfcheck.findings import Hit
from shelfcheck.rules.context import ListingContext, Slot
from shelfcheck.rules.registry import family, rule

__all__: list[str] = []

_VERDICT: Slot[OriginVerdict] = Slot("origin_verdict")

# Every labeling finding depends on these four cells only: many SKUs share a manufacturer.
family("labeling", memo=("origin_label", "country_of_origin", "manufacturer_address", "manufacturer_name"))


def _checker(c: ListingContext) -> OriginChecker:
    """One checker per set of rejected names (it compiles them and caches verdicts), kept across
    runs in one process (the sandbox checks one body per request)."""
    return _checker_for(tuple(c.policy.origin.rejected_names.items()))


@lru_cache(maxsize=8)
def _checker_for(rejected: tuple[tuple[str, str], ...]) -> OriginChecker:
    return OriginChecker(dict(rejected))


def _origin(c: ListingContext) -> OriginVerdict:
    return c.once(_VERDICT, lambda: _checker(c).assess(c.get("origin_label"), c.get("country_of_origin")))


def _address(c: ListingContext) -> AddressAnalysis:
    return analyse_address(c.get("manufacturer_address"), c.get("manufacturer_name"))


def _origin_evidence(c: ListingContext, v: OriginVerdict) -> dict[str, Any]:
    evidence: dict[str, Any] = {
        "value": v.label,
        "country_of_origin": c.get("country_of_origin") or None,
        "countries_found": list(v.countries),
        "expected": v.expected,
    }
    if v.other:
        evidence["other_countries"] = list(v.other)
    return evidence


@rule("origin_label_missing", family="labeling", reads=("origin.rejected_names",))
def origin_label_missing(c: ListingContext) -> Iterator[Hit]:
    """The packaging marking does not name the country of origin.

    What it checks:
        ``origin_label`` (the marking printed on the package) is filled and names a country. A
        country named after "Made in", "Product of", "Manufactured in", "Country of origin" … is
        the marked origin; without such a phrase any country name counts, so ``China`` alone
        passes. A country after "Designed in", "Distributed by" … is not an origin claim. A
        marking that names the country wrongly (an abbreviation, Chinese only, another country)
        is ``origin_label_invalid`` instead.
    Why the platform refuses it:
        US Customs requires every imported article or its container to be marked with the English
        name of its country of origin, legibly and permanently (19 U.S.C. 1304, 19 CFR 134.11);
        the listing policy asks for "Made in China" on the package.
    Bad:
        ``origin_label:`` (empty), ``Designed in California``, ``Imported``, ``Quality Product``
    Good:
        ``origin_label: Made in China`` (also ``MADE IN CHINA``, ``Product of China``, ``China``)
    """
    v = _origin(c)
    if v.status == "missing":
        yield Hit("origin_label", _origin_evidence(c, v),
                  {"reason": v.reason, "expected": v.expected or "origin_expected_unknown"})


@rule("origin_label_invalid", family="labeling", reads=("origin.rejected_names",))
def origin_label_invalid(c: ListingContext) -> Iterator[Hit]:
    """The origin marking uses an abbreviation or a wrong name, such as ``Made in PRC``.

    What it checks:
        The marked country, after folding case, width, dots and spaces, against the policy's
        ``origin.rejected_names`` (PRC, P.R.C., CN, Hong Kong for goods of China, RF …), against
        ``country_of_origin`` (the marking must name that country; Chinese names such as ``中国``
        are understood there), and against Chinese-only text, a Chinese city or province
        (``Made in Shenzhen``) and a misspelt country (``Made in Chian``). Variant spellings
        and adjectival forms CBP accepts (``Brasil``, ``Chinese made``), ``P.R. China`` and
        ``People's Republic of China`` pass. When the full English name is marked, an extra
        abbreviation beside it (``Made in China (P.R.C.)``) is tolerated.
    Why the platform refuses it:
        19 CFR 134.45 requires the full English name of the country. CBP has ruled that "PRC"
        is not acceptable (NY N262161, HQ 560693), that "RF" must be "Russia" (HQ 559931), and
        that goods of Hong Kong must be marked "China" (CBP Dec. 20-15); a marking that names
        another country than the declared origin misstates it.
    Bad:
        ``Made in PRC``, ``Made in P.R.C.``, ``Made in CN``, ``Made in Hong Kong``, ``中国制造``,
        ``Made in Vietnam`` with ``country_of_origin: China``
    Good:
        ``Made in China``, ``MADE IN P.R. CHINA``, ``Made in the People's Republic of China``
    """
    v = _origin(c)
    if v.status == "invalid":
        evidence = _origin_evidence(c, v)
        evidence["found"] = list(v.found)
        evidence["reason"] = v.reason
        yield Hit("origin_label", evidence,
                  {"reason": v.reason, "expected": v.expected or "origin_expected_unknown"})


@rule("manufacturer_address_missing", family="labeling")
def manufacturer_address_missing(c: ListingContext) -> Iterator[Hit]:
    """The manufacturer's address is not given.

    What it checks:
        The ``manufacturer_address`` cell (制造商地址) is not empty.
    Why the platform refuses it:
        The listing policy requires the manufacturer's address on the package information, and
        it must be the registered business address (营业执照注册地址), not a factory name.
    Bad:
        ``manufacturer_address:`` (empty)
    Good:
        ``manufacturer_address: No. 18 Gaoxin South 4th Road, Nanshan District, Shenzhen,
        Guangdong 518057, China``
    """
    if not c.get("manufacturer_address"):
        yield Hit("manufacturer_address",
                  {"value": "", "manufacturer_name": c.get("manufacturer_name") or None,
                   "required": ["street", "city", "country"]})


@rule("manufacturer_address_is_factory_name", family="labeling")
def manufacturer_address_is_factory_name(c: ListingContext) -> Iterator[Hit]:
    """The manufacturer address is a company or factory name, not an address.

    What it checks:
        An address with no street-level part (no road and number, 号/栋/室, building or room
        number) that repeats ``manufacturer_name`` or carries a company word: ``Co., Ltd.``,
        ``Factory``, ``Inc``, ``GmbH``, ``有限公司``, ``厂``, ``商行``, or a trade word such as
        ``Electronics``/``电子`` that is not part of a place (``Technology Park``, ``科技园``).
        This replaces ``manufacturer_address_incomplete`` for such values.
    Why the platform refuses it:
        The brief is explicit: the manufacturer address must be the registered business address
        (非工厂名,须为营业执照注册地址). A name tells the buyer and the authorities nothing about
        where the manufacturer can be reached.
    Bad:
        ``Shenzhen Tiancheng Electronics Factory``, ``深圳市天成电子厂``, ``XX Co., Ltd.``, the same
        text as ``manufacturer_name``
    Good:
        ``中国广东省深圳市南山区高新南四道18号``
    """
    text = c.get("manufacturer_address")
    if not text:
        return
    a = _address(c)
    if a.is_name:
        reason = "address_same_as_name" if a.same_as_name else "address_company_word"
        marker = c.get("manufacturer_name") if a.same_as_name else a.name_marker
        yield Hit("manufacturer_address",
                  {"value": text, "manufacturer_name": c.get("manufacturer_name") or None,
                   "name_marker": a.name_marker, "same_as_manufacturer_name": a.same_as_name,
                   "found": a.found, "missing": list(a.missing)},
                  {"reason": reason, "marker": marker})


@rule("manufacturer_address_incomplete", family="labeling")
def manufacturer_address_incomplete(c: ListingContext) -> Iterator[Hit]:
    """The manufacturer address lacks a street-level part, a city or the country.

    What it checks:
        Latin or Chinese script. Street level: a number with 号/栋/幢/座/楼/室/单元 or after
        路/街/道, or ``No. 18``, ``18 Gaoxin South 4th Rd``, ``Building 3``, ``Room 501``. City:
        ``…市`` (自治州/地区/盟), a prefecture-level or county-level city of the built-in pinyin
        list (``Shenzhen``, ``Yiwu``), ``… City``, or the city before a US state and ZIP code —
        a district or province alone is not a city. Country: ``China``/``中国``/``P.R. China``/
        ``PRC`` or another country's name, at the start or end of the address. The evidence
        names the missing parts and what was found.
    Why the platform refuses it:
        The manufacturer's registered address must let a buyer or regulator locate the company;
        the product brief requires the full registered address (营业执照注册地址) on the package,
        and CPSC certificates likewise ask for a full mailing address.
    Bad:
        ``广东省深圳市南山区高新南四道18号`` (no country), ``Nanshan District, Shenzhen, China``
        (no street)
    Good:
        ``中国广东省深圳市南山区高新南四道18号``, ``No. 18 Gaoxin South 4th Road, Nanshan District,
        Shenzhen, Guangdong 518057, China``, ``1600 Amphitheatre Pkwy, Mountain View, CA 94043, USA``
    """
    text = c.get("manufacturer_address")
    if not text:
        return
    a = _address(c)
    if a.is_name or not a.missing:
        return
    yield Hit("manufacturer_address",
              {"value": text, "missing": list(a.missing), "found": a.found},
              {"parts": [f"address_part_{p}" for p in a.missing]})
