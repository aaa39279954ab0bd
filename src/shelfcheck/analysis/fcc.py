"""FCC ID grammar, 47 CFR 2.926 and the FCC's grantee-code notice (domain.md §1.1).

An FCC ID is a grantee code followed by a product code. The grantee code is 3 characters when it
starts with a letter (codes issued before 1 May 2013) and 5 characters when it starts with a digit
2–9 (since then); 5-character codes never contain 0 or 1. The product code is 1–14 characters of
A–Z, 0–9 and hyphens, may start with a hyphen, and never holds two hyphens in a row.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["FccId", "normalise_fcc_id", "parse_fcc_id"]

_PRODUCT = re.compile(r"^[A-Z0-9-]{1,14}$")
_LETTER_GRANTEE = re.compile(r"^[A-Z][A-Z0-9]{2}$")
_DIGIT_GRANTEE = re.compile(r"^[2-9][A-Z2-9]{4}$")


@dataclass(frozen=True, slots=True)
class FccId:
    """The outcome of parsing one FCC ID."""

    text: str
    valid: bool
    grantee: str = ""
    product: str = ""
    problem: str = ""  # a reason key (see the ``reasons`` of the message catalogues)


def normalise_fcc_id(text: str) -> str:
    """Upper-case and strip every space (``2agn7 -x9`` → ``2AGN7-X9``)."""
    text = text.strip()
    if text.upper().startswith("FCC ID:"):
        text = text[7:]
    return "".join(text.split()).upper()


def parse_fcc_id(text: str) -> FccId:
    """Split an FCC ID into grantee and product code, or say why it is not well formed."""
    fcc = normalise_fcc_id(text)
    if not fcc:
        return FccId(fcc, False, problem="fcc_empty")
    first = fcc[0]
    if first.isalpha():
        grantee, product = fcc[:3], fcc[3:]
        if not _LETTER_GRANTEE.match(grantee):
            return FccId(fcc, False, problem="fcc_grantee_letter")
    elif first in "23456789":
        grantee, product = fcc[:5], fcc[5:]
        if not _DIGIT_GRANTEE.match(grantee):
            return FccId(fcc, False, problem="fcc_grantee_digit")
    else:
        return FccId(fcc, False, problem="fcc_bad_start")
    if not product:
        return FccId(fcc, False, grantee, problem="fcc_no_product")
    if len(product) > 14:
        return FccId(fcc, False, grantee, product, problem="fcc_product_too_long")
    if not _PRODUCT.match(product):
        return FccId(fcc, False, grantee, product, problem="fcc_product_chars")
    if "--" in product:
        return FccId(fcc, False, grantee, product, problem="fcc_double_hyphen")
    if product.strip("-") == "":
        return FccId(fcc, False, grantee, product, problem="fcc_product_no_alnum")
    return FccId(fcc, True, grantee, product)
