"""Cell values that cannot be read as what their column means (a quantity, a price, a date)."""

from __future__ import annotations

from collections.abc import Iterator

from shelfcheck.findings import Hit
from shelfcheck.ingest.values import TYPED_FIELDS
from shelfcheck.rules.context import ListingContext
from shelfcheck.rules.registry import family, rule

__all__: list[str] = []

# field → the expected-value reason key of its message (the parsers: ingest.values.TYPED_FIELDS)
_EXPECTED = {"quantity": "value_whole_number", "price": "value_price", "list_price": "value_price",
             "sale_price": "value_price", "model_first_filing_date": "value_date"}
assert set(_EXPECTED) == set(TYPED_FIELDS), "every typed field says what it expects"
family("values", memo=tuple(TYPED_FIELDS))


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
    for field, expected in _EXPECTED.items():
        if c.typed(field).error is not None:  # parsed once, at the first ask (ingest.values.typed)
            yield Hit(field, {"value": c.get(field), "expected": expected}, {"expected": expected})
