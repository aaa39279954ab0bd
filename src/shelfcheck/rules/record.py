"""The product record Create Product requires: a description in English and a valid identifier code.

The record's other parts have their own families: the package (:mod:`shelfcheck.rules.package`)
and the price levels and stock (:mod:`shelfcheck.rules.pricing`). When the catalogue has no column
at all for a field the platform requires of every product, each row is still reported (the
platform would refuse each one) and the report says so once, at the top, with the columns to add
(the ``record_columns_absent`` run note).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any

from shelfcheck.analysis import scripts
from shelfcheck.findings import Hit
from shelfcheck.notes import RunNote, note_provider
from shelfcheck.rules.context import ListingContext
from shelfcheck.rules.registry import family, rule

__all__ = ["REQUIRED_COLUMNS", "column_state"]

_TYPE_WORD = re.compile(r"[A-Z]+(?=[-\s]?(?:[0-9]{1,2}|A)?$)")

family("record", memo=("description", "identifier_code", "identifier_code_type"))

# Fields Create Product requires of every product, and the code that reports a row without one.
# (The sale price is required only of China-warehouse shops: see ``absent_columns``.)
REQUIRED_COLUMNS: dict[str, str] = {
    "description": "description_missing",
    "price": "price_missing",
    "package_weight": "package_weight_missing",
    "package_length": "package_dimensions_missing",
    "package_width": "package_dimensions_missing",
    "package_height": "package_dimensions_missing",
}


def column_state(c: ListingContext, name: str) -> str:
    """Why a field is empty, as a reason key: the catalogue has no column for it, or its cell is empty."""
    if name in ("package_length", "package_width", "package_height") and c.listing.has_column("package_dimensions"):
        return "record_empty_cell"
    return "record_empty_cell" if c.listing.has_column(name) else "record_no_column"


@rule("description_missing", family="record", platform=("12052015", "12019006"))
def description_missing(c: ListingContext) -> Iterator[Hit]:
    """The product has no description.

    What it checks:
        The ``description`` cell is not empty. When the catalogue has no description column at
        all, every row gets this finding and the report says once which columns to add.
    Why the platform refuses it:
        Create Product requires a description for every product (HTML is accepted); a product
        without one is refused.
    Bad:
        ``description:`` (empty), or no description column
    Good:
        ``description: <p>Clear stackable storage box with a snap-on lid, 12 litres.</p>``
    """
    if not c.listing.description:
        yield Hit("description", {"value": "", "column": c.listing.has_column("description")},
                  {"where": column_state(c, "description")})


@rule("description_not_english", family="record", platform=("12052346", "12052351"))
def description_not_english(c: ListingContext) -> Iterator[Hit]:
    """The description contains Chinese, Japanese or Korean script, or full-width characters.

    What it checks:
        Han, Hiragana, Katakana and Hangul characters and full-width forms (U+FF00–U+FFEF, U+3000)
        anywhere in the description, HTML included (an ``alt`` text is shown to buyers too).
    Why the platform refuses it:
        Descriptions on TikTok Shop US must be in English: "description has Chinese characters"
        is a Create Product refusal; a description pasted from the Chinese listing is refused.
    Bad:
        ``description: <p>Stackable box 收纳盒，12 L</p>``
    Good:
        ``description: <p>Stackable storage box, 12 L</p>``
    """
    text = c.listing.description
    cjk = scripts.cjk_characters(text)
    wide = scripts.fullwidth_characters(text)
    if cjk or wide:
        yield Hit("description", {"cjk": cjk, "fullwidth": wide},
                  {"characters": "".join((cjk + wide)[:12])})


def _identifier_problem(code: str, kind: str | None, lengths: dict[str, tuple[int, ...]]
                        ) -> tuple[str, dict[str, Any]] | None:
    """``(reason, evidence)`` when the code is not a valid identifier of its type, else ``None``."""
    from stdnum import ean, isbn

    digits = code.replace(" ", "").replace("-", "")
    allowed = sorted(set(lengths[kind])) if kind else sorted({n for ns in lengths.values() for n in ns})
    is_isbn = kind == "ISBN"
    body = digits[:-1] if is_isbn and digits[-1:] in ("X", "x") else digits
    if not body.isascii() or not body.isdigit():
        return "identifier_not_digits", {"lengths": allowed}
    if len(digits) not in allowed:
        return "identifier_length", {"digits": len(digits), "lengths": allowed}
    valid = isbn.is_valid(digits) if is_isbn else ean.is_valid(digits)
    if valid:
        return None
    evidence: dict[str, Any] = {"digits": len(digits), "lengths": allowed}
    if not is_isbn:
        evidence["check_digit"] = ean.calc_check_digit(digits[:-1])
    return "identifier_check_digit", evidence


@rule("identifier_code_invalid", family="record", reads=("identifier.lengths",),
      platform=("12052591", "12052598", "12052600"))
def identifier_code_invalid(c: ListingContext) -> Iterator[Hit]:
    """The identifier code (GTIN, EAN, UPC, ISBN) has the wrong number of digits or a wrong check digit.

    What it checks:
        When ``identifier_code`` is filled: its type is given (``identifier_code_type``, one of
        {identifier.types}); the code is digits only, with the number of digits its type takes
        (without a type: any of their lengths) and the GS1 check digit (ISBN: the ISBN one).
    Why the platform refuses it:
        Create Product requires the type with the code and validates the code against it; a code
        with a wrong check digit — often a typo, or leading zeros a spreadsheet dropped — is refused.
    Bad:
        ``identifier_code: 036000291453`` (UPC, check digit should be 2); ``3.6E+11``
    Good:
        ``identifier_code_type: UPC``, ``identifier_code: 036000291452``
    """
    code = c.get("identifier_code")
    if not code:
        return
    lengths = dict(c.policy.identifier.lengths)
    written = c.get("identifier_code_type")
    # "UPC-A", "EAN-13", "ISBN13", "gtin" name the types UPC, EAN, ISBN, GTIN
    kind = (_TYPE_WORD.match(written.strip().upper()) or [written.strip().upper()])[0] if written else None
    if kind is None:
        yield Hit("identifier_code_type", {"value": code, "type": None, "types": list(lengths),
                                           "lengths": sorted({n for ns in lengths.values() for n in ns}),
                                           "check_digit": None},
                  {"problem": "identifier_type_missing"})
    elif kind not in lengths:
        everything = sorted({n for ns in lengths.values() for n in ns})
        yield Hit("identifier_code_type", {"value": code, "type": written, "types": list(lengths),
                                           "lengths": everything, "check_digit": None},
                  {"problem": "identifier_type_unknown"})
        return
    problem = _identifier_problem(code, kind, lengths)
    if problem is not None:
        reason, evidence = problem
        yield Hit("identifier_code", {"value": code, "type": kind, "types": list(lengths), "check_digit": None,
                                      **evidence}, {"problem": reason})


# The run note ----------------------------------------------------------------------------------

def absent_columns(run: Any, columns: Iterable[str]) -> tuple[list[str], list[str]]:
    """The required fields the catalogue has no column for, and the codes that report them."""
    have = set(columns)
    fields: list[str] = []
    codes: list[str] = []
    required = dict(REQUIRED_COLUMNS)
    shop = getattr(run, "shop", None)
    policy = getattr(run, "policy", None)
    warehouse = getattr(shop, "warehouse", None)
    if policy is not None and warehouse is not None and warehouse in policy.price.sale_price_warehouses:
        required["sale_price"] = "sale_price_missing"
    for name, code in required.items():
        if name in have or (name.startswith("package_") and name != "package_weight"
                            and "package_dimensions" in have):
            continue
        fields.append(name)
        if code not in codes:
            codes.append(code)
    return fields, codes


@note_provider
def _record_columns(run: Any, source: Any) -> Iterable[RunNote]:
    """``record_columns_absent``: the catalogue has no column for fields every product needs."""
    columns = getattr(source, "columns", None)
    if columns is None:
        return ()
    policy = getattr(run, "policy", None)
    if policy is not None:  # codes switched off in the pack are not reported, nor announced
        off = {code for code, setting in policy.rules.items() if not setting.enabled}
    else:
        off = set()
    fields, codes = absent_columns(run, columns)
    kept = [(f, REQUIRED_COLUMNS.get(f, "sale_price_missing")) for f in fields]
    kept = [(f, code) for f, code in kept if code not in off]
    if not kept:
        return ()
    return (RunNote("record_columns_absent", {"columns": [f for f, _ in kept],
                                              "codes": list(dict.fromkeys(code for _, code in kept))}),)
