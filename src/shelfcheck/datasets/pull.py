"""``shelfcheck data pull``: fetch the shop's category tree, and the rules and attributes of the
leaves a catalogue uses, through the Open API, and store them (:mod:`.platform`).

The client is any object with the Open API client's methods (``get_authorized_shops``,
``get_categories``, ``get_category_rules``, ``get_attributes``), so this module does not depend on
the HTTP layer.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from shelfcheck.datasets.platform import PlatformCategories, PlatformNode, save_platform

__all__ = ["PullResult", "catalog_categories", "leaves_for", "pull_categories"]


@dataclass
class PullResult:
    """What a pull stored."""

    data: PlatformCategories
    path: Path
    leaves: list[str] = field(default_factory=list)  # leaf ids whose rules and attributes were pulled
    not_leaves: list[str] = field(default_factory=list)  # catalogue categories that are no leaf of the tree


def _dump(model: Any) -> Any:
    return model.model_dump(by_alias=True, mode="json") if hasattr(model, "model_dump") else model


def _shop_id(client: Any) -> str:
    shops = list(getattr(client.get_authorized_shops(), "shops", []) or [])
    cipher = getattr(getattr(client, "credentials", None), "shop_cipher", None)
    for shop in shops:
        if cipher and getattr(shop, "cipher", None) == cipher:
            return str(shop.id)
    return str(shops[0].id) if shops else "default"


def catalog_categories(path: str | Path, *, sheet: str | None = None, columns: Any = None) -> list[str]:
    """The distinct category cells of a catalogue, in file order."""
    from shelfcheck.ingest import open_catalog

    source = open_catalog(path, sheet=sheet, columns=columns, required=("category",))
    seen: dict[str, None] = {}
    try:
        for listing in source.listings():
            text = listing.get("category")
            if text:
                seen.setdefault(text, None)
    finally:
        source.table.close()
    return list(seen)


def _leaf_for(data: PlatformCategories, text: str, policy: Any) -> PlatformNode | None | bool:
    """The leaf a category cell names; ``False`` when it names a node that is not a leaf (or none)."""
    from shelfcheck.policy import CategoryTree

    if text.strip() in data.nodes:
        node = data.nodes[text.strip()]
        return node if node.is_leaf else False
    match = CategoryTree(policy.categories).resolve(text)
    if match is None:
        return None
    node, _ = data.find(match.segments)
    if node is None or not node.is_leaf:
        return False
    return node


def leaves_for(data: PlatformCategories, categories: Iterable[str], policy: Any) -> tuple[list[str], list[str]]:
    """``(leaf ids, cells that are no leaf)`` for the category cells of a catalogue."""
    leaves: dict[str, None] = {}
    not_leaves: list[str] = []
    for text in categories:
        found = _leaf_for(data, text, policy)
        if found is False:
            not_leaves.append(text)
        elif isinstance(found, PlatformNode):
            leaves.setdefault(found.id, None)
    return list(leaves), not_leaves


def pull_categories(client: Any, *, categories: Iterable[str] = (), policy: Any = None,
                    root: Path | None = None, source: str = "", today: dt.date | None = None) -> PullResult:
    """Pull the tree (Get Categories, ``category_version=v2``), then rules and attributes of the
    leaves that ``categories`` (catalogue cells) name, and store them for the shop."""
    from shelfcheck.datasets.platform import parse_categories
    from shelfcheck.policy import load_policy

    pack = policy if policy is not None and hasattr(policy, "categories") else load_policy(policy)
    shop = _shop_id(client)
    tree = client.get_categories(category_version="v2")
    nodes = parse_categories(_dump(tree))
    data = PlatformCategories(shop, today or dt.datetime.now(dt.timezone.utc).date(), source, nodes)
    leaves, not_leaves = leaves_for(data, categories, pack)
    for leaf in leaves:
        rules = _dump(client.get_category_rules(leaf, category_version="v2"))
        attributes = _dump(client.get_attributes(leaf, category_version="v2"))
        data.rules[leaf] = dict(rules)
        data.attributes[leaf] = [dict(a) for a in attributes.get("attributes", [])]
    return PullResult(data, save_platform(data, root), leaves, not_leaves)
