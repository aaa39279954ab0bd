"""Category rules: may this shop list in the category the seller chose?"""

from __future__ import annotations

from collections.abc import Iterator

from shelfcheck.findings import Hit
from shelfcheck.rules.context import ListingContext
from shelfcheck.rules.registry import family, rule

__all__: list[str] = []


def _category_may_fail(c: ListingContext) -> bool:
    """False for a category that resolves to an available one."""
    return c.category is None or c.category.permission != "AVAILABLE"


family("category", gate=_category_may_fail)


@rule("category_missing", family="category")
def category_missing(c: ListingContext) -> Iterator[Hit]:
    """No category is given.

    What it checks:
        The ``category`` column is not empty.
    Why the platform refuses it:
        Every product must sit in a leaf category; the category decides which attributes and
        qualification documents are required.
    Bad:
        ``category:`` (empty)
    Good:
        ``category: Beauty & Personal Care > Makeup > Lipstick``
    """
    if not c.get("category"):
        yield Hit("category", {"value": ""})


@rule("category_unknown", family="category", reads=("categories",),
      platform=("12052023", "12052025", "12052002"))
def category_unknown(c: ListingContext) -> Iterator[Hit]:
    """The category is not in the platform's US category tree.

    What it checks:
        The first level of the category path (or an alias, or a category id) is one of the
        categories in the policy pack.
    Why the platform refuses it:
        A product must be created under an existing US category id; categories of other
        marketplaces (or typing errors) do not exist on TikTok Shop US.
    Bad:
        ``category: Electronix > Earbuds``
    Good:
        ``category: Phones & Electronics > Earbuds``
    """
    text = c.get("category")
    if text and c.category is None:
        suggestion = c.run.tree.suggest(text)
        yield Hit("category", {"value": text, "suggestion": suggestion},
                  {"suggestion": suggestion or "-"})


@rule("category_invite_only", family="category", reads=("categories",),
      platform=("12052221", "12052223", "12052226", "12052227"))
def category_invite_only(c: ListingContext) -> Iterator[Hit]:
    """The category is invite-only (gray test) and the shop has not been granted access.

    What it checks:
        When the resolved category (or its nearest listed ancestor) is ``INVITE_ONLY``, the shop
        profile's ``category_access`` includes it or one of its ancestors.
    Why the platform refuses it:
        Categories in gray test (e.g. Health Supplements, Children's Toys as of 2024-08) accept
        products only from invited sellers; others cannot submit.
    Bad:
        ``category: Health > Health Supplements`` without access
    Good:
        the same, with ``category_access: ["Health > Health Supplements"]`` in shop.yaml
    """
    match = c.category
    if match is None or match.permission != "INVITE_ONLY":
        return
    granted = c.run.shop.category_access if c.run.shop else []
    if any(c.run.tree.is_within(match, g) for g in granted):
        return
    yield Hit("category", {"value": match.written, "category": match.path, "permission": "INVITE_ONLY",
                           "granted": list(granted)},
              {"category": match.entry.path})


@rule("category_prohibited", family="category", reads=("categories",), fixable=False,
      platform=("12052220", "12052446"))
def category_prohibited(c: ListingContext) -> Iterator[Hit]:
    """The category is prohibited on TikTok Shop US; no document can change that.

    What it checks:
        The resolved category (or its nearest listed ancestor) is ``PROHIBITED``.
    Why the platform refuses it:
        Prohibited products (CBD, weapons, tobacco and vaping, drugs, adult products, live
        animals) are refused outright, and repeated attempts count against the shop.
    Bad:
        ``category: CBD Products``
    Good:
        a product in an available category
    """
    match = c.category
    if match is not None and match.permission == "PROHIBITED":
        yield Hit("category", {"value": match.written, "category": match.path, "permission": "PROHIBITED"},
                  {"category": match.entry.path})
