"""The certifications column as Create Product takes it: how many certificates one product sends.

Which certifications a category requires is judged against pulled category rules
(``certification_missing`` in :mod:`shelfcheck.rules.category_rules`); this family needs no
pulled data. Rows without a ``certifications`` cell skip it.
"""

from __future__ import annotations

from collections.abc import Iterator

from shelfcheck.findings import Hit
from shelfcheck.model import split_list
from shelfcheck.rules.category_rules import parse_named_list
from shelfcheck.rules.context import ListingContext
from shelfcheck.rules.registry import family, rule

__all__: list[str] = []


def _has_certifications(c: ListingContext) -> bool:
    return bool(c.get("certifications"))


family("certifications", gate=_has_certifications, memo=("certifications",))


@rule("certifications_too_many", family="certifications", reads=("create_product.max_certifications",),
      platform=("12052657",))
def certifications_too_many(c: ListingContext) -> Iterator[Hit]:
    """The product names more certificate files than the platform takes.

    What it checks:
        The ``certifications`` cell (``Name: file | file; Name: file``) names at most
        {create_product.max_certifications} certifications and at most
        {create_product.max_certifications} files in all.
    Why the platform refuses it:
        Create Product takes at most {create_product.max_certifications} ``certifications`` and
        refuses a request whose qualification images and PDF files are over the limit (12052657).
    Bad:
        eleven certificates in ``certifications``
    Good:
        the certificates the category requires, each with its PDF
    """
    named = parse_named_list(c.get("certifications"))
    limit = c.policy.create_product.max_certifications
    files = sum(max(1, len(split_list(value))) for _name, value in named)
    if len(named) > limit or files > limit:
        yield Hit("certifications", {"certifications": len(named), "files": files, "max": limit})
