"""The structure of a product description's HTML, read with the stdlib ``html.parser``.

:func:`read_html` walks the description once and returns what the description rules judge: the
tags in order with their parent, depth and attributes, the places where the markup is broken
(an end tag without its start, a tag never closed, a tag cut off), the entities written in it
and its text without tags. It decides nothing: the limits are the policy pack's.

The reference reading is ``html.parser``'s (:func:`_read_html_stdlib`); it is pure Python and
costs ~40 µs for a typical 250-character description. :func:`read_html` first tries :func:`_read_html_fast`, a
tokenizer of one compiled regex that knows only the markup ordinary descriptions are made of:

* text without ``<`` or ``&``; a ``<`` not followed by a letter, ``/``, ``!`` or ``?``; a ``&``
  not followed by a letter or ``#`` (both are text to ``html.parser`` when not the last character);
* entity and character references as ``html.parser`` finds them (``&name;``, ``&#38;``,
  ``&#x26;``, also without the ``;`` when another character follows);
* start tags ``<name attr attr=value ...>`` and ``<name .../>``: ASCII names, attributes
  separated by ASCII whitespace, values in single or double quotes (anything but the quote) or
  bare (no whitespace, quotes, ``=``, ``<``, ``>``, and not ending in ``/``), one ``=``;
* end tags ``</name>`` (ASCII whitespace allowed before the ``>``).

Anything else (comments, ``<!DOCTYPE``, CDATA, ``<?``, ``<script>``/``<style>`` and their raw
text, a tag cut off at the end, a lone ``<`` or ``&`` at the very end, an ``&name`` running to
the end, non-ASCII or vertical-tab whitespace inside a tag, ``==``, unquoted values with quotes,
attributes not separated by whitespace...) makes it give up, and the description is read by
``html.parser``. On what it accepts it builds exactly the :class:`HtmlBody` ``html.parser`` gives
(same names lower-cased, attribute values unescaped with :func:`html.unescape`, lines and columns
counted on ``\n`` as ``getpos`` counts them); ``tests/test_html_body_fast.py`` compares both on
hand-written edge cases and a few thousand random tag soups.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html import unescape
from html.parser import HTMLParser

__all__ = ["HtmlBody", "Tag", "read_html"]

_VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
                   "track", "wbr"})


@dataclass(frozen=True, slots=True)
class Tag:
    """One start tag: its name, the tag it stands in (``""`` at the top level), its depth
    (1 at the top level), its attributes (names lower-cased) and its line and column."""

    name: str
    parent: str
    depth: int
    attributes: tuple[tuple[str, str | None], ...]
    line: int
    column: int


@dataclass(slots=True)
class HtmlBody:
    """What :func:`read_html` found. ``broken`` holds ``(problem, tag, line)`` with problem one of
    ``html_end_without_start``, ``html_not_closed``, ``html_cut_off``."""

    tags: list[Tag] = field(default_factory=list)
    broken: list[tuple[str, str, int]] = field(default_factory=list)
    entities: list[str] = field(default_factory=list)
    text: str = ""


def _open_tag(tags: list[Tag], opened: list[str], name: str, attributes: tuple[tuple[str, str | None], ...],
              line: int, column: int, closes: bool) -> None:
    """Note a start tag in ``tags``; one that is neither void nor self-closed stays ``opened``."""
    tags.append(Tag(name, opened[-1] if opened else "", len(opened) + 1, attributes, line, column))
    if not closes and name not in _VOID:
        opened.append(name)


def _close_tag(broken: list[tuple[str, str, int]], opened: list[str], name: str, line: int) -> None:
    """Close ``name`` (an end tag on ``line``), noting in ``broken`` an end without its start and
    the tags left open inside it."""
    if name in _VOID:
        return
    if name not in opened:
        broken.append(("html_end_without_start", name, line))
        return
    while opened:
        inner = opened.pop()
        if inner == name:
            break
        broken.append(("html_not_closed", inner, line))


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.body = HtmlBody()
        self._open: list[str] = []
        self._text: list[str] = []

    def _start(self, tag: str, attrs: list[tuple[str, str | None]], closes: bool) -> None:
        line, column = self.getpos()
        _open_tag(self.body.tags, self._open, tag, tuple(attrs), line, column + 1, closes)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._start(tag, attrs, False)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._start(tag, attrs, True)

    def handle_endtag(self, tag: str) -> None:
        _close_tag(self.body.broken, self._open, tag, self.getpos()[0])

    def handle_data(self, data: str) -> None:
        self._text.append(data)

    def handle_entityref(self, name: str) -> None:
        self.body.entities.append(f"&{name};")
        self._text.append(" ")

    def handle_charref(self, name: str) -> None:
        self.body.entities.append(f"&#{name};")
        self._text.append(" ")

    def finish(self, text: str) -> HtmlBody:
        rest = self.rawdata[self.rawdata.rfind("<"):] if "<" in self.rawdata else ""
        self.close()
        if rest.startswith("<") and len(rest) > 1 and (rest[1].isalpha() or rest[1] == "/") and ">" not in rest:
            self.body.broken.append(("html_cut_off", rest[:20], text.count("\n", 0, len(text) - len(rest)) + 1))
            joined = "".join(self._text)
            self._text = [joined[: len(joined) - len(rest)] if joined.endswith(rest) else joined]
        line = self.getpos()[0]
        self.body.broken.extend(("html_not_closed", tag, line) for tag in reversed(self._open))
        self.body.text = "".join(self._text)
        return self.body


def read_html(text: str) -> HtmlBody:
    """Read ``text`` as HTML (never raises: broken markup is reported in ``broken``).

    The fast tokenizer reads ordinary descriptions; whatever it does not know exactly goes to
    ``html.parser`` (see the module's docstring). Both give the same :class:`HtmlBody`.
    """
    body = _read_html_fast(text)
    return body if body is not None else _read_html_stdlib(text)


def _read_html_stdlib(text: str) -> HtmlBody:
    """Read ``text`` with the stdlib ``html.parser``: the reference :func:`_read_html_fast` follows."""
    reader = _Reader()
    try:
        reader.feed(text)
    except AssertionError:  # the stdlib parser's last resort on garbage markup
        reader.body.broken.append(("html_cut_off", text[:20], 1))
        return reader.body
    return reader.finish(text)


# The fast path. ``_WS`` is the whitespace ``html.parser`` ends a tag name on (its ``\s`` also
# takes \v and non-ASCII spaces, which the fast path leaves to it).
_WS = r"[ \t\n\r\f]"
# One attribute after its whitespace: the name, then optionally ``=`` and a value in quotes or
# bare. A bare value is followed by whitespace or ``>`` (``html.parser`` would take a ``/``
# before ``>`` into the value: such a tag is left to it).
_ATTR = (rf"[a-zA-Z_:][-a-zA-Z0-9_:.]*(?:{_WS}*={_WS}*"
         rf"""(?:"[^"]*"|'[^']*'|[^\s"'=<>]*[^\s"'=<>/](?={_WS}|>)))?""")
# Every "<" and "&" of the text starts one of these; the text between them is plain text.
_MARKUP = re.compile(
    rf"<([a-zA-Z][-a-zA-Z0-9]*)((?:{_WS}+{_ATTR})*){_WS}*(/?)>"  # 1 name, 2 attributes, 3 "/"
    rf"|</([a-zA-Z][-.a-zA-Z0-9:_]*){_WS}*>"                  # 4 end tag
    r"|&#([0-9]+|[xX][0-9a-fA-F]+)(?:;|(?=[^0-9a-fA-F]))"     # 5 character reference
    r"|&([a-zA-Z][-.a-zA-Z0-9]*)(?:;|(?=[^a-zA-Z0-9]))"       # 6 entity reference
    r"|<(?=[^a-zA-Z/!?])|&(?![a-zA-Z#])(?=[\s\S])"            # a "<" or "&" that is text (no group)
    r"|<()|&()"                                               # 7, 8 anything else: html.parser's job
)
# The attributes of a start tag _MARKUP matched (so already checked): name and raw value.
_ATTRS = re.compile(rf"""{_WS}+([a-zA-Z_:][-a-zA-Z0-9_:.]*)(?:{_WS}*={_WS}*("[^"]*"|'[^']*'|[^\s"'=<>]+))?""")
_RAW_TEXT = frozenset(HTMLParser.CDATA_CONTENT_ELEMENTS)  # script, style: their content is not markup


def _attribute(name: str, raw: str) -> tuple[str, str | None]:
    if not raw:
        return name.lower(), None
    if raw[0] == '"' or raw[0] == "'":
        raw = raw[1:-1]
    return name.lower(), unescape(raw) if "&" in raw else raw


def _read_html_fast(text: str) -> HtmlBody | None:
    """Read ``text`` like :func:`_read_html_stdlib`, or return ``None`` when it has markup this
    tokenizer does not know exactly (the caller then asks ``html.parser``)."""
    tags: list[Tag] = []
    broken: list[tuple[str, str, int]] = []
    entities: list[str] = []
    parts: list[str] = []
    opened: list[str] = []
    multiline = "\n" in text
    line = 1
    counted = 0  # newlines are counted up to here
    last = 0  # the text is taken up to here
    for m in _MARKUP.finditer(text):
        kind = m.lastindex
        if kind is None:  # a "<" or "&" kept as text
            continue
        start, end = m.span()
        if start > last:
            parts.append(text[last:start])
        last = end
        if multiline:
            line += text.count("\n", counted, start)
            counted = start
        if kind == 3:
            name = m.group(1).lower()
            if name in _RAW_TEXT:
                return None
            raw = m.group(2)
            attributes = tuple([_attribute(n, v) for n, v in _ATTRS.findall(raw)]) if raw else ()
            column = start - text.rfind("\n", 0, start) if multiline else start + 1
            _open_tag(tags, opened, name, attributes, line, column, bool(m.group(3)))
        elif kind == 4:
            _close_tag(broken, opened, m.group(4).lower(), line)
        elif kind >= 7:
            return None
        else:
            entities.append(f"&#{m.group(5)};" if kind == 5 else f"&{m.group(6)};")
            parts.append(" ")
    if opened:
        end_line = text.count("\n") + 1
        broken.extend(("html_not_closed", name, end_line) for name in reversed(opened))
    parts.append(text[last:])
    return HtmlBody(tags, broken, entities, "".join(parts))
