"""The sandbox's field-by-field validation of Create Product and Check Product Listing.

The checks themselves are the documented platform rules of :mod:`shelfcheck.tiktok.listing_rules`
(numbers from the pack's ``package``, ``price``, ``quantity``, ``variants`` and ``create_product``
blocks; the category's rules and attributes as the sandbox serves them). This module turns the
violations into the platform's answers: the official error code and the **official message** of
that code — read at run time from the imported
``tiktok-errors`` dataset (``shelfcheck data import tiktok-errors error_codes.csv``) when it is
installed, else a short message in our own words (:data:`FALLBACK`). It also counts the shop's
creates against a configured daily upload quota (``12052093``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from shelfcheck.tiktok.listing_rules import Violation, check_body

__all__ = ["CREATE_ENDPOINT", "FALLBACK", "QUOTA_CODE", "dimensions_message", "official_message", "validate_body"]

CREATE_ENDPOINT = "POST /product/202309/products"
QUOTA_CODE = 12052093

#: our own words for the codes the sandbox answers, when the official table is not installed
FALLBACK: dict[int, str] = {
    12052487: "The product information is empty.",
    12052261: "The product title is empty.",
    12052262: "The product title contains Chinese characters.",
    12052015: "The product description is required.",
    12052013: "The product description is longer than allowed.",
    12052346: "The product description contains Chinese characters.",
    12052028: "At least one main image is required.",
    12019011: "The package weight is missing or not valid.",
    12052181: "The package weight cannot be zero.",
    12052006: "The package weight has more decimals than its unit allows.",
    12019012: "The package dimensions are missing or not valid.",
    12052915: "The package weight unit does not pair with the dimension unit.",
    12052571: "A price is missing for a SKU.",
    12052073: "The price is not valid.",
    12052570: "The price is outside the allowed range.",
    12052424: "The sale price is missing.",
    12052092: "The sale price is not valid.",
    12052375: "The list price is not valid.",
    12052383: "The list price is outside the allowed range.",
    12052050: "The product has more SKUs than allowed.",
    12019059: "The seller SKU is not valid.",
    12052054: "The seller SKU is longer than allowed.",
    12052560: "Two SKUs of the product are the same.",
    12052486: "Inventory is required for every SKU.",
    12052055: "The inventory quantity is outside the allowed range.",
    12052243: "An attribute name contains Chinese characters.",
    12052554: "A SKU name contains Chinese characters.",
    12052250: "An attribute value contains Chinese characters.",
    12052529: "The attribute value id does not exist.",
    12052240: "This attribute takes no custom value.",
    12052104: "A required attribute is missing.",
    12052105: "A required certification is missing.",
    12052673: "The size chart image is required.",
    12052670: "The size chart image URI is not one Upload Product Image gave.",
    12052128: "Size chart not found.",
    12038014: "The image dimensions exceed the allowed limits. Allowed dimensions (width x height in pixels): "
              "{{min_width}} x {{min_height}} to {{max_width}} x {{max_height}}",
    12052655: "The certification id does not exist.",
    12052656: "A certification is given twice.",
    12052657: "Too many certification files.",
    12052658: "The certification file does not exist.",
    12052385: "The certificate expiration date is not valid.",
    12052093: "The shop has reached its product listing limit.",
    36009004: "Invalid parameter.",
    12052026: "The brand does not exist.",
    12052097: "The warehouse does not exist.",
    12019117: "Each SKU of a product with several SKUs needs its sales attributes.",
    12019103: "The file is empty.",
    12019104: "The file name is empty.",
    12019105: "The file format is not supported.",
    12038005: "The file is larger than allowed.",
}


def official_message(code: int, datasets: Any, endpoint: str = CREATE_ENDPOINT) -> str:
    """The official message of ``code`` (the dataset's row for ``endpoint`` first, then any row),
    else our own words; never empty."""
    table = getattr(datasets, "errors", None) if datasets is not None else None
    rows = (table or {}).get(str(code)) or []
    for row in sorted(rows, key=lambda r: r.get("endpoint") != endpoint):
        message = " ".join(str(row.get("message", "")).split())
        if message:
            return message
    return FALLBACK.get(code, "The request was refused.")


def validate_body(body: Any, *, policy: Any, rules: Mapping[str, Any] | None,
                  attributes: Sequence[Mapping[str, Any]] | None, warehouse_region: str | None,
                  known_files: set[str] | None = None, brand_ids: set[str] | None = None,
                  warehouse_ids: set[str] | None = None, known_images: set[str] | None = None,
                  size_chart_templates: set[str] | None = None) -> list[Violation]:
    """The violations of ``body`` (see :func:`shelfcheck.tiktok.listing_rules.check_body`), plus
    certification files the sandbox never stored, a size chart image it never uploaded
    (``12052670``) and a size-chart template the shop does not have (``12052128``)."""
    found = check_body(body, policy=policy, rules=rules, attributes=attributes, warehouse_region=warehouse_region,
                       brand_ids=brand_ids, warehouse_ids=warehouse_ids)
    if known_files is not None and isinstance(body, Mapping):
        for i, cert in enumerate(body.get("certifications") or []):
            if not isinstance(cert, Mapping):
                continue
            for j, f in enumerate(cert.get("files") or []):
                file_id = str(f.get("id", "")) if isinstance(f, Mapping) else ""
                if file_id not in known_files:
                    found.append(Violation(12052658, f"certifications[{i}].files[{j}].id", "certification_file_unknown",
                                           file_id))
    chart = body.get("size_chart") if isinstance(body, Mapping) else None
    image = chart.get("image") if isinstance(chart, Mapping) else None
    uri = str(image.get("uri") or "").strip() if isinstance(image, Mapping) else ""
    if known_images is not None and uri and uri not in known_images:
        found.append(Violation(12052670, "size_chart.image.uri", "size_chart_image_unknown", uri))
    template = chart.get("template") if isinstance(chart, Mapping) else None
    template_id = str(template.get("id") or "").strip() if isinstance(template, Mapping) else ""
    if size_chart_templates is not None and template_id and not uri and template_id not in size_chart_templates:
        found.append(Violation(12052128, "size_chart.template.id", "size_chart_template_unknown", template_id))
    return found


def dimensions_message(datasets: Any, least: tuple[int, int], most: tuple[int, int]) -> str:
    """The official message of ``12038014`` (Upload Product Image) with its allowed dimensions
    filled in: ``… Allowed dimensions (width x height in pixels): 1024 x 1024 to 20000 x 20000``."""
    text = official_message(12038014, datasets, "POST /product/202309/images/upload")
    for name, value in (("min_width", least[0]), ("min_height", least[1]), ("max_width", most[0]),
                        ("max_height", most[1])):
        text = text.replace("{{" + name + "}}", str(value))
    return text
