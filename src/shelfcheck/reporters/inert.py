"""What keeps a report inert: nothing in it runs when it is opened, whatever the seller's cells held.

* **Spreadsheet formulas** (CSV and XLSX): Excel, WPS and LibreOffice read a cell that starts with
  ``=``, ``+``, ``-``, ``@``, a tab or a carriage return as a formula (OWASP "CSV injection":
  ``=HYPERLINK(...)``, ``+cmd|' /C calc'!A0``, ``@SUM(...)``). :func:`formula_like` says which
  cells a spreadsheet would evaluate; :func:`neutralise` prefixes those with a single quote ``'``,
  the spreadsheets' own "this is text" mark. A cell whose whole content is a number or plain
  digit arithmetic (``-5``, ``+1.5e3``, ``-12.5%``, ``+1 555 123 4567``, ``-(20)``) is left as it
  is: without letters, references, ``!``, ``|`` or quotes it cannot name a function, a cell or
  another program, so it stays the number or phone number the ERP exported. Leading spaces are
  looked through (LibreOffice can trim them on import).
* **XML** (JUnit, XLSX): characters XML 1.0 cannot carry, even escaped — C0 controls other than
  tab, LF and CR, lone surrogates, U+FFFE and U+FFFF — become U+FFFD (:func:`xml_text`).
* **UTF-8 output**: a lone surrogate (from a JSON catalogue's ``"\\ud800"``) cannot be encoded;
  :data:`REPLACE_ERRORS` is a codec error handler that writes U+FFFD instead (text reports are
  opened with it), and :func:`scrub_surrogates` does the same on a string.
"""

from __future__ import annotations

import codecs
import re
from functools import cache

__all__ = ["FORMULA_TRIGGERS", "REPLACE_ERRORS", "formula_like", "neutralise", "scrub_surrogates",
           "xml_text"]

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
REPLACE_ERRORS = "shelfcheck.replace"

# Looked through before the first character is judged: spaces (LibreOffice's "trim spaces"),
# line feeds and no-break spaces. Tab and CR are triggers themselves.
_LEADING = " \n\u00a0\u3000"
# A number as a spreadsheet reads one: sign, digits with thousands separators, decimals,
# exponent, percent.
_NUMBER = re.compile(r"[+-]?(?:\d[\d,]*(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?%?")
# Digits, spaces and arithmetic only: a phone number or a range of numbers; no letter, no
# reference, no function, no quote, no "!" or "|" (DDE), so nothing a formula could reach.
_DIGITS_ONLY = re.compile(r"[+-][\d ().,/+\-%]*")
_SURROGATE = re.compile("[\ud800-\udfff]")


def formula_like(text: str) -> bool:
    """Whether a spreadsheet opening ``text`` as a cell would evaluate it as a formula that can
    reach something (a function, a reference, another program)."""
    if not text:
        return False
    body = text.lstrip(_LEADING)
    if not body or body[0] not in FORMULA_TRIGGERS:
        return False
    if body[0] in "+-":
        stripped = body.rstrip()
        if _NUMBER.fullmatch(stripped) or _DIGITS_ONLY.fullmatch(stripped):
            return False
    return True


def neutralise(text: str) -> str:
    """``text`` as a spreadsheet cell that is never a formula: ``'`` in front when it would be."""
    return "'" + text if formula_like(text) else text


@cache
def _invalid_xml() -> re.Pattern[str]:
    """What XML 1.0 cannot carry (compiled on first use: its ranges cost a JSON report ~5 ms)."""
    return re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(text: object) -> str:
    """Text made safe for XML 1.0: characters it cannot carry become U+FFFD."""
    return _invalid_xml().sub("\ufffd", str(text))


def scrub_surrogates(text: str) -> str:
    """``text`` with every lone surrogate (not encodable in UTF-8) replaced by U+FFFD."""
    return _SURROGATE.sub("\ufffd", text) if _SURROGATE.search(text) else text


def _replace(error: UnicodeError) -> tuple[str | bytes, int]:
    if not isinstance(error, UnicodeEncodeError):
        raise error
    count = error.end - error.start
    if error.encoding.replace("_", "-").lower().startswith("utf-8"):
        # CPython's UTF-8 encoder takes only ASCII text from a handler: give it the bytes.
        return "\ufffd".encode("utf-8") * count, error.end
    return "\ufffd" * count, error.end


codecs.register_error(REPLACE_ERRORS, _replace)
