"""A SKU's sales attributes and SKU images, as Create Product takes them (one row at a time).

The attributes are read as the product model reads them (:func:`shelfcheck.products.attributes.
attributes_of`: ``sales_attributes``, the ``Variation`` columns, ``color``/``size``). What the
SKUs of one product say together (duplicates, missing values, images on one variation only) is
judged once per product in :mod:`shelfcheck.rules.variants`. Rows without any attribute or SKU
image skip the family; it is memoised by those cells.
"""

from __future__ import annotations

from collections.abc import Iterator

from shelfcheck.analysis import scripts
from shelfcheck.findings import Hit
from shelfcheck.model import split_list
from shelfcheck.products.attributes import ATTRIBUTE_FIELDS, attributes_of
from shelfcheck.rules.context import ListingContext, Slot
from shelfcheck.rules.description import image_format_of
from shelfcheck.rules.registry import family, rule

__all__ = ["sku_attributes"]

_FIELDS = (*ATTRIBUTE_FIELDS, "sku_image")
_ATTRS: Slot[dict[str, str]] = Slot("sku_sales_attributes")


def _may_fail(c: ListingContext) -> bool:
    return any(c.get(name) for name in _FIELDS)


family("sales_attributes", gate=_may_fail, memo=_FIELDS)


def sku_attributes(c: ListingContext) -> dict[str, str]:
    """The row's sales attributes, name → value, as the product model reads them."""
    def read() -> dict[str, str]:
        present = [f for f in ATTRIBUTE_FIELDS if c.listing.has_column(f)]
        return attributes_of(c.get, c.listing.columns, present) if present else {}
    return c.once(_ATTRS, read)


def _format_problems(text: str, limit: int) -> list[str]:
    problems = []
    if scripts.html_entities(text):
        problems.append("html_entities")
    if scripts.emoji_characters(text):
        problems.append("emoji")
    if scripts.control_characters(text):
        problems.append("control")
    if scripts.symbols_only(text):
        problems.append("symbols_only")
    if scripts.has_run_longer_than(text, limit):
        problems.append("repeat")
    return problems


@rule("sales_attribute_invalid", family="sales_attributes",
      reads=("sales_attributes.max_names", "sales_attributes.name_max_length",
             "sales_attributes.value_max_length", "sales_attributes.max_repeat"),
      platform=("12052525", "12052242", "12052249", "12052554", "12052933", "12052934"))
def sales_attribute_invalid(c: ListingContext) -> Iterator[Hit]:
    """A sales attribute (variation) of the SKU is one the platform refuses.

    What it checks:
        The SKU has at most {sales_attributes.max_names} sales attributes; each name has at most
        {sales_attributes.name_max_length} characters and each value at most
        {sales_attributes.value_max_length}; names and values have no Chinese, Japanese or Korean
        characters and follow the platform's format rules: no HTML entities, emoji or control
        characters, not only symbols, no run of more than {sales_attributes.max_repeat} of one
        character. One finding per attribute, naming each of its problems.
    Why the platform refuses it:
        Create Product takes at most {sales_attributes.max_names} sales attributes (12052525),
        custom names of at most {sales_attributes.name_max_length} characters (12052242) and values
        of at most {sales_attributes.value_max_length} (12052249), refuses SKU names with Chinese
        characters (12052554) and names or values that break the format rules (12052933,
        12052934). ERP exports keep the Chinese variation (``颜色: 红色``).
    Bad:
        ``sales_attributes: 颜色: 红色``; ``Color: Red; Size: M; Style: A; Pack: 2``; ``Color: Red🔥``
    Good:
        ``sales_attributes: Color: Red; Size: M``
    """
    attrs = sku_attributes(c)
    if not attrs:
        return
    policy = c.policy.sales_attributes
    shown = "; ".join(f"{n}: {v}" for n, v in attrs.items())
    limits = {"max_names": policy.max_names, "name_max_length": policy.name_max_length,
              "value_max_length": policy.value_max_length}
    if len(attrs) > policy.max_names:
        yield Hit("sales_attributes", {"problem": "sales_attributes_too_many", "attributes": dict(attrs),
                                       "count": len(attrs), "max": policy.max_names},
                  {"problems": ["sales_attributes_too_many"], "attribute": shown, **limits})
    for name, value in attrs.items():
        checks = (("name", name, policy.name_max_length), ("value", value, policy.value_max_length))
        problems: list[tuple[str, dict[str, object]]] = []
        for part, text, max_length in checks:
            if len(text) > max_length:
                problems.append((f"sales_attribute_{part}_too_long", {"length": len(text), "max": max_length}))
            if cjk := scripts.cjk_characters(text) + scripts.fullwidth_characters(text):
                problems.append((f"sales_attribute_{part}_chinese", {"characters": cjk}))
            if formats := _format_problems(text, policy.max_repeat):
                problems.append((f"sales_attribute_{part}_format", {"formats": formats}))
        if problems:  # one finding per attribute, naming each of its problems
            evidence = {k: v for _problem, e in reversed(problems) for k, v in e.items()}
            kinds = [problem for problem, _e in problems]
            yield Hit(f"sales_attributes.{name}", {**evidence, "problem": kinds[0], "problems": kinds,
                                                   "attribute": name, "value": value},
                      {"problems": kinds, "attribute": f"{name}: {value}", **limits})


@rule("sku_image_invalid", family="sales_attributes",
      reads=("sales_attributes.image_formats", "sales_attributes.max_supplementary_images"),
      platform=("12052523", "12052356"))
def sku_image_invalid(c: ListingContext) -> Iterator[Hit]:
    """The SKU image is in a format the platform does not take, or has too many supplementary images.

    What it checks:
        The ``sku_image`` cell (or its columns, joined like ``main_images``) holds the SKU's image
        first and its supplementary images after it: at most
        {sales_attributes.max_supplementary_images} of those; every image whose name ends in a
        known image ending is one of {sales_attributes.image_formats}.
    Why the platform refuses it:
        Create Product refuses a SKU (sales-attribute) image in another format (12052523) and more
        ``supplementary_sku_images`` than the US limit (12052356).
    Bad:
        ``sku_image: images/red.gif``; ten images in ``sku_image``
    Good:
        ``sku_image: images/red.jpg | images/red-back.jpg``
    """
    refs = split_list(c.get("sku_image"))
    if not refs:
        return
    policy = c.policy.sales_attributes
    extra = len(refs) - 1
    if extra > policy.max_supplementary_images:
        yield Hit("sku_image", {"problem": "sku_images_too_many", "supplementary": extra,
                                "max": policy.max_supplementary_images, "formats": list(policy.image_formats)},
                  {"problem": "sku_images_too_many", "value": extra})
    for index, ref in enumerate(refs):
        found = image_format_of(ref)
        if found is not None and found[1] not in policy.image_formats:
            yield Hit(f"sku_image[{index}]", {"problem": "sku_image_format", "value": ref, "format": found[1],
                                                  "max": policy.max_supplementary_images,
                                                  "formats": list(policy.image_formats)},
                      {"problem": "sku_image_format", "value": ref})
