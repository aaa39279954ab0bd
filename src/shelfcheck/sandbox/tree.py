"""The sandbox's generated category tree: levels below the pack's first levels, from ``tree.yaml``.

Deterministic: the same vocabulary gives the same tree, ids and rules in every run (ids and the
choice of leaves come from SHA-1 of the path, never from ``random``). Each leaf gets a profile by
its first level's group: attributes (some listed-only, some numeric, some conditional on
"Contains Batteries or Cells?"), certifications (some conditional), and whether a size chart is
required.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

__all__ = ["TreeVocabulary", "generated_paths", "leaf_profile", "vocabulary"]


def _h(text: str) -> int:
    return int(hashlib.sha1(text.encode("utf-8")).hexdigest()[:12], 16)


@dataclass(frozen=True)
class TreeVocabulary:
    raw: dict[str, Any]

    @property
    def tops(self) -> dict[str, dict[str, Any]]:
        return self.raw["tops"]


@lru_cache(maxsize=1)
def vocabulary() -> TreeVocabulary:
    text = (resources.files("shelfcheck.sandbox") / "tree.yaml").read_text("utf-8")
    return TreeVocabulary(yaml.safe_load(text))


def generated_paths(top: str) -> Iterator[list[str]]:
    """The paths below ``top`` (each as its segments, leaves last), in a stable order."""
    vocab = vocabulary()
    entry = vocab.tops.get(top)
    if entry is None:
        return
    facets = (vocab.raw.get("facets") or {}).get(entry.get("group", ""), [])
    for second in entry["second"]:
        chosen = [leaf for leaf in entry["leaves"] if _h(f"{top}>{second}>{leaf}") % 3 != 0]
        if not chosen:
            chosen = entry["leaves"][:1]
        for leaf in chosen:
            if facets and _h(f"split:{top}>{second}>{leaf}") % 2 == 0:
                for facet in facets:
                    yield [top, second, leaf, f"{facet} {leaf}"]
            else:
                yield [top, second, leaf]


def _values(attr_id: str, names: list[str]) -> list[dict[str, str]]:
    return [{"id": f"{attr_id}{i + 1:03d}", "name": str(n)} for i, n in enumerate(names)]


def _attribute(attr_id: str, name: str, *, values: list[str] | None = None, required: bool = False,
               customizable: bool = True, fmt: str = "", multiple: bool = False,
               conditions: list[dict[str, str]] | None = None) -> dict[str, Any]:
    return {"id": attr_id, "name": name, "type": "PRODUCT_PROPERTY", "is_requried": required,
            "values": _values(attr_id, values or []), "value_data_format": fmt,
            "is_customizable": customizable, "requirement_conditions": conditions or [],
            "is_multiple_selection": multiple}


def leaf_profile(top: str, leaf_name: str) -> dict[str, Any]:
    """``{"attributes": [...], "certifications": [...], "size_chart": bool}`` for a generated leaf
    (official response shapes: Get Attributes' attributes, Get Category Rules' certifications)."""
    vocab = vocabulary().raw
    group = (vocabulary().tops.get(top) or {}).get("group", "home")
    profile = vocab["profiles"].get(group, {})
    attrs: list[dict[str, Any]] = []
    certs: list[dict[str, Any]] = []
    if "materials" in (profile.get("attributes") or []):
        m = vocab["materials"]
        attrs.append(_attribute(m["id"], m["name"], values=m["values"], customizable=False))
    if profile.get("multiple"):
        o = vocab["occasion"]
        attrs.append(_attribute(o["id"], o["name"], values=o["values"], multiple=True, customizable=False))
    if profile.get("age"):
        a = vocab["age"]
        attrs.append(_attribute(a["id"], a["name"], values=a["values"], required=bool(a.get("required")),
                                customizable=False))
    if profile.get("warranty"):
        w = vocab["warranty"]
        attrs.append(_attribute(w["id"], w["name"], values=w["values"], required=bool(w.get("required")),
                                customizable=False))
    if profile.get("batteries"):
        b = vocab["batteries"]
        parent = b["attribute"]
        attrs.append({**_attribute(parent["id"], parent["name"], customizable=False),
                      "values": [{"id": k, "name": v} for k, v in b["values"].items()]})
        conditions = [{"condition_type": "VALUE_ID_MATCH", "attribute_id": parent["id"], "attribute_value_id": v}
                      for v in b["when_yes"]]
        for item in b["conditional"]:
            attrs.append(_attribute(item["id"], item["name"], values=item.get("values"),
                                    customizable=item.get("customizable", True), fmt=item.get("format", ""),
                                    conditions=conditions))
        cert = b["certification"]
        certs.append(_certification(cert["id"], cert["name"], False, conditions))
    for cert in profile.get("certifications") or []:
        certs.append(_certification(cert["id"], cert["name"], bool(cert.get("required")), []))
    for sales in vocab.get("sales_attributes") or []:
        attrs.append({**_attribute(str(sales["id"]), sales["name"], values=sales.get("values"),
                                   customizable=group not in (sales.get("fixed_in") or [])),
                      "type": "SALES_PROPERTY"})
    special = (vocab.get("leaf_certifications") or {}).get(leaf_name)
    if special:
        certs.append(_certification(special["id"], special["name"], True, []))
    return {"attributes": attrs, "certifications": certs, "size_chart": bool(profile.get("size_chart"))}


def _certification(cert_id: str, name: str, required: bool, conditions: list[dict[str, str]]) -> dict[str, Any]:
    return {"id": cert_id, "name": name, "is_required": required,
            "document_details": f"Upload the {name}.", "sample_image_url": "",
            "requirement_conditions": conditions, "expiration_date": {"is_required": False}}
