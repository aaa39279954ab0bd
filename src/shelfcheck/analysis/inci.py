"""INCI ingredient names: split a declared list, normalise each name, check it against a dictionary.

The rules behind it (contract §5.1 "Ingredient lists", domain.md §2.3 and §3.2):

* A list is comma-separated, but a comma between two digits belongs to the name (``1,2-Hexanediol``)
  and commas inside brackets stay inside (``Iron Oxides (CI 77491, CI 77492)``). A leading
  ``Ingredients:`` / ``成分:``, trailing ``.``, ``*`` footnote marks and percentages are dropped.
* Names compare case-insensitively after NFKC, whitespace folding and unified dashes and quotes
  (:func:`name_key`).
* A name is looked up whole first (``Caprylic/Capric Triglyceride`` is one name). Dual declarations
  (``Water (Aqua)``, ``Aqua (Water)``, ``Aqua/Water``) and a common name in brackets inside an INCI
  name (``Butyrospermum Parkii (Shea) Butter``) are accepted.
* With the full CosIng inventory (``complete=True``) a name absent from it is reported. With only
  the built-in list of common names, a name is reported only when it is *clearly* not INCI: a
  common label name from the synonym table (``Purified Water``), a trade name (``®``/``™``,
  ``ACTIWHITE PW LS 9860``), a marketing phrase (``Secret Complex``) or a name in Chinese script.
* Suggestions come from the curated synonym table first, then from fuzzy matching with
  ``token_sort_ratio`` and a high cutoff — never WRatio or partial ratios, which map ``Sodium``
  onto ``Sodium Laureth Sulfate``.

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
from typing import Any

import yaml
from rapidfuzz import fuzz, process

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
}
_WS = re.compile(r"\s+")
_AROUND = re.compile(r"\s*([/-])\s*")
_PAREN = re.compile(r"\(([^()]*)\)")
_PREFIX = re.compile(
    r"^\s*(?:(?:(?:in)?active|full|complete)\s+)?ingredients?(?:\s+list)?\s*[:\-]\s*|^\s*成分表?\s*[:\-]\s*",
    re.I,
)
_FOOTNOTE_TAIL = re.compile(r"(?:(?<=\.)|\n)\s*[*†‡]+\s*\w.*$", re.S)
_PERCENT = re.compile(r"\(?\s*[<>≤≥~]?\s*\d+(?:[.,]\d+)?\s*%\s*(?:w/w)?\s*\)?", re.I)
_MARKS = re.compile(r"\(\s*[*†‡]+\s*\)|[*†‡]+")
_MAY_CONTAIN = re.compile(r"^(?:may\s+contain|\+\s*/\s*-|\[\s*\+\s*/\s*-\s*\]|\(\s*\+\s*/\s*-\s*\))\s*"
                          r"(?:\(\s*\+\s*/\s*-\s*\)|\[\s*\+\s*/\s*-\s*\]|\+\s*/\s*-)?\s*:?\s*", re.I)
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")
_TRADE_MARK = re.compile(r"[®™©℠]|\((?:r|tm|c)\)", re.I)
_TOKEN = re.compile(r"[^\s/(),]+")
_NUMBER = re.compile(r"^\d{3,}$")
_CODE = re.compile(r"^[a-z]{2}$")
_CODE_ALLOWED = {"ci", "sp", "hc", "sd", "ma", "va", "vp", "of", "se", "pg", "sh", "np", "or", "ii",
                 "ns", "by", "ng", "di", "is", "cd", "ag", "ap", "as", "dm", "rd", "re", "yu", "hf",
                 "ve", "sx", "no", "to", "in", "at", "an"}
_CI = re.compile(r"^ci \d{5}$")
_WORD = re.compile(r"[a-z0-9&'-]+")


# Splitting and normalising ---------------------------------------------------------------------

@lru_cache(maxsize=1 << 16)
def name_key(name: str) -> str:
    """The comparison key of a name: NFKC, casefolded, whitespace folded, dashes/quotes unified.

    Spaces around ``/`` and ``-`` and inside brackets are dropped and a trailing ``.`` is ignored,
    so ``Caprylic / Capric Triglyceride`` and ``ALCOHOL DENAT`` compare equal to their INCI forms.
    """
    text = unicodedata.normalize("NFKC", name).translate(_TRANSLATE).casefold()
    text = _WS.sub(" ", text).strip()
    text = _AROUND.sub(r"\1", text)
    text = text.replace("( ", "(").replace(" )", ")")
    return text.rstrip(" .")


@lru_cache(maxsize=1 << 16)
def clean_name(entry: str) -> str:
    """One entry of a list as a name: footnote marks, percentages and a trailing ``.`` removed."""
    text = unicodedata.normalize("NFKC", entry).translate(_TRANSLATE)
    text = _MARKS.sub(" ", text)
    text = _PERCENT.sub(" ", text)
    text = _WS.sub(" ", text).strip()
    text = text.strip(" ,;:")
    if text.endswith(".") and not text.lower().endswith(("denat.", "no.", "sp.", "var.", "ext.")):
        text = text.rstrip(".").rstrip()
    if text.startswith("(") and text.endswith(")") and _balanced(text[1:-1]) and "(" not in text[1:-1]:
        text = text[1:-1].strip()
    return text


def _balanced(text: str) -> bool:
    depth = 0
    for ch in text:
        if ch in "([":
            depth += 1
        elif ch in ")]":
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
    for i, ch in enumerate(text):
        if respect_brackets and ch in "([":
            depth += 1
        elif respect_brackets and ch in ")]":
            depth = max(0, depth - 1)
        elif ch in ",;" and depth == 0:
            if ch == "," and 0 < i < n - 1 and text[i - 1].isdigit() and text[i + 1].isdigit():
                continue  # 1,2-Hexanediol
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return parts


def split_ingredients(text: str) -> list[str]:
    """Split a declared ingredient list into cleaned names, in order.

    >>> split_ingredients("Ingredients: Water (Aqua), Glycerin, 1,2-Hexanediol, Parfum*.")
    ['Water (Aqua)', 'Glycerin', '1,2-Hexanediol', 'Parfum']
    """
    if not text or not text.strip():
        return []
    text = unicodedata.normalize("NFKC", text).translate(_TRANSLATE)
    text = _PREFIX.sub("", text, count=1)
    text = _FOOTNOTE_TAIL.sub("", text)
    text = text.replace("\r", "\n").replace("\n", " ")
    raw = _split_top(text, respect_brackets=_balanced(text))
    names: list[str] = []
    for part in raw:
        names.extend(_expand(part))
    return names


def _expand(part: str) -> list[str]:
    entry = part.strip()
    if not entry:
        return []
    stripped = _MAY_CONTAIN.sub("", entry)
    if stripped != entry or (entry.startswith("[") and entry.endswith("]")):
        inner = stripped
        if inner.startswith("[") and inner.endswith("]"):
            inner = inner[1:-1]
        inner = _MAY_CONTAIN.sub("", inner.strip())
        if inner.endswith("]") and "[" not in inner:
            inner = inner[:-1]
        result: list[str] = []
        for sub in _split_top(inner, respect_brackets=_balanced(inner)):
            name = clean_name(sub)
            if name:
                result.append(name)
        return result
    name = clean_name(entry)
    return [name] if name else []


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


def _yaml_load(text: str) -> Any:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.load(text, Loader=loader)  # noqa: S506 (a safe loader)


@lru_cache(maxsize=1)
def load_synonyms() -> Synonyms:
    """The package's curated synonym, label-name, trade-name and marketing-word tables."""
    data = _yaml_load((resources.files("shelfcheck.datasets") / "inci_synonyms.yaml").read_text("utf-8"))

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
        version=int(data.get("version", 1)),
    )


@lru_cache(maxsize=1)
def builtin_names() -> tuple[str, ...]:
    """The package's built-in list of common INCI names (written by the project, partial)."""
    text = (resources.files("shelfcheck.datasets") / "inci_builtin.txt").read_text("utf-8")
    return tuple(line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#"))


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
    """

    name: str
    inci: bool | None
    matched: str | None = None
    reason: str | None = None
    advice: str | None = None
    suggestions: tuple[str, ...] = ()

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
        canonical = self.find(key)
        if canonical is not None:
            return InciVerdict(name, True, canonical)
        if self._us_color(key) or _CI.match(key):
            return InciVerdict(name, True, name)
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

    def _inner_ok(self, part: str, outer: str | None) -> bool:
        if self._known(part):
            return True
        targets = self.synonyms.synonyms.get(part)
        if targets and outer is not None and outer in {name_key(t) for t in targets}:
            return True
        return any(part in g and outer in g for g in self.synonyms.dual_groups) if outer else False

    def _structural(self, name: str, key: str) -> InciVerdict | None:
        """Dual names, bracketed common names, ``(and)`` blends of INCI names."""
        syn = self.synonyms
        if "(" in key and _balanced(key):
            groups = _PAREN.findall(key)
            outer = _strip_parens(key)
            inner = [p.strip() for g in groups for p in re.split(r"[,/]", g) if p.strip()]
            outer_canonical = self.find(outer) or (outer if self._known(outer) else None)
            if outer_canonical is not None:
                if not key.endswith(")") or all(self._inner_ok(p, outer) for p in inner):
                    return InciVerdict(name, True, outer_canonical)
                if self.complete:
                    return InciVerdict(name, False, reason="inci_not_in_dictionary", advice="inci_advice_replace",
                                       suggestions=(self._display(outer),))
                return InciVerdict(name, None)
            if outer in syn.synonyms:
                return InciVerdict(name, False, reason=self._reason_for(name), advice=self._advice(syn.synonyms[outer]),
                                   suggestions=syn.synonyms[outer])
            if inner and all(self._known(p) for p in inner):
                if self.complete or self._clear_outer(outer):
                    return InciVerdict(name, False, reason="inci_common_name", advice="inci_advice_replace",
                                       suggestions=tuple(self._display(p) for p in inner))
        if "(and)" in key:
            parts = [p.strip() for p in key.split("(and)") if p.strip()]
            if len(parts) > 1 and all(self._known(p) for p in parts):
                return InciVerdict(name, True, name)
        if "/" in key:
            parts = [p.strip() for p in key.split("/") if p.strip()]
            if len(parts) > 1 and any(all(p in g for p in parts) for g in syn.dual_groups):
                return InciVerdict(name, True, name)
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

    def _buckets(self) -> dict[int, tuple[list[str], list[str]]]:
        """Dictionary keys grouped by length, with their token-sorted forms (built on first use)."""
        if self._by_length is None:
            buckets: dict[int, tuple[list[str], list[str]]] = {}
            for key in self._main:
                form = " ".join(sorted(key.split()))
                forms, keys = buckets.setdefault(len(form), ([], []))
                forms.append(form)
                keys.append(key)
            self._by_length = buckets
        return self._by_length

    def suggest(self, key: str) -> tuple[str, ...]:
        """Close INCI names for a key: the synonym table, else one fuzzy match (cutoff 90).

        The fuzzy match is ``token_sort_ratio`` (word order ignored, so ``Acid Hyaluronic`` finds
        ``Hyaluronic Acid``), computed as a plain ratio on token-sorted forms of candidates within
        ±25 % of the length; a candidate must also have about as many words.
        """
        if key in self._fuzzy:
            return self._fuzzy[key]
        result: tuple[str, ...] = self.synonyms.synonyms.get(key, ())
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
            best = process.extractOne(query, forms, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF) if forms else None
            if best is not None:
                candidate = keys[best[2]]
                if abs(len(candidate.split()) - len(key.split())) <= 1:
                    result = (self._display(candidate),)
        self._fuzzy[key] = result
        return result


@lru_cache(maxsize=1)
def builtin_dictionary() -> InciDictionary:
    """The dictionary of built-in common INCI names (partial: only clear errors are reported)."""
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
