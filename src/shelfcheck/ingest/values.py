"""Parsing cell values: dates, integers, prices. Each parser raises ``ValueError`` with a reason."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

__all__ = ["parse_date", "parse_int", "parse_price"]

_DATE = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$")


def parse_date(text: str) -> dt.date:
    """Read ``YYYY-MM-DD`` (also ``YYYY/M/D`` as Chinese Excel writes it; a time part is ignored)."""
    m = _DATE.match(text.strip())
    if not m:
        raise ValueError(f"not a date in YYYY-MM-DD form: {text!r}")
    try:
        return dt.date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        raise ValueError(f"no such day: {text!r}") from None


def parse_int(text: str) -> int:
    """Read a whole number ≥ 0 (``12``, ``12.0``, ``1,200``)."""
    cleaned = text.strip().replace(",", "").replace("_", "")
    try:
        number = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(f"not a whole number: {text!r}") from None
    if number != number.to_integral_value() or not number.is_finite():
        raise ValueError(f"not a whole number: {text!r}")
    if number < 0:
        raise ValueError(f"negative quantity: {text!r}")
    return int(number)


def parse_price(text: str) -> Decimal:
    """Read a USD price (``12.99``, ``$12.99``, ``USD 12.99``)."""
    cleaned = re.sub(r"(?i)^\s*(usd|us\$|\$)\s*", "", text.strip()).replace(",", "")
    try:
        price = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(f"not a price: {text!r}") from None
    if not price.is_finite() or price < 0:
        raise ValueError(f"not a price: {text!r}")
    return price
