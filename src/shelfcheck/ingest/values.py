"""Parsing cell values: dates, integers, prices. Each parser raises ``ValueError`` with a reason.

Every parser does bounded work whatever the cell holds: the text is matched against a plain
decimal pattern first (no ``nan``, ``inf``, signalling NaNs or locale digits), numbers longer
than the ``number_chars`` input limit are refused unread, and an exponent is weighed before the
number is built — ``1e100000000`` is eleven characters, but as an ``int`` it would take minutes
and gigabytes.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any, NamedTuple

from shelfcheck.ingest.limits import limits
from shelfcheck.model import Listing

__all__ = ["TYPED_FIELDS", "Typed", "parse_date", "parse_int", "parse_price", "typed"]

_DATE = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$")
# ASCII digits only (``\d`` would accept Arabic-Indic and full-width digits too).
_NUMBER = re.compile(r"^\+?([0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE]([+-]?[0-9]{1,6}))?$", re.ASCII)
# Whole numbers beyond 10^18 are not stock counts; prices beyond 10^12 USD are not prices.
_MAX_QUANTITY_DIGITS = 18
_MAX_PRICE_DIGITS = 12


def parse_date(text: str) -> dt.date:
    """Read ``YYYY-MM-DD`` (also ``YYYY/M/D`` as Chinese Excel writes it; a time part is ignored)."""
    m = _DATE.match(text.strip())
    if not m:
        raise ValueError(f"not a date in YYYY-MM-DD form: {_short(text)!r}")
    try:
        return dt.date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        raise ValueError(f"no such day: {text!r}") from None


def _short(text: str) -> str:
    return text if len(text) <= 60 else text[:57] + "..."


def _decimal(cleaned: str, text: str, what: str, max_digits: int) -> Decimal:
    """A non-negative decimal of at most ``max_digits`` integer digits, built with bounded work."""
    if len(cleaned) > limits().number_chars:
        raise ValueError(f"not {what}: {len(cleaned)} characters long: {_short(text)!r}")
    m = _NUMBER.match(cleaned)
    if not m:
        raise ValueError(f"not {what}: {_short(text)!r}")
    mantissa, exponent = m[1], int(m[2] or 0)
    whole = mantissa.split(".")[0].lstrip("0")
    if len(whole) + exponent > max_digits and (whole or exponent > 0):
        raise ValueError(f"{what} too large: {_short(text)!r}")
    if exponent < -max_digits - 40:  # a vanishing fraction: not a quantity, not a price
        raise ValueError(f"not {what}: {_short(text)!r}")
    return Decimal(cleaned)


def parse_int(text: str) -> int:
    """Read a whole number ≥ 0 (``12``, ``12.0``, ``1,200``, ``1.2E+03``)."""
    raw = text.strip()
    if raw.startswith("-") and _NUMBER.match(raw[1:].replace(",", "").replace("_", "")[:200]):
        raise ValueError(f"negative quantity: {_short(text)!r}")
    number = _decimal(raw.replace(",", "").replace("_", ""), text, "a whole number", _MAX_QUANTITY_DIGITS)
    if number != number.to_integral_value():
        raise ValueError(f"not a whole number: {_short(text)!r}")
    return int(number)


def parse_price(text: str) -> Decimal:
    """Read a USD price (``12.99``, ``$12.99``, ``USD 12.99``)."""
    cleaned = re.sub(r"(?i)^\s*(usd|us\$|\$)\s*", "", text.strip()).replace(",", "")
    return _decimal(cleaned, text, "a price", _MAX_PRICE_DIGITS)


class Typed(NamedTuple):
    """A catalogue cell read as what its column means: ``value`` (``None`` when the cell is
    empty or unreadable) and ``error``, the parser's reason when it cannot be read."""

    value: Any
    error: str | None


# The catalogue fields that have a type, and what reads them. Cells written in the plain form
# (``12``, ``12.99``) skip the parser: the same value, without the bounded-work checks a plain
# number does not need.
TYPED_FIELDS: dict[str, Callable[[str], Any]] = {
    "quantity": parse_int,
    "price": parse_price,
    "model_first_filing_date": parse_date,
}
_PLAIN: dict[str, tuple[re.Pattern[str], Callable[[str], Any]]] = {
    "quantity": (re.compile(r"^[0-9]{1,18}$"), int),
    "price": (re.compile(r"^[0-9]{1,12}(?:\.[0-9]{1,8})?$"), Decimal),
}
_EMPTY = Typed(None, None)


def typed(listing: Listing, name: str) -> Typed:
    """The typed value of a field of ``listing`` (one of :data:`TYPED_FIELDS`), parsed the first
    time it is asked for and kept on the listing: the values rule, the document, inventory and
    stock checks and the publish payload all read this one parse."""
    cache = listing._typed
    if cache is None:
        cache = listing._typed = {}
    known = cache.get(name)
    if known is None:
        known = cache[name] = _read(name, listing.get(name))
    return known  # type: ignore[no-any-return]


def _read(name: str, text: str) -> Typed:
    if not text:
        return _EMPTY
    plain = _PLAIN.get(name)
    if plain is not None and plain[0].match(text):
        return Typed(plain[1](text), None)
    try:
        return Typed(TYPED_FIELDS[name](text), None)
    except ValueError as exc:
        return Typed(None, str(exc))
