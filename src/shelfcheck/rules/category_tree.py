"""Category tree rules: is the category a leaf of the shop's platform tree?

With the shop's tree pulled (``shelfcheck data pull``) or imported (``shelfcheck data import
tiktok-categories``), a path must end at a leaf the tree has; the suggestions are the leaves under
the written path (or under its deepest known part), ranked by similarity to the title. Without the
tree only one thing is certain: a first-level category alone is never a leaf; a run note says that
deeper checks need the tree.
"""

from __future__ import annotations

from collections.abc import Iterator

from shelfcheck.findings import Hit
from shelfcheck.notes import RunNote, note_provider
from shelfcheck.rules.context import ListingContext
from shelfcheck.rules.registry import family, rule

__all__: list[str] = []

# How many leaves a finding proposes (a presentation choice, not a platform limit).
SUGGESTIONS = 3


def _tree_may_fail(c: ListingContext) -> bool:
    """False when the category does not resolve (``category_unknown`` reports it) or is prohibited."""
    return c.category is not None and c.category.permission != "PROHIBITED"


family("category_tree", gate=_tree_may_fail, memo=("category", "title"))  # the title ranks the suggestions


def _suggestions(c: ListingContext, node_id: str) -> list[str]:
    platform = c.run.platform
    assert platform is not None
    return platform.suggest(node_id, c.get("title"), SUGGESTIONS)


@rule("category_not_leaf", family="category_tree", reads=("categories",), platform=("12052024",))
def category_not_leaf(c: ListingContext) -> Iterator[Hit]:
    """The category is not a leaf: the platform takes products only in the last level of its tree.

    What it checks:
        With the shop's category tree pulled, the written path ends at a leaf of the tree. Without
        it, the path has more than the first level (no first-level category is a leaf).
    Why the platform refuses it:
        Create Product needs a leaf category id; a parent category is refused ("Category is not
        final category").
    Bad:
        ``category: Phones & Electronics`` or ``category: 美妆个护``
    Good:
        ``category: Phones & Electronics > Audio > Earbuds`` (a leaf of the shop's tree)
    """
    match = c.category
    if match is None or match.permission == "PROHIBITED":
        return  # category_unknown / category_prohibited say it
    platform = c.run.platform
    if platform is None:
        if len(match.segments) == 1:
            yield Hit("category", {"value": match.written, "category": match.path, "tree": "none",
                                   "suggestions": []}, {"suggestions": "category_tree_needed"})
        return
    node, _deepest = platform.find(match.segments)
    if node is None or node.is_leaf:
        return
    suggestions = _suggestions(c, node.id)
    yield Hit("category", {"value": match.written, "category": platform.path_text(node.id),
                           "category_id": node.id, "tree": platform.label, "suggestions": suggestions},
              {"suggestions": "; ".join(suggestions) or "-"})


@rule("category_not_on_platform", family="category_tree", reads=("categories",),
      platform=("12052023", "12052025"))
def category_not_on_platform(c: ListingContext) -> Iterator[Hit]:
    """The category path is not in the shop's category tree on the platform.

    What it checks:
        With the shop's category tree pulled, every level of the written path exists in it (the
        first level may be written as the policy pack's alias).
    Why the platform refuses it:
        A product must be created under a category id of the shop's tree; a path the tree does not
        have has no id, and the upload is refused ("Category does not exist").
    Bad:
        ``category: Home Supplies > Storage Boxes`` when the tree has ``Home Supplies > Storage & Organisation``
    Good:
        a path of the tree, e.g. ``Home Supplies > Storage & Organisation``
    """
    match = c.category
    platform = c.run.platform
    if match is None or platform is None or match.permission == "PROHIBITED":
        return
    node, deepest = platform.find(match.segments)
    if node is not None:
        return
    known = platform.path_text(deepest.id) if deepest is not None else ""
    suggestions = _suggestions(c, deepest.id) if deepest is not None else []
    yield Hit("category", {"value": match.written, "category": match.path, "known_part": known or None,
                           "tree": platform.label, "suggestions": suggestions},
              {"suggestions": "; ".join(suggestions) or "-", "known_part": known or "-"})


@note_provider
def _tree_note(run: object, source: object) -> Iterator[RunNote]:
    """``category_tree_missing`` when the catalogue has categories and no tree is stored;
    ``category_tree_used`` naming the tree otherwise."""
    columns = getattr(source, "columns", None)
    if columns is not None and "category" not in columns:
        return
    platform = getattr(getattr(run, "datasets", None), "platform", None)
    if platform is None:
        yield RunNote("category_tree_missing", {"command": "shelfcheck data pull --catalog FILE",
                                                "import": "shelfcheck data import tiktok-categories FILE"})
    else:
        yield RunNote("category_tree_used", {"shop": platform.shop, "date": platform.date.isoformat(),
                                             "categories": len(platform.nodes), "rules": len(platform.rules)})
