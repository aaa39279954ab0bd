"""Column names and their aliases (contract §2), read from ``aliases.yaml`` in this package.

A header is compared by its *key*: NFKC, case-folded, a unit in brackets at the end set aside,
and every character that is not a letter or a digit dropped — so ``Seller SKU``, ``seller-sku``,
``SELLER_SKU`` and ``*Seller SKU`` all mean ``seller_sku``, and ``Package Weight(lb)`` and
``包裹重量（kg）`` mean ``package_weight`` (the unit is kept for display).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any

from shelfcheck.copies import package_yaml

__all__ = [
    "CATALOG_COLUMNS",
    "DOCUMENT_COLUMNS",
    "INVENTORY_COLUMNS",
    "FieldSpec",
    "catalog_field_of",
    "catalog_fields",
    "closest_aliases",
    "column_letter",
    "header_key",
    "header_unit",
    "match_columns",
    "normalise_header",
    "suggest_field",
    "template_markers",
    "template_words",
]

_SEPARATORS = re.compile(r"[\s_\-]+")
# A unit (or remark) in brackets at the end of a header: "(lb)", "（kg）", "[cm]", "【必填】".
_TRAILING_BRACKET = re.compile(r"\s*[(\[【]([^()\[\]【】]*)[)\]】]\s*$")


@dataclass(frozen=True)
class FieldSpec:
    """One catalogue field: its aliases, whether this version reads it, whether columns join."""

    name: str
    aliases: tuple[str, ...]
    used: bool = True
    multiple: bool = False

    @property
    def names(self) -> tuple[str, ...]:
        """The field's own name first, then its aliases."""
        return (self.name, *self.aliases)


@functools.lru_cache(maxsize=1)
def _data() -> dict[str, Any]:
    data = package_yaml(resources.files("shelfcheck.ingest").joinpath("aliases.yaml"), "ingest-aliases")
    assert isinstance(data, dict)
    return data


@functools.lru_cache(maxsize=1)
def catalog_fields() -> dict[str, FieldSpec]:
    """Every catalogue field the package knows, in the order of ``aliases.yaml``."""
    out = {}
    for name, spec in _data()["catalog"].items():
        out[name] = FieldSpec(name, tuple(str(a) for a in spec.get("aliases", ())),
                              bool(spec.get("used", True)), bool(spec.get("multiple", False)))
    return out


def _simple(section: str) -> dict[str, tuple[str, ...]]:
    return {name: tuple(str(a) for a in aliases) for name, aliases in _data()[section].items()}


CATALOG_COLUMNS: dict[str, tuple[str, ...]] = {f.name: f.aliases for f in catalog_fields().values()}
DOCUMENT_COLUMNS: dict[str, tuple[str, ...]] = _simple("documents")
INVENTORY_COLUMNS: dict[str, tuple[str, ...]] = _simple("inventory")


def normalise_header(text: str) -> str:
    """A readable normal form of a header: NFKC, case-folded, separators unified (``seller_sku``)."""
    text = unicodedata.normalize("NFKC", text).strip().casefold()
    return _SEPARATORS.sub("_", text)


def _split_unit(text: str) -> tuple[str, str | None]:
    text = unicodedata.normalize("NFKC", text).strip()
    m = _TRAILING_BRACKET.search(text)
    if m and m.start() > 0:
        return text[: m.start()], m[1].strip() or None
    return text, None


def _alnum(text: str) -> str:
    return "".join(ch for ch in text.casefold() if ch.isalnum())


def header_key(text: str) -> str:
    """The comparison key of a header: letters and digits only, case-folded, unit set aside."""
    return _alnum(_split_unit(text)[0])


def header_unit(text: str) -> str | None:
    """The unit (or remark) a header gives in brackets at its end: ``lb`` of ``Weight(lb)``."""
    return _split_unit(text)[1]


def column_letter(index: int) -> str:
    """The spreadsheet letter of a 0-based column index: 0 → ``A``, 27 → ``AB``."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


class _Matcher:
    """Header keys → field, exact names first, then the ``{n}``/``{*}`` patterns."""

    def __init__(self, spec: dict[str, Iterable[str]]) -> None:
        self.exact: dict[str, str] = {}
        self.patterns: list[tuple[re.Pattern[str], str]] = []
        self.names: dict[str, tuple[str, str]] = {}  # key → (field, name as written), for hints
        for field, names in spec.items():
            for name in names:
                if "{n}" in name or "{*}" in name:
                    parts = re.split(r"(\{n\}|\{\*\})", name)
                    rx = "".join(r"\d+" if p == "{n}" else ".+" if p == "{*}"
                                 else re.escape(_alnum(unicodedata.normalize("NFKC", p))) for p in parts)
                    self.patterns.append((re.compile(rf"^{rx}$"), field))
                    example = name.replace("{n}", "1").replace("{*}", "")
                    self.names.setdefault(header_key(example), (field, name.replace("{n}", "1")))
                else:
                    key = header_key(name)
                    if key:
                        self.exact.setdefault(key, field)
                        self.names.setdefault(key, (field, name))

    def field_of(self, header: str) -> str | None:
        key = header_key(header)
        if not key:
            return None
        if key in self.exact:
            return self.exact[key]
        for rx, field in self.patterns:
            if rx.match(key):
                return field
        return None


@functools.lru_cache(maxsize=8)
def _matcher_for(section: str) -> _Matcher:
    if section == "catalog":
        return _Matcher({f.name: f.names for f in catalog_fields().values()})
    spec = _simple(section)
    return _Matcher({field: (field, *aliases) for field, aliases in spec.items()})


def catalog_field_of(header: str) -> str | None:
    """The catalogue field a header means under the package's aliases (``None``: unknown)."""
    return _matcher_for("catalog").field_of(header)


def suggest_field(header: str, *, fields: Iterable[str] | None = None, cutoff: float = 80) -> tuple[str, str] | None:
    """``(field, alias)`` an unknown header most resembles, when close enough to be a likely typo.

    ``fields`` limits the candidates (default: every catalogue field).
    """
    from rapidfuzz import fuzz, process

    key = header_key(header)
    if len(key) < 3:
        return None
    names = _matcher_for("catalog").names
    wanted = set(fields) if fields is not None else None
    choices = {k: v for k, v in names.items() if wanted is None or v[0] in wanted}
    if not choices:
        return None
    best = process.extractOne(key, list(choices), scorer=fuzz.ratio, score_cutoff=cutoff)
    if best is None:
        return None
    return choices[best[0]]


def closest_aliases(headers: Sequence[str], field: str, limit: int = 3,
                    cutoff: float = 50) -> list[tuple[str, str, float]]:
    """The headers closest to any name of ``field``: ``(header, alias, score)``, best first;
    only those scoring at least ``cutoff`` (rapidfuzz WRatio, 0–100)."""
    from rapidfuzz import fuzz, process

    spec = catalog_fields()[field]
    names = {header_key(n.replace("{n}", "1").replace("{*}", "")): n.replace("{n}", "1") for n in spec.names}
    out = []
    for header in headers:
        key = header_key(header)
        if not key:
            continue
        best = process.extractOne(key, list(names), scorer=fuzz.WRatio, score_cutoff=cutoff)
        if best is not None:
            out.append((header, names[best[0]], float(best[1])))
    out.sort(key=lambda t: -t[2])
    return out[:limit]


@functools.lru_cache(maxsize=1)
def template_markers() -> tuple[frozenset[str], tuple[str, ...]]:
    """Keys of the cells a template's requirement rows hold, and the words opening an example row."""
    data = _data()
    marks = frozenset(_alnum(str(m)) for m in data.get("template_markers", ()))
    examples = tuple(str(m).casefold() for m in data.get("example_markers", ()))
    return marks, examples


@functools.lru_cache(maxsize=1)
def template_words() -> tuple[str, ...]:
    """Words of a template's instruction cells ("please enter", "请填写"), case-folded."""
    return tuple(str(w).casefold() for w in _data().get("instruction_words", ()))


def match_columns(header: Sequence[str], spec: dict[str, tuple[str, ...]]) -> dict[str, int]:
    """Map each canonical field to the index of the header column that holds it.

    Used for the documents and inventory files. When several columns could mean the same field,
    the canonical English name wins over an alias, then the alias listed first, then the leftmost
    column; the others stay as unknown columns (kept in the row, ignored by the rules).
    """
    keys = [header_key(h) for h in header]
    found: dict[str, int] = {}
    for field, aliases in spec.items():
        candidates = [field, *aliases]
        best: tuple[int, int] | None = None
        for rank, name in enumerate(candidates):
            key = header_key(name)
            for index, hkey in enumerate(keys):
                if hkey and hkey == key and (best is None or (rank, index) < best):
                    best = (rank, index)
        if best is not None and best[1] not in found.values():
            found[field] = best[1]
    return found
