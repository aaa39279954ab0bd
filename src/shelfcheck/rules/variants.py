"""Product rules: what the rows of one product say together (its SKUs and their variants).

These rules run once per product, after every row has been read (``scope="product"``): rows of
one product may lie anywhere in the file. Each finding names the rows it covers in
``evidence.rows`` and is reported once, at the product (contract §4, ``products``).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from shelfcheck.findings import Finding, Hit, Severity
from shelfcheck.products.model import Product, Sku
from shelfcheck.rules.context import RunContext
from shelfcheck.rules.registry import RULES, effective_severity, rule

__all__ = ["ProductContext", "ProductResult", "check_products"]


@dataclass
class ProductContext:
    """What a product rule sees: the run and one product."""

    run: RunContext
    product: Product


@dataclass(slots=True)
class ProductResult:
    """One product with its product-level findings and its status.

    ``failed_rows`` are the rows of its SKUs that have an error-level finding of their own.
    """

    product: Product
    findings: list[Finding]
    failed_rows: frozenset[int] = frozenset()

    @property
    def status(self) -> str:
        """``fail`` when a product-level finding is an error or a SKU's row fails."""
        if self.failed_rows or self.product_fails:
            return "fail"
        return "pass"

    @property
    def product_fails(self) -> bool:
        """An error-level product-level finding: every row of the product fails (contract §4)."""
        return any(f.severity is Severity.ERROR for f in self.findings)

    def sku_status(self, sku: Sku) -> str:
        """A SKU's row status: ``fail`` when its own findings or its product's fail it."""
        return "fail" if self.product_fails or sku.row in self.failed_rows else "pass"

    def rows_failed_by_product(self) -> list[Sku]:
        """The SKUs whose rows pass on their own findings but fail by the product's."""
        if not self.product_fails:
            return []
        return [s for s in self.product.skus if s.row not in self.failed_rows]


@functools.lru_cache(maxsize=1 << 16)  # attribute names and values repeat across a catalogue's SKUs
def _fold(name: str) -> str:
    return " ".join(name.split()).casefold()


@rule("product_field_conflict", family="variants", scope="product")
def product_field_conflict(c: ProductContext) -> Iterator[Hit]:
    """Rows of one product give a product-level field different values.

    What it checks:
        Rows with the same ``product_key`` are one product; its title, description, category,
        brand, main images, package weight and dimensions, size chart, video, origin and
        manufacturer are the product's, one value for all its SKUs. A blank cell on a later row
        takes the product's value; a different value is reported, with the rows of each value.
    Why the platform refuses it:
        A product is created once with one title, description, category and package: the
        platform takes one of the values (or refuses the batch), so what a buyer sees is not what
        the other rows say.
    Bad:
        rows 5 and 6 of ``P-100``: ``category: Home Supplies > Storage`` and ``Kitchenware``
    Good:
        the same category on every row of ``P-100`` (or only on its first row)
    """
    for name, groups in c.product.conflicts.items():
        yield Hit(name, {"product_key": c.product.key, "values": [{"value": g.value, "rows": g.rows} for g in groups],
                         "rows": sorted(r for g in groups for r in g.rows)},
                  {"name": name, "value": groups[0].value, "first_rows": groups[0].rows,
                   "other": groups[1].value, "other_rows": groups[1].rows, "count": len(groups)})


@rule("variant_duplicate", family="variants", scope="product", platform=("12052560",))
def variant_duplicate(c: ProductContext) -> Iterator[Hit]:
    """Two SKUs of one product have the same sales-attribute values.

    What it checks:
        In a product of two or more SKUs, each SKU's sales attributes (``sales_attributes``,
        the ``Variation`` columns, ``color``/``size``) must differ from every sibling's in at
        least one value (names and values compare ignoring case and extra spaces). SKUs without
        any attribute are the same variant too.
    Why the platform refuses it:
        The buyer picks a SKU by its attribute values; two SKUs with the same values cannot be
        told apart, and Create Product refuses duplicate sales attributes (12052560).
    Bad:
        ``P-100`` rows 5 and 7 both ``Color: Red; Size: M``
    Good:
        row 7 ``Color: Red; Size: L``
    """
    skus = c.product.skus
    if len(skus) < 2:
        return
    names = {_fold(n) for s in skus for n in s.sales_attributes}
    seen: dict[tuple[tuple[str, str], ...], list[int]] = {}
    for index, sku in enumerate(skus):
        folded = {_fold(n): _fold(v) for n, v in sku.sales_attributes.items()}
        key = tuple(sorted((n, folded.get(n, "")) for n in names))
        seen.setdefault(key, []).append(index)
    for indexes in seen.values():
        if len(indexes) < 2:
            continue
        group = [skus[i] for i in indexes]
        shown = "; ".join(f"{n}: {v}" for n, v in group[0].sales_attributes.items()) or "attributes_none"
        yield Hit("sales_attributes", {"product_key": c.product.key, "attributes": dict(group[0].sales_attributes),
                                       "rows": [s.row for s in group], "skus": [s.seller_sku for s in group]},
                  {"attributes": shown})


@rule("variant_value_missing", family="variants", scope="product", platform=("12052550",))
def variant_value_missing(c: ProductContext) -> Iterator[Hit]:
    """A SKU of a multi-SKU product has no value for an attribute its siblings have.

    What it checks:
        In a product of two or more SKUs, every sales attribute one SKU names (``Color``,
        ``Size`` …) must have a value on every SKU of the product. One finding per attribute,
        naming the rows without it.
    Why the platform refuses it:
        Every SKU of a product must carry all of its sales attributes; Create Product refuses a
        SKU that lacks one (12052550 "SKU property must contain all properties").
    Bad:
        ``P-100`` row 5 ``Color: Red; Size: M``, row 6 ``Color: Blue``
    Good:
        row 6 ``Color: Blue; Size: M``
    """
    skus = c.product.skus
    if len(skus) < 2:
        return
    spelled: dict[str, str] = {}
    for sku in skus:
        for name in sku.sales_attributes:
            spelled.setdefault(_fold(name), name)
    valued = [{_fold(n) for n, v in s.sales_attributes.items() if v.strip()} for s in skus]  # names with a value
    for folded, name in spelled.items():
        lacking = [s for s, names in zip(skus, valued) if folded not in names]
        if lacking:
            having = [s.row for s in skus if s not in lacking]
            yield Hit(f"sales_attributes.{name}", {"product_key": c.product.key, "attribute": name,
                                                   "rows": [s.row for s in lacking],
                                                   "skus": [s.seller_sku for s in lacking], "sibling_rows": having})


@rule("sku_count_exceeded", family="variants", scope="product", reads=("variants.sku_limit",),
      platform=("12052050", "12052558"))
def sku_count_exceeded(c: ProductContext) -> Iterator[Hit]:
    """A product has more SKUs than the platform allows.

    What it checks:
        The number of SKUs (rows) of one product is at most {variants.sku_limit}
        (the pack's ``variants`` limit: {variants.sku_limit_source}).
    Why the platform refuses it:
        Create Product refuses a product with more SKUs than its limit (12052050 "A single
        product cannot have more than 100 different SKUs").
    Bad:
        ``P-100`` with {variants.sku_limit} + 1 rows
    Good:
        split the variants into two products, each within the limit
    """
    variants = c.run.policy.variants
    limit = variants.sku_limit
    count = len(c.product.skus)
    if count > limit:
        yield Hit("product_key", {"product_key": c.product.key, "skus": count, "max": limit,
                                  "limit": variants.use, "rows": c.product.rows})


def _first_image(sku: object) -> str:
    image = getattr(sku, "sku_image", "")
    if not image:
        return ""
    refs = [r.strip() for r in image.split("|") if r.strip()]
    return refs[0] if refs else ""


def _primary_value(sku: object, primary: str | None) -> str:
    if primary is None:
        return ""
    attrs = getattr(sku, "sales_attributes", {})
    return _fold(next((v for n, v in attrs.items() if _fold(n) == _fold(primary)), ""))


@rule("sku_image_missing", family="variants", scope="product", platform=("12052522",))
def sku_image_missing(c: ProductContext) -> Iterator[Hit]:
    """Some values of a product's first variation have a SKU image and others have none.

    What it checks:
        In a product of two or more SKUs where at least one SKU has a ``sku_image``, every value
        of the first sales attribute (the primary variation, e.g. each ``Color``) has an image on
        at least one of its SKUs (without sales attributes: every SKU has one). One finding
        naming the rows of the values without an image.
    Why the platform refuses it:
        SKU images belong to the product's first variation: once one value of it has an image,
        Create Product requires an image for every value ("Product sale property image is
        required", 12052522).
    Bad:
        ``P-100`` row 5 ``Color: Red``, ``sku_image: red.jpg``; row 6 ``Color: Blue``, no image
    Good:
        row 6 ``sku_image: blue.jpg`` (or no SKU image on any row)
    """
    skus = c.product.skus
    if len(skus) < 2 or not any(_first_image(s) for s in skus):
        return
    primary = next((n for s in skus for n in s.sales_attributes), None)
    pictured = {_primary_value(s, primary) if primary else s.row for s in skus if _first_image(s)}
    lacking = [s for s in skus if (_primary_value(s, primary) if primary else s.row) not in pictured]
    if lacking:
        yield Hit("sku_image", {"product_key": c.product.key, "attribute": primary,
                                "rows": [s.row for s in lacking], "skus": [s.seller_sku for s in lacking],
                                "sibling_rows": [s.row for s in skus if _first_image(s)]})


@rule("sku_image_not_on_primary", family="variants", scope="product", platform=("12052528",))
def sku_image_not_on_primary(c: ProductContext) -> Iterator[Hit]:
    """The SKU images of a product change with a variation other than its first one.

    What it checks:
        In a product of two or more SKUs with SKU images and two or more sales attributes, SKUs
        with the same value of the first attribute (the primary variation, e.g. ``Color``) have
        the same SKU image. Different images for ``Red / S`` and ``Red / M`` tie the images to
        the second attribute as well.
    Why the platform refuses it:
        Images can be added to one variation only, the primary one shown in the options gallery
        (12052528); the image of ``Red`` is one image for every size.
    Bad:
        ``Color: Red; Size: S`` with ``red-s.jpg`` and ``Color: Red; Size: M`` with ``red-m.jpg``
    Good:
        both ``Red`` SKUs with ``red.jpg``
    """
    skus = c.product.skus
    if len(skus) < 2:
        return
    names = [n for s in skus for n in s.sales_attributes]
    if len({_fold(n) for n in names}) < 2:
        return
    primary = names[0]
    by_value: dict[str, dict[str, list[int]]] = {}
    for sku in skus:
        image = _first_image(sku)
        if not image:
            continue
        value = next((v for n, v in sku.sales_attributes.items() if _fold(n) == _fold(primary)), "")
        if not value.strip():
            continue  # variant_value_missing
        by_value.setdefault(_fold(value), {}).setdefault(image, []).append(sku.row)
    for value, images in by_value.items():
        if len(images) > 1:
            rows = sorted(r for rs in images.values() for r in rs)
            shown = next(v for s in skus for n, v in s.sales_attributes.items()
                         if _fold(n) == _fold(primary) and _fold(v) == value)
            yield Hit("sku_image", {"product_key": c.product.key, "attribute": primary, "value": shown,
                                    "images": [{"image": i, "rows": r} for i, r in images.items()], "rows": rows},
                      {"attribute": f"{primary}: {shown}", "count": len(images)})


def _actives(run: RunContext) -> list[tuple[object, Severity]]:
    """The product rules that run, with their severity (the one definition: the registry's)."""
    out = []
    for r in RULES.values():
        if r.scope == "product" and (severity := effective_severity(r, run.policy)) is not None:
            out.append((r, severity))
    return out


def check_products(products: Iterable[Product], run: RunContext, failed_rows: object = None) -> Iterator[ProductResult]:
    """Run every enabled product rule over each product; yield the results in product order.

    ``failed_rows(product)`` (optional) gives the rows of the product whose own checks failed.
    """
    actives = _actives(run)
    for product in products:
        findings: list[Finding] = []
        if len(product.skus) > 1 or product.conflicts:
            ctx = ProductContext(run, product)
            for r, severity in actives:
                findings.extend(Finding(r.code, severity, hit.field, dict(hit.evidence), dict(hit.ctx))  # type: ignore[attr-defined]
                                for hit in r.check(ctx))  # type: ignore[attr-defined]
        failed = failed_rows(product) if callable(failed_rows) else frozenset()
        yield ProductResult(product, findings, frozenset(failed))
