"""The shop's own category data from the platform: the tree, and rules and attributes per leaf.

``shelfcheck data pull`` fetches it through the Open API (Get Categories with
``category_version=v2``, then Get Category Rules and Get Attributes for the leaves a catalogue
uses); ``shelfcheck data import tiktok-categories FILE`` takes the same responses offline. Either
way the data is stored per shop and dated (contract §2.6)::

    <data dir>/platform/<shop>/tiktok-categories-<YYYY-MM-DD>.json

Each pull or import writes the file of its day (an import merges into the newest store of the
shop); a run uses the newest file of the shop named by ``SHELFCHECK_SHOP_ID``, else of the shop
stored last. The file keeps the platform's own shapes: the ``categories`` list of Get
Categories, and per category id the ``data`` of Get Category Rules and of Get Attributes.

:class:`PlatformCategories` answers what the category rules ask: the node of a written path, the
leaves under a node ranked by similarity to a title, the permission the platform gives a node,
and the rules and attributes of a leaf.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from shelfcheck.errors import InputError, Msg, Term

__all__ = [
    "FORMAT",
    "KIND",
    "PlatformCategories",
    "PlatformNode",
    "import_categories",
    "load_platform",
    "newest",
    "parse_attributes",
    "parse_categories",
    "parse_rules",
    "platform_dir",
    "response_kind",
    "save_platform",
    "shop_folder",
]

FORMAT = 1
KIND = "tiktok-categories"
_FILE = re.compile(r"^tiktok-categories-(\d{4}-\d{2}-\d{2})\.json$")
_SHOP = re.compile(r"[^A-Za-z0-9._-]+")


def _key(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold().replace("’", "'").replace("‘", "'")
    return " ".join(text.split())


@dataclass(frozen=True, slots=True)
class PlatformNode:
    """One category of the platform's tree."""

    id: str
    parent_id: str
    name: str
    is_leaf: bool
    permissions: tuple[str, ...] = ()

    @property
    def permission(self) -> str:
        """``PROHIBITED``, ``INVITE_ONLY`` or ``AVAILABLE`` as the platform states it."""
        if "PROHIBITED" in self.permissions:
            return "PROHIBITED"
        if "INVITE_ONLY" in self.permissions:
            return "INVITE_ONLY"
        return "AVAILABLE"


@dataclass
class PlatformCategories:
    """A shop's stored category data.

    Attributes:
        shop: the shop the data belongs to (the shop id, or the name given to the import).
        date: the day it was pulled or imported.
        source: where it came from (the endpoint, or the imported file).
        nodes: category id → node.
        rules: category id → the ``data`` of Get Category Rules.
        attributes: category id → the ``attributes`` list of Get Attributes.
    """

    shop: str
    date: dt.date
    source: str
    nodes: dict[str, PlatformNode]
    rules: dict[str, dict[str, Any]] = field(default_factory=dict)
    attributes: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    _choices: dict[str, dict[str, str]] = field(default_factory=dict, init=False, repr=False, compare=False)

    @property
    def label(self) -> str:
        """``tiktok-categories@<shop>@<date>`` (the report header's provenance)."""
        return f"{KIND}@{self.shop}@{self.date.isoformat()}"

    @cached_property
    def _children(self) -> dict[str, list[str]]:
        children: dict[str, list[str]] = {}
        for node in self.nodes.values():
            children.setdefault(node.parent_id, []).append(node.id)
        return children

    @cached_property
    def _by_path(self) -> dict[tuple[str, ...], str]:
        table: dict[tuple[str, ...], str] = {}
        for node_id in self.nodes:
            table.setdefault(tuple(_key(s) for s in self.path(node_id)), node_id)
        return table

    def path(self, node_id: str) -> list[str]:
        """The names from the first level down to ``node_id``."""
        names: list[str] = []
        node = self.nodes.get(node_id)
        seen: set[str] = set()
        while node is not None and node.id not in seen:
            seen.add(node.id)
            names.append(node.name)
            node = self.nodes.get(node.parent_id)
        return list(reversed(names))

    def path_text(self, node_id: str) -> str:
        return " > ".join(self.path(node_id))

    def find(self, segments: Iterable[str]) -> tuple[PlatformNode | None, PlatformNode | None]:
        """``(node, deepest)``: the node of the whole path (``None`` when the tree lacks it) and
        the deepest node the path's leading segments reach (``None`` when not even the first)."""
        keys = tuple(_key(s) for s in segments)
        deepest = None
        for cut in range(len(keys), 0, -1):
            node_id = self._by_path.get(keys[:cut])
            if node_id is not None:
                deepest = self.nodes[node_id]
                return (deepest if cut == len(keys) else None), deepest
        return None, None

    def leaves_under(self, node_id: str) -> list[PlatformNode]:
        """Every leaf below ``node_id`` (the node itself when it is a leaf)."""
        out: list[PlatformNode] = []
        stack = [node_id]
        seen: set[str] = set()
        while stack:
            current = stack.pop()
            if current in seen:
                continue
            seen.add(current)
            node = self.nodes.get(current)
            if node is not None and node.is_leaf:
                out.append(node)
            stack.extend(reversed(self._children.get(current, [])))
        return out

    def suggest(self, node_id: str, title: str, limit: int) -> list[str]:
        """Up to ``limit`` leaf paths under ``node_id``, the most similar to ``title`` first."""
        from rapidfuzz import fuzz, process, utils

        choices = self._choices.get(node_id)
        if choices is None:
            depth = len(self.path(node_id))
            choices = {leaf.id: " ".join(self.path(leaf.id)[depth:]) or leaf.name
                       for leaf in self.leaves_under(node_id)}
            if len(self._choices) < 4096:
                self._choices[node_id] = choices
        if not choices:
            return []
        if not title.strip():
            return [self.path_text(i) for i in list(choices)[:limit]]
        best = process.extract(title, choices, scorer=fuzz.token_set_ratio, processor=utils.default_process,
                               limit=limit)
        return [self.path_text(item[2]) for item in best]

    def permission_of(self, segments: Iterable[str]) -> str | None:
        """The platform's permission for a path: of its node, else of its deepest known ancestor."""
        _node, deepest = self.find(segments)
        return deepest.permission if deepest is not None else None

    def category_rules(self, node_id: str) -> dict[str, Any] | None:
        return self.rules.get(node_id)

    def category_attributes(self, node_id: str) -> list[dict[str, Any]] | None:
        return self.attributes.get(node_id)

    def to_json(self) -> dict[str, Any]:
        """The stored form (the platform's own shapes, see the module docstring)."""
        return {
            "format": FORMAT, "kind": KIND, "shop": self.shop, "date": self.date.isoformat(), "source": self.source,
            "category_version": "v2",
            "categories": [{"id": n.id, "parent_id": n.parent_id, "local_name": n.name, "is_leaf": n.is_leaf,
                            "permission_statuses": list(n.permissions)} for n in self.nodes.values()],
            "rules": self.rules,
            "attributes": {k: {"attributes": v} for k, v in self.attributes.items()},
        }


# Reading the platform's responses ----------------------------------------------------------------

class _Bad(ValueError):
    """A response that is not what it should be: its :class:`Msg` says why."""

    def __init__(self, msg: Msg) -> None:
        super().__init__(str(msg))
        self.msg = msg


def _data(payload: Any) -> Any:
    """The ``data`` of an Open API envelope (or the payload itself when it is not one)."""
    if isinstance(payload, Mapping) and "data" in payload and ("code" in payload or "request_id" in payload):
        code = payload.get("code")
        if code not in (0, "0", None):
            raise _Bad(Msg("categories_error_response", code=code, message=str(payload.get("message", ""))[:80]))
        return payload.get("data") or {}
    return payload


def response_kind(payload: Any) -> str | None:
    """``categories``, ``rules``, ``attributes`` or ``bundle`` — which response this is."""
    if isinstance(payload, Mapping) and "categories" in payload and ("rules" in payload or "attributes" in payload):
        return "bundle"
    data = _data(payload)
    if isinstance(data, list) or (isinstance(data, Mapping) and "categories" in data):
        return "categories"
    if isinstance(data, Mapping) and "attributes" in data:
        return "attributes"
    if isinstance(data, Mapping) and ({"product_certifications", "size_chart"} & set(data)):
        return "rules"
    return None


def _text(value: Any) -> str:
    if isinstance(value, bool) or value is None:
        return ""
    return str(value).strip()


def parse_categories(payload: Any) -> dict[str, PlatformNode]:
    """Nodes from a Get Categories response (the envelope, its ``data``, or the bare list)."""
    data = _data(payload)
    items = data if isinstance(data, list) else data.get("categories") if isinstance(data, Mapping) else None
    if not isinstance(items, list):
        raise _Bad(Msg("categories_no_list"))
    nodes: dict[str, PlatformNode] = {}
    for i, item in enumerate(items):
        if not isinstance(item, Mapping):
            raise _Bad(Msg("categories_item_not_object", index=i))
        node_id, name = _text(item.get("id")), _text(item.get("local_name"))
        if not node_id or not name:
            raise _Bad(Msg("categories_item_no_id", index=i))
        statuses = item.get("permission_statuses") or []
        if not isinstance(statuses, list):
            raise _Bad(Msg("categories_item_statuses", index=i))
        nodes[node_id] = PlatformNode(node_id, _text(item.get("parent_id")) or "0", name,
                                      item.get("is_leaf") is True, tuple(str(s) for s in statuses))
    if not nodes:
        raise _Bad(Msg("categories_empty"))
    return nodes


def parse_rules(payload: Any) -> dict[str, Any]:
    data = _data(payload)
    if not isinstance(data, Mapping):
        raise _Bad(Msg("categories_not_rules"))
    certs = data.get("product_certifications", [])
    if not isinstance(certs, list) or any(not isinstance(c, Mapping) for c in certs):
        raise _Bad(Msg("categories_certifications"))
    return dict(data)


def parse_attributes(payload: Any) -> list[dict[str, Any]]:
    data = _data(payload)
    items = data.get("attributes") if isinstance(data, Mapping) else data
    if not isinstance(items, list) or any(not isinstance(a, Mapping) or not _text(a.get("id")) for a in items):
        raise _Bad(Msg("categories_no_attributes"))
    return [dict(a) for a in items]


# The store ---------------------------------------------------------------------------------------

def platform_dir(root: Path | None = None) -> Path:
    from shelfcheck.datasets.store import data_dir

    return (root if root is not None else data_dir()) / "platform"


def shop_folder(shop: str, root: Path | None = None) -> Path:
    """Where one shop's data lives (the shop name made safe for a folder name)."""
    safe = _SHOP.sub("_", shop.strip())[:80].strip("._") or "default"
    return platform_dir(root) / safe


def _files(folder: Path) -> list[tuple[str, Path]]:
    try:
        entries = list(folder.iterdir())
    except OSError:
        return []
    found = [(m[1], p) for p in entries if (m := _FILE.match(p.name))]
    return sorted(found)


def _read(path: Path) -> PlatformCategories:
    raw = json.loads(path.read_text("utf-8"))
    if not isinstance(raw, Mapping) or raw.get("kind") != KIND or raw.get("format") != FORMAT:
        raise _Bad(Msg("categories_not_store"))
    nodes = parse_categories(raw)
    rules = {str(k): parse_rules(v) for k, v in (raw.get("rules") or {}).items()}
    attributes = {str(k): parse_attributes(v) for k, v in (raw.get("attributes") or {}).items()}
    return PlatformCategories(str(raw.get("shop") or path.parent.name), dt.date.fromisoformat(str(raw["date"])),
                              str(raw.get("source") or ""), nodes, rules, attributes)


def save_platform(data: PlatformCategories, root: Path | None = None) -> Path:
    """Write the store of ``data.shop`` for ``data.date``; returns the file written."""
    from shelfcheck.datasets.store import DatasetError, _write_atomic

    path = shop_folder(data.shop, root) / f"{KIND}-{data.date.isoformat()}.json"
    try:
        _write_atomic(path, json.dumps(data.to_json(), ensure_ascii=False, separators=(",", ":")).encode("utf-8"))
    except OSError as exc:
        raise DatasetError(Msg("categories_cannot_write", folder=path.parent, reason=exc.strerror or exc)) from None
    return path


def newest(shop: str, root: Path | None = None) -> PlatformCategories | None:
    """The newest readable store of ``shop`` (``None`` when it has none)."""
    for _day, path in reversed(_files(shop_folder(shop, root))):
        try:
            return _read(path)
        except (OSError, ValueError, KeyError, TypeError):
            continue
    return None


_LOADED: dict[str, tuple[float, PlatformCategories]] = {}


def load_platform(root: Path | None = None, shop: str | None = None) -> PlatformCategories | None:
    """The data a run uses: the newest store of ``shop`` (default ``SHELFCHECK_SHOP_ID``, else the
    shop stored last); ``None`` when nothing is stored or readable. Never raises."""
    try:
        shop = shop or os.environ.get("SHELFCHECK_SHOP_ID", "").strip() or None
        base = platform_dir(root)
        if shop:
            folders = [shop_folder(shop, root)]
        else:
            try:
                folders = [p for p in base.iterdir() if p.is_dir() and _files(p)]
            except OSError:
                return None
            folders.sort(key=lambda p: _files(p)[-1][1].stat().st_mtime_ns, reverse=True)
        for folder in folders[:1]:
            files = _files(folder)
            if not files:
                return None
            latest = files[-1][1]
            stamp = latest.stat().st_mtime_ns
            cached = _LOADED.get(str(latest))
            if cached is not None and cached[0] == stamp:
                return cached[1]
            data = newest(folder.name, root) if shop is None else newest(shop, root)
            if data is not None:
                _LOADED.clear()
                _LOADED[str(latest)] = (stamp, data)
            return data
    except (OSError, ValueError):
        return None
    return None


def import_categories(file: str | os.PathLike[str], *, shop: str = "default", category: str | None = None,
                      root: Path | None = None, day: dt.date | None = None) -> tuple[PlatformCategories, Path, str]:
    """Import an official response (or a bundle of them) into the shop's store.

    ``FILE`` is a Get Categories response (the tree: replaces the stored one), a Get Category
    Rules or Get Attributes response (for ``category``, merged into the stored tree), or a bundle
    ``{"categories": …, "rules": {id: …}, "attributes": {id: …}}``.

    Returns:
        ``(data, path written, what was imported)``.

    Raises:
        InputError: the file cannot be read or is not such a response (names the file).
    """
    path = Path(file)
    try:
        payload = json.loads(path.read_bytes().decode("utf-8-sig"))
    except FileNotFoundError:
        raise InputError(path, Msg("file_not_found", kind=Term("tiktok-categories"))) from None
    except IsADirectoryError:
        raise InputError(path, Msg("file_not_regular", kind=Term("tiktok-categories"))) from None
    except OSError as exc:
        raise InputError(path, Msg("file_unreadable", reason=exc.strerror or exc)) from None
    except (UnicodeDecodeError, ValueError) as exc:
        raise InputError(path, Msg("categories_not_json", problem=" ".join(str(exc).split())[:120])) from None
    current = newest(shop, root)
    day = day or dt.datetime.now(dt.timezone.utc).date()
    try:
        kind = response_kind(payload)  # an error envelope is refused here, naming the file
        if kind == "bundle":
            nodes = parse_categories(payload["categories"])
            rules = {str(k): parse_rules(v) for k, v in (payload.get("rules") or {}).items()}
            attributes = {str(k): parse_attributes(v) for k, v in (payload.get("attributes") or {}).items()}
            what = f"{len(nodes)} categories, rules of {len(rules)}, attributes of {len(attributes)}"
        elif kind == "categories":
            nodes = parse_categories(payload)
            rules = {k: v for k, v in (current.rules if current else {}).items() if k in nodes}
            attributes = {k: v for k, v in (current.attributes if current else {}).items() if k in nodes}
            what = f"{len(nodes)} categories"
        elif kind in ("rules", "attributes"):
            if not category:
                raise InputError(path, Msg("categories_needs_category", response=kind.title()))
            if current is None:
                raise InputError(path, Msg("categories_no_tree", shop=shop))
            if category not in current.nodes:
                raise InputError(path, Msg("categories_not_in_tree", category=category, shop=shop))
            nodes, rules, attributes = current.nodes, dict(current.rules), dict(current.attributes)
            if kind == "rules":
                rules[category] = parse_rules(payload)
            else:
                attributes[category] = parse_attributes(payload)
            what = f"{kind} of category {category}"
        else:
            raise InputError(path, Msg("categories_unknown_response"))
    except _Bad as exc:
        raise InputError(path, exc.msg) from None
    data = PlatformCategories(shop, day, str(path.resolve()), nodes, rules, attributes)
    return data, save_platform(data, root), what
