"""Sales attributes of a SKU: ``Color: Red; Size: M``, or split columns (contract §2.1).

A SKU's sales attributes (the variation it is: colour, size …) come from any of

* a ``sales_attributes`` cell: ``name: value`` pairs separated by ``;``, ``|``, ``,`` or line
  breaks, ``:``/``：``/``=`` between name and value (``Color: Red; Size: M``, ``颜色:红色;尺码:M``);
* TikTok's template columns ``Variation 1``/``Variation 2``/``Variation 3`` with their names in
  ``variation_N_name`` columns (an ERP's ``规格名1``/``规格值1``); without a name column the
  value may carry its own name (``Color: Red``), else the attribute is named after the header;
* ERP columns for the two common attributes, ``color`` (``颜色``) and ``size`` (``尺码``), named
  ``Color`` and ``Size``.

A part of a ``sales_attributes`` cell without a name is kept under the header's name (never
dropped): the report shows the attributes as read.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping

__all__ = ["ATTRIBUTE_FIELDS", "VARIATION_SLOTS", "attributes_of", "parse_sales_attributes"]

# (value field, name field) of the split variation columns.
VARIATION_SLOTS = (("variation_1", "variation_1_name"), ("variation_2", "variation_2_name"),
                   ("variation_3", "variation_3_name"))
# Columns that hold one attribute each, and the attribute's name.
_NAMED = (("color", "Color"), ("size", "Size"))
ATTRIBUTE_FIELDS = ("sales_attributes", *(f for pair in VARIATION_SLOTS for f in pair), *(f for f, _ in _NAMED))

_PARTS = re.compile(r"[;|\n\r；]+")
_PAIR = re.compile(r"^\s*([^:：=]{1,80}?)\s*[:：=]\s*(.*?)\s*$", re.S)


def parse_sales_attributes(text: str, unnamed: str = "sales_attributes") -> dict[str, str]:
    """``name → value`` of a ``sales_attributes`` cell, in the order written.

    ``,`` separates pairs only when every part has a name (``Color: Red, Size: M``), so a value
    with a comma (``Size: 6, 7``) stays whole in a ``;``-separated cell. A part without a name is
    kept as ``unnamed`` (``unnamed 2`` … for more).
    """
    parts = [p for p in _PARTS.split(text) if p.strip()]
    if len(parts) == 1 and "," in parts[0]:
        commas = [p for p in parts[0].split(",") if p.strip()]
        if len(commas) > 1 and all(_PAIR.match(p) for p in commas):
            parts = commas
    out: dict[str, str] = {}
    loose = 0
    for part in parts:
        m = _PAIR.match(part)
        if m and m.group(1).strip():
            name, value = m.group(1).strip(), m.group(2).strip()
        else:
            loose += 1
            name, value = (unnamed if loose == 1 else f"{unnamed} {loose}"), part.strip()
        if name in out:
            out[name] = f"{out[name]}; {value}" if value else out[name]
        else:
            out[name] = value
    return out


# Parsed cells by text: variants of many products repeat the same few ("Size: M").
_PARSED: dict[tuple[str, str], dict[str, str]] = {}
_PARSED_MAX = 4096


def _parsed(text: str, unnamed: str) -> dict[str, str]:
    key = (text, unnamed)
    known = _PARSED.get(key)
    if known is None:
        if len(_PARSED) >= _PARSED_MAX:
            _PARSED.clear()
        known = _PARSED[key] = parse_sales_attributes(text, unnamed)
    return known


def attributes_of(get: Callable[[str], str], columns: Mapping[str, str],
                  present: Collection[str] | None = None) -> dict[str, str]:
    """The sales attributes of one row: ``get(field)`` gives a field's text, ``columns`` the
    header each field was read from (for attributes named after their header), ``present`` the
    attribute fields the catalogue has (default: all). Treat the result as read-only: rows with
    the same cell share it."""
    fields = ATTRIBUTE_FIELDS if present is None else present
    text = get("sales_attributes") if "sales_attributes" in fields else ""
    if len(fields) == 1 and text:
        return _parsed(text, columns.get("sales_attributes", "sales_attributes"))
    out: dict[str, str] = {}
    if text:
        out.update(_parsed(text, columns.get("sales_attributes", "sales_attributes")))
    for value_field, name_field in VARIATION_SLOTS:
        if value_field not in fields:
            continue
        value = get(value_field)
        if not value:
            continue
        name = get(name_field)
        if not name:
            m = _PAIR.match(value)
            if m and m.group(1).strip() and m.group(2).strip():
                name, value = m.group(1).strip(), m.group(2).strip()
            else:
                name = columns.get(value_field, value_field)
        out.setdefault(name, value)
    for field, name in _NAMED:
        if field not in fields:
            continue
        value = get(field)
        if value:
            out.setdefault(name, value)
    return out
