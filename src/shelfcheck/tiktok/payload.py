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
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from shelfcheck.ingest.package import DIMENSIONS, read_package
from shelfcheck.model import Document

__all__ = ["ATTRIBUTE_NAMES", "CERTIFICATION_NAMES", "build_package", "build_product_body", "build_sku",
           "read_product_body", "size_chart_of"]

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


#: the dimension unit each weight unit pairs with on the platform, and back (a side written
#: without any unit takes the one the other side's unit pairs with)
_PAIRED = {"KILOGRAM": "CENTIMETER", "POUND": "INCH", "CENTIMETER": "KILOGRAM", "INCH": "POUND"}


def _number(value: Decimal) -> str:
    return f"{value.normalize():f}"


def build_package(values: Mapping[str, str], columns: Mapping[str, str] | None = None) -> dict[str, Any]:
    """``package_weight`` and ``package_dimensions`` in the platform's units (500 g → 0.5
    KILOGRAM), read by :func:`~shelfcheck.ingest.package.read_package` — the reader the rules use:
    a bare number takes the unit its header gives in brackets (``columns``: field → header); with
    neither, it takes the unit that pairs with the other side's (pounds with inches, kilograms
    with centimetres). A value that cannot be read is sent as written, for the platform to refuse."""
    pkg = read_package(values, columns if columns is not None else {k: k for k in values})
    out: dict[str, Any] = {}
    dims = [pkg.dimensions.get(name) for name in DIMENSIONS]
    d_units = {m.platform_unit for m in dims if m is not None and m.platform_unit is not None}
    weight = pkg.weight
    w_unit = weight.platform_unit if weight is not None else None
    if weight is not None:
        w_unit = w_unit or (_PAIRED.get(next(iter(d_units))) if len(d_units) == 1 else None)
        out["package_weight"] = {"value": _number(weight.value)} | ({"unit": w_unit} if w_unit else {})
    elif values.get("package_weight"):
        out["package_weight"] = {"value": values["package_weight"]}
    if all(m is not None for m in dims) and len(d_units) <= 1:
        d_unit = next(iter(d_units)) if d_units else _PAIRED.get(w_unit or "")
        out["package_dimensions"] = {key: _number(m.value)  # type: ignore[union-attr]
                                     for key, m in zip(("length", "width", "height"), dims)}
        if d_unit:
            out["package_dimensions"]["unit"] = d_unit
    elif any(values.get(name) for name in (*DIMENSIONS, "package_dimensions")):
        out["package_dimensions"] = {key: values.get(name) or values.get("package_dimensions", "")
                                     for key, name in zip(("length", "width", "height"), DIMENSIONS)}
    return out


def build_sku(values: Mapping[str, Any], *, warehouse_id: str | None = None,
              sales_attributes: Sequence[Mapping[str, Any]] = (), sku_image_uri: str | None = None) -> dict[str, Any]:
    """One entry of ``skus``: seller SKU, sales attributes, price (with ``sale_price``), list
    price, inventory, identifier code.

    ``sales_attributes`` are the SKU's variation as the caller resolved them against Get
    Attributes (``{id, name, value_id?, value_name}``; a custom attribute has no ``id``); the SKU
    image (``sku_image_uri``, uploaded) goes on the first of them as ``sku_img``, where the
    official request sample carries it."""
    sku: dict[str, Any] = {"seller_sku": values.get("seller_sku", "")}
    if sales_attributes:
        entries = [dict(a) for a in sales_attributes]
        if sku_image_uri:
            entries[0]["sku_img"] = {"uri": sku_image_uri}
        sku["sales_attributes"] = entries
    if values.get("price"):
        sku["price"] = {"amount": values["price"], "currency": "USD"}
    if values.get("sale_price"):
        sku.setdefault("price", {"currency": "USD"})["sale_price"] = values["sale_price"]
    if values.get("list_price"):
        sku["list_price"] = {"amount": values["list_price"], "currency": "USD"}
    quantity: Any = values.get("quantity", "")
    if quantity != "":
        # a number only when it is one the platform could hold (the caller may pass the typed
        # value it read); anything else is sent as written
        if isinstance(quantity, str) and quantity.isdigit() and len(quantity) <= 18:
            quantity = int(quantity)
        entry: dict[str, Any] = {"quantity": quantity}
        if warehouse_id:
            entry["warehouse_id"] = warehouse_id
        sku["inventory"] = [entry]
    if values.get("identifier_code"):
        sku["identifier_code"] = {"code": values["identifier_code"],
                                  "type": (values.get("identifier_code_type") or "").strip().upper()}
    return sku


def build_product_body(values: Mapping[str, Any], *, category_id: str, image_uris: Sequence[str],
                       attribute_ids: Mapping[str, str], certification_ids: Mapping[str, str],
                       documents: Sequence[Document] = (), idempotency_key: str | None = None,
                       skus: Sequence[Mapping[str, Any]] | None = None,
                       certification_files: Mapping[str, Sequence[Mapping[str, str]]] | None = None,
                       warehouse_id: str | None = None,
                       columns: Mapping[str, str] | None = None,
                       category_attributes: Sequence[Mapping[str, Any]] = (),
                       brand_id: str | None = None,
                       sku_sales_attributes: Sequence[Sequence[Mapping[str, Any]]] = (),
                       sku_image_uris: Sequence[str | None] = (),
                       size_chart_uri: str | None = None,
                       size_chart_template_id: str | None = None) -> dict[str, Any]:
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
        columns: field → header of the catalogue (a header's unit applies to a bare number).
        category_attributes: further ``product_attributes`` entries ``{id, values}`` (the
            catalogue's ``attributes`` column resolved against Get Attributes); an attribute
            already sent from a catalogue field is not repeated.
        brand_id: the brand's id from Get Brands (none: the product is sent without a brand).
        sku_sales_attributes: per entry of ``skus``, its resolved sales attributes.
        sku_image_uris: per entry of ``skus``, its uploaded SKU image (``None``: none).
        size_chart_uri: the uploaded size chart image (use case ``SIZE_CHART_IMAGE``), sent as
            ``size_chart.image`` as in the official request sample.
        size_chart_template_id: a size-chart template of the shop, sent as
            ``size_chart.template`` (when there is no image).
    """
    body: dict[str, Any] = {
        "save_mode": "LISTING",
        "title": values.get("title", ""),
        "description": values.get("description", ""),
        "category_id": category_id,
        "category_version": "v2",
        "main_images": [{"uri": uri} for uri in image_uris],
        "skus": [build_sku(row, warehouse_id=warehouse_id,
                           sales_attributes=sku_sales_attributes[i] if i < len(sku_sales_attributes) else (),
                           sku_image_uri=sku_image_uris[i] if i < len(sku_image_uris) else None)
                 for i, row in enumerate(skus if skus is not None else [values])],
    }
    if brand_id:
        body["brand_id"] = brand_id
    if size_chart_uri:
        body["size_chart"] = {"image": {"uri": size_chart_uri}}
    elif size_chart_template_id:
        body["size_chart"] = {"template": {"id": size_chart_template_id}}
    body.update(build_package(values, columns))
    attributes = []
    for field, name in ATTRIBUTE_NAMES.items():
        value = values.get(field, "")
        attr_id = attribute_ids.get(name)
        if value and attr_id:
            attributes.append({"id": attr_id, "values": [{"name": value}]})
    sent = {a["id"] for a in attributes}
    for extra in category_attributes:
        if extra.get("id") and extra["id"] not in sent:
            attributes.append({"id": extra["id"], "values": [dict(v) for v in extra.get("values") or []]})
            sent.add(extra["id"])
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


def size_chart_of(body: Mapping[str, Any]) -> str:
    """The size chart a body carries: its image's URI, else its template's id (``""``: none)."""
    chart = body.get("size_chart")
    if not isinstance(chart, Mapping):
        return ""
    for part, key in (("image", "uri"), ("template", "id")):
        item = chart.get(part)
        if isinstance(item, Mapping) and str(item.get(key) or "").strip():
            return str(item[key]).strip()
    return ""


def _measure_text(value: Any, unit: Any) -> str:
    text = str(value).strip() if value is not None else ""
    return f"{text} {unit}" if text and unit else text


def _read_package(body: Mapping[str, Any]) -> dict[str, str]:
    """The package cells a body stands for (``0.5 KILOGRAM``, ``25 CENTIMETER`` …)."""
    out: dict[str, str] = {}
    weight = body.get("package_weight")
    if isinstance(weight, Mapping) and _measure_text(weight.get("value"), None):
        out["package_weight"] = _measure_text(weight.get("value"), weight.get("unit"))
    dims = body.get("package_dimensions")
    if isinstance(dims, Mapping):
        for key, name in zip(("length", "width", "height"), DIMENSIONS):
            text = _measure_text(dims.get(key), dims.get("unit"))
            if text:
                out[name] = text
    return out


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
    listed = sku.get("list_price") or {}
    if isinstance(listed, Mapping) and listed.get("amount") not in (None, ""):
        values["list_price"] = str(listed["amount"])
    identifier = sku.get("identifier_code") or {}
    if isinstance(identifier, Mapping) and identifier.get("code"):
        values["identifier_code"] = str(identifier["code"])
        if identifier.get("type"):
            values["identifier_code_type"] = str(identifier["type"])
    values.update(_read_package(body))
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
    chart = size_chart_of(body)
    if chart:
        values["size_chart"] = chart
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
