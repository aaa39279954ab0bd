"""Category requirement rules: what the leaf's rules and attributes on the platform require.

These rules need the shop's category data (``shelfcheck data pull``, or ``data import
tiktok-categories``) with the rules (Get Category Rules) and attributes (Get Attributes) of the
listing's leaf. Without that data they report nothing, and the run note says so.

Where attribute values come from (contract §2.1):

* the ``attributes`` column: ``Material: Cotton; Pattern: Solid`` — pairs separated by ``;`` (or
  a line break), name and value by ``:``; several values of one attribute by ``|``
  (``Occasion: Birthday | Wedding``); full-width ``：`` and ``；`` are accepted. Names are the
  platform's attribute names (or ids), values its value names (or ids), case-insensitive;
* the catalogue fields the platform takes as attributes (``brand``, ``country_of_origin``,
  ``fcc_id`` … — :data:`shelfcheck.tiktok.payload.ATTRIBUTE_NAMES`).

A certification counts as provided when a document of ``documents.csv`` that applies to the
listing has the type of that certification (:data:`~shelfcheck.tiktok.payload.CERTIFICATION_NAMES`),
or when the ``certifications`` column names it (``SNI Certificate: docs/sni.pdf; …``, by name or
id). A size chart is provided by the ``size_chart`` column.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from shelfcheck.analysis import scripts
from shelfcheck.findings import Hit
from shelfcheck.rules.context import ListingContext, Slot
from shelfcheck.rules.registry import family, rule
from shelfcheck.tiktok.payload import ATTRIBUTE_NAMES, CERTIFICATION_NAMES

__all__ = ["attribute_key", "listed_value_id", "parse_attributes", "parse_named_list"]

_PAIRS = re.compile(r"[;；\n]+")
_VALUES = re.compile(r"\s*\|\s*")
_NUMBER = re.compile(r"^\d+(\.\d+)?$")
# Shown at most in a finding's list of allowed values.
_ALLOWED_SHOWN = 12


def _key(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def attribute_key(text: str) -> str:
    """How attribute names and values are compared (NFKC, case and spacing folded) — by the
    rules here and by ``publish`` resolving them to the platform's ids."""
    return _key(text)


def listed_value_id(attribute: Mapping[str, Any], value: str) -> str | None:
    """The id of ``value`` among the attribute's listed values (given as an id or a name), or
    ``None`` when it is not listed (a custom value)."""
    found = _value_ids(attribute, [value])
    return next(iter(found)) if found else None


def parse_named_list(text: str) -> list[tuple[str, str]]:
    """``A: x; B: y`` → ``[("A", "x"), ("B", "y")]`` (a part without ``:`` has an empty value)."""
    out = []
    for part in _PAIRS.split(text or ""):
        part = part.strip()
        if not part:
            continue
        name, sep, value = part.replace("：", ":").partition(":")
        out.append((name.strip(), value.strip() if sep else ""))
    return out


def parse_attributes(text: str) -> dict[str, tuple[str, list[str]]]:
    """The ``attributes`` cell as attribute key → (name as written, values)."""
    out: dict[str, tuple[str, list[str]]] = {}
    for name, value in parse_named_list(text):
        if not name:
            continue
        values = [v for v in _VALUES.split(value) if v]
        known = out.setdefault(_key(name), (name, []))
        known[1].extend(values)
    return out


@dataclass(frozen=True, slots=True)
class _Leaf:
    node_id: str
    path: str
    rules: Mapping[str, Any] | None
    attributes: list[Mapping[str, Any]] | None


_LEAF: Slot[_Leaf | None] = Slot("platform_leaf")
_GIVEN: Slot[dict[str, tuple[str, list[str]]]] = Slot("attributes_given")


def _leaf(c: ListingContext) -> _Leaf | None:
    """The listing's leaf of the shop's pulled tree, with its rules and attributes (once per listing)."""
    return c.once(_LEAF, lambda: _find_leaf(c))


def _find_leaf(c: ListingContext) -> _Leaf | None:
    platform = c.run.platform
    match = c.category
    if platform is None or match is None:
        return None
    node, _ = platform.find(match.segments)
    if node is None or not node.is_leaf:
        return None
    return _Leaf(node.id, platform.path_text(node.id), platform.category_rules(node.id),
                 platform.category_attributes(node.id))


def _rules_may_fail(c: ListingContext) -> bool:
    """False when the listing's leaf has no pulled rules or attributes."""
    leaf = _leaf(c)
    return leaf is not None and (leaf.rules is not None or leaf.attributes is not None)


def _rules_in_run(run: Any) -> bool:
    """False when the run has no category data from the platform."""
    return getattr(run, "platform", None) is not None


family("category_rules", gate=_rules_may_fail, run_gate=_rules_in_run)


def _given(c: ListingContext) -> dict[str, tuple[str, list[str]]]:
    """Every attribute value the listing gives: the ``attributes`` column and the mapped fields."""
    return c.once(_GIVEN, lambda: _collect_given(c))


def _collect_given(c: ListingContext) -> dict[str, tuple[str, list[str]]]:
    given = parse_attributes(c.get("attributes"))
    for field_name, attribute in ATTRIBUTE_NAMES.items():
        value = c.get(field_name)
        if value:
            given.setdefault(_key(attribute), (attribute, [value]))
    return given


def _lookup(given: Mapping[str, tuple[str, list[str]]], attribute: Mapping[str, Any]) -> list[str] | None:
    for name in (str(attribute.get("name", "")), str(attribute.get("id", ""))):
        found = given.get(_key(name)) if name else None
        if found is not None:
            return found[1]
    return None


def _value_ids(attribute: Mapping[str, Any], values: list[str]) -> set[str]:
    by_name = {_key(str(v.get("name", ""))): str(v.get("id", "")) for v in attribute.get("values") or []}
    ids = {str(v.get("id", "")) for v in attribute.get("values") or []}
    out = set()
    for value in values:
        if value in ids:
            out.add(value)
        elif _key(value) in by_name:
            out.add(by_name[_key(value)])
    return out


def _condition(conditions: list[Mapping[str, Any]] | None, attributes: list[Mapping[str, Any]] | None,
               given: Mapping[str, tuple[str, list[str]]]) -> tuple[bool, dict[str, str] | None]:
    """``(required, condition)``: whether any requirement condition matches what the listing gives,
    and the first that does (``{"attribute", "value"}`` by name)."""
    if not conditions or not attributes:
        return False, None
    by_id = {str(a.get("id", "")): a for a in attributes}
    for cond in conditions:
        if str(cond.get("condition_type", "VALUE_ID_MATCH")) != "VALUE_ID_MATCH":
            continue
        parent = by_id.get(str(cond.get("attribute_id", "")))
        if parent is None:
            continue
        values = _lookup(given, parent)
        wanted = str(cond.get("attribute_value_id", ""))
        if values and wanted in _value_ids(parent, values):
            value_name = next((str(v.get("name", "")) for v in parent.get("values") or []
                               if str(v.get("id", "")) == wanted), wanted)
            return True, {"attribute": str(parent.get("name", "")), "value": value_name}
    return False, None


def _required(item: Mapping[str, Any]) -> bool:
    return item.get("is_required") is True or item.get("is_requried") is True


@rule("attribute_missing", family="category_rules", reads=("categories",), platform=("12052104", "12052182"))
def attribute_missing(c: ListingContext) -> Iterator[Hit]:
    """A product attribute the category requires (always, or because of another value) is not given.

    What it checks:
        With the leaf's attributes pulled (Get Attributes), every product attribute that is
        required — ``is_required``, or one of its ``requirement_conditions`` matches a value the
        listing gives — has a value in the ``attributes`` column (or in the catalogue field the
        platform takes as that attribute).
    Why the platform refuses it:
        Create Product refuses a product without a required attribute ("property is required"),
        and a conditional one once its condition holds (e.g. batteries → hazmat attributes).
    Bad:
        ``attributes: Contains Batteries or Cells?: Yes`` without ``Battery Type``
    Good:
        ``attributes: Contains Batteries or Cells?: Yes; Battery Type: Lithium-ion``
    """
    leaf = _leaf(c)
    if leaf is None or not leaf.attributes:
        return
    given = _given(c)
    for attribute in leaf.attributes:
        if str(attribute.get("type", "PRODUCT_PROPERTY")) != "PRODUCT_PROPERTY":
            continue  # sales attributes are the variants' (checked with the SKUs)
        if _lookup(given, attribute):
            continue
        condition = None
        if not _required(attribute):
            required, condition = _condition(attribute.get("requirement_conditions"), leaf.attributes, given)
            if not required:
                continue
        name = str(attribute.get("name", ""))
        when = f"{condition['attribute']} = {condition['value']}" if condition else "attribute_always_required"
        yield Hit("attributes", {"attribute": name, "attribute_id": str(attribute.get("id", "")),
                                 "category": leaf.path, "condition": condition},
                  {"required_when": when})


def _invalid(attribute: Mapping[str, Any], values: list[str]) -> tuple[str, str] | None:
    """``(value, reason)`` for the first value the platform would refuse."""
    if len(values) > 1 and attribute.get("is_multiple_selection") is not True:
        return " | ".join(values), "attribute_single_selection"
    listed = attribute.get("values") or []
    customizable = attribute.get("is_customizable") is True
    for value in values:
        if str(attribute.get("value_data_format", "")) == "POSITIVE_INT_OR_DECIMAL" and not _NUMBER.match(value) \
                and not _value_ids(attribute, [value]):
            return value, "attribute_not_number"
        if listed and not customizable and not _value_ids(attribute, [value]):
            return value, "attribute_value_not_listed"
    return None


def _text_problem(text: str) -> str | None:
    """The reason the platform refuses an attribute name or value as text, if any."""
    if scripts.cjk_characters(text):
        return "attribute_text_chinese"
    if scripts.emoji_characters(text) or scripts.control_characters(text) or scripts.html_entities(text):
        return "attribute_text_format"
    return None


def _text_hits(given: Mapping[str, tuple[str, list[str]]], known: set[str], path: str) -> Iterator[Hit]:
    for key, (name, values) in given.items():
        problem = _text_problem(name)
        if problem is None and key not in known:
            problem = "attribute_not_in_category"
        if problem is not None:
            yield Hit("attributes", {"attribute": name, "attribute_id": None, "value": " | ".join(values),
                                     "allowed": [], "category": path}, {"reason": problem, "allowed": "-"})
            continue
        for value in values:
            problem = _text_problem(value)
            if problem is not None:
                yield Hit("attributes", {"attribute": name, "attribute_id": None, "value": value, "allowed": [],
                                         "category": path}, {"reason": problem, "allowed": "-"})
                break
        else:
            folded = [_key(v) for v in values]
            duplicate = next((v for i, v in enumerate(values) if folded[i] in folded[:i]), None)
            if duplicate is not None:
                yield Hit("attributes", {"attribute": name, "attribute_id": None, "value": duplicate,
                                         "allowed": [], "category": path},
                          {"reason": "attribute_value_duplicate", "allowed": "-"})


@rule("attribute_value_invalid", family="category_rules", reads=("categories",),
      platform=("12052529", "12052246", "12052256", "12052247", "12052240", "12052243", "12052245", "12052250",
                "12052251", "12052935"))
def attribute_value_invalid(c: ListingContext) -> Iterator[Hit]:
    """An attribute value is not one the category's attribute accepts.

    What it checks:
        With the leaf's attributes pulled, each value given in the ``attributes`` column is one of
        the attribute's listed values when the attribute takes no custom value (and so is each
        of the SKU's sales attributes that is a ``SALES_PROPERTY`` of the category), is a positive
        number when its format is ``POSITIVE_INT_OR_DECIMAL``, and is a single value unless the
        attribute allows several; every name given is an attribute of the category; names and
        values have no Chinese characters, emoji, control characters or HTML entities, and no
        value is given twice.
    Why the platform refuses it:
        Create Product refuses value ids that do not exist, custom values where none are allowed,
        several values for a single-choice attribute, non-numbers for numeric attributes, custom
        attributes, Chinese or badly formatted names and values, and duplicated values.
    Bad:
        ``attributes: Battery Type: Plutonium`` (not a listed value); ``sales_attributes: Size: Huge``
        where the category lists its sizes only
    Good:
        ``attributes: Battery Type: Lithium-ion``; ``sales_attributes: Size: M``
    """
    leaf = _leaf(c)
    if leaf is None or not leaf.attributes:
        return
    yield from _sales_attribute_hits(c, leaf)
    given = parse_attributes(c.get("attributes"))
    if not given:
        return
    known = {_key(str(a.get(k, ""))) for a in leaf.attributes for k in ("name", "id")}
    yield from _text_hits(given, known, leaf.path)
    for attribute in leaf.attributes:
        values = _lookup(given, attribute)
        if not values:
            continue
        if any(_text_problem(v) for v in values) or len({_key(v) for v in values}) < len(values):
            continue  # reported above
        bad = _invalid(attribute, values)
        if bad is None:
            continue
        allowed = [str(v.get("name", "")) for v in (attribute.get("values") or [])][:_ALLOWED_SHOWN]
        yield Hit("attributes", {"attribute": str(attribute.get("name", "")),
                                 "attribute_id": str(attribute.get("id", "")), "value": bad[0],
                                 "allowed": allowed, "category": leaf.path},
                  {"reason": bad[1], "allowed": allowed or "-"})


def _sales_attribute_hits(c: ListingContext, leaf: _Leaf) -> Iterator[Hit]:
    """The SKU's sales attributes (its variation) against the category's ``SALES_PROPERTY``
    attributes: a value the attribute does not list where it takes no custom value."""
    from shelfcheck.rules.sales_attributes import sku_attributes

    attrs = sku_attributes(c)
    if not attrs:
        return
    specs: dict[str, Mapping[str, Any]] = {}
    for attribute in leaf.attributes or []:
        if str(attribute.get("type", "")) == "SALES_PROPERTY":
            for key in (str(attribute.get("name", "")), str(attribute.get("id", ""))):
                if key:
                    specs.setdefault(_key(key), attribute)
    for name, value in attrs.items():
        spec = specs.get(_key(name))
        if spec is None or not value or _text_problem(value):
            continue  # a custom attribute, or text sales_attribute_invalid reports
        listed = spec.get("values") or []
        if not listed or spec.get("is_customizable") is True or _value_ids(spec, [value]):
            continue
        allowed = [str(v.get("name", "")) for v in listed][:_ALLOWED_SHOWN]
        yield Hit(f"sales_attributes.{name}", {"attribute": str(spec.get("name", "")),
                                                "attribute_id": str(spec.get("id", "")), "value": value,
                                                "allowed": allowed, "category": leaf.path},
                  {"reason": "sales_attribute_value_not_listed", "allowed": allowed or "-"})


def _certifications_given(c: ListingContext) -> set[str]:
    given = {_key(name) for name, _file in parse_named_list(c.get("certifications")) if name}
    for doc_type, name in CERTIFICATION_NAMES.items():
        if c.documents_of(doc_type):
            given.add(_key(name))
    return given


@rule("certification_missing", family="category_rules", reads=("categories",), platform=("12052105",))
def certification_missing(c: ListingContext) -> Iterator[Hit]:
    """A certification the category requires (always, or because of an attribute value) is not given.

    What it checks:
        With the leaf's rules pulled (Get Category Rules), every product certification that is
        required — ``is_required``, or a ``requirement_conditions`` entry matches an attribute
        value the listing gives — is provided: by a document of its type that applies to the
        listing, or named in the ``certifications`` column.
    Why the platform refuses it:
        Create Product refuses a product without a required qualification ("required
        qualification miss"); since 2024-12 e-bikes, hair-removal devices and more need theirs.
    Bad:
        a leaf whose rules require "Children's Product Certificate" and no CPC document
    Good:
        ``certifications: Children's Product Certificate: docs/cpc.pdf`` (or a CPC document row)
    """
    leaf = _leaf(c)
    if leaf is None or not leaf.rules:
        return
    certs = leaf.rules.get("product_certifications") or []
    if not certs:
        return
    given = _certifications_given(c)
    attrs_given = _given(c)
    for cert in certs:
        name = str(cert.get("name", ""))
        if _key(name) in given or _key(str(cert.get("id", ""))) in given:
            continue
        condition = None
        if not _required(cert):
            required, condition = _condition(cert.get("requirement_conditions"), leaf.attributes, attrs_given)
            if not required:
                continue
        when = f"{condition['attribute']} = {condition['value']}" if condition else "attribute_always_required"
        yield Hit("certifications", {"certification": name, "certification_id": str(cert.get("id", "")),
                                     "category": leaf.path, "condition": condition},
                  {"required_when": when})


@rule("size_chart_missing", family="category_rules", reads=("categories", "images.official.size_chart_min_side"),
      platform=("12052128", "12052673"))
def size_chart_missing(c: ListingContext) -> Iterator[Hit]:
    """The category requires a size chart and none is given.

    What it checks:
        With the leaf's rules pulled, when ``size_chart.is_required`` is true the ``size_chart``
        column has an image (at least {images.official.size_chart_min_side} px on its short side)
        or a size-chart template id.
    Why the platform refuses it:
        Create Product refuses products of clothing and shoe leaves without a size chart ("Product
        sizechart image is required"), and a size-chart template id the shop does not have ("Size
        chart not found").
    Bad:
        a T-shirt leaf, ``size_chart:`` empty
    Good:
        ``size_chart: images/tshirt-sizes.jpg``
    """
    leaf = _leaf(c)
    if leaf is None or not leaf.rules:
        return
    chart = leaf.rules.get("size_chart") or {}
    if isinstance(chart, Mapping) and chart.get("is_required") is True and not c.get("size_chart"):
        yield Hit("size_chart", {"value": "", "category": leaf.path, "required": True},
                  {"size_chart_min_side": c.policy.images.official.size_chart_min_side})
