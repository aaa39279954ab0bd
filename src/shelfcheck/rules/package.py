"""The package: weight and dimensions as Create Product takes them (units, decimals, unit pairing).

Values are read by :func:`shelfcheck.ingest.package.read_package` (the Create Product body reads
them the same way): ``1.2 lb``, ``500g``, ``1,2 kg``, ``10x8x4 in``, or a bare number with the
unit of its header (``Package Weight(lb)``). Grams, ounces, millimetres and metres are converted
to the platform's unit of the same system (500 g → 0.5 KILOGRAM) and judged there.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from shelfcheck.findings import Hit
from shelfcheck.ingest.package import DIMENSIONS, Package, read_package
from shelfcheck.ingest.values import Measure
from shelfcheck.policy.schema import PackagePolicy
from shelfcheck.rules.context import ListingContext
from shelfcheck.rules.record import column_state
from shelfcheck.rules.registry import family, rule

__all__: list[str] = []

family("package", memo=("package_weight", *DIMENSIONS, "package_dimensions"))


def _package(c: ListingContext) -> Package:
    cached = getattr(c, "_package", None)
    if cached is None:
        cached = read_package(c.listing.values, c.listing.columns)
        c._package = cached  # type: ignore[attr-defined]  # the family's rules share one reading
    return cached


def _weight_limits(policy: PackagePolicy) -> dict[str, Any]:
    return {"kilogram_decimals": policy.kilogram.decimals, "kilogram_pairs": policy.kilogram.pairs_with,
            "pound_decimals": policy.pound.decimals, "pound_pairs": policy.pound.pairs_with}


def _shown(measure: Measure) -> str:
    return f"{measure.value.normalize():f} {measure.platform_unit}"


@rule("package_weight_missing", family="package")
def package_weight_missing(c: ListingContext) -> Iterator[Hit]:
    """The product has no package weight.

    What it checks:
        The ``package_weight`` cell is not empty. Without a weight column every row gets this
        finding, and the report says once which columns to add.
    Why the platform refuses it:
        ``package_weight`` is mandatory in Create Product (all but virtual products); the call is
        refused with "package_weight.value is missing".
    Bad:
        ``package_weight:`` (empty)
    Good:
        ``package_weight: 1.2 lb``
    """
    if "package_weight" in _package(c).missing:
        yield Hit("package_weight", {"value": "", "column": c.listing.has_column("package_weight")},
                  {"where": column_state(c, "package_weight")})


@rule("package_weight_invalid", family="package",
      reads=("package.kilogram.decimals", "package.pound.decimals", "package.kilogram.pairs_with",
             "package.pound.pairs_with"),
      platform=("12019011", "12052181", "12052006", "12052915", "12052916"))
def package_weight_invalid(c: ListingContext) -> Iterator[Hit]:
    """The package weight is not a weight the platform takes: unit, decimals, or unit pairing.

    What it checks:
        A number above 0 with a weight unit — in the cell (``1.2 lb``, ``500 g``) or in the
        header (``Package Weight(lb)``); in the platform's unit, KILOGRAM has at most
        {package.kilogram.decimals} decimals and POUND at most {package.pound.decimals}; and the
        weight's unit system matches the dimensions' (KILOGRAM with
        {package.kilogram.pairs_with}, POUND with {package.pound.pairs_with}).
    Why the platform refuses it:
        Create Product takes ``package_weight`` (value, unit) with unit KILOGRAM or POUND, a value
        above zero within those decimals, and refuses a weight unit that does not pair with the
        dimension unit.
    Bad:
        ``package_weight: 1.255 lb``; ``0``; ``2`` (no unit anywhere); ``0.5 kg`` with dimensions in inches
    Good:
        ``package_weight: 1.25 lb`` with ``10 x 8 x 4 in``; ``0.5 kg`` with ``25 x 20 x 10 cm``
    """
    pkg = _package(c)
    policy = c.policy.package
    dims = [pkg.dimensions[name] for name in DIMENSIONS if name in pkg.dimensions]
    units = {m.platform_unit for m in dims if m.platform_unit is not None}
    dimension_unit = next(iter(units)) if len(units) == 1 else None
    limits = {"dimension_unit": dimension_unit, **_weight_limits(policy)}
    for bad in pkg.problems:
        if bad.field == "package_weight":
            problem = "package_unit_unknown" if bad.reason == "unit" else "package_not_number"
            yield Hit("package_weight", {"value": bad.value, "unit": bad.unit or None, **limits},
                      {"problem": problem})
    weight = pkg.weight
    if weight is None:
        return
    text = c.get("package_weight")
    if weight.platform_unit is None:
        yield Hit("package_weight", {"value": text, "unit": None, **limits}, {"problem": "package_unit_missing"})
        return
    if weight.value <= 0:
        yield Hit("package_weight", {"value": text, "unit": weight.platform_unit, **limits},
                  {"problem": "package_not_positive"})
        return
    unit_policy = policy.weight_unit(weight.platform_unit)
    if unit_policy is not None and weight.decimals > unit_policy.decimals:
        yield Hit("package_weight", {"value": text, "unit": weight.platform_unit, "as_sent": _shown(weight),
                                     "decimals": weight.decimals, "max_decimals": unit_policy.decimals, **limits},
                  {"problem": "package_too_many_decimals"})
    if unit_policy is not None and dimension_unit is not None and dimension_unit != unit_policy.pairs_with:
        yield Hit("package_weight", {"value": text, "unit": weight.platform_unit,
                                     "pairs_with": unit_policy.pairs_with, **limits},
                  {"problem": "package_unit_pairing"})


@rule("package_dimensions_missing", family="package", platform=("12019012",))
def package_dimensions_missing(c: ListingContext) -> Iterator[Hit]:
    """The package length, width or height is missing.

    What it checks:
        ``package_length``, ``package_width`` and ``package_height`` are filled — or one
        ``package_dimensions`` cell gives all three (``10x8x4 in``). Without these columns every
        row gets this finding, and the report says once which columns to add.
    Why the platform refuses it:
        Package dimensions are required for US shops (they are optional only in Indonesia,
        Thailand and Vietnam); shipping fees are computed from them.
    Bad:
        ``package_length: 10``, ``package_width:`` (empty), ``package_height: 4``
    Good:
        ``package_length: 10``, ``package_width: 8``, ``package_height: 4`` (header ``(inch)``)
    """
    missing = [name for name in DIMENSIONS if name in _package(c).missing]
    if missing:
        yield Hit(missing[0], {"missing": missing, "column": any(c.listing.has_column(n) for n in missing)},
                  {"dimensions": [f"field_{n}" for n in missing], "where": column_state(c, missing[0])})


@rule("package_dimensions_invalid", family="package",
      reads=("package.dimension_units", "package.dimension_decimals"),
      platform=("12052116", "12052003", "12052004", "12052005", "12019060", "12019012", "12052915",
                "12052916"))
def package_dimensions_invalid(c: ListingContext) -> Iterator[Hit]:
    """A package dimension is not one the platform takes: unit, decimals, a value of 0, or mixed units.

    What it checks:
        Each of length, width and height is a number above 0 with a length unit (in the cell, in
        one ``10x8x4 in`` cell, or in the header); in the platform's unit ({package.dimension_units})
        it has at most {package.dimension_decimals} decimals; all three use one unit system.
    Why the platform refuses it:
        Create Product takes ``package_dimensions`` (length, width, height, unit): one unit for
        the three, positive numbers in that precision.
    Bad:
        ``package_length: 25.5 cm``; ``0``; ``10 in`` with ``20 cm``; ``10 ft``
    Good:
        ``package_length: 26``, ``package_width: 20``, ``package_height: 10`` (header ``(cm)``)
    """
    pkg = _package(c)
    policy = c.policy.package
    limits = {"units": list(policy.dimension_units), "max_decimals": policy.dimension_decimals}
    for bad in pkg.problems:
        if bad.field != "package_weight":
            problem = "package_unit_unknown" if bad.reason == "unit" else "package_not_number"
            yield Hit(bad.field, {"value": bad.value, "unit": bad.unit or None, **limits},
                      {"problem": problem, "dimension": f"field_{bad.field}"})
    for name in DIMENSIONS:
        measure = pkg.dimensions.get(name)
        if measure is None:
            continue
        text = c.get(name) or c.get("package_dimensions")
        evidence = {"value": text, "unit": measure.platform_unit, **limits}
        if measure.platform_unit is None:
            yield Hit(name, evidence, {"problem": "package_unit_missing", "dimension": f"field_{name}"})
        elif measure.value <= 0:
            yield Hit(name, evidence, {"problem": "package_not_positive", "dimension": f"field_{name}"})
        elif measure.platform_unit not in policy.dimension_units:
            yield Hit(name, evidence, {"problem": "package_unit_unknown", "dimension": f"field_{name}"})
        elif measure.decimals > policy.dimension_decimals:
            yield Hit(name, {**evidence, "as_sent": _shown(measure), "decimals": measure.decimals},
                      {"problem": "package_too_many_decimals", "dimension": f"field_{name}"})
    units = sorted({m.platform_unit for m in pkg.dimensions.values() if m.platform_unit is not None})
    if len(units) > 1:
        first = next(name for name in DIMENSIONS if name in pkg.dimensions)
        yield Hit(first, {"value": " / ".join(c.get(n) for n in DIMENSIONS if c.get(n)) or c.get("package_dimensions"),
                          "unit": units, **limits},
                  {"problem": "package_units_mixed", "dimension": "field_package_dimensions"})
