"""Country-of-origin marking: does the text printed on the package name the country in English?

19 CFR 134.11 requires every imported article (or its container) to be marked with the English
name of its country of origin; 19 CFR 134.45 allows variant spellings that clearly mean the
English name (``Brasil``, ``Italie``), abbreviations that unmistakably name the country
(``Gt. Britain``) and the adjectival form (``Chinese made``), and CBP has ruled that some names
are not acceptable (``PRC``, ``RF``; goods of Hong Kong must be marked ``China``). Which names are
refused, and what to write instead, is policy data passed in as ``rejected_names``.

How a marking is read:

* The text is folded (NFKC, so full-width letters and ideographic spaces become ASCII; accents
  and apostrophes dropped; case ignored) and cut into words. Single letters joined by dots
  (``P.R.C.``, ``U.S.A.``) or by spaces when upper-case (``P R C``) become one word (``PRC``).
* Country names come from ISO 3166 (``pycountry``: short, common and official names) plus the
  usual short forms (Vietnam, South Korea, Taiwan, USA, UK, Russia …), 134.45 variant spellings,
  and Chinese names (``中国`` …), matched as whole words, longest first. A rejected name of the
  policy wins over an ISO name of the same length (``Hong Kong`` is an ISO name, but goods of
  Hong Kong must say ``China``).
* A name right after ``Made in``, ``Product of``, ``Manufactured in``, ``Country of origin`` …
  (or directly before ``made``) is the marked origin; names chained to it (``Made in Shenzhen,
  China``) count too. A name after ``Designed in``, ``Distributed by`` … is not an origin claim.
  When the text has no such phrase, every country name in it counts (``China`` alone is a valid
  marking: 134.45 asks for the English name, not for the words "Made in").

The verdict (:class:`OriginVerdict`):

* ``ok`` — an English country name is marked, and it is the declared country of origin when one
  is declared. When the full English name is marked, an extra rejected abbreviation next to it
  (``Made in China (P.R.C.)``) is tolerated: the purchaser can read the country.
* ``invalid`` — the marking names the country with a rejected name (``Made in PRC``), a
  misspelling (``Made in Chian``), a Chinese city or province (``Made in Shenzhen``), in Chinese
  only (``中国制造``), or names a different country from ``country_of_origin``.
* ``missing`` — empty, or no country named at all (``Designed in California``, ``Imported``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

import pycountry

from shelfcheck.analysis.places import (
    ADJECTIVES,
    ALIASES,
    CHINESE_COUNTRIES,
    CHINESE_COUNTRIES_RE,
    MARKING_NAMES,
    NOT_COUNTRIES,
    SHORT_NAMES,
    UPPER_ONLY,
    chinese_place,
    fold,
)

__all__ = [
    "CountryMention",
    "OriginChecker",
    "OriginVerdict",
    "Words",
    "assess_origin_label",
    "country_code",
    "country_name",
    "find_country_mentions",
    "fold",
    "lookup_country",
    "marking_for",
    "split_words",
]

# --- Country names -------------------------------------------------------------------------------

# Country names besides ISO 3166 (short names, aliases, adjectives, Chinese names) are data:
# analysis/data/countries.yaml, loaded by analysis.places.
_MAKING = frozenset({"made", "make", "manufactured", "manufacture", "product", "products",
                     "production", "produced", "origin", "assembled"})


@lru_cache(maxsize=1)
def _han_runs() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """A run of Han characters at the end, and one at the start (compiled on first use: only
    non-ASCII text needs them, and the Han ranges cost the compiler about 1 ms each)."""
    han = "[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+"
    return re.compile(han + "$"), re.compile(han)


# --- Marking phrases -----------------------------------------------------------------------------

_ORIGIN_PHRASES = frozenset(tuple(p.split()) for p in (
    "made in", "product of", "products of", "produce of", "manufactured in", "manufactured by in",
    "produced in", "assembled in", "fabricated in", "printed in", "grown in", "crafted in",
    "handmade in", "hand made in", "handcrafted in", "sewn in", "built in", "made", "origin",
    "country of origin", "place of origin", "coo", "origin country", "产地", "原产地", "原产国",
    "生产国", "制造国",
))
_OTHER_PHRASES = frozenset(tuple(p.split()) for p in (
    "designed in", "designed by", "design in", "engineered in", "developed in", "styled in",
    "inspired in", "brand from", "brand of", "distributed by", "distributed in", "imported by",
    "sold in", "sold by", "ships from", "shipped from", "warehouse in", "packed in",
    "packaged in", "designed and engineered in",
))
_PHRASE_MAX = max(len(p) for p in _ORIGIN_PHRASES | _OTHER_PHRASES)
_PHRASE_WORDS = frozenset(w for p in _ORIGIN_PHRASES | _OTHER_PHRASES for w in p) | {"the"}
_PHRASE_ENDS = frozenset(p[-1] for p in _ORIGIN_PHRASES | _OTHER_PHRASES) | {"the"}
_CONNECTORS = frozenset({"and", "or", "the"})

# --- Folding and words ---------------------------------------------------------------------------

_TOKEN = re.compile(
    r"(?<![A-Za-z0-9])[A-Za-z](?:\.\s?[A-Za-z](?![A-Za-z0-9]))+\.?"   # P.R.C., U.S.A., P. R. C.
    r"|(?<![A-Za-z0-9])[A-Z](?: [A-Z](?![A-Za-z0-9]))+"                # P R C (capitals only)
    r"|[A-Za-z0-9]+|[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+"
)
_NOT_LETTER = re.compile(r"[^A-Za-z]+")
class Words:
    """A text folded and cut into words (see :func:`split_words`).

    Attributes:
        text: the folded text.
        words: lower-case words; ``P.R.C.`` and ``U S A`` are one word each (``prc``, ``usa``).
        spans: (start, end) of each word in ``text`` (an acronym keeps its dots: ``P.R.C.``).
        upper: whether each word was written in capitals.
    """

    __slots__ = ("text", "words", "_raw", "_spans")

    def __init__(self, text: str) -> None:
        self.text = text
        self._raw = raw = _TOKEN.findall(text)
        self.words = tuple(r.lower() if r.isalnum() else _NOT_LETTER.sub("", r).lower() for r in raw)
        self._spans: tuple[tuple[int, int], ...] | None = None

    @property
    def spans(self) -> tuple[tuple[int, int], ...]:
        if self._spans is None:
            # Words appear in order with only non-word characters between them, so each one is
            # the first occurrence of its text after the previous word.
            spans = []
            pos = 0
            find = self.text.find
            for r in self._raw:
                pos = find(r, pos)
                spans.append((pos, pos + len(r)))
                pos += len(r)
            self._spans = tuple(spans)
        return self._spans

    @property
    def upper(self) -> tuple[bool, ...]:
        return tuple(r.isupper() for r in self._raw)

    def is_upper(self, i: int, j: int) -> bool:
        """Whether words ``i`` to ``j - 1`` were all written in capitals."""
        return all(r.isupper() for r in self._raw[i:j])

    def shown(self, i: int, j: int) -> str:
        """The text of words ``i`` to ``j - 1`` as written."""
        spans = self.spans
        return self.text[spans[i][0]:spans[j - 1][1]]


def _words(text: str) -> Words:
    return Words(fold(text))


def _key(name: str) -> tuple[str, ...]:
    return _words(name).words


def split_words(text: str) -> Words:
    """The folded text cut into lower-case words, with spans and capitalisation (``P.R.C.`` is
    one word ``prc``)."""
    return _words(text)


# --- The country index ---------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class _Entry:
    code: str | None   # ISO 3166 alpha-2; None for a blocked sequence ("New Mexico")
    upper_only: bool = False


def _display_uncached(code: str) -> str:
    if code in SHORT_NAMES:
        return SHORT_NAMES[code]
    country = pycountry.countries.get(alpha_2=code)
    if country is None:
        return code
    return getattr(country, "common_name", None) or country.name


_DISPLAY = {c.alpha_2: _display_uncached(c.alpha_2) for c in pycountry.countries}


def _display(code: str) -> str:
    return _DISPLAY.get(code) or code


def _build_index() -> dict[tuple[str, ...], _Entry]:
    index: dict[tuple[str, ...], _Entry] = {}
    for country in pycountry.countries:
        code = country.alpha_2
        names = [country.name, getattr(country, "common_name", None)]
        if code != "TW":  # "Taiwan, Province of China" is not a marking anyone prints
            names.append(getattr(country, "official_name", None))
        for name in filter(None, names):
            if ", " in name:  # "Korea, Republic of" → also "Republic of Korea"
                head, _, tail = name.partition(", ")
                if code != "TW":
                    index.setdefault(_key(f"{tail} {head}"), _Entry(code))
            index.setdefault(_key(name), _Entry(code))
    for code, names in ALIASES.items():
        for name in names:
            key = _key(name)
            index[key] = _Entry(code, key[-1] in UPPER_ONLY and len(key) == 1)
    for name in NOT_COUNTRIES:
        index[_key(name)] = _Entry(None)
    return index


_INDEX = _build_index()
_BY_NAME = {name.lower(): code for code, name in _DISPLAY.items()}
_SINGLE_NAMES = sorted({k[0] for k, e in _INDEX.items() if e.code and len(k) == 1 and len(k[0]) >= 4})


def country_name(code: str) -> str:
    """The short English name of an ISO 3166 alpha-2 code (``VN`` → ``Vietnam``)."""
    return _display(code)


def lookup_country(words: tuple[str, ...], upper: bool = True) -> str | None:
    """The ISO code when ``words`` (from :func:`split_words`) is exactly an accepted country name.

    ``upper``: whether the words were written in capitals (``US`` counts only in capitals).
    """
    entry = _INDEX.get(words)
    if entry is None or entry.code is None or (entry.upper_only and not upper):
        return None
    return entry.code


def marking_for(code: str) -> str:
    """The marking to print for goods of ``code`` (``CN`` → ``Made in China``)."""
    return f"Made in {MARKING_NAMES.get(code, _display(code))}"


# --- Mentions ------------------------------------------------------------------------------------

MentionKind = Literal["country", "rejected", "place", "misspelled", "chinese"]
Role = Literal["origin", "other", "plain"]


@dataclass(frozen=True, slots=True)
class CountryMention:
    """A country (or something standing for one) named in a marking.

    ``kind``: ``country`` (an accepted English name), ``rejected`` (a name the policy refuses),
    ``place`` (a Chinese city or province where a country belongs), ``misspelled`` (close to a
    country name), ``chinese`` (a country written in Chinese). ``code``: the ISO 3166 alpha-2
    code meant (``None`` when a rejected name's replacement is not a known country). ``role``:
    ``origin`` (after "Made in" …), ``other`` (after "Designed in" …) or ``plain``.
    """

    text: str
    kind: MentionKind
    code: str | None
    role: Role
    correct: str = ""   # the English name to write instead (rejected, place, misspelled)


def _role_before(words: tuple[str, ...], i: int) -> Role:
    j = i
    while j > 0 and words[j - 1] == "the":
        j -= 1
    for n in range(min(_PHRASE_MAX, j), 0, -1):
        phrase = words[j - n:j]
        if phrase in _ORIGIN_PHRASES:
            return "origin"
        if phrase in _OTHER_PHRASES:
            return "other"
    return "plain"


@lru_cache(maxsize=4096)
def _closest_country(word: str) -> str | None:
    """An ISO code when ``word`` is one typo away from a one-word country name (``chian``)."""
    from rapidfuzz.distance import OSA
    from rapidfuzz.process import extractOne

    limit = 1 if len(word) <= 6 else 2
    best = extractOne(word, _SINGLE_NAMES, scorer=OSA.distance, score_cutoff=limit)
    if best is None:
        return None
    entry = _INDEX[(best[0],)]
    return entry.code


class OriginChecker:
    """Reads origin markings under one policy's table of rejected names.

    Args:
        rejected_names: name CBP does not accept → the English name to write instead
            (``{"PRC": "China", "Hong Kong": "China"}``); matched after folding case, dots and
            spaces, as whole words.
    """

    def __init__(self, rejected_names: Mapping[str, str] | None = None) -> None:
        self.rejected: dict[tuple[str, ...], str] = {}
        for name, correct in (rejected_names or {}).items():
            key = _key(name)
            if key:
                self.rejected[key] = correct
        keys = list(_INDEX) + list(self.rejected)
        self._firsts = frozenset(k[0] for k in keys)
        self._longest = max(len(k) for k in keys)
        self.assess = lru_cache(maxsize=1 << 16)(self._assess)  # type: ignore[method-assign]
        self.country_of = lru_cache(maxsize=4096)(self._country_of)  # type: ignore[method-assign]

    # Names ---------------------------------------------------------------------------------
    def _code_of_name(self, name: str) -> str | None:
        entry = _INDEX.get(_key(name))
        return entry.code if entry else _BY_NAME.get(name.lower())

    def _replacement(self, code: str) -> str | None:
        """When the policy rejects a country's own name (Hong Kong → China), the code to use."""
        country = pycountry.countries.get(alpha_2=code)
        for name in (_display(code), country.name if country else code):
            correct = self.rejected.get(_key(name))
            if correct is not None:
                return self._code_of_name(correct)
        return None

    def _country_of(self, text: str) -> str | None:
        """The ISO code a ``country_of_origin`` cell stands for (``中国``, ``PRC``, ``VN`` …)."""
        text = fold(text).strip()
        if not text:
            return None
        key = _key(text)
        if key in self.rejected:
            return self._code_of_name(self.rejected[key])
        code: str | None = None
        if key in _INDEX:
            code = _INDEX[key].code
        elif text in CHINESE_COUNTRIES:
            code = CHINESE_COUNTRIES[text]
        elif text.isascii() and text.isalpha() and len(text) in (2, 3):
            found = (pycountry.countries.get(alpha_2=text.upper()) if len(text) == 2
                     else pycountry.countries.get(alpha_3=text.upper()))
            code = found.alpha_2 if found else None
        else:
            mentions = [m for m in self.mentions(text) if m.code and m.kind in ("country", "rejected", "chinese")]
            if not mentions:
                return None
            if mentions[0].kind == "rejected":
                return mentions[0].code
            code = mentions[0].code
        if code is None:
            return None
        return self._replacement(code) or code

    # Mentions ------------------------------------------------------------------------------
    def _match_at(self, w: Words, i: int) -> tuple[int, CountryMention | None] | None:
        """The longest name starting at word ``i``: (words used, mention or None if blocked)."""
        words, n = w.words, len(w.words)
        if words[i] in self._firsts:
            for size in range(min(self._longest, n - i), 0, -1):
                key = words[i:i + size]
                correct = self.rejected.get(key)
                if correct is not None:
                    shown = w.shown(i, i + size)
                    return size, CountryMention(shown, "rejected", self._code_of_name(correct),
                                                "plain", correct)
                entry = _INDEX.get(key)
                if entry is None:
                    continue
                if entry.code is None:
                    return size, None
                if not entry.upper_only or w.is_upper(i, i + size):
                    shown = w.shown(i, i + size)
                    return size, CountryMention(shown, "country", entry.code, "plain")
        if i + 1 < n and words[i] in ADJECTIVES and words[i + 1] in _MAKING:
            shown = w.shown(i, i + 1)
            return 1, CountryMention(shown, "country", ADJECTIVES[words[i]], "origin")
        return None

    def mentions(self, text: str) -> list[CountryMention]:
        """Every country (or stand-in) named in ``text``, in order, with its role."""
        w = _words(text)
        words, n = w.words, len(w.words)
        found: list[tuple[int, int, CountryMention]] = []
        i = 0
        while i < n:
            hit = self._match_at(w, i)
            role: Role = "plain"
            if i and words[i - 1] in _PHRASE_ENDS:
                role = _role_before(words, i)
            if hit is None and role == "origin" and words[i] not in _PHRASE_WORDS:
                hit = self._stand_in(w, i)
            if hit is None:
                i += 1
                continue
            size, mention = hit
            if mention is not None:
                if mention.role == "plain" and role != "plain":
                    mention = CountryMention(mention.text, mention.kind, mention.code, role, mention.correct)
                found.append((i, i + size, mention))
            i += size
        # "China made", and names chained to a marked one ("Made in Shenzhen, China").
        out: list[CountryMention] = []
        for k, (start, end, mention) in enumerate(found):
            if mention.role == "plain" and (
                    (end < n and words[end] in _MAKING and words[end] != "product")
                    or (k and out[-1].role == "origin"
                        and all(x in _CONNECTORS for x in words[found[k - 1][1]:start]))):
                mention = CountryMention(mention.text, mention.kind, mention.code, "origin", mention.correct)
            out.append(mention)
        if not w.text.isascii():
            for m in CHINESE_COUNTRIES_RE.finditer(w.text):
                code = CHINESE_COUNTRIES[m.group()]
                tail, head = _han_runs()
                run = tail.search(w.text, 0, m.end())  # show the whole phrase: 中国制造
                end = head.match(w.text, m.start())
                shown = w.text[run.start() if run else m.start():end.end() if end else m.end()]
                out.append(CountryMention(shown, "chinese", code, "plain", _display(code)))
        return out

    @staticmethod
    def _stand_in(w: Words, i: int) -> tuple[int, CountryMention] | None:
        """After "Made in": a Chinese place or a misspelt country, when no country is named."""
        words = w.words
        for size in (2, 1):
            if i + size > len(words):
                continue
            place = chinese_place(" ".join(words[i:i + size]))
            if place is not None:
                shown = w.shown(i, i + size)
                return size, CountryMention(shown, "place", "CN", "origin", "China")
        word = words[i]
        if len(word) >= 4 and word.isalpha() and word.isascii():
            code = _closest_country(word)
            if code is not None:
                shown = w.shown(i, i + 1)
                return 1, CountryMention(shown, "misspelled", code, "origin", _display(code))
        return None

    # The verdict ---------------------------------------------------------------------------
    def _assess(self, label: str, country_of_origin: str = "") -> OriginVerdict:
        label = label.strip()
        declared = self.country_of(country_of_origin) if country_of_origin.strip() else None
        declared_name = _display(declared) if declared else None

        def verdict(status: str, reason: str, countries: tuple[str, ...] = (),
                    found: tuple[str, ...] = (), fallback: str | None = None,
                    other: tuple[str, ...] = ()) -> OriginVerdict:
            code = declared or fallback
            expected = marking_for(code) if code else None
            return OriginVerdict(status, reason, label, declared_name, countries, found,  # type: ignore[arg-type]
                                 expected, other)

        if not label:
            return verdict("missing", "origin_label_empty")
        mentions = self.mentions(label)
        latin = [m for m in mentions if m.kind != "chinese"]
        marked = [m for m in latin if m.role == "origin"]
        considered = marked or [m for m in latin if m.role == "plain"]
        other = tuple(dict.fromkeys(_display(m.code) for m in latin if m.role == "other" and m.code))
        accepted = [m for m in considered if m.kind == "country"]
        if accepted:
            codes = list(dict.fromkeys(m.code for m in accepted))
            names = tuple(_display(c) for c in codes if c)  # type: ignore[arg-type]
            if declared and declared not in codes:
                return verdict("invalid", "origin_country_mismatch", names,
                               tuple(m.text for m in accepted), other=other)
            return verdict("ok", "", names, other=other)
        for kind, reason in (("rejected", "origin_name_rejected"), ("misspelled", "origin_misspelled"),
                             ("place", "origin_place_not_country")):
            bad = [m for m in considered if m.kind == kind]
            if bad:
                fallback = bad[0].code
                return verdict("invalid", reason, found=tuple(m.text for m in bad),
                               fallback=fallback, other=other)
        chinese = [m for m in mentions if m.kind == "chinese"]
        if chinese:
            code = chinese[0].code
            fallback = (self._replacement(code) or code) if code else None
            return verdict("invalid", "origin_not_english", found=tuple(m.text for m in chinese),
                           fallback=fallback, other=other)
        return verdict("missing", "origin_no_country", other=other)


@dataclass(frozen=True, slots=True)
class OriginVerdict:
    """What a marking says about the country of origin.

    Attributes:
        status: ``ok``, ``missing`` or ``invalid``.
        reason: a reason key (``origin_name_rejected`` …; ``""`` when ok).
        label: the marking as given (trimmed).
        country_of_origin: the English name of the declared country of origin, when recognised.
        countries: the English names of the countries the marking gives as origin.
        found: the text that made it invalid (``PRC``, ``中国制造``, ``Vietnam``).
        expected: the marking to print (``Made in China``), when it can be known.
        other: countries named in another role (``Designed in USA``).
    """

    status: Literal["ok", "missing", "invalid"]
    reason: str
    label: str
    country_of_origin: str | None
    countries: tuple[str, ...]
    found: tuple[str, ...]
    expected: str | None
    other: tuple[str, ...] = ()


# --- Conveniences --------------------------------------------------------------------------------

_DEFAULT = OriginChecker()


def find_country_mentions(text: str, rejected_names: Mapping[str, str] | None = None) -> list[CountryMention]:
    """Every country named in ``text`` (see :meth:`OriginChecker.mentions`)."""
    checker = OriginChecker(rejected_names) if rejected_names else _DEFAULT
    return checker.mentions(text)


def country_code(text: str, rejected_names: Mapping[str, str] | None = None) -> str | None:
    """The ISO 3166 alpha-2 code a ``country_of_origin`` cell stands for, or ``None``.

    Accepts English names and short forms, ISO codes, Chinese names (``中国`` → ``CN``) and, with
    ``rejected_names``, the names the policy maps to another country (``Hong Kong`` → ``CN``).
    """
    checker = OriginChecker(rejected_names) if rejected_names else _DEFAULT
    return checker.country_of(text)


def assess_origin_label(label: str, country_of_origin: str = "",
                        rejected_names: Mapping[str, str] | None = None) -> OriginVerdict:
    """Judge one origin marking (see :class:`OriginChecker`; builds a checker per call)."""
    checker = OriginChecker(rejected_names) if rejected_names else _DEFAULT
    return checker.assess(label, country_of_origin)
