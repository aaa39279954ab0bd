"""FDA registration numbers for cosmetics (MoCRA facility registration = FEI), domain.md §2.

New FEIs have 10 digits; legacy CFNs kept 7; food-facility style numbers run to 11. There is no
checksum and no public lookup, so only the form can be checked offline.
"""

from __future__ import annotations

import re

__all__ = ["FDA_LENGTHS", "normalise_fda_number", "valid_fda_number"]

FDA_LENGTHS = (7, 10, 11)
_SEPARATORS = re.compile(r"[\s\-]")


def normalise_fda_number(text: str) -> str:
    """Drop spaces and hyphens (``301-234-5678`` → ``3012345678``)."""
    return _SEPARATORS.sub("", text.strip())


def valid_fda_number(text: str) -> bool:
    """True for 7, 10 or 11 ASCII digits after normalising."""
    number = normalise_fda_number(text)
    return number.isascii() and number.isdigit() and len(number) in FDA_LENGTHS
