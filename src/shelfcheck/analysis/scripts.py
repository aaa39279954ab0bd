"""Unicode analysis of titles and SKUs: CJK scripts, full-width forms, emoji, control characters.

Uses the ``regex`` module for Unicode script properties (the stdlib ``re`` has none), and the
faster stdlib ``re`` where plain ASCII classes suffice.
"""

from __future__ import annotations

import re
from functools import lru_cache
from types import SimpleNamespace

__all__ = [
    "cjk_characters",
    "control_characters",
    "emoji_characters",
    "fullwidth_characters",
    "has_run_longer_than",
    "html_entities",
    "longest_run",
    "symbols_only",
]

_MARKS = frozenset("\u00a9\u00ae\u2122\ufe0f")
_ENTITY = re.compile(r"&(?:#\d{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
_ASCII_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_RUN = re.compile(r"(.)\1+", flags=re.S)
_ALNUM = re.compile(r"[^\W_]")  # a character for which str.isalnum() is true


@lru_cache(maxsize=1)
def _unicode() -> SimpleNamespace:
    """The patterns that need Unicode script properties, compiled on the first non-ASCII text
    (an ASCII-only catalogue never loads the ``regex`` module)."""
    import regex

    return SimpleNamespace(
        cjk=regex.compile(r"[\p{Han}\p{Hiragana}\p{Katakana}\p{Hangul}]"),
        fullwidth=regex.compile(r"[\u3000\uFF00-\uFFEF]"),
        emoji=regex.compile(r"[\p{Extended_Pictographic}\p{Emoji_Presentation}\p{Regional_Indicator}\uFE0F\u20E3]"),
        control=regex.compile(r"[\p{Cc}\p{Cs}\p{Co}\p{Cf}--[\u200d\ufe0e\ufe0f]]", flags=regex.V1),
    )


def _unique(chars: list[str]) -> list[str]:
    return list(dict.fromkeys(chars))


def cjk_characters(text: str) -> list[str]:
    """Distinct Han, Hiragana, Katakana and Hangul characters, in order of appearance."""
    return [] if text.isascii() else _unique(_unicode().cjk.findall(text))


def fullwidth_characters(text: str) -> list[str]:
    """Distinct full-width forms (U+FF00–U+FFEF) and ideographic spaces (U+3000)."""
    return [] if text.isascii() else _unique(_unicode().fullwidth.findall(text))


def emoji_characters(text: str) -> list[str]:
    """Distinct emoji (pictographs, presentation selectors, keycaps, flags).

    ASCII digits, ``#`` and ``*`` carry the Emoji property but are not emoji on their own, and
    the trade marks ``©``, ``®`` and ``™`` are ordinary text in a title, so none of them count.
    """
    if text.isascii():
        return []
    return _unique([c for c in _unicode().emoji.findall(text) if ord(c) > 0x7F and c not in _MARKS])


def control_characters(text: str) -> list[str]:
    """Distinct control, format and private-use characters, as ``U+XXXX`` names.

    Format characters used by emoji sequences (ZWJ, variation selectors) are reported as emoji
    instead, so they are skipped here.
    """
    pattern = _ASCII_CONTROL if text.isascii() else _unicode().control
    if not pattern.search(text):
        return []
    return _unique([f"U+{ord(ch):04X}" for ch in pattern.findall(text)])


def html_entities(text: str) -> list[str]:
    """HTML entities such as ``&nbsp;`` or ``&#39;`` that a web export left in the text."""
    if "&" not in text:
        return []
    import html

    return _unique([m for m in _ENTITY.findall(text) if html.unescape(m) != m])


def symbols_only(text: str) -> bool:
    """True when the text has no letter or digit at all (e.g. ``!!! ***``)."""
    return _ALNUM.search(text) is None and bool(text.strip())


def longest_run(text: str) -> tuple[str, int]:
    """The character repeated most times in a row, and how many times (``("", 0)`` for empty)."""
    best_char, best = "", 0
    for match in _RUN.finditer(text):
        length = match.end() - match.start()
        if length > best:
            best_char, best = match.group(1), length
    if not best and text:
        best_char, best = text[0], 1
    return best_char, best


def has_run_longer_than(text: str, limit: int) -> bool:
    """True when one character repeats more than ``limit`` times in a row."""
    return _run_pattern(limit).search(text) is not None


@lru_cache(maxsize=8)
def _run_pattern(limit: int) -> re.Pattern[str]:
    # "\1" written out ``limit`` times: the same match as "\1{limit,}", twice as fast to search.
    return re.compile(r"(.)" + r"\1" * limit, flags=re.S)
