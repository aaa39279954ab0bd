"""Text fixes: titles cleaned, origin markings normalised, SKUs transliterated, INCI renames.

Pure functions of the text and the policy's numbers: the fix plan (:mod:`shelfcheck.fix.plan`)
decides which finding calls which, and whether the result is safe or suggested.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Mapping

import regex

from shelfcheck.analysis import scripts

__all__ = [
    "clean_title",
    "drop_cjk",
    "fix_origin_label",
    "inci_similarity",
    "replace_entry",
    "transliterate_sku",
    "unique_sku",
]

_EMOJI = regex.compile(r"[\p{Extended_Pictographic}\p{Emoji_Presentation}\p{Regional_Indicator}\uFE0F\uFE0E"
                       r"\u20E3\u200D]|[\U0001F3FB-\U0001F3FF]")
_MARKS = frozenset("\u00a9\u00ae\u2122")
_CONTROL = regex.compile(r"[\p{Cc}\p{Cs}\p{Co}\p{Cf}]")
_SPACES = re.compile(r"\s+")
_REPEATED_WORD = regex.compile(r"\b(\p{L}[\p{L}\p{N}'-]*)(?:\s+\1\b)+", flags=regex.I)
_SPACE_BEFORE_PUNCT = re.compile(r"\s+([,.;:!?)])")
_CJK_RUN = regex.compile(r"[\p{Han}\p{Hiragana}\p{Katakana}\p{Hangul}\u3000-\u303f]+")
_DANGLING = re.compile(r"^[\s,;:/|·-]+|[\s,;:/|·-]+$")


# Full-width ASCII forms (U+FF01–U+FF5E) and the ideographic space: only these are folded, so
# ™, ½ or ² keep their form (NFKC would write TM, 1⁄2, 2).
_FULLWIDTH = {**{c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)}, 0x3000: 0x20}


def _run_cut(limit: int) -> re.Pattern[str]:
    return re.compile(r"(.)\1{" + str(limit) + ",}", flags=re.S)


def clean_title(title: str, max_repeat: int) -> str:
    """The title with its form mended, its words kept.

    Full-width forms become ASCII (``ＢＴ５.３`` → ``BT5.3``), HTML entities are decoded
    (``&nbsp;`` → a space), control, format and private-use characters and emoji go, a word
    written twice or more in a row is written once (``Sale Sale`` → ``Sale``), a run of one
    character longer than ``max_repeat`` is cut to one, and spaces are collapsed. Chinese text is
    left as it is (see :func:`drop_cjk`). Idempotent.
    """
    text = title
    for _ in range(3):  # "&amp;nbsp;" decodes in two steps
        decoded = html.unescape(text)
        if decoded == text:
            break
        text = decoded
    text = "".join(ch if ch in _MARKS or not _EMOJI.match(ch) else " " for ch in text)
    text = text.translate(_FULLWIDTH) if not text.isascii() else text
    text = "".join(" " if ch in "\t\r\n\v\f\x85\u2028\u2029" else ch for ch in text)
    text = _CONTROL.sub("", text)
    text = _run_cut(max_repeat).sub(lambda m: m.group(1), text)
    text = _REPEATED_WORD.sub(lambda m: m.group(1), text)
    text = _SPACES.sub(" ", text).strip()
    text = _SPACE_BEFORE_PUNCT.sub(r"\1", text)
    return text


def drop_cjk(title: str) -> str:
    """The title without its Chinese, Japanese or Korean words (a suggestion: never a
    translation), tidied at the cut."""
    text = _CJK_RUN.sub(" ", title)
    text = _SPACES.sub(" ", text)
    text = re.sub(r"\s*([,;/|])\s*(?=[,;/|]|$)", "", text)
    text = _DANGLING.sub("", text)
    return _SPACE_BEFORE_PUNCT.sub(r"\1", text).strip()


def fix_origin_label(label: str, found: list[str], expected: str | None,
                     rejected: Mapping[str, str]) -> str | None:
    """The marking with each rejected name (``PRC``, ``P.R.C.``) replaced by the country's
    English name, or — for a marking that is only Chinese text (``中国制造``) or only the
    rejected name — the expected marking (``Made in China``). ``None`` when there is no
    mechanical answer."""
    if not expected:
        return None
    text = label.strip()
    if not text:
        return None
    if scripts.cjk_characters(text) and not re.search(r"[A-Za-z]", text):
        return expected  # 中国制造, 原产地：中国
    country = expected.removeprefix("Made in ").strip()
    new = text
    for bad in found:
        if not bad:
            continue
        if bad in rejected or re.sub(r"[\s.]", "", bad).upper() in {re.sub(r"[\s.]", "", k).upper() for k in rejected}:
            pattern = re.compile(r"(?<![A-Za-z])" + re.escape(bad) + r"(?![A-Za-z])")
            new = pattern.sub(country, new, count=1)
    if new == text:
        return expected if text.casefold() in {f.casefold() for f in found} else None
    return new


def _fold(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def replace_entry(cell: str, old: str, new: str) -> str | None:
    """``cell`` with the ingredient entry ``old`` written as ``new`` (the first whole entry that
    reads ``old``, case and spacing aside); ``None`` when it is not found as written."""
    pattern = regex.compile(r"(?<![\p{L}\p{N}])" + r"\s+".join(regex.escape(w) for w in old.split())
                            + r"(?![\p{L}\p{N}])", flags=regex.I)
    match = pattern.search(cell)
    if match is None:
        return None
    return cell[: match.start()] + new + cell[match.end():]


def inci_similarity(name: str, suggestion: str) -> float:
    """How close a written ingredient name is to a suggested INCI name (0–100, case and
    spacing folded): the confidence a spelling correction is given."""
    from rapidfuzz import fuzz

    return float(fuzz.ratio(_fold(name), _fold(suggestion)))


# --- SKUs ----------------------------------------------------------------------------------------

_HAN = regex.compile(r"\p{Han}+")
_SKU_SEPARATORS = re.compile(r"[\s/\\|,;:+]+")


def _pinyin_words(run: str) -> list[str]:
    """A run of Han characters as pinyin words: phrases the dictionary knows are one word
    (``红色杯子`` → ``HONGSE``, ``BEIZI``), single characters in a row join into one."""
    from pypinyin import lazy_pinyin
    from pypinyin.seg.mmseg import seg

    words: list[str] = []
    loose = ""
    for part in seg.cut(run):
        syllables = "".join(lazy_pinyin(part, errors="ignore")).upper()
        if len(part) == 1:
            loose += syllables
            continue
        if loose:
            words.append(loose)
            loose = ""
        words.append(syllables)
    if loose:
        words.append(loose)
    return [w for w in words if w]


def transliterate_sku(sku: str, allowed: str) -> str:
    """The SKU in the characters the policy allows: Chinese in pinyin, word by word
    (``红色杯子-01`` → ``HONGSE-BEIZI-01``); full-width forms folded; spaces and other
    separators as ``-``; anything else dropped."""
    text = unicodedata.normalize("NFKC", sku).strip()

    def han(m: regex.Match[str]) -> str:
        return "-" + "-".join(_pinyin_words(m.group(0))) + "-"

    text = _HAN.sub(han, text)
    text = _SKU_SEPARATORS.sub("-", text)
    bad = re.compile(f"[^{allowed}]")
    text = bad.sub("", text)
    text = re.sub(r"-{2,}", "-", text).strip("-._")
    return text


def unique_sku(sku: str, taken: set[str], max_length: int) -> str:
    """``sku`` cut to ``max_length`` (at a ``-`` when one is near the end) and made unique
    against ``taken`` with a ``-2``, ``-3`` … suffix that also fits."""
    def cut(text: str, limit: int) -> str:
        if len(text) <= limit:
            return text
        head = text[:limit]
        at = head.rfind("-")
        if at >= limit * 2 // 3:
            head = head[:at]
        return head.rstrip("-._")

    base = cut(sku, max_length)
    if base and base not in taken:
        return base
    n = 2
    while True:
        suffix = f"-{n}"
        candidate = cut(sku, max_length - len(suffix)) + suffix
        if candidate not in taken:
            return candidate
        n += 1
