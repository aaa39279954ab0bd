"""The sandbox's platform data: category tree, attributes and certification rules.

First levels come from the policy pack (with the pack's ids); below them the sandbox serves a
sample set of leaf categories and a tree generated from ``tree.yaml`` (:mod:`.tree`: second and
third levels under every first level, a few thousand nodes — ours, an emulator's tree, not the
platform's). Attributes and certifications use the names in :mod:`shelfcheck.tiktok.payload`,
with stable ids, plus each generated leaf's profile (listed values, numeric and conditional
attributes, conditional certifications, size charts).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from shelfcheck.policy import Policy, split_path
from shelfcheck.sandbox.tree import generated_paths, leaf_profile
from shelfcheck.tiktok.payload import ATTRIBUTE_NAMES, CERTIFICATION_NAMES

__all__ = ["SandboxCatalog", "SAMPLE_LEAVES"]

SAMPLE_LEAVES = (
    "Home Supplies > Storage & Organisation", "Home Supplies > Lighting", "Home Supplies > Garden",
    "Home Supplies > Bathroom Supplies", "Kitchenware > Drinkware", "Kitchenware > Cookware",
    "Textiles & Soft Furnishings > Towels", "Textiles & Soft Furnishings > Bedding",
    "Household Appliances > Fans", "Household Appliances > Lighting",
    "Phones & Electronics > Audio > Earbuds", "Phones & Electronics > Audio > Speakers",
    "Phones & Electronics > Phone Accessories > Cases", "Computers & Office Equipment > Chargers",
    "Computers & Office Equipment > Keyboards", "Computers & Office Equipment > Mice",
    "Beauty & Personal Care > Skincare > Serums", "Beauty & Personal Care > Skincare > Toners",
    "Beauty & Personal Care > Skincare > Moisturisers", "Beauty & Personal Care > Makeup > Lips",
    "Toys & Hobbies > Puzzles", "Toys & Hobbies > RC Cars", "Toys & Hobbies > Children's Toys",
    "Health > Health Supplements", "Pet Supplies > Dog Supplies", "Sports & Outdoor > Fitness Equipment",
)

ATTRIBUTE_IDS = {name: str(7100001 + i) for i, name in enumerate(ATTRIBUTE_NAMES.values())}
CERTIFICATION_IDS = {name: str(7200001 + i) for i, name in enumerate(CERTIFICATION_NAMES.values())}
# policy requirement → document type of the certification it needs
_REQUIRES = {"fcc_test_report": "FCC_TEST_REPORT", "cpi": "CPI", "cpc": "CPC",
             "fda_registration": "FDA_FACILITY_REGISTRATION"}


def _synthetic_id(path: str) -> str:
    return "9" + str(int(hashlib.sha1(path.encode("utf-8")).hexdigest(), 16) % 10**8).zfill(8)


@dataclass
class Node:
    id: str
    parent_id: str
    name: str
    path: str
    permission: str
    is_leaf: bool = True
    children: list[str] = field(default_factory=list)


class SandboxCatalog:
    """Categories, attributes and rules as the sandbox serves them."""

    def __init__(self, policy: Policy) -> None:
        self.policy = policy
        self.nodes: dict[str, Node] = {}
        self._by_path: dict[str, str] = {}
        for entry in policy.categories:
            self._add(split_path(entry.path), entry.id, entry.permission)
        for leaf in SAMPLE_LEAVES:
            self._add(split_path(leaf), None, None)
        self._fixed_leaves = {n.id for n in self.nodes.values() if n.is_leaf and n.path.count(">") > 0}
        for entry in policy.categories:
            segments = split_path(entry.path)
            if len(segments) == 1:
                for path in generated_paths(segments[0]):
                    self._add(path, None, None)

    def _add(self, segments: list[str], given_id: str | None, permission: str | None) -> None:
        parent = "0"
        for depth in range(1, len(segments) + 1):
            path = " > ".join(segments[:depth])
            key = path.casefold()
            if key not in self._by_path:
                if parent in getattr(self, "_fixed_leaves", ()):
                    return  # a sample leaf stays a leaf
                node_id = given_id if (given_id and depth == len(segments)) else _synthetic_id(path)
                while node_id in self.nodes:
                    node_id = str(int(node_id) + 1)
                inherited = self.nodes[parent].permission if parent != "0" else "AVAILABLE"
                own = permission if (permission and depth == len(segments)) else inherited
                self.nodes[node_id] = Node(node_id, parent, segments[depth - 1], path, own)
                self._by_path[key] = node_id
                if parent != "0":
                    self.nodes[parent].is_leaf = False
                    self.nodes[parent].children.append(node_id)
            parent = self._by_path[key]

    def categories(self, *, include_prohibited: bool = False) -> list[dict]:
        out = []
        for node in self.nodes.values():
            if node.permission == "PROHIBITED" and not include_prohibited:
                continue
            statuses = {"AVAILABLE": ["AVAILABLE"], "INVITE_ONLY": ["INVITE_ONLY"],
                        "PROHIBITED": ["PROHIBITED"]}.get(node.permission, [node.permission])
            out.append({"id": node.id, "parent_id": node.parent_id, "local_name": node.name,
                        "is_leaf": node.is_leaf, "permission_statuses": statuses})
        return out

    def get(self, category_id: str) -> Node | None:
        return self.nodes.get(category_id)

    def group_requirements(self, node: Node) -> list[str]:
        """Document types the category's group requires (electronics → FCC test report …)."""
        top = split_path(node.path)[0].casefold()
        types: list[str] = []
        for group in self.policy.category_groups.values():
            if any(split_path(c)[0].casefold() == top for c in group.categories):
                for req in group.requires:
                    doc_type = _REQUIRES.get(str(req))
                    if doc_type and doc_type not in types:
                        types.append(doc_type)
        return types

    def _profile(self, node: Node) -> dict:
        return leaf_profile(split_path(node.path)[0], node.name) if node.is_leaf else {
            "attributes": [], "certifications": [], "size_chart": False}

    def rules(self, node: Node) -> dict:
        required = self.group_requirements(node)
        profile = self._profile(node)
        certs = list(profile["certifications"])
        for doc_type, name in CERTIFICATION_NAMES.items():
            if doc_type in required or (doc_type == "FDA_FACILITY_REGISTRATION" and "CPI" in required):
                certs.append({"id": CERTIFICATION_IDS[name], "name": name,
                              "is_required": doc_type in required and doc_type != "FDA_FACILITY_REGISTRATION",
                              "document_details": f"Upload the {name}.", "sample_image_url": "",
                              "requirement_conditions": [], "expiration_date": {"is_required": False}})
        chart = profile["size_chart"]
        return {"product_certifications": certs, "size_chart": {"is_supported": chart, "is_required": chart},
                "cod": {"is_supported": False}, "package_dimension": {"is_required": False},
                "epr": {"is_required": False}, "responsible_person": {"is_required": False},
                "manufacturer": {"is_required": True}, "allowed_special_product_types": [], "fees": []}

    def attributes(self, node: Node) -> dict:
        attrs = []
        for field_name, name in ATTRIBUTE_NAMES.items():
            attrs.append({"id": ATTRIBUTE_IDS[name], "name": name, "type": "PRODUCT_PROPERTY",
                          "is_requried": field_name in ("country_of_origin",), "values": [],
                          "value_data_format": "FREE_TEXT", "is_customizable": True,
                          "requirement_conditions": [], "is_multiple_selection": False})
        attrs.extend(self._profile(node)["attributes"])
        return {"attributes": attrs}

    @property
    def attribute_fields(self) -> dict[str, str]:
        return {ATTRIBUTE_IDS[name]: f for f, name in ATTRIBUTE_NAMES.items()}

    @property
    def certification_types(self) -> dict[str, str]:
        return {CERTIFICATION_IDS[name]: t for t, name in CERTIFICATION_NAMES.items()}
