"""The documented validation of a Create Product / Check Product Listing body, field by field.

One checker for both sides: the sandbox refuses a body with the violations it finds (with the
platform's error codes), and ``publish --dry-run`` checks every body it writes against the same
rules offline. The numbers come from the policy pack — the blocks the preflight rules read too
(``package``, ``price``, ``quantity``, ``variants.official``) and ``create_product``; the category's
rules and attributes, when known, in the shapes Get Category Rules and Get Attributes answer with.

Each :class:`Violation` carries the platform's error code (``error_codes.csv`` of the Open API
reference, endpoint ``POST /product/202309/products``), the JSON path of the field, and a short key
of ours (``package_weight_decimals`` …) with the value and the limit for a message in our words.
SKU checks run per entry of ``skus``, so a product with several SKUs is judged SKU by SKU.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from shelfcheck.tiktok.payload import size_chart_of

__all__ = ["Violation", "check_body", "has_chinese"]

_CHINESE = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def has_chinese(text: Any) -> bool:
    """Whether ``text`` holds a Chinese (CJK unified) character."""
    return isinstance(text, str) and _CHINESE.search(text) is not None


@dataclass(frozen=True)
class Violation:
    """One field the platform would refuse: ``code`` (the platform's), ``field`` (JSON path),
    ``key`` (our name of the check), ``value`` and ``limit`` (for the message)."""

    code: int
    field: str
    key: str
    value: str = ""
    limit: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"code": self.code, "field": self.field, "key": self.key, "value": self.value, "limit": self.limit}


def _decimal(value: Any) -> Decimal | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def _decimals(number: Decimal) -> int:
    exponent = number.normalize().as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _short(value: Any) -> str:
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= 60 else text[:57] + "…"


def check_body(body: Any, *, policy: Any, rules: Mapping[str, Any] | None = None,
               attributes: Sequence[Mapping[str, Any]] | None = None,
               warehouse_region: str | None = None, brand_ids: set[str] | None = None,
               warehouse_ids: set[str] | None = None) -> list[Violation]:
    """Every violation of the documented rules in ``body`` (empty: the body would pass them).

    Args:
        body: the request body (decoded JSON).
        policy: the loaded pack (:class:`~shelfcheck.policy.schema.Policy`).
        rules: Get Category Rules' ``data`` for the body's category, when known.
        attributes: Get Attributes' ``data.attributes`` for the category, when known.
        warehouse_region: where the shop ships from (``CN`` …): decides whether ``sale_price`` is
            required (``price.sale_price_warehouses``).
        brand_ids: the brands Get Brands answers for the category, when known: another
            ``brand_id`` is ``12052026``.
        warehouse_ids: the shop's warehouses (Get Warehouses), when known: an inventory entry
            naming another is ``12052097``.
    """
    limits = policy.create_product
    out: list[Violation] = []
    add = out.append
    if not isinstance(body, Mapping) or not body:
        return [Violation(12052487, "", "body_empty")]
    title = body.get("title")
    if not _text(title):
        add(Violation(12052261, "title", "title_missing"))
    elif has_chinese(title):
        add(Violation(12052262, "title", "title_chinese", _short(title)))
    description = body.get("description")
    if not _text(description):
        add(Violation(12052015, "description", "description_missing"))
    else:
        if len(description) > limits.description_max_length:
            add(Violation(12052013, "description", "description_too_long", str(len(description)),
                          str(limits.description_max_length)))
        if has_chinese(description):
            add(Violation(12052346, "description", "description_chinese", _short(description)))
    if not [i for i in body.get("main_images") or [] if isinstance(i, Mapping) and _text(i.get("uri"))]:
        add(Violation(12052028, "main_images", "main_images_missing"))
    _check_package(body, policy.package, out)
    skus = body.get("skus")
    if not isinstance(skus, list) or not skus:
        add(Violation(12052571, "skus", "skus_missing"))
        skus = []
    elif len(skus) > policy.variants.platform_max_skus:
        add(Violation(12052050, "skus", "sku_count", str(len(skus)), str(policy.variants.platform_max_skus)))
    seen: set[str] = set()
    for i, sku in enumerate(skus):
        _check_sku(sku if isinstance(sku, Mapping) else {}, f"skus[{i}]", policy, warehouse_region, seen, out)
    _check_variations([s if isinstance(s, Mapping) else {} for s in skus], attributes, warehouse_ids, out)
    brand_id = body.get("brand_id")
    if brand_ids is not None and brand_id not in (None, "") and str(brand_id) not in brand_ids:
        add(Violation(12052026, "brand_id", "brand_unknown", _short(brand_id)))
    _check_attributes(body, attributes, out)
    _check_certifications(body, limits, rules, out)
    chart = (rules or {}).get("size_chart")
    if isinstance(chart, Mapping) and chart.get("is_required") is True and not size_chart_of(body):
        add(Violation(12052673, "size_chart", "size_chart_missing"))
    key = body.get("idempotency_key")
    if isinstance(key, str) and len(key) > limits.idempotency_key_max_length:
        add(Violation(36009004, "idempotency_key", "idempotency_key_too_long", str(len(key)),
                      str(limits.idempotency_key_max_length)))
    return out


def _check_package(body: Mapping[str, Any], package: Any, out: list[Violation]) -> None:
    weight = body.get("package_weight")
    w_unit = ""
    units = "KILOGRAM/POUND"  # the two fields of the pack's package block
    if not isinstance(weight, Mapping) or weight.get("value") in (None, ""):
        out.append(Violation(12019011, "package_weight", "package_weight_missing"))
    else:
        w_unit = str(weight.get("unit") or "")
        value = _decimal(weight.get("value"))
        rule = package.weight_unit(w_unit)
        if rule is None:
            out.append(Violation(12019011, "package_weight.unit", "package_weight_unit", _short(w_unit), units))
        if value is None or value < 0:
            out.append(Violation(12019011, "package_weight.value", "package_weight_value",
                                 _short(weight.get("value"))))
        elif value == 0:
            out.append(Violation(12052181, "package_weight.value", "package_weight_zero", str(weight.get("value"))))
        elif rule is not None and _decimals(value) > rule.decimals:
            out.append(Violation(12052006, "package_weight.value", "package_weight_decimals",
                                 str(weight.get("value")), f"{rule.decimals} ({w_unit})"))
    dims = body.get("package_dimensions")
    if not isinstance(dims, Mapping):
        out.append(Violation(12019012, "package_dimensions", "package_dimensions_missing"))
        return
    for side in ("length", "width", "height"):
        raw = dims.get(side)
        number = _decimal(raw)
        if number is None or number <= 0 or _decimals(number) > package.dimension_decimals:
            out.append(Violation(12019012, f"package_dimensions.{side}", "package_dimension_value",
                                 _short(raw if raw is not None else "")))
    d_unit = str(dims.get("unit") or "")
    paired = package.weight_unit(w_unit)
    if d_unit not in package.dimension_units:
        out.append(Violation(12019012, "package_dimensions.unit", "package_dimension_unit", _short(d_unit),
                             "/".join(package.dimension_units)))
    elif paired is not None and paired.pairs_with != d_unit:
        out.append(Violation(12052915, "package_dimensions.unit", "package_unit_mismatch", f"{w_unit}/{d_unit}",
                             f"{w_unit}/{paired.pairs_with}"))


def _price(value: Any, price: Any) -> tuple[Decimal | None, bool]:
    """``(number, in range)``; ``(None, False)`` for what is no number."""
    number = _decimal(value)
    if number is None:
        return None, False
    return number, price.min <= number <= price.max and _decimals(number) <= price.decimals


def _check_sku(sku: Mapping[str, Any], at: str, policy: Any, region: str | None, seen: set[str],
               out: list[Violation]) -> None:
    limits, prices, quantity = policy.create_product, policy.price, policy.quantity
    seller_sku = sku.get("seller_sku")
    text = seller_sku if isinstance(seller_sku, str) else ""
    if not text.strip() or any(c.isspace() for c in text):
        out.append(Violation(12019059, f"{at}.seller_sku", "seller_sku_invalid", _short(text)))
    elif len(text) > limits.seller_sku_max_length:
        out.append(Violation(12052054, f"{at}.seller_sku", "seller_sku_too_long", str(len(text)),
                             str(limits.seller_sku_max_length)))
    elif text in seen:
        out.append(Violation(12052560, f"{at}.seller_sku", "seller_sku_duplicate", _short(text)))
    seen.add(text)
    price = sku.get("price") if isinstance(sku.get("price"), Mapping) else {}
    amount = price.get("amount")
    span = f"{prices.min}–{prices.max}"
    number: Decimal | None = None
    if amount in (None, ""):
        out.append(Violation(12052571, f"{at}.price.amount", "price_missing"))
    else:
        number, ok = _price(amount, prices)
        if number is None:
            out.append(Violation(12052073, f"{at}.price.amount", "price_invalid", _short(amount)))
        elif not ok:
            out.append(Violation(12052570, f"{at}.price.amount", "price_out_of_range", str(amount), span))
    sale = price.get("sale_price")
    if sale in (None, ""):
        if region and region.upper() in {r.upper() for r in prices.sale_price_warehouses}:
            out.append(Violation(12052424, f"{at}.price.sale_price", "sale_price_missing", "", region.upper()))
    elif not _price(sale, prices)[1]:
        out.append(Violation(12052092, f"{at}.price.sale_price", "sale_price_invalid", _short(sale), span))
    list_price = sku.get("list_price")
    if isinstance(list_price, Mapping) and list_price.get("amount") not in (None, ""):
        lp, ok = _price(list_price.get("amount"), prices)
        if lp is None:
            out.append(Violation(12052375, f"{at}.list_price.amount", "list_price_invalid",
                                 _short(list_price.get("amount"))))
        elif not ok:
            out.append(Violation(12052383, f"{at}.list_price.amount", "list_price_out_of_range", str(lp), span))
        elif number is not None and lp < number:
            out.append(Violation(12052375, f"{at}.list_price.amount", "list_price_below_price", str(lp),
                                 str(amount)))
    inventory = sku.get("inventory")
    if not isinstance(inventory, list) or not inventory:
        out.append(Violation(12052486, f"{at}.inventory", "inventory_missing"))
    else:
        for j, entry in enumerate(inventory):
            qty = entry.get("quantity") if isinstance(entry, Mapping) else None
            if isinstance(qty, bool) or not isinstance(qty, int) \
                    or not quantity.min <= qty <= quantity.max:
                out.append(Violation(12052055, f"{at}.inventory[{j}].quantity", "quantity_out_of_range",
                                     _short(qty), f"{quantity.min}–{quantity.max}"))
    for j, attr in enumerate(sku.get("sales_attributes") or []):
        if not isinstance(attr, Mapping):
            continue
        if has_chinese(attr.get("name")):
            out.append(Violation(12052243, f"{at}.sales_attributes[{j}].name", "sales_attribute_chinese",
                                 _short(attr.get("name"))))
        if has_chinese(attr.get("value_name")):
            out.append(Violation(12052554, f"{at}.sales_attributes[{j}].value_name", "sku_name_chinese",
                                 _short(attr.get("value_name"))))


def _check_variations(skus: Sequence[Mapping[str, Any]], attributes: Sequence[Mapping[str, Any]] | None,
                      warehouse_ids: set[str] | None, out: list[Violation]) -> None:
    """What holds across the SKUs of one product: with several SKUs each names its variation
    (``12019117``) and no two name the same one (``12052560``); a sales attribute the category
    lists takes a listed value id (``12052529``) or, only where the category allows custom
    values, a value name (``12052240``); inventory names the shop's warehouses (``12052097``)."""
    specs = {str(a.get("id")): a for a in attributes or []
             if isinstance(a, Mapping) and a.get("type") == "SALES_PROPERTY"}
    combos: set[tuple[tuple[str, str], ...]] = set()
    for i, sku in enumerate(skus):
        at = f"skus[{i}]"
        entries = [a for a in sku.get("sales_attributes") or [] if isinstance(a, Mapping)]
        if len(skus) > 1 and not entries:
            out.append(Violation(12019117, f"{at}.sales_attributes", "sales_attributes_missing"))
        combo = []
        for j, attr in enumerate(entries):
            where = f"{at}.sales_attributes[{j}]"
            attr_id = str(attr.get("id") or "")
            spec = specs.get(attr_id)
            allowed = {str(v.get("id")) for v in (spec or {}).get("values") or [] if isinstance(v, Mapping)}
            value_id = str(attr.get("value_id") or "")
            if attributes is not None and attr_id and spec is None:
                out.append(Violation(12052529, f"{where}.id", "sales_attribute_unknown", _short(attr_id)))
            elif spec is not None and value_id and value_id not in allowed:
                out.append(Violation(12052529, f"{where}.value_id", "sales_attribute_value_unknown",
                                     _short(value_id), str(spec.get("name", attr_id))))
            elif spec is not None and not value_id and not spec.get("is_customizable", False):
                out.append(Violation(12052240, f"{where}.value_name", "sales_attribute_value_not_allowed",
                                     _short(attr.get("value_name")), str(spec.get("name", attr_id))))
            name = attr_id or str(attr.get("name") or "").casefold()
            combo.append((name, value_id or str(attr.get("value_name") or "").casefold()))
        key = tuple(sorted(combo))
        if entries and key in combos:
            out.append(Violation(12052560, f"{at}.sales_attributes", "sales_attributes_duplicate",
                                 _short("; ".join(f"{n}={v}" for n, v in key))))
        combos.add(key)
        if warehouse_ids is not None:
            for j, entry in enumerate(sku.get("inventory") or []):
                wid = entry.get("warehouse_id") if isinstance(entry, Mapping) else None
                if wid not in (None, "") and str(wid) not in warehouse_ids:
                    out.append(Violation(12052097, f"{at}.inventory[{j}].warehouse_id", "warehouse_unknown",
                                         _short(wid)))


def _check_attributes(body: Mapping[str, Any], attributes: Sequence[Mapping[str, Any]] | None,
                      out: list[Violation]) -> None:
    known = {str(a.get("id")): a for a in attributes or [] if isinstance(a, Mapping)}
    given: dict[str, list[Mapping[str, Any]]] = {}
    for i, attr in enumerate(body.get("product_attributes") or []):
        if not isinstance(attr, Mapping):
            continue
        attr_id = str(attr.get("id") or "")
        values = [v for v in attr.get("values") or [] if isinstance(v, Mapping)]
        given[attr_id] = values
        spec = known.get(attr_id)
        allowed = {str(v.get("id")) for v in (spec or {}).get("values") or [] if isinstance(v, Mapping)}
        for j, value in enumerate(values):
            at = f"product_attributes[{i}].values[{j}]"
            if has_chinese(value.get("name")):
                out.append(Violation(12052250, f"{at}.name", "attribute_value_chinese", _short(value.get("name"))))
            if spec is None or not allowed:
                continue
            if value.get("id") not in (None, ""):
                if str(value.get("id")) not in allowed:
                    out.append(Violation(12052529, f"{at}.id", "attribute_value_unknown", _short(value.get("id")),
                                         str(spec.get("name", attr_id))))
            elif not spec.get("is_customizable", False):
                out.append(Violation(12052240, f"{at}.name", "attribute_value_not_allowed",
                                     _short(value.get("name")), str(spec.get("name", attr_id))))
    chosen = _chosen_values(body)
    for attr_id, spec in known.items():
        required = spec.get("is_requried", spec.get("is_required", False)) or _condition_holds(spec, chosen)
        if required and spec.get("type") in (None, "", "PRODUCT_PROPERTY") and not given.get(attr_id):
            out.append(Violation(12052104, "product_attributes", "attribute_missing", "",
                                 str(spec.get("name", attr_id))))


def _chosen_values(body: Mapping[str, Any]) -> dict[str, set[str]]:
    """Attribute id → the value ids the body's ``product_attributes`` choose."""
    out: dict[str, set[str]] = {}
    for attr in body.get("product_attributes") or []:
        if not isinstance(attr, Mapping):
            continue
        ids = {str(v.get("id")) for v in attr.get("values") or [] if isinstance(v, Mapping) and v.get("id")}
        out.setdefault(str(attr.get("id") or ""), set()).update(ids)
    return out


def _condition_holds(spec: Mapping[str, Any], chosen: Mapping[str, set[str]]) -> bool:
    """Whether one of the spec's ``requirement_conditions`` (``VALUE_ID_MATCH``: attribute X has
    value Y) holds for the body: a conditional attribute or certification is then required."""
    for cond in spec.get("requirement_conditions") or []:
        if not isinstance(cond, Mapping) or str(cond.get("condition_type") or "VALUE_ID_MATCH") != "VALUE_ID_MATCH":
            continue
        if str(cond.get("attribute_value_id", "")) in chosen.get(str(cond.get("attribute_id", "")), set()):
            return True
    return False


def _check_certifications(body: Mapping[str, Any], limits: Any, rules: Mapping[str, Any] | None,
                          out: list[Violation]) -> None:
    certs = [c for c in body.get("certifications") or [] if isinstance(c, Mapping)]
    if len(certs) > limits.max_certifications:
        out.append(Violation(12052657, "certifications", "certifications_too_many", str(len(certs)),
                             str(limits.max_certifications)))
    specs = {str(c.get("id")): c for c in (rules or {}).get("product_certifications") or [] if isinstance(c, Mapping)}
    ids: set[str] = set()
    for i, cert in enumerate(certs):
        cert_id = str(cert.get("id") or "")
        if cert_id in ids:
            out.append(Violation(12052656, f"certifications[{i}].id", "certification_duplicate", cert_id))
        ids.add(cert_id)
        if rules is not None and cert_id not in specs:
            out.append(Violation(12052655, f"certifications[{i}].id", "certification_unknown", cert_id))
        expires = cert.get("expiration_date")
        if expires is not None and (isinstance(expires, bool) or not isinstance(expires, int) or expires <= 0):
            out.append(Violation(12052385, f"certifications[{i}].expiration_date", "certification_expiry",
                                 _short(expires)))
    chosen = _chosen_values(body)
    for cert_id, spec in specs.items():
        if (spec.get("is_required") or _condition_holds(spec, chosen)) and cert_id not in ids:
            out.append(Violation(12052105, "certifications", "certification_missing", "",
                                 str(spec.get("name", cert_id))))
