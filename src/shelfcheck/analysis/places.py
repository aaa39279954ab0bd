"""Place and country names as data, and the text folding both place analyses use.

The tables live in ``analysis/data/places.yaml`` (Chinese cities and provinces, US states,
city-states, countries in their own language) and ``analysis/data/countries.yaml`` (short and
alternative English country names, adjectives, Chinese country names), read once on import.
:mod:`shelfcheck.analysis.origin` and :mod:`shelfcheck.analysis.address` both use this module,
and neither imports the other's private names: address → origin → places, one way.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from importlib import resources
from typing import Any

from shelfcheck.copies import package_yaml

__all__ = [
    "ADDRESS_COUNTRY_CODES",
    "ADJECTIVES",
    "ALIASES",
    "CHINESE_COUNTRIES",
    "CHINESE_COUNTRIES_RE",
    "CITY_STATES",
    "HAN_CITIES",
    "LATIN_CITIES",
    "LOCAL_COUNTRY_NAMES",
    "MARKING_NAMES",
    "NOT_COUNTRIES",
    "PROVINCES",
    "SHORT_NAMES",
    "UPPER_ONLY",
    "US_STATES",
    "chinese_place",
    "compact",
    "fold",
]

def _data(name: str) -> Any:
    return package_yaml(resources.files("shelfcheck.analysis") / "data" / name, f"analysis-{name[:-5]}")


# --- Folding -------------------------------------------------------------------------------------

_APOSTROPHES = str.maketrans({"'": None, "\u2019": None, "\u2018": None, "`": None, "\u00b4": None,
                              "\u00df": "ss"})
_APOSTROPHE_LIKE = re.compile("['\u2019\u2018`\u00b4\u00df]")
_ACCENTED = re.compile("[\u00c0-\u024f\u1e00-\u1eff\u0300-\u036f]")
_NON_ALNUM = re.compile(r"[\W_]+")


def fold(text: str) -> str:
    """NFKC (full-width → ASCII), accents and apostrophes dropped, ß → ss; case is kept."""
    if text.isascii():
        return text.replace("'", "").replace("`", "") if ("'" in text or "`" in text) else text
    text = unicodedata.normalize("NFKC", text)
    if _APOSTROPHE_LIKE.search(text):
        text = text.translate(_APOSTROPHES)
    if text.isascii() or not _ACCENTED.search(text):
        return text
    decomposed = unicodedata.normalize("NFD", text)
    return unicodedata.normalize("NFC", "".join(c for c in decomposed if not unicodedata.combining(c)))


def compact(text: str) -> str:
    """Folded, lower case, letters and digits only: ``Xi'an`` → ``xian``."""
    return _NON_ALNUM.sub("", fold(text).lower())


# --- Places --------------------------------------------------------------------------------------

_PLACES = _data("places.yaml")
PROVINCES: dict[str, str] = dict(_PLACES["china"]["provinces"])
US_STATES: frozenset[str] = frozenset(_PLACES["us_states"])
CITY_STATES: dict[str, str] = dict(_PLACES["city_states"])
LOCAL_COUNTRY_NAMES: dict[str, str] = dict(_PLACES["local_country_names"])
ADDRESS_COUNTRY_CODES: dict[str, str] = dict(_PLACES["address_country_codes"])


def _load_cities() -> tuple[dict[str, str], dict[str, str]]:
    latin: dict[str, str] = {}
    han: dict[str, str] = {}
    china = _PLACES["china"]
    for block, prefecture in (("prefecture_cities", True), ("extra_cities", True), ("county_cities", False)):
        for entries in china[block].values():
            for entry in entries:
                hanzi, _, pinyin = entry.partition("=")
                latin.setdefault(compact(pinyin), pinyin)
                if prefecture:
                    han.setdefault(hanzi, hanzi)
    return latin, han


# Pinyin city names by compact key; Chinese names of prefecture-level cities (without 市).
LATIN_CITIES, HAN_CITIES = _load_cities()


@lru_cache(maxsize=4096)
def chinese_place(text: str) -> str | None:
    """The pinyin name when ``text`` is a Chinese city or province (``shenzhen`` → ``Shenzhen``)."""
    key = compact(text)
    if len(key) < 4:
        return None
    return LATIN_CITIES.get(key) or PROVINCES.get(key)


# --- Countries -----------------------------------------------------------------------------------

_COUNTRIES = _data("countries.yaml")
SHORT_NAMES: dict[str, str] = dict(_COUNTRIES["short_names"])
MARKING_NAMES: dict[str, str] = dict(_COUNTRIES["marking_names"])
ALIASES: dict[str, tuple[str, ...]] = {code: tuple(names) for code, names in _COUNTRIES["aliases"].items()}
UPPER_ONLY: frozenset[str] = frozenset(_COUNTRIES["upper_only"])
ADJECTIVES: dict[str, str] = dict(_COUNTRIES["adjectives"])
NOT_COUNTRIES: tuple[str, ...] = tuple(_COUNTRIES["not_countries"])
CHINESE_COUNTRIES: dict[str, str] = dict(_COUNTRIES["chinese"])
CHINESE_COUNTRIES_RE = re.compile("|".join(sorted(map(re.escape, CHINESE_COUNTRIES), key=len, reverse=True)))
