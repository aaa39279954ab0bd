"""The product attributes of the ``attributes`` column, as Create Product takes their text.

Whether a value is one the category lists needs the pulled category data
(:func:`shelfcheck.rules.category_rules.attribute_value_invalid`); the length of a custom value
does not, so it is checked for every row that gives attributes.
"""

from __future__ import annotations

from collections.abc import Iterator

from shelfcheck.findings import Hit
from shelfcheck.rules.category_rules import parse_attributes
from shelfcheck.rules.context import ListingContext
from shelfcheck.rules.registry import family, rule

__all__: list[str] = []


def _has_attributes(c: ListingContext) -> bool:
    return bool((c.get("attributes") or "").strip())


family("attribute_values", gate=_has_attributes, memo=("attributes",))


@rule("attribute_value_too_long", family="attribute_values",
      reads=("create_product.attribute_value_max_length",), platform=("12052249",))
def attribute_value_too_long(c: ListingContext) -> Iterator[Hit]:
    """A product attribute value is longer than Create Product takes.

    What it checks:
        Each value of the ``attributes`` column (``Name: value``, several values split by ``|``)
        has at most {create_product.attribute_value_max_length} characters.
    Why the platform refuses it:
        Create Product takes a custom product attribute value (``value_name``) of at most
        {create_product.attribute_value_max_length} characters and refuses longer ones ("value
        name characters cannot exceed", 12052249).
    Bad:
        ``attributes: Material: `` followed by a pasted paragraph of the description
    Good:
        ``attributes: Material: Cotton``
    """
    most = c.policy.create_product.attribute_value_max_length
    for name, values in parse_attributes(c.get("attributes")).values():
        for value in values:
            if len(value) > most:
                yield Hit("attributes", {"attribute": name, "length": len(value), "max": most,
                                         "value": value[:80]},
                          {"attribute": name, "length": len(value), "max": most})
