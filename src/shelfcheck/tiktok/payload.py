"""The Create Product body built from a catalogue row, and the row read back from a body.

The publisher and the sandbox share this module, so what one writes the other reads the same
way. Catalogue fields the platform takes as *product attributes* (country of origin, FCC ID,
manufacturer …) are sent as ``product_attributes`` whose ids come from Get Attributes, matched by
attribute name (:data:`ATTRIBUTE_NAMES`). Compliance documents are sent as ``certifications``
whose ids come from Get Category Rules, matched by certification name
(:data:`CERTIFICATION_NAMES`).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from shelfcheck.model import Document

__all__ = ["ATTRIBUTE_NAMES", "CERTIFICATION_NAMES", "build_package", "build_product_body", "build_sku",
           "read_product_body"]

#: catalogue field → product attribute name (as Get Attributes names it).
ATTRIBUTE_NAMES: dict[str, str] = {
    "brand": "Brand",
    "country_of_origin": "Country of Origin",
    "origin_label": "Origin Marking on Packaging",
    "manufacturer_name": "Manufacturer Name",
    "manufacturer_address": "Manufacturer Address",
    "model_number": "Model Number",
    "fcc_id": "FCC ID",
    "model_first_filing_date": "Model First Filing Date",
    "fda_registration_number": "FDA Registration Number",
    "ingredients": "Ingredients",
}

#: document type → certification name (as Get Category Rules names it).
CERTIFICATION_NAMES: dict[str, str] = {
    "FCC_TEST_REPORT": "FCC Test Report",
    "FDA_FACILITY_REGISTRATION": "FDA Facility Registration",
    "CPI": "Cosmetic Product Ingredient Statement",
    "CPC": "Children's Product Certificate",
}


def _epoch(day: dt.date) -> int:
    return int(dt.datetime.combine(day, dt.time(0), tzinfo=dt.timezone.utc).timestamp())


_NUMBER = re.compile(r"^\s*(\d+(?:[.,]\d+)?)\s*([A-Za-z\"]*)\s*$")
_WEIGHT_UNITS = {"kg": ("KILOGRAM", 1), "kgs": ("KILOGRAM", 1), "kilogram": ("KILOGRAM", 1),
                 "kilograms": ("KILOGRAM", 1), "g": ("KILOGRAM", 1000), "gram": ("KILOGRAM", 1000),
                 "grams": ("KILOGRAM", 1000), "lb": ("POUND", 1), "lbs": ("POUND", 1), "pound": ("POUND", 1),
                 "pounds": ("POUND", 1)}
_LENGTH_UNITS = {"cm": ("CENTIMETER", 1), "centimeter": ("CENTIMETER", 1), "centimeters": ("CENTIMETER", 1),
                 "mm": ("CENTIMETER", 10), "in": ("INCH", 1), "inch": ("INCH", 1), "inches": ("INCH", 1),
                 '"': ("INCH", 1)}
#: the dimension unit each weight unit pairs with on the platform, and back
_PAIRED = {"KILOGRAM": "CENTIMETER", "POUND": "INCH", "CENTIMETER": "KILOGRAM", "INCH": "POUND"}


def _measure(text: str, units: Mapping[str, tuple[str, int]]) -> tuple[str, str]:
    """``("1.2", "POUND")`` from ``1.2 lb``; ``(text, "")`` when the unit is not one we know (the
    value is sent as written for the platform's rules to judge); ``("12", "")`` for a bare number."""
    match = _NUMBER.match(text or "")
    if match is None:
        return (text or "").strip(), ""
    number, unit = match.group(1).replace(",", "."), match.group(2).casefold()
    if not unit:
        return number, ""
    if unit not in units:
        return (text or "").strip(), ""
    name, divisor = units[unit]
    if divisor == 1:
        return number, name
    value = (Decimal(number) / divisor).normalize()
    return format(value, "f"), name


def build_package(values: Mapping[str, str]) -> dict[str, Any]:
    """``package_weight`` and ``package_dimensions`` from the row's ``package_*`` fields (each may
    carry its unit: ``1.2 lb``, ``500 g``, ``25 cm``); a side without a unit takes the one that
    pairs with the other side's (pounds with inches, kilograms with centimetres)."""
    out: dict[str, Any] = {}
    weight, w_unit = _measure(values.get("package_weight", ""), _WEIGHT_UNITS)
    sides = {k: _measure(values.get(f"package_{k}", ""), _LENGTH_UNITS) for k in ("length", "width", "height")}
    d_unit = next((u for _, u in sides.values() if u), "")
    w_unit = w_unit or _PAIRED.get(d_unit, "")
    d_unit = d_unit or _PAIRED.get(w_unit, "")
    if weight:
        out["package_weight"] = {"value": weight, "unit": w_unit}
    if any(v for v, _ in sides.values()):
        out["package_dimensions"] = {k: v for k, (v, _) in sides.items()} | {"unit": d_unit}
    return out


def build_sku(values: Mapping[str, str], *, warehouse_id: str | None = None) -> dict[str, Any]:
    """One entry of ``skus``: seller SKU, price (with ``sale_price``), list price, inventory,
    identifier code and sales attributes (``sales_attributes``: ``[{name, value_name}]`` built by
    the caller from the product grouping)."""
    sku: dict[str, Any] = {"seller_sku": values.get("seller_sku", "")}
    if values.get("price"):
        sku["price"] = {"amount": values["price"], "currency": "USD"}
        if values.get("sale_price"):
            sku["price"]["sale_price"] = values["sale_price"]
    elif values.get("sale_price"):
        sku["price"] = {"sale_price": values["sale_price"], "currency": "USD"}
    if values.get("list_price"):
        sku["list_price"] = {"amount": values["list_price"], "currency": "USD"}
    quantity: Any = values.get("quantity", "")
    if quantity != "":
        # a number only when it is one the platform could hold; anything else is sent as written
        quantity = int(quantity) if quantity.isdigit() and len(quantity) <= 18 else quantity
        entry: dict[str, Any] = {"quantity": quantity}
        if warehouse_id:
            entry["warehouse_id"] = warehouse_id
        sku["inventory"] = [entry]
    if values.get("identifier_code"):
        sku["identifier_code"] = {"code": values["identifier_code"],
                                  "type": (values.get("identifier_code_type") or "").upper()}
    return sku


def build_product_body(values: Mapping[str, str], *, category_id: str, image_uris: Sequence[str],
                       attribute_ids: Mapping[str, str], certification_ids: Mapping[str, str],
                       documents: Sequence[Document] = (), idempotency_key: str | None = None,
                       skus: Sequence[Mapping[str, str]] | None = None,
                       certification_files: Mapping[str, Sequence[Mapping[str, str]]] | None = None,
                       warehouse_id: str | None = None) -> dict[str, Any]:
    """The Create Product (and Check Listing) body for one product.

    Args:
        values: the product's canonical fields (``Listing.values`` of its first row).
        category_id: the leaf category id.
        image_uris: the uploaded main images' URIs, in order.
        attribute_ids: attribute name → id for this category (from Get Attributes).
        certification_ids: certification name → id for this category (from Get Category Rules).
        documents: the Verified documents that apply to the product; each becomes a certification.
        idempotency_key: makes a retried create safe.
        skus: the rows of the product's SKUs (default: ``values`` alone, a one-SKU product).
        certification_files: document id → uploaded files ``[{id, name, format}]``.
        warehouse_id: the warehouse every SKU's inventory is in (Get Warehouses), when known.
    """
    body: dict[str, Any] = {
        "save_mode": "LISTING",
        "title": values.get("title", ""),
        "description": values.get("description", ""),
        "category_id": category_id,
        "category_version": "v2",
        "main_images": [{"uri": uri} for uri in image_uris],
        "skus": [build_sku(row, warehouse_id=warehouse_id) for row in (skus if skus is not None else [values])],
    }
    body.update(build_package(values))
    attributes = []
    for field, name in ATTRIBUTE_NAMES.items():
        value = values.get(field, "")
        attr_id = attribute_ids.get(name)
        if value and attr_id:
            attributes.append({"id": attr_id, "values": [{"name": value}]})
    if attributes:
        body["product_attributes"] = attributes
    certifications = []
    for doc in documents:
        cert_id = certification_ids.get(CERTIFICATION_NAMES.get(doc.type, ""))
        if cert_id is None:
            continue
        files = [dict(f) for f in (certification_files or {}).get(doc.doc_id, ())]
        entry: dict[str, Any] = {"id": cert_id, "images": [], "files": files}
        if doc.expires_on is not None:
            entry["expiration_date"] = _epoch(doc.expires_on)
        certifications.append(entry)
    if certifications:
        body["certifications"] = certifications
    if idempotency_key:
        body["idempotency_key"] = idempotency_key
    return body


_UNIT_WORD = {"KILOGRAM": "kg", "POUND": "lb", "CENTIMETER": "cm", "INCH": "in"}


def read_product_body(body: Mapping[str, Any], *, category_path: str, attribute_fields: Mapping[str, str],
                      certification_types: Mapping[str, str]) -> tuple[dict[str, str], list[Document], list[str]]:
    """The catalogue row a body stands for: ``(values, documents, image_uris)``.

    ``attribute_fields`` maps attribute id → catalogue field; ``certification_types`` maps
    certification id → document type. A certification the platform holds counts as a Verified
    document that applies to this product.
    """
    skus = body.get("skus") or [{}]
    sku = skus[0] if isinstance(skus[0], Mapping) else {}
    values: dict[str, str] = {"seller_sku": str(sku.get("seller_sku") or "").strip(),
                              "title": str(body.get("title") or "").strip(),
                              "category": category_path}
    if body.get("description"):
        values["description"] = str(body["description"])
    price = sku.get("price") or {}
    if isinstance(price, Mapping) and price.get("amount") not in (None, ""):
        values["price"] = str(price["amount"])
    if isinstance(price, Mapping) and price.get("sale_price") not in (None, ""):
        values["sale_price"] = str(price["sale_price"])
    list_price = sku.get("list_price") or {}
    if isinstance(list_price, Mapping) and list_price.get("amount") not in (None, ""):
        values["list_price"] = str(list_price["amount"])
    weight = body.get("package_weight")
    if isinstance(weight, Mapping) and weight.get("value") not in (None, ""):
        values["package_weight"] = f"{weight['value']} {_UNIT_WORD.get(str(weight.get('unit')), '')}".strip()
    dims = body.get("package_dimensions")
    if isinstance(dims, Mapping):
        for side in ("length", "width", "height"):
            if dims.get(side) not in (None, ""):
                values[f"package_{side}"] = f"{dims[side]} {_UNIT_WORD.get(str(dims.get('unit')), '')}".strip()
    inventory = sku.get("inventory") or []
    if inventory and isinstance(inventory[0], Mapping) and inventory[0].get("quantity") is not None:
        values["quantity"] = str(inventory[0]["quantity"])
    for attr in body.get("product_attributes") or []:
        field = attribute_fields.get(str(attr.get("id")))
        names = [str(v.get("name", "")) for v in attr.get("values") or [] if isinstance(v, Mapping)]
        if field and names and names[0].strip():
            values[field] = names[0].strip()
    uris = [str(img.get("uri", "")) for img in body.get("main_images") or [] if isinstance(img, Mapping)]
    values["main_images"] = "|".join(uris)
    documents = []
    for i, cert in enumerate(body.get("certifications") or []):
        doc_type = certification_types.get(str(cert.get("id")))
        if doc_type is None:
            continue
        expires = cert.get("expiration_date")
        documents.append(Document(
            doc_id=f"certification-{cert.get('id')}-{i}", type=doc_type, status="Verified",
            expires_on=dt.datetime.fromtimestamp(int(expires), dt.timezone.utc).date() if expires else None,
            applies_to=("*",)))
    return values, documents, uris
