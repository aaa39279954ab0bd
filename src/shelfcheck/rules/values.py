"""Cell values that cannot be read as what their column means (a quantity, a price, a date)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from shelfcheck.findings import Hit
from shelfcheck.ingest.values import parse_date, parse_int, parse_price
from shelfcheck.rules.context import ListingContext
from shelfcheck.rules.registry import family, rule

__all__: list[str] = []

# field → (parser, expected-value reason key, pattern of the common valid case parsed for free)
_PARSERS = {
    "quantity": (parse_int, "value_whole_number", re.compile(r"^[0-9]{1,18}$")),
    "price": (parse_price, "value_price", re.compile(r"^[0-9]{1,12}(?:\.[0-9]{1,8})?$")),
    "list_price": (parse_price, "value_price", re.compile(r"^[0-9]{1,12}(?:\.[0-9]{1,8})?$")),
    "sale_price": (parse_price, "value_price", re.compile(r"^[0-9]{1,12}(?:\.[0-9]{1,8})?$")),
    "model_first_filing_date": (parse_date, "value_date", None),
}
family("values", memo=tuple(_PARSERS))


@rule("value_invalid", family="values")
def value_invalid(c: ListingContext) -> Iterator[Hit]:
    """A cell cannot be read as what its column means: quantity, price or date.

    What it checks:
        ``quantity`` is a whole number ≥ 0, ``price`` (and ``list_price``, ``sale_price``) a
        non-negative amount in USD, and
        ``model_first_filing_date`` a ``YYYY-MM-DD`` date — when they are filled.
    Why the platform refuses it:
        The platform rejects a non-numeric stock or price; a date that cannot be read makes the
        document checks that depend on it impossible.
    Bad:
        ``quantity: about 50``, ``model_first_filing_date: 2023/13/45``
    Good:
        ``quantity: 50``, ``model_first_filing_date: 2023-05-01``
    """
    for field, (parse, expected, plain) in _PARSERS.items():
        text = c.get(field)
        if not text or (plain is not None and plain.match(text)):
            continue
        try:
            parse(text)
        except ValueError:
            yield Hit(field, {"value": text, "expected": expected}, {"expected": expected})
