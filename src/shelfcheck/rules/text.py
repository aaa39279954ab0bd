"""Text rules: the seller SKU and the title, as the platform reads them."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

from shelfcheck.analysis import scripts
from shelfcheck.findings import Hit
from shelfcheck.rules.context import ListingContext
from shelfcheck.rules.registry import family, rule

__all__: list[str] = []


@lru_cache(maxsize=8)
def _disallowed(allowed: str) -> re.Pattern[str]:
    return re.compile(f"[^{allowed}]")


@lru_cache(maxsize=8)
def _allowed(allowed: str) -> re.Pattern[str]:
    return re.compile(f"[{allowed}]+")


# Printable ASCII without "&" (which may start an HTML entity): no control character either.
_PLAIN_ASCII = re.compile(r"[\x20-\x25\x27-\x7e]+")


def _text_may_fail(c: ListingContext) -> bool:
    """False for the common case every text rule passes: a unique, plain SKU and a plain ASCII
    title of the right length (no ``&``, control character, symbol-only text or long run)."""
    values = c.listing.values
    sku, title = values.get("seller_sku"), values.get("title")
    if not sku or not title or c.first_row_of_sku is not None:
        return True
    policy = c.policy
    if len(sku) > policy.sku.max_length or not _allowed(policy.sku.allowed).fullmatch(sku):
        return True
    if not policy.title.min_length <= len(title) <= policy.title.max_length:
        return True
    return (_PLAIN_ASCII.fullmatch(title) is None or scripts.symbols_only(title)
            or scripts.has_run_longer_than(title, policy.title.max_repeat))


family("text", gate=_text_may_fail)


@rule("sku_missing", family="text")
def sku_missing(c: ListingContext) -> Iterator[Hit]:
    """The row has no seller SKU.

    What it checks:
        The ``seller_sku`` cell is not empty.
    Why the platform refuses it:
        The seller SKU identifies the product across the ERP, inventory sync and the platform;
        a product without one cannot be created or synchronised.
    Bad:
        ``seller_sku:`` (empty)
    Good:
        ``seller_sku: EB-001-BLK``
    """
    if not c.listing.seller_sku:
        yield Hit("seller_sku", {"value": ""})


@rule("sku_not_english", family="text", reads=("sku.allowed",),
      platform=("12019059",))
def sku_not_english(c: ListingContext) -> Iterator[Hit]:
    """The seller SKU has characters other than ``A–Z a–z 0–9 . _ -``.

    What it checks:
        Every character of the SKU is in ``sku.allowed`` (no Chinese, spaces, full-width forms or
        symbols).
    Why the platform refuses it:
        TikTok Shop US requires English SKUs; a SKU such as ``SKU-爆款红色`` is rejected at once.
    Bad:
        ``seller_sku: 耳机-黑色``
    Good:
        ``seller_sku: EB-001-BLK``
    """
    sku = c.listing.seller_sku
    if not sku:
        return
    bad = list(dict.fromkeys(_disallowed(c.policy.sku.allowed).findall(sku)))
    if bad:
        yield Hit("seller_sku", {"value": sku, "characters": bad, "allowed": c.policy.sku.allowed},
                  {"characters": " ".join(repr(b)[1:-1] for b in bad[:10])})


@rule("sku_too_long", family="text", reads=("sku.max_length",),
      platform=("12052054",))
def sku_too_long(c: ListingContext) -> Iterator[Hit]:
    """The seller SKU is longer than the policy allows ({sku.max_length} characters).

    What it checks:
        The trimmed SKU, counted in characters, against ``sku.max_length``.
    Why the platform refuses it:
        Platform SKUs are limited to {sku.max_length} characters; longer ones are cut or refused.
    Bad:
        a 60-character SKU made of the full product name
    Good:
        ``seller_sku: EB-001-BLK``
    """
    sku = c.listing.seller_sku
    limit = c.policy.sku.max_length
    if len(sku) > limit:
        yield Hit("seller_sku", {"length": len(sku), "max": limit})


@rule("duplicate_sku", family="text")
def duplicate_sku(c: ListingContext) -> Iterator[Hit]:
    """The same seller SKU appears on an earlier row.

    What it checks:
        SKUs compare case-sensitively after trimming; every row after the first with the same SKU
        gets this finding, naming the first row.
    Why the platform refuses it:
        A seller SKU must be unique in the shop; a second product with the same SKU is refused,
        and inventory sync cannot tell the two apart.
    Bad:
        rows 2 and 7 both ``EB-001``
    Good:
        ``EB-001-BLK`` and ``EB-001-WHT``
    """
    if c.first_row_of_sku is not None:
        yield Hit("seller_sku", {"value": c.listing.seller_sku, "first_row": c.first_row_of_sku})


@rule("title_missing", family="text",
      platform=("12052261",))
def title_missing(c: ListingContext) -> Iterator[Hit]:
    """The product has no title.

    What it checks:
        The ``title`` cell is not empty after trimming.
    Why the platform refuses it:
        The title is mandatory; without it the product cannot be created.
    Bad:
        ``title:`` (empty)
    Good:
        ``title: Wireless Earbuds Bluetooth 5.3 with Charging Case``
    """
    if not c.listing.title:
        yield Hit("title", {"length": 0})


@rule("title_too_short", family="text", reads=("title.min_length",))
def title_too_short(c: ListingContext) -> Iterator[Hit]:
    """The title is shorter than the policy minimum ({title.min_length} characters).

    What it checks:
        The trimmed title, counted in characters (code points), against ``title.min_length``.
        An empty title is ``title_missing`` instead.
    Why the platform refuses it:
        TikTok Shop US requires a complete English title of at least {title.min_length} characters.
    Bad:
        ``title: Earbuds``
    Good:
        ``title: Wireless Earbuds Bluetooth 5.3``
    """
    title = c.listing.title
    minimum = c.policy.title.min_length
    if title and len(title) < minimum:
        yield Hit("title", {"length": len(title), "min": minimum})


@rule("title_too_long", family="text", reads=("title.max_length",),
      platform=("12052051",))
def title_too_long(c: ListingContext) -> Iterator[Hit]:
    """The title is longer than the policy maximum ({title.max_length} characters).

    What it checks:
        The trimmed title, counted in characters, against ``title.max_length``.
    Why the platform refuses it:
        Create Product limits the title to {title.max_length} characters.
    Bad:
        a 300-character title stuffed with keywords
    Good:
        a focused title under {title.max_length} characters
    """
    title = c.listing.title
    maximum = c.policy.title.max_length
    if len(title) > maximum:
        yield Hit("title", {"length": len(title), "max": maximum})


@rule("title_not_english", family="text",
      platform=("12052262", "12052266"))
def title_not_english(c: ListingContext) -> Iterator[Hit]:
    """The title contains Chinese, Japanese or Korean script, or full-width characters.

    What it checks:
        Han, Hiragana, Katakana and Hangul characters, and full-width forms (U+FF00–U+FFEF,
        U+3000), anywhere in the title.
    Why the platform refuses it:
        Titles on TikTok Shop US must be in English; CJK text or full-width letters (typed with a
        Chinese input method) are refused by the review engine.
    Bad:
        ``title: Wireless Earbuds 蓝牙耳机 ＢＴ５.３``
    Good:
        ``title: Wireless Earbuds BT5.3``
    """
    title = c.listing.title
    cjk = scripts.cjk_characters(title)
    wide = scripts.fullwidth_characters(title)
    if cjk or wide:
        shown = "".join((cjk + wide)[:12])
        yield Hit("title", {"cjk": cjk, "fullwidth": wide}, {"characters": shown})


@rule("title_format_invalid", family="text", reads=("title.max_repeat",),
      platform=("12052931",))
def title_format_invalid(c: ListingContext) -> Iterator[Hit]:
    """The title has emoji, control characters, HTML entities, only symbols, or long repeats.

    What it checks:
        Emoji; control, format or private-use characters; HTML entities such as ``&nbsp;``; a
        title with no letter or digit; a run of more than ``title.max_repeat``
        ({title.max_repeat}) of one character.
    Why the platform refuses it:
        The listing policy forbids special symbols and characters in titles; entities and
        invisible characters come from copying web pages and show up garbled.
    Bad:
        ``title: 🔥Hot Sale🔥 Earbuds&nbsp;!!!!!!!!!!``
    Good:
        ``title: Wireless Earbuds Bluetooth 5.3``
    """
    title = c.listing.title
    if not title:
        return
    problems: dict[str, object] = {}
    if emoji := scripts.emoji_characters(title):
        problems["emoji"] = emoji
    if control := scripts.control_characters(title):
        problems["control"] = control
    if entities := scripts.html_entities(title):
        problems["html_entities"] = entities
    if scripts.symbols_only(title):
        problems["symbols_only"] = True
    limit = c.policy.title.max_repeat
    if scripts.has_run_longer_than(title, limit):
        char, run = scripts.longest_run(title)
        problems["repeat"] = {"character": char, "run": run, "max": limit}
    if problems:
        yield Hit("title", problems, {"problems": list(problems)})
