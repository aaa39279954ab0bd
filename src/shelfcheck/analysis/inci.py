"""INCI ingredient names: split a declared list, normalise each name, check it against a dictionary.

The rules behind it (contract §5.1 "Ingredient lists", domain.md §2.3 and §3.2):

* A list is comma-separated, but a comma between two digits belongs to the name (``1,2-Hexanediol``)
  and commas inside brackets stay inside (``Iron Oxides (CI 77491, CI 77492)``). Labels as
  printed are read too: bullets, a full stop before a new name, one name per line; headings
  (``Ingredients:``, ``Inactive Ingredients:``, ``成分:``), ``May Contain`` / ``+/-`` markers,
  footnote marks (``* + † ‡ ^ ° ¹``) and footnote lines, and percentages are dropped.
* Names compare case-insensitively after NFKC, whitespace folding and unified dashes and quotes
  (:func:`name_key`).
* A name is looked up whole first (``Caprylic/Capric Triglyceride`` is one name); then a blend
  (``A (and) B``: every part INCI), a bracketed remark after an INCI name (``Riboflavin (Vitamin
  B2)``: INCI, the remark kept in the verdict for the policy to judge), a dual label
  (``Persea Gratissima Oil/Avocado Oil``, ``Water\\Aqua\\Eau``: INCI when one side is, the side
  kept in the verdict) and a common name in brackets inside an INCI name (``Butyrospermum Parkii
  (Shea) Butter``).
* With the full CosIng inventory (``complete=True``) a name absent from it is reported. With only
  the built-in list of common names, a name is reported only when it is *clearly* not INCI: a
  common label name from the synonym table (``Purified Water``), a trade name (``®``/``™``,
  ``ACTIWHITE PW LS 9860``), a marketing phrase (``Secret Complex``) or a name in Chinese script.
* Suggestions come from the curated synonym table first, then from close spellings in the
  built-in list and CosIng (:meth:`InciDictionary.suggest`) with high cutoffs and the same
  numbers — never WRatio or partial ratios, which map ``Sodium`` onto ``Sodium Laureth Sulfate``.

Everything here is pure; :class:`InciDictionary` caches one verdict per distinct name, so checking
thousands of listings that share ingredients costs one lookup per name.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache
from importlib import resources

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA, Levenshtein

from shelfcheck.copies import package_yaml

__all__ = [
    "FUZZY_CUTOFF",
    "InciDictionary",
    "InciVerdict",
    "ListDiff",
    "Synonyms",
    "builtin_dictionary",
    "builtin_names",
    "clean_name",
    "compare_lists",
    "load_synonyms",
    "name_key",
    "split_ingredients",
]

FUZZY_CUTOFF = 90

_TRANSLATE = {
    **{ord(c): "-" for c in "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"},
    **{ord(c): "'" for c in "\u2018\u2019\u201a\u201b\u2032\u00b4`"},
    **{ord(c): '"' for c in "\u201c\u201d\u201e\u201f\u2033"},
    ord("\u3001"): ",",  # ideographic comma
    ord("\\"): "/",  # Water\Aqua\Eau is the same dual name as Water/Aqua/Eau
}
# Bullets and bars that printed labels use between names, read as commas.
_BULLETS = {ord(c): "," for c in "\u2022\u25cf\u25aa\u25e6\u2023\u2219\u00b7\u30fb|\uff5c"}
_LABEL_TABLE = {**_TRANSLATE, **_BULLETS}
# Superscript digits are footnote marks (Linalool¹); NFKC would turn them into digits, so they go
# before anything else.
_SUPERSCRIPTS = "\u00b9\u00b2\u00b3\u2070\u2074\u2075\u2076\u2077\u2078\u2079\u207a"
_SUPERSCRIPT_AS_SPACE = {ord(c): " " for c in _SUPERSCRIPTS}
_SUPERSCRIPT_AS_MARK = {ord(c): "^" for c in _SUPERSCRIPTS}
_WS = re.compile(r"\s+")
_AROUND = re.compile(r"\s*([/-])\s*")
_PAREN = re.compile(r"\(([^()]*)\)")
_INGREDIENTS_WORD = r"ingr[eé]dients?(?:\s*/\s*ingr[eé]dients?)?"
_PREFIX = re.compile(
    r"^\s*(?:(?:(?:in)?active|other|full|complete)\s+)?" + _INGREDIENTS_WORD
    + r"(?:\s+list)?\s*[:\-]\s*|^\s*成分表?\s*[:\-]\s*",
    re.I,
)
# ``Active Ingredients: … . Inactive Ingredients: …`` — a heading later in the text starts a new
# section: it is read as a separator.
_HEADING = re.compile(
    r"(?:(?<=[.;,\n])|(?<=[.;,]\s))\s*(?:(?:in)?active|other)\s+" + _INGREDIENTS_WORD + r"\s*:\s*", re.I)

_FOOTNOTE_TAIL = re.compile(r"([.\n])[ \t]*(?:[*†‡^°#]+|\+(?![\s/]))[ \t]*[^\W\d_][^\n]*$", re.M)
_PERCENT = re.compile(r"\(?\s*[<>≤≥~]?\s*\d+(?:[.,]\d+)?\s*%\s*(?:w/w)?\s*\)?", re.I)
_MARKS = re.compile(r"\(\s*[*†‡^°#+]+\s*\)|[*†‡^°#]+")
_EDGE_PLUS = re.compile(r"^\s*\++(?![\s/])|(?<![\s/])\++\s*$")  # Fragrance+, +Linalool; never "+/-"
# May-contain sections: "May Contain (+/-): …", "[+/- CI 77891, …]", "+/- Mica", "Peut Contenir".
_MAY_WORDS = r"(?:may\s+contain|peut\s+contenir|puede\s+contener|kann\s+enthalten)"
_MAY_BRACKET = re.compile(r"\[\s*\+\s*/\s*-\s*:?([^\[\]]*)\]")
_MAY_PLUSMINUS = re.compile(r"[(\[]\s*\+\s*/\s*-\s*[)\]]|\+\s*/\s*-")
_MAY_CONTAIN = re.compile(_MAY_WORDS + r"(?:\s*/\s*" + _MAY_WORDS + r")*\s*:?", re.I)
# A full stop followed by a new name ends a name (``Parfum. May Contain: …``), except after the
# abbreviations INCI names use (``Alcohol Denat.``, ``No. 5``, ``var.``).
_FULL_STOP = re.compile(r"\.\s+(?=[^\W\d_(\[])")
_ABBREVIATIONS = frozenset({"denat", "no", "sp", "spp", "ssp", "subsp", "var", "ext", "st", "cv", "f"})


def _split_sentences(text: str) -> str:
    """A full stop followed by a new name becomes a comma, except after an abbreviation."""
    pieces: list[str] = []
    last = 0
    for m in _FULL_STOP.finditer(text):
        end = m.start()
        begin = end
        while begin > 0 and text[begin - 1].isalpha():
            begin -= 1
        word = text[begin:end]
        if word.casefold() in _ABBREVIATIONS or len(word) == 1:
            continue  # Alcohol Denat. / No. 5 / Citrus Paradisi M. Peel Oil
        pieces.append(text[last:end])
        pieces.append(",")
        last = m.end()
    if not pieces:
        return text
    pieces.append(text[last:])
    return "".join(pieces)
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")
_TRADE_MARK = re.compile(r"[®™©℠]|\((?:r|tm|c)\)", re.I)
_TOKEN = re.compile(r"[^\s/(),]+")
_NUMBER = re.compile(r"^\d{3,}$")
_CODE = re.compile(r"^[a-z]{2}$")
_CODE_ALLOWED = {"ci", "sp", "hc", "sd", "ma", "va", "vp", "of", "se", "pg", "sh", "np", "or", "ii",
                 "ns", "by", "ng", "di", "is", "cd", "ag", "ap", "as", "dm", "rd", "re", "yu", "hf",
                 "ve", "sx", "no", "to", "in", "at", "an"}
_CI = re.compile(r"^ci \d{5}(?::\d)?$")
_WORD = re.compile(r"[a-z0-9&'-]+")


# Splitting and normalising ---------------------------------------------------------------------

@lru_cache(maxsize=1 << 16)
def name_key(name: str) -> str:
    """The comparison key of a name: NFKC, casefolded, whitespace folded, dashes/quotes unified.

    Spaces around ``/`` and ``-`` and inside brackets are dropped, ``\\`` counts as ``/`` and a
    trailing ``.`` is ignored, so ``Caprylic / Capric Triglyceride``, ``Water\\Aqua`` and
    ``ALCOHOL DENAT`` compare equal to their INCI forms.
    """
    text = unicodedata.normalize("NFKC", name).translate(_TRANSLATE).casefold()
    text = _WS.sub(" ", text).strip()
    text = _AROUND.sub(r"\1", text)
    text = text.replace("( ", "(").replace(" )", ")")
    return text.rstrip(" .")


@lru_cache(maxsize=1 << 16)
def clean_name(entry: str) -> str:
    """One entry of a list as a name: footnote marks (``* + † ‡ ^ ° ¹ ²``), percentages and a
    trailing ``.`` removed."""
    text = _nfkc(entry.translate(_SUPERSCRIPT_AS_SPACE)).translate(_TRANSLATE)
    if _has_mark(text):
        text = _MARKS.sub(" ", text)
    if "%" in text:
        text = _PERCENT.sub(" ", text)
    text = _WS.sub(" ", text).strip()
    text = text.strip(" ,;:")
    if "+" in text:
        text = _EDGE_PLUS.sub("", text).strip()
    if text.endswith(".") and not text.lower().endswith(("denat.", "no.", "sp.", "var.", "ext.")):
        text = _EDGE_PLUS.sub("", text.rstrip(".").rstrip()).strip()  # "Fragrance+."
    if text.startswith("(") and text.endswith(")") and _balanced(text[1:-1]) and "(" not in text[1:-1]:
        text = text[1:-1].strip()
    if text.startswith("[") and text.endswith("]") and "[" not in text[1:-1]:
        text = text[1:-1].strip()
    return text.strip(" ,;:")


_MARK_SET = frozenset("*†‡^°#+")


def _has_mark(text: str) -> bool:
    return not _MARK_SET.isdisjoint(text)


def _nfkc(text: str) -> str:
    """NFKC, but ``™`` and ``℠`` stay marks (NFKC spells them ``TM``/``SM``: a trade name would hide)."""
    if "\u2122" not in text and "\u2120" not in text:
        return unicodedata.normalize("NFKC", text)
    kept = text.replace("\u2122", "\ue000").replace("\u2120", "\ue001")
    return unicodedata.normalize("NFKC", kept).replace("\ue000", "\u2122").replace("\ue001", "\u2120")


_BRACKET = re.compile(r"[()\[\]]")
_SPLIT_AT = re.compile(r"[()\[\],;]")


def _balanced(text: str) -> bool:
    depth = 0
    for m in _BRACKET.finditer(text):
        if m.group() in "([":
            depth += 1
        else:
            depth -= 1
            if depth < 0:
                return False
    return depth == 0


_SEPARATOR = re.compile(r";|(?<!\d),|,(?!\d)")


def _split_top(text: str, respect_brackets: bool = True) -> list[str]:
    if not respect_brackets or ("(" not in text and "[" not in text):
        return _SEPARATOR.split(text)  # fast path: no brackets to protect
    parts: list[str] = []
    depth = 0
    start = 0
    n = len(text)
    for m in _SPLIT_AT.finditer(text):  # only the brackets and separators, not every character
        ch = m.group()
        i = m.start()
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth = max(0, depth - 1)
        elif depth == 0:
            if ch == "," and 0 < i < n - 1 and text[i - 1].isdigit() and text[i + 1].isdigit():
                continue  # 1,2-Hexanediol
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return parts


def _lines_are_names(text: str) -> bool:
    """True when a list is written one name per line, with no separator on any line."""
    lines = [line for line in text.split("\n") if line.strip()]
    return len(lines) > 1 and not any(_SEPARATOR.search(line) for line in lines)


def split_ingredients(text: str) -> list[str]:
    """Split a declared ingredient list, as printed on a label, into cleaned names, in order.

    Separators are commas and semicolons (not between two digits, not inside brackets), bullets
    (``•``), a full stop followed by a new name, and line breaks when the list is one name per
    line. Headings (``Ingredients:``, ``Inactive Ingredients:``), ``May Contain`` / ``+/-``
    markers (their names are kept), footnote marks and footnote lines (``*Certified organic``)
    and percentages are dropped.

    >>> split_ingredients("Ingredients: Water (Aqua), Glycerin, 1,2-Hexanediol, Parfum*.")
    ['Water (Aqua)', 'Glycerin', '1,2-Hexanediol', 'Parfum']
    >>> split_ingredients("Aqua/Water/Eau • Glycerin • Fragrance+. May Contain (+/-): CI 77491, CI 77492")
    ['Aqua/Water/Eau', 'Glycerin', 'Fragrance', 'CI 77491', 'CI 77492']
    """
    if not text or not text.strip():
        return []
    if text.isascii():  # the usual case, and str.translate is slow: only these three matter
        text = text.replace("\\", "/").replace("`", "'").replace("|", ",")
    else:
        text = text.translate(_SUPERSCRIPT_AS_MARK)  # a footnote mark, kept as one for the footnote lines
        text = _nfkc(text).translate(_LABEL_TABLE)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _PREFIX.sub("", text, count=1)
    folded = text.casefold()
    if _has_mark(text) and ("." in text or "\n" in text):
        text = _FOOTNOTE_TAIL.sub(r"\1", text)
    if "ingr" in folded and ("ctive" in folded or "other" in folded):
        text = _HEADING.sub(",", text)
    if _lines_are_names(text):
        text = text.replace("\n", ",")
    text = text.replace("\n", " ")
    if "+" in text:
        text = _MAY_BRACKET.sub(r",\1,", text)
        text = _MAY_PLUSMINUS.sub(",", text)
    if "conten" in folded or "contain" in folded or "enthalten" in folded:
        text = _MAY_CONTAIN.sub(",", text)
    if "." in text:
        text = _split_sentences(text)
    raw = _split_top(text, respect_brackets=_balanced(text))
    names: list[str] = []
    for part in raw:
        name = clean_name(part.strip()) if part.strip() else ""
        if name:
            names.append(name)
    return names



# Reference tables ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Synonyms:
    """The curated tables of ``datasets/inci_synonyms.yaml``, keyed by :func:`name_key`."""

    synonyms: Mapping[str, tuple[str, ...]]
    us_label_names: Mapping[str, str]
    us_color_words: frozenset[str]
    dual_groups: tuple[frozenset[str], ...]
    trade_names: Mapping[str, tuple[str, ...]]
    trade_brands: Mapping[str, tuple[str, ...]]
    marketing_words: frozenset[str]
    generic_words: frozenset[str]
    qualifier_words: frozenset[str]
    strong_marketing_words: frozenset[str]
    version: int = 1
    accepted_remarks: frozenset[str] = frozenset()


@lru_cache(maxsize=1)
def load_synonyms() -> Synonyms:
    """The package's curated synonym, label-name, trade-name and marketing-word tables."""
    data = package_yaml(resources.files("shelfcheck.datasets") / "inci_synonyms.yaml", "inci-synonyms")

    def table(section: str) -> dict[str, tuple[str, ...]]:
        return {name_key(str(k)): tuple(str(x) for x in (v or [])) for k, v in (data.get(section) or {}).items()}

    def words(section: str) -> frozenset[str]:
        return frozenset(str(w).casefold() for w in data.get(section) or [])

    return Synonyms(
        synonyms=table("synonyms"),
        us_label_names={name_key(str(n)): str(n) for n in data.get("us_label_names") or []},
        us_color_words=words("us_color_words"),
        dual_groups=tuple(frozenset(name_key(str(n)) for n in group) for group in data.get("dual_names") or []),
        trade_names=table("trade_names"),
        trade_brands=table("trade_brands"),
        marketing_words=words("marketing_words"),
        generic_words=words("generic_words"),
        qualifier_words=words("qualifier_words"),
        strong_marketing_words=words("strong_marketing_words"),
        accepted_remarks=frozenset(name_key(str(w)) for w in data.get("accepted_remarks") or []),
        version=int(data.get("version", 1)),
    )


@lru_cache(maxsize=1)
def builtin_names() -> tuple[str, ...]:
    """The package's built-in list of common INCI names (written by the project, partial)."""
    text = (resources.files("shelfcheck.datasets") / "inci_builtin.txt").read_text("utf-8")
    return tuple(line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#"))


_AND = re.compile(r"\(\s*and\s*\)", re.I)


def _plain(name: str) -> str:
    """A name in the form its key is made from (NFKC, dashes unified, ``\\`` as ``/``), case kept."""
    return unicodedata.normalize("NFKC", name).translate(_TRANSLATE)


def _split_slashes(text: str) -> list[str]:
    """``a/b/c`` split on the slashes outside brackets."""
    parts: list[str] = []
    depth = 0
    start = 0
    for i, ch in enumerate(text):
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth = max(0, depth - 1)
        elif ch == "/" and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return parts


_DIGITS = re.compile(r"\d+")
_SQUASH = re.compile(r"[\s/-]+")


def _squash(key: str) -> str:
    return _SQUASH.sub("", key)


def _strip_parens(key: str) -> str:
    return _WS.sub(" ", _PAREN.sub(" ", key)).strip().replace(" -", "-")


@lru_cache(maxsize=1)
def _builtin_table() -> dict[str, str]:
    """Built-in names and US label names, each also under its key without bracketed common names."""
    table: dict[str, str] = {}
    syn = load_synonyms()
    for name in (*builtin_names(), *syn.us_label_names.values()):
        key = name_key(name)
        table.setdefault(key, name)
        bare = _strip_parens(key)
        if bare != key:
            table.setdefault(bare, _WS.sub(" ", _PAREN.sub(" ", name)).strip())
    return table


# Verdicts --------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class InciVerdict:
    """What the dictionary says about one name.

    Attributes:
        name: the name as written (cleaned).
        inci: ``True`` an INCI (or accepted US label) name; ``False`` not INCI; ``None`` unknown to a
            partial dictionary and not clearly wrong (not reported).
        matched: the canonical name it matched, when ``inci``.
        reason: why it is not INCI (a reason key: ``inci_common_name``, ``inci_trade_name`` …).
        advice: what to do (a reason key: ``inci_advice_replace`` …).
        suggestions: INCI names to write instead; two or more for the seller to choose from, or the
            components of a blend (see ``advice``).
        part: for a dual label (``Persea Gratissima Oil/Avocado Oil``), the side that matched, as
            written; for a reported blend, the part that is not INCI.
        remark: a bracketed remark after an INCI name that is not itself INCI (``Vitamin E`` in
            ``Tocopheryl Acetate (Vitamin E)``); the policy decides whether it is accepted.
        bare: the name without that remark, as written (``Tocopheryl Acetate``).
        remark_clear: True when the remark is certainly not INCI (the full inventory is installed,
            or the remark is a known common name, a marketing word …).
    """

    name: str
    inci: bool | None
    matched: str | None = None
    reason: str | None = None
    advice: str | None = None
    suggestions: tuple[str, ...] = ()
    part: str | None = None
    remark: str | None = None
    bare: str | None = None
    remark_clear: bool = False

    @property
    def reported(self) -> bool:
        """True when the name must be reported as not INCI."""
        return self.inci is False


class InciDictionary:
    """A set of INCI names to check against, with its label and whether it is complete.

    Args:
        names: extra names keyed by :func:`name_key` → canonical spelling (the CosIng inventory);
            ``None`` for the built-in list alone.
        label: ``"builtin"`` or ``"cosing@<date>"``; findings carry it as ``dictionary``.
        complete: True when ``names`` is a full inventory, so an absent name is reported.
    """

    def __init__(self, names: Mapping[str, str] | None = None, *, label: str = "builtin",
                 complete: bool = False) -> None:
        self.label = label
        self.complete = complete
        self._names = names
        self._cache: dict[str, InciVerdict] = {}
        self._by_length: dict[int, tuple[list[str], list[str]]] | None = None
        self._squash: dict[str, str] | None = None
        self._fuzzy: dict[str, tuple[str, ...]] = {}

    # The built-in list and the synonyms are read on first use: most catalogues have no cosmetics.
    @cached_property
    def synonyms(self) -> Synonyms:
        """The curated synonym tables (see :func:`load_synonyms`)."""
        return load_synonyms()

    @cached_property
    def _tables(self) -> tuple[Mapping[str, str], ...]:
        builtin = _builtin_table()
        return (builtin,) if self._names is None else (builtin, self._names)

    @property
    def _main(self) -> Mapping[str, str]:
        return self._tables[-1]

    def __len__(self) -> int:
        return len(self._main)

    def __repr__(self) -> str:
        return f"InciDictionary({self.label!r}, {len(self)} names, complete={self.complete})"

    # Lookups -----------------------------------------------------------------------------------
    def find(self, key: str) -> str | None:
        """The canonical spelling for a :func:`name_key`, or None."""
        for table in self._tables:
            hit = table.get(key)
            if hit is not None:
                return hit
        return None

    def _known(self, key: str) -> bool:
        return self.find(key) is not None or self._us_color(key) or bool(_CI.match(key))

    def _us_color(self, key: str) -> bool:
        words = key.replace(".", " ").split()
        if not words:
            return False
        i = 0
        if words[0] in ("fd&c", "d&c"):
            i = 1
        elif words[:2] == ["ext", "d&c"]:
            i = 2
        if i >= len(words) or words[i] not in self.synonyms.us_color_words:
            return False
        i += 1
        if i < len(words) and words[i] == "no":
            i += 1
        if i >= len(words) or not words[i].isdigit():
            return False
        rest = words[i + 1:]
        return rest in ([], ["lake"]) or (len(rest) == 2 and rest[1] == "lake"
                                          and rest[0] in ("aluminum", "aluminium", "calcium", "barium",
                                                          "zirconium", "strontium"))

    def check(self, name: str) -> InciVerdict:
        """The verdict for one name (cached per name)."""
        verdict = self._cache.get(name)
        if verdict is None:
            verdict = self._check(name)
            self._cache[name] = verdict
        return verdict

    def check_all(self, names: Iterable[str]) -> list[InciVerdict]:
        """Verdicts for many names, in order."""
        return [self.check(n) for n in names]

    def _check(self, name: str) -> InciVerdict:
        key = name_key(name)
        if not key:
            return InciVerdict(name, None)
        return self._judge(name, key)

    def _judge(self, name: str, key: str) -> InciVerdict:
        """The whole name first, then its structure: blend, remark, dual label, bracketed name."""
        canonical = self.find(key)
        if canonical is not None:
            return InciVerdict(name, True, canonical)
        if self._us_color(key) or _CI.match(key):
            return InciVerdict(name, True, name)
        if "(and)" in key:
            blend = self._blend(name)
            if blend is not None:
                return blend
        if key.endswith(")") and _balanced(key):
            remark = self._remark(name)
            if remark is not None:
                return remark
        if "/" in key:
            dual = self._dual(name, key)
            if dual is not None:
                return dual
        structural = self._structural(name, key)
        if structural is not None:
            return structural
        clear = self.clearly_not_inci(name, key)
        if clear is not None:
            return clear
        if self.complete:
            suggestions = self.suggest(key)
            return InciVerdict(name, False, reason="inci_not_in_dictionary",
                               advice="inci_advice_replace" if suggestions else "inci_advice_check_spelling",
                               suggestions=suggestions)
        return InciVerdict(name, None)

    def _blend(self, name: str) -> InciVerdict | None:
        """``Phenoxyethanol (and) Ethylhexylglycerin``: INCI when every part is."""
        parts = [p.strip() for p in _AND.split(_plain(name)) if p.strip()]
        if len(parts) < 2:
            return None
        verdicts = [self._judge(p, name_key(p)) for p in parts]
        if all(v.inci for v in verdicts):
            return InciVerdict(name, True, " (and) ".join(v.matched or v.name for v in verdicts))
        wrong = next((v for v in verdicts if v.reported), None)
        if wrong is not None:
            return InciVerdict(name, False, reason=wrong.reason, advice=wrong.advice, suggestions=wrong.suggestions,
                               part=wrong.name)
        return InciVerdict(name, None)

    def _remark(self, name: str) -> InciVerdict | None:
        """``Head (remark)``: an INCI head carries the verdict; the remark is kept for the policy.

        A remark that is itself INCI (``Water (Aqua)``, ``Titanium Dioxide (CI 77891)``) or a
        labelling mark (``(nano)``) is part of the name; any other remark is returned in
        ``remark``. None when the head is not INCI (the other checks judge the whole).
        """
        text = _plain(name).strip()
        depth = 0
        start = -1
        for i in range(len(text) - 1, -1, -1):
            ch = text[i]
            if ch == ")":
                depth += 1
            elif ch == "(":
                depth -= 1
                if depth == 0:
                    start = i
                    break
        if start <= 0:
            return None
        head, remark = text[:start].strip(), text[start + 1:-1].strip()
        head_key = name_key(head)
        if not head_key or "(and)" == name_key(f"({remark})"):
            return None
        verdict = self._judge(head, head_key)
        if verdict.inci is not True:
            return None
        remark_key = name_key(remark)
        parts = [p.strip() for p in re.split(r"[,/]|\(and\)", remark_key) if p.strip()]
        if not parts or remark_key in self.synonyms.accepted_remarks or all(
            self._known(p) or any(p in g and head_key in g for g in self.synonyms.dual_groups) for p in parts
        ):
            return InciVerdict(name, True, verdict.matched, part=verdict.part)
        clear = self.complete or remark_key in self.synonyms.synonyms or any(
            self.clearly_not_inci(p, p) is not None for p in parts)
        return InciVerdict(name, True, verdict.matched, part=verdict.part, remark=remark, bare=head,
                           remark_clear=clear)

    def _dual(self, name: str, key: str) -> InciVerdict | None:
        """``INCI/common name`` (``Persea Gratissima Oil/Avocado Oil``, ``Aqua/Water/Eau``).

        Tried only when the whole name is unknown (``Caprylic/Capric Triglyceride`` is one INCI
        name): INCI when one side is. Not INCI when no side is and the full inventory is
        installed, or every side is clearly not INCI; else unknown.
        """
        parts = [p.strip() for p in _split_slashes(_plain(name)) if p.strip()]
        if len(parts) < 2:
            return None
        verdicts = [self._judge(p, name_key(p)) for p in parts]
        for v in verdicts:
            if v.inci:
                return InciVerdict(name, True, v.matched, part=v.name, remark=v.remark, bare=v.bare,
                                   remark_clear=v.remark_clear)
        if not self.complete and not all(v.reported for v in verdicts):
            return InciVerdict(name, None)
        suggestions = list(self.suggest(key)) if self.complete else []
        for v in verdicts:
            for s in v.suggestions:
                if name_key(s) not in {name_key(x) for x in suggestions}:
                    suggestions.append(s)
        reason = "inci_not_in_dictionary" if self.complete else (verdicts[0].reason or "inci_common_name")
        return InciVerdict(name, False, reason=reason, advice=self._advice(suggestions),
                           suggestions=tuple(suggestions[:3]))

    def _inner_ok(self, part: str, outer: str | None) -> bool:
        if self._known(part):
            return True
        targets = self.synonyms.synonyms.get(part)
        if targets and outer is not None and outer in {name_key(t) for t in targets}:
            return True
        return any(part in g and outer in g for g in self.synonyms.dual_groups) if outer else False

    def _structural(self, name: str, key: str) -> InciVerdict | None:
        """A common name in brackets inside an INCI name; a common name with its INCI name in brackets."""
        syn = self.synonyms
        if "(" in key and _balanced(key):
            groups = _PAREN.findall(key)
            outer = _strip_parens(key)
            inner = [p.strip() for g in groups for p in re.split(r"[,/]", g) if p.strip()]
            outer_canonical = self.find(outer) or (outer if self._known(outer) else None)
            if outer_canonical is not None:
                return InciVerdict(name, True, outer_canonical)  # Butyrospermum Parkii (Shea) Butter
            if outer in syn.synonyms:
                return InciVerdict(name, False, reason=self._reason_for(name), advice=self._advice(syn.synonyms[outer]),
                                   suggestions=syn.synonyms[outer])
            if inner and all(self._known(p) for p in inner):
                if self.complete or self._clear_outer(outer):
                    return InciVerdict(name, False, reason="inci_common_name", advice="inci_advice_replace",
                                       suggestions=tuple(self._display(p) for p in inner))
        return None

    def _clear_outer(self, outer: str) -> bool:
        return outer in self.synonyms.synonyms or self.clearly_not_inci(outer, outer) is not None

    def _reason_for(self, name: str) -> str:
        return "inci_not_latin" if _CJK.search(name) else "inci_common_name"

    @staticmethod
    def _advice(suggestions: Sequence[str], blend: bool = False) -> str:
        if not suggestions:
            return "inci_advice_check_spelling"
        if len(suggestions) > 1:
            return "inci_advice_blend" if blend else "inci_advice_pick_one"
        return "inci_advice_replace"

    def clearly_not_inci(self, name: str, key: str | None = None) -> InciVerdict | None:
        """A verdict when ``name`` is clearly not INCI whatever the dictionary, else None.

        Clearly not INCI: a name from the synonym table (a common label name), Chinese/Japanese/
        Korean script, an INCI name with a qualifier (``Organic Aloe Barbadensis Leaf Juice``), a
        trade name (a ``®``/``™`` mark, a known trade name or brand, or short capital codes with a
        catalogue number like ``PW LS 9860``), or marketing words only.
        """
        syn = self.synonyms
        key = name_key(name) if key is None else key
        if key in syn.synonyms:
            targets = syn.synonyms[key]
            return InciVerdict(name, False, reason=self._reason_for(name), advice=self._advice(targets),
                               suggestions=targets)
        if _CJK.search(name):
            return InciVerdict(name, False, reason="inci_not_latin", advice="inci_advice_translate")
        trade = self._trade(name, key)
        if trade is not None:
            return trade
        tokens = _WORD.findall(key)
        if not tokens:
            return None
        words = key.split()
        if any(w in syn.qualifier_words for w in words):
            rest = " ".join(w for w in words if w not in syn.qualifier_words)
            if rest and rest != key:
                canonical = self.find(rest) or (self._display(rest) if self._known(rest) else None)
                targets = (canonical,) if canonical else syn.synonyms.get(rest, ())
                if targets:
                    return InciVerdict(name, False, reason="inci_qualified_name", advice="inci_advice_qualifier",
                                       suggestions=targets)
        if "essential" in tokens and "oil" in tokens or "essential oil" in key or "essential oils" in key:
            plain = _WS.sub(" ", key.replace("essential", " ")).strip()
            targets = syn.synonyms.get(plain, ())
            rest = [t for t in _WORD.findall(plain) if t not in syn.marketing_words and t not in syn.generic_words]
            if rest:
                return InciVerdict(name, False, reason="inci_common_name",
                                   advice="inci_advice_replace" if targets else "inci_advice_botanical",
                                   suggestions=targets)
            return InciVerdict(name, False, reason="inci_marketing_term", advice="inci_advice_marketing")
        if any(t in syn.strong_marketing_words for t in tokens) or all(
            t in syn.marketing_words or t in syn.generic_words for t in tokens
        ):
            return InciVerdict(name, False, reason="inci_marketing_term", advice="inci_advice_marketing")
        return None

    def _trade(self, name: str, key: str) -> InciVerdict | None:
        syn = self.synonyms
        marked = bool(_TRADE_MARK.search(name))
        bare = name_key(_TRADE_MARK.sub(" ", name)) if marked else key
        targets = syn.trade_names.get(bare)
        words = bare.split()
        if targets is None and words:
            targets = syn.trade_brands.get(words[0])
        tokens = _TOKEN.findall(bare)
        coded = any(_NUMBER.match(t) for t in tokens) and any(
            _CODE.match(t) and t not in _CODE_ALLOWED for t in tokens
        )
        if targets is None and not marked and not coded:
            return None
        targets = targets or ()
        advice = "inci_advice_trade_unknown" if not targets else self._advice(targets, blend=True)
        return InciVerdict(name, False, reason="inci_trade_name", advice=advice, suggestions=targets)

    # Suggestions -------------------------------------------------------------------------------
    def _display(self, key: str) -> str:
        builtin = self._tables[0].get(key)
        if builtin is not None:
            return builtin
        return self.find(key) or key

    def _candidate_keys(self) -> Iterable[str]:
        """Every key a suggestion may be: the built-in list (with US label names such as
        ``Fragrance``), then CosIng when installed."""
        if len(self._tables) == 1:
            return self._tables[0]
        return {**dict.fromkeys(self._tables[0]), **dict.fromkeys(self._main)}

    def _buckets(self) -> dict[int, tuple[list[str], list[str]]]:
        """Dictionary keys grouped by length, with their token-sorted forms (built on first use)."""
        if self._by_length is None:
            buckets: dict[int, tuple[list[str], list[str]]] = {}
            for key in self._candidate_keys():
                form = " ".join(sorted(key.split()))
                forms, keys = buckets.setdefault(len(form), ([], []))
                forms.append(form)
                keys.append(key)
            self._by_length = buckets
        return self._by_length

    def _squashed(self) -> dict[str, str]:
        """Keys without spaces, hyphens and slashes → key (``Phenoxy Ethanol``, ``Polysorbate20``)."""
        if self._squash is None:
            table: dict[str, str] = {}
            for key in self._candidate_keys():
                table.setdefault(_squash(key), key)
            self._squash = table
        return self._squash

    def suggest(self, key: str) -> tuple[str, ...]:
        """Close INCI names for a key: the synonym table, else one close spelling.

        Searched in the built-in list (with the US label names such as ``Fragrance``) and, when
        installed, CosIng. In order: the same letters without spaces, hyphens or slashes
        (``Phenoxy Ethanol``, ``PEG 40 …``); ``token_sort_ratio`` ≥ :data:`FUZZY_CUTOFF` (word
        order ignored, so ``Acid Hyaluronic`` finds ``Hyaluronic Acid``), computed as a plain
        ratio on token-sorted forms of candidates within ±25 % of the length; else a Levenshtein
        similarity ≥ 0.88 (``Hyularonate``); else, for a short name, one letter wrong, missing or
        swapped (``Waetr``). A candidate must have about as
        many words and the same numbers (``PEG-40`` never becomes ``PEG-2``). Never a partial
        match (``Sodium`` is not ``Sodium Laureth Sulfate``).
        """
        if key in self._fuzzy:
            return self._fuzzy[key]
        result: tuple[str, ...] = self.synonyms.synonyms.get(key, ())
        if not result:
            same = self._squashed().get(_squash(key))
            if same is not None and same != key:
                result = (self._display(same),)
        if not result:
            query = " ".join(sorted(key.split()))
            buckets = self._buckets()
            forms: list[str] = []
            keys: list[str] = []
            for length in range(int(len(query) * 0.75 + 0.999), int(len(query) * 1.33) + 1):
                bucket = buckets.get(length)
                if bucket is not None:
                    forms.extend(bucket[0])
                    keys.extend(bucket[1])
            digits = _DIGITS.findall(key)
            words = len(key.split())

            def fits(candidate: str) -> bool:
                return abs(len(candidate.split()) - words) <= 1 and _DIGITS.findall(candidate) == digits

            if forms:
                # the best of the ratio in written order and on token-sorted forms (a typo in a
                # first letter moves a word when sorted: "Leaf Oxtract")
                hits = sorted(process.extract(key, keys, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF, limit=5)
                              + process.extract(query, forms, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF, limit=5),
                              key=lambda hit: -hit[1])
                if not hits:
                    hits = process.extract(key, keys, scorer=Levenshtein.normalized_similarity, score_cutoff=0.88,
                                           limit=5)
                if not hits and len(key) >= 4:  # short names: one letter wrong, missing or swapped
                    hits = process.extract(key, keys, scorer=OSA.distance, score_cutoff=1, limit=5)
                candidate = next((keys[i] for _, _, i in hits if fits(keys[i])), None)
                if candidate is not None:
                    result = (self._display(candidate),)
        self._fuzzy[key] = result
        return result


@lru_cache(maxsize=1)
def builtin_dictionary() -> InciDictionary:
    """The dictionary of built-in common INCI names (partial: only clear errors are reported);
    one object, so the names it has judged stay judged for every run of the process."""
    return InciDictionary(None, label="builtin", complete=False)


# Comparing two lists ---------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class ListDiff:
    """How a CPI's ingredient list differs from the declared one (after :func:`name_key`).

    ``first_difference`` is the 0-based position where the two lists first disagree (one may have
    ended); ``missing`` are declared names absent from the CPI, ``extra`` CPI names not declared.
    """

    missing: tuple[str, ...]
    extra: tuple[str, ...]
    first_difference: int
    declared_at: str | None
    cpi_at: str | None

    @property
    def order_only(self) -> bool:
        """True when both lists hold the same names, in a different order."""
        return not self.missing and not self.extra


def compare_lists(declared: Sequence[str], cpi: Sequence[str]) -> ListDiff | None:
    """Compare two ingredient lists in content and order; None when they match."""
    dk = [name_key(n) for n in declared]
    ck = [name_key(n) for n in cpi]
    if dk == ck:
        return None
    first = next((i for i, (a, b) in enumerate(zip(dk, ck)) if a != b), min(len(dk), len(ck)))
    dc, cc = Counter(dk), Counter(ck)
    missing, extra = [], []
    seen_d: Counter[str] = Counter()
    for name, k in zip(declared, dk):
        seen_d[k] += 1
        if seen_d[k] > cc.get(k, 0):
            missing.append(name)
    seen_c: Counter[str] = Counter()
    for name, k in zip(cpi, ck):
        seen_c[k] += 1
        if seen_c[k] > dc.get(k, 0):
            extra.append(name)
    return ListDiff(
        tuple(missing), tuple(extra), first,
        declared[first] if first < len(declared) else None,
        cpi[first] if first < len(cpi) else None,
    )
