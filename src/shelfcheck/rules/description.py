"""The description as Create Product takes it: its length, its HTML, its images and its text.

The description is read once per listing (:func:`shelfcheck.analysis.html_body.read_html`) and
the family is memoised by the description: rows of one product, and products sharing a
description, are judged once. Rows without a description skip the family (``description_missing``
reports them). The limits are the pack's ``description_html`` block and
``create_product.description_max_length``.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator
from urllib.parse import urlsplit

from shelfcheck.analysis import scripts
from shelfcheck.analysis.html_body import HtmlBody, Tag, read_html
from shelfcheck.findings import Hit
from shelfcheck.rules.context import ListingContext, Slot
from shelfcheck.rules.registry import family, rule

__all__ = ["IMAGE_FORMATS", "image_format_of"]

_BODY: Slot[HtmlBody] = Slot("description_html")
_CONTROL_OK = re.compile(r"[\t\n\r]")
_RUN = re.compile(r"(\S)\1+")

# File name endings and the format names of the pack (``JPEG``, ``PNG`` …).
IMAGE_FORMATS = {".jpg": "JPEG", ".jpeg": "JPEG", ".png": "PNG", ".webp": "WEBP", ".gif": "GIF",
                 ".bmp": "BMP", ".heic": "HEIC", ".tif": "TIFF", ".tiff": "TIFF", ".svg": "SVG",
                 ".avif": "AVIF"}


def image_format_of(ref: str) -> tuple[str, str] | None:
    """``(ending, format)`` of an image reference by its name (a URL's path or a file path);
    ``None`` when the name has no ending this table knows (nothing to judge offline)."""
    path = urlsplit(ref.strip()).path if "://" in ref else ref.strip()
    ending = posixpath.splitext(path.replace("\\", "/"))[1].lower()
    known = IMAGE_FORMATS.get(ending)
    return (ending, known) if known else None


def _has_description(c: ListingContext) -> bool:
    return bool(c.listing.description)


family("description", gate=_has_description, memo=("description",))


def _body(c: ListingContext) -> HtmlBody:
    return c.once(_BODY, lambda: read_html(c.listing.description))


@rule("description_too_long", family="description", reads=("create_product.description_max_length",),
      platform=("12052013",))
def description_too_long(c: ListingContext) -> Iterator[Hit]:
    """The description is longer than the platform takes.

    What it checks:
        The description, HTML included, has at most {create_product.description_max_length}
        characters.
    Why the platform refuses it:
        Create Product refuses a longer description ("The product description cannot exceed
        maximum characters", 12052013); ERP exports that append the Chinese text or inline
        styles often pass the limit.
    Bad:
        a description of {create_product.description_max_length} + 1 characters
    Good:
        the same text without inline styles and repeated blocks
    """
    text = c.listing.description
    limit = c.policy.create_product.description_max_length
    if len(text) > limit:
        yield Hit("description", {"length": len(text), "max": limit})


def _attribute_problems(tag: Tag, allowed: dict[str, tuple[str, ...]],
                        required: dict[str, tuple[str, ...]]) -> Iterator[tuple[str, dict[str, object]]]:
    names = [name for name, _value in tag.attributes]
    missing = [name for name in required.get(tag.name, ()) if name not in names]
    if missing:
        yield "html_attribute_missing", {"tag": tag.name, "attributes": missing,
                                         "required": list(required[tag.name]), "line": tag.line}
    illegal = [name for name in names if name not in allowed.get(tag.name, ())]
    if illegal:
        yield "html_attribute_illegal", {"tag": tag.name, "attributes": illegal,
                                         "allowed": list(allowed.get(tag.name, ())), "line": tag.line}


@rule("description_html_invalid", family="description",
      reads=("description_html.children", "description_html.max_depth", "description_html.attributes",
             "description_html.required_attributes"),
      platform=("12052344", "12052348", "12052349", "12052350", "12052352"))
def description_html_invalid(c: ListingContext) -> Iterator[Hit]:
    """The description's HTML is broken, nested where the platform refuses it, or has wrong attributes.

    What it checks:
        Read with an HTML parser: every tag is closed and no end tag stands without its start
        (syntax); each tag stands only where the pack allows it (``description_html.children``:
        block tags p, ul, ol at the top level, li in a list, bold and italics inside p or li);
        tags nest at most {description_html.max_depth} deep; each tag carries the
        attributes the pack requires of it (``description_html.required_attributes``: ``<img>``
        its ``src``, ``width`` and ``height``) and none it does not list for it
        (``description_html.attributes``: no ``style``, ``class``, ``href``). One finding naming
        each kind of problem found, at its first place. One finding per kind
        of problem, at its first place.
    Why the platform refuses it:
        Create Product checks the description's HTML: syntax errors (12052344), a missing
        required attribute (12052348), nesting (12052349), an illegal attribute (12052350) and
        nesting beyond the limit (12052352) are refused. Descriptions copied from a web shop or
        an ERP's rich-text editor carry ``<div style=…>`` and spans.
    Bad:
        ``<p>Soft cotton <b>tee</p>``; ``<p><p>nested</p></p>``; ``<img src="a.jpg">`` without width
        and height; ``<p style="color:red">``
    Good:
        ``<p>Soft cotton <b>tee</b></p><ul><li>100% cotton</li></ul>``
    """
    body = _body(c)
    rules = c.policy.description_html
    found: dict[str, dict[str, object]] = {}  # problem kind → its first place
    for problem, tag, line in body.broken[:1]:
        found["html_syntax"] = {"problem": problem, "tag": tag, "line": line}
    known = set(rules.tags)
    for tag in body.tags:
        if tag.name not in known:
            continue  # description_html_tag_unsupported
        if "html_nesting" not in found and tag.parent in known | {""} \
                and tag.name not in rules.children.get(tag.parent, ()):
            found["html_nesting"] = {"problem": "html_nesting", "tag": tag.name, "parent": tag.parent or None,
                                     "allowed": list(rules.children.get(tag.parent, ())), "line": tag.line}
        if "html_depth" not in found and tag.depth > rules.max_depth:
            found["html_depth"] = {"problem": "html_depth", "tag": tag.name, "depth": tag.depth,
                                   "max_depth": rules.max_depth, "line": tag.line}
        for problem, evidence in _attribute_problems(tag, rules.attributes, rules.required_attributes):
            found.setdefault(problem, {"problem": problem, **evidence})
    if found:
        places = list(found.values())
        yield Hit("description", {**places[0], "problems": places},
                  {"problems": [str(p["problem"]) for p in places]})


@rule("description_html_tag_unsupported", family="description", reads=("description_html.tags",),
      platform=("12052345",))
def description_html_tag_unsupported(c: ListingContext) -> Iterator[Hit]:
    """The description uses HTML tags the platform does not keep.

    What it checks:
        Every tag of the description is one of {description_html.tags}; the others are listed
        (``div``, ``span``, ``table``, ``h1`` …), each once.
    Why the platform refuses it:
        The older Create Product text refuses other tags (12052345 "html tag not support"); the
        newer one converts or filters them (``<table>`` becomes an image), so what the buyer sees
        is not what was written.
    Bad:
        ``<div><span>Soft cotton tee</span></div>``
    Good:
        ``<p>Soft cotton tee</p>``
    """
    known = set(c.policy.description_html.tags)
    unknown = list(dict.fromkeys(t.name for t in _body(c).tags if t.name not in known))
    if unknown:
        yield Hit("description", {"tags": unknown, "allowed": list(c.policy.description_html.tags)},
                  {"tags": ", ".join(f"<{t}>" for t in unknown[:8])})


@rule("description_images_invalid", family="description",
      reads=("description_html.max_images", "description_html.image_formats"),
      platform=("12052056", "12052324", "12052343"))
def description_images_invalid(c: ListingContext) -> Iterator[Hit]:
    """The description has too many images, or images in a format the platform does not take.

    What it checks:
        At most {description_html.max_images} ``<img>`` tags; each ``src`` whose name ends in a
        known image ending is one of {description_html.image_formats} (a ``src`` without an
        ending is left to the upload).
    Why the platform refuses it:
        Create Product refuses more images in the description than its limit (12052056) and
        description images in other formats (12052324, 12052343), e.g. GIF banners from a web shop.
    Bad:
        31 ``<img>`` tags; ``<img src="https://cdn.example.com/banner.gif" width="800" height="200">``
    Good:
        at most {description_html.max_images} JPEG, PNG or WEBP images
    """
    rules = c.policy.description_html
    images = [t for t in _body(c).tags if t.name == "img"]
    problems: list[str] = []
    if len(images) > rules.max_images:
        problems.append("description_images_count")
    bad = []
    for tag in images:
        src = next((v for k, v in tag.attributes if k == "src" and v), "")
        found = image_format_of(src) if src else None
        if found is not None and found[1] not in rules.image_formats:
            bad.append({"src": src, "format": found[1], "line": tag.line})
    if bad:
        problems.append("description_images_format")
    if problems:
        yield Hit("description", {"problem": problems[0], "problems": problems, "count": len(images),
                                  "max": rules.max_images, "formats": list(rules.image_formats), "images": bad},
                  {"problems": problems, "value": bad[0]["src"] if bad else len(images)})


@rule("description_format_invalid", family="description", reads=("description_html.max_repeat",),
      platform=("12052932",))
def description_format_invalid(c: ListingContext) -> Iterator[Hit]:
    """The description has HTML escapes, emoji, control characters, only symbols, or long repeats.

    What it checks:
        In the description: HTML entities (``&nbsp;``, ``&amp;``, ``&#39;``); emoji; control,
        format or private-use characters (line breaks and tabs are fine); and in its text without
        tags, at least one letter or digit and no run of more than
        {description_html.max_repeat} of one character.
    Why the platform refuses it:
        Create Product refuses such descriptions (12052932: "cannot contain HTML escape
        characters (e.g., &nbsp;), emojis, or ASCII control characters … more than
        {description_html.max_repeat} consecutive repeated characters"); they come from web pages and rich-text editors.
    Bad:
        ``<p>Soft&nbsp;cotton 🔥 tee</p>``; ``<p>==========</p>``
    Good:
        ``<p>Soft cotton tee</p>``
    """
    text = c.listing.description
    body = _body(c)
    problems: dict[str, object] = {}
    if body.entities:
        problems["html_entities"] = list(dict.fromkeys(body.entities))
    if emoji := scripts.emoji_characters(text):
        problems["emoji"] = emoji
    if control := scripts.control_characters(_CONTROL_OK.sub("", text)):
        problems["control"] = control
    words = body.text
    if scripts.symbols_only(words):
        problems["symbols_only"] = True
    limit = c.policy.description_html.max_repeat
    if scripts.has_run_longer_than(words, limit):
        runs = [m.group(0) for m in _RUN.finditer(words) if len(m.group(0)) > limit]
        if runs:  # runs of spaces are the HTML's indentation, not text
            longest = max(runs, key=len)
            problems["repeat"] = {"character": longest[0], "run": len(longest), "max": limit}
    if problems:
        yield Hit("description", problems, {"problems": list(problems)})
