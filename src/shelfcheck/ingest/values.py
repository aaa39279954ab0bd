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
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, NamedTuple

from shelfcheck.ingest.limits import limits
from shelfcheck.model import Listing

__all__ = ["DIMENSION_UNITS", "TYPED_FIELDS", "WEIGHT_UNITS", "Measure", "Typed", "parse_amount", "parse_date",
           "parse_dimensions", "parse_int", "parse_length", "parse_price", "parse_weight", "typed", "unit_of"]

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
    "list_price": parse_price,
    "sale_price": parse_price,
    "model_first_filing_date": parse_date,
}
_PLAIN: dict[str, tuple[re.Pattern[str], Callable[[str], Any]]] = {
    "quantity": (re.compile(r"^[0-9]{1,18}$"), int),
    "price": (re.compile(r"^[0-9]{1,12}(?:\.[0-9]{1,8})?$"), Decimal),
}
_PLAIN["list_price"] = _PLAIN["sale_price"] = _PLAIN["price"]
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


def parse_amount(text: str) -> Decimal:
    """Read a non-negative decimal written the way sellers write one: ``1.2``, ``1,2`` (a decimal
    comma), ``1,200`` (a thousands separator: a comma before exactly three digits)."""
    raw = text.strip().replace(" ", "")
    if raw.startswith("-") and _NUMBER.match(raw[1:].replace(",", ".")[:200]):
        raise ValueError(f"negative number: {_short(text)!r}")
    if "," in raw:
        if "." in raw or re.fullmatch(r"[0-9]{1,3}(?:,[0-9]{3})+", raw):
            raw = raw.replace(",", "")  # 1,200.5 or 1,200: thousands
        elif raw.count(",") == 1:
            raw = raw.replace(",", ".")  # 1,2: a decimal comma (Chinese and European ERPs)
    return _decimal(raw, text, "a number", _MAX_PRICE_DIGITS)


# Unit words as sellers and ERPs write them → the unit they mean. The platform takes KILOGRAM or
# POUND for a weight and CENTIMETER or INCH for dimensions; the others are converted.
WEIGHT_UNITS: dict[str, str] = {
    "kg": "KILOGRAM", "kgs": "KILOGRAM", "kilo": "KILOGRAM", "kilos": "KILOGRAM", "kilogram": "KILOGRAM",
    "kilograms": "KILOGRAM", "kilogramme": "KILOGRAM", "千克": "KILOGRAM", "公斤": "KILOGRAM",
    "g": "GRAM", "gr": "GRAM", "gram": "GRAM", "grams": "GRAM", "gramme": "GRAM", "克": "GRAM",
    "lb": "POUND", "lbs": "POUND", "pound": "POUND", "pounds": "POUND", "磅": "POUND",
    "oz": "OUNCE", "ounce": "OUNCE", "ounces": "OUNCE", "盎司": "OUNCE",
}
DIMENSION_UNITS: dict[str, str] = {
    "cm": "CENTIMETER", "cms": "CENTIMETER", "centimeter": "CENTIMETER", "centimeters": "CENTIMETER",
    "centimetre": "CENTIMETER", "centimetres": "CENTIMETER", "厘米": "CENTIMETER", "公分": "CENTIMETER",
    "mm": "MILLIMETER", "millimeter": "MILLIMETER", "millimeters": "MILLIMETER", "millimetre": "MILLIMETER",
    "millimetres": "MILLIMETER", "毫米": "MILLIMETER",
    "m": "METER", "meter": "METER", "meters": "METER", "metre": "METER", "metres": "METER", "米": "METER",
    "in": "INCH", "inch": "INCH", "inches": "INCH", '"': "INCH", "″": "INCH", "英寸": "INCH",
}
# Units converted to the platform's unit of the same system, and the factor.
_TO_PLATFORM: dict[str, tuple[str, Decimal]] = {
    "KILOGRAM": ("KILOGRAM", Decimal(1)), "GRAM": ("KILOGRAM", Decimal("0.001")),
    "POUND": ("POUND", Decimal(1)), "OUNCE": ("POUND", Decimal("0.0625")),
    "CENTIMETER": ("CENTIMETER", Decimal(1)), "MILLIMETER": ("CENTIMETER", Decimal("0.1")),
    "METER": ("CENTIMETER", Decimal(100)), "INCH": ("INCH", Decimal(1)),
}
for _name in set(_TO_PLATFORM):  # the platform's own names are units too
    (WEIGHT_UNITS if _name in ("KILOGRAM", "GRAM", "POUND", "OUNCE") else DIMENSION_UNITS)[_name.casefold()] = _name

# A number, then an optional unit word (letters, CJK, a quote mark), nothing else.
_MEASURE = re.compile(r"^\s*([0-9][0-9.,]*|\.[0-9]+)\s*([^\W\d_]+\.?|[\"″]|)\s*$", re.UNICODE)
_DIMENSIONS = re.compile(r"\s*[x×X*]\s*")


@dataclass(frozen=True, slots=True)
class Measure:
    """A weight or a length as written, and the same in the platform's unit.

    ``unit`` is the unit meant (``GRAM``, ``INCH`` …; ``None``: none written, none known);
    ``written`` the unit as the cell (or the header) wrote it. ``value``/``platform_unit`` are
    the amount in the platform's unit of the same system (500 g → 0.5 KILOGRAM), the form whose
    decimals the platform judges.
    """

    amount: Decimal
    unit: str | None
    written: str
    value: Decimal
    platform_unit: str | None

    @property
    def decimals(self) -> int:
        """Decimals of :attr:`value` without trailing zeros (``0.50`` → 1)."""
        exponent = self.value.normalize().as_tuple().exponent
        return max(0, -exponent) if isinstance(exponent, int) else 0

    @property
    def system(self) -> str | None:
        """``metric`` or ``imperial`` (``None`` without a unit)."""
        if self.platform_unit is None:
            return None
        return "imperial" if self.platform_unit in ("POUND", "INCH") else "metric"


def unit_of(word: str | None, units: dict[str, str]) -> str | None:
    """The unit a word names in ``units`` (case-insensitive, a trailing dot dropped), or ``None``."""
    if not word:
        return None
    return units.get(word.strip().rstrip(".").casefold())


def _measure(text: str, units: dict[str, str], default: str | None, what: str) -> Measure:
    m = _MEASURE.match(text) if len(text) <= limits().number_chars else None
    if m is None:
        raise ValueError(f"not {what}: {_short(text)!r}")
    amount = parse_amount(m[1])
    word = m[2] or default or ""
    unit = unit_of(word, units)
    if word and unit is None:
        raise LookupError(word)  # a unit this kind of value does not have ("5 cm" as a weight)
    if unit is None:
        return Measure(amount, None, "", amount, None)
    platform, factor = _TO_PLATFORM[unit]
    return Measure(amount, unit, word, amount * factor, platform)


def parse_weight(text: str, default_unit: str | None = None) -> Measure:
    """Read a weight: ``1.2 lb``, ``0.5 kg``, ``500g``, ``1,2 kg``; a bare number takes
    ``default_unit`` (the unit of the header, ``Package Weight(lb)``).

    Raises:
        ValueError: not a number with an optional unit.
        LookupError: the unit is not a weight unit (its text is the argument).
    """
    return _measure(text, WEIGHT_UNITS, default_unit, "a weight")


def parse_length(text: str, default_unit: str | None = None) -> Measure:
    """Read one dimension: ``10 in``, ``25 cm``, ``250mm``; a bare number takes ``default_unit``.

    Raises:
        ValueError / LookupError: as :func:`parse_weight`.
    """
    return _measure(text, DIMENSION_UNITS, default_unit, "a length")


def parse_dimensions(text: str, default_unit: str | None = None) -> tuple[Measure, Measure, Measure]:
    """Read length × width × height from one cell: ``10x8x4 in``, ``25*20*10cm``,
    ``25 cm x 20 cm x 10 cm``; a unit written once, at the end, applies to all three.

    Raises:
        ValueError / LookupError: as :func:`parse_weight`; ValueError when there are not three parts.
    """
    if len(text) > 4 * limits().number_chars:
        raise ValueError(f"not three dimensions: {_short(text)!r}")
    parts = _DIMENSIONS.split(text.strip())
    if len(parts) != 3 or not all(parts):
        raise ValueError(f"not three dimensions (length x width x height): {_short(text)!r}")
    last = _MEASURE.match(parts[2])
    unit = last[2] if last is not None and last[2] else default_unit
    length, width, height = (parse_length(part, unit) for part in parts)
    return length, width, height
