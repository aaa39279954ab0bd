"""A row's package weight and dimensions, read from its cells and the units of its headers.

A weight is one cell (``package_weight``); dimensions are three cells (``package_length``,
``package_width``, ``package_height``) or one (``package_dimensions``: ``10x8x4 in``). A number
written without a unit takes the unit the header gives in brackets (``Package Weight(lb)``,
``长(cm)``); with neither, the unit is unknown and the rules report it. The rules and the Create
Product body read the package the same way, through :func:`read_package`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from shelfcheck.ingest.columns import header_unit
from shelfcheck.ingest.values import (
    DIMENSION_UNITS,
    WEIGHT_UNITS,
    Measure,
    parse_dimensions,
    parse_length,
    parse_weight,
    unit_of,
)

__all__ = ["DIMENSIONS", "Package", "Unreadable", "read_package"]

#: The three dimension fields, in the platform's order.
DIMENSIONS = ("package_length", "package_width", "package_height")


@dataclass(frozen=True, slots=True)
class Unreadable:
    """A cell that is not a measure: ``reason`` is ``number`` (no number in it) or ``unit`` (a
    unit this kind of value does not have, ``unit`` holding it)."""

    field: str
    value: str
    reason: str
    unit: str = ""


@dataclass(slots=True)
class Package:
    """What a row says about its package.

    ``weight`` and ``dimensions`` hold the measures that could be read; ``problems`` the cells
    that could not; ``missing`` the fields with no value at all (a dimension counts as given
    when the combined ``package_dimensions`` cell gives it).
    """

    weight: Measure | None = None
    dimensions: dict[str, Measure] = field(default_factory=dict)
    problems: list[Unreadable] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    # field → the column (header text) the value was read from
    sources: dict[str, str] = field(default_factory=dict)


def _unit(columns: Mapping[str, str], name: str) -> str | None:
    """The unit a field's header gives in brackets, when it is a unit of that kind of value (a
    remark such as ``Dimensions (L x W x H)`` or ``Weight【必填】`` is not)."""
    header = columns.get(name)
    word = header_unit(header) if header else None
    units = WEIGHT_UNITS if name == "package_weight" else DIMENSION_UNITS
    return word if unit_of(word, units) else None


def read_package(values: Mapping[str, str], columns: Mapping[str, str]) -> Package:
    """The package of one row: ``values`` are its canonical cells, ``columns`` field → header."""
    out = Package()
    text = values.get("package_weight", "")
    if not text:
        out.missing.append("package_weight")
    else:
        out.sources["package_weight"] = columns.get("package_weight", "package_weight")
        try:
            out.weight = parse_weight(text, _unit(columns, "package_weight"))
        except LookupError as exc:
            out.problems.append(Unreadable("package_weight", text, "unit", str(exc.args[0])))
        except ValueError:
            out.problems.append(Unreadable("package_weight", text, "number"))
    combined = values.get("package_dimensions", "")
    for name in DIMENSIONS:
        text = values.get(name, "")
        if not text:
            continue
        out.sources[name] = columns.get(name, name)
        try:
            out.dimensions[name] = parse_length(text, _unit(columns, name))
        except LookupError as exc:
            out.problems.append(Unreadable(name, text, "unit", str(exc.args[0])))
        except ValueError:
            out.problems.append(Unreadable(name, text, "number"))
    given = {name for name in DIMENSIONS if values.get(name)}
    if combined and len(given) < len(DIMENSIONS):
        try:
            parts = parse_dimensions(combined, _unit(columns, "package_dimensions"))
        except LookupError as exc:
            out.problems.append(Unreadable("package_dimensions", combined, "unit", str(exc.args[0])))
            given.update(DIMENSIONS)
        except ValueError:
            out.problems.append(Unreadable("package_dimensions", combined, "number"))
            given.update(DIMENSIONS)
        else:
            for name, measure in zip(DIMENSIONS, parts):
                if name not in given:
                    out.dimensions[name] = measure
                    out.sources[name] = columns.get("package_dimensions", "package_dimensions")
                    given.add(name)
    out.missing.extend(name for name in DIMENSIONS if name not in given)
    return out
