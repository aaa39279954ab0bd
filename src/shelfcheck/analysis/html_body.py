"""The structure of a product description's HTML, read with the stdlib ``html.parser``.

:func:`read_html` walks the description once and returns what the description rules judge: the
tags in order with their parent, depth and attributes, the places where the markup is broken
(an end tag without its start, a tag never closed, a tag cut off), the entities written in it
and its text without tags. It decides nothing: the limits are the policy pack's.
"""

from __future__ import annotations

from dataclasses import dataclass, field
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


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.body = HtmlBody()
        self._open: list[str] = []
        self._text: list[str] = []

    def _start(self, tag: str, attrs: list[tuple[str, str | None]], closes: bool) -> None:
        line, column = self.getpos()
        parent = self._open[-1] if self._open else ""
        self.body.tags.append(Tag(tag, parent, len(self._open) + 1, tuple(attrs), line, column + 1))
        if not closes and tag not in _VOID:
            self._open.append(tag)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._start(tag, attrs, False)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._start(tag, attrs, True)

    def handle_endtag(self, tag: str) -> None:
        if tag in _VOID:
            return
        line = self.getpos()[0]
        if tag not in self._open:
            self.body.broken.append(("html_end_without_start", tag, line))
            return
        while self._open:  # tags left open inside the one that ends
            inner = self._open.pop()
            if inner == tag:
                break
            self.body.broken.append(("html_not_closed", inner, line))

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
    """Read ``text`` as HTML (never raises: broken markup is reported in ``broken``)."""
    reader = _Reader()
    try:
        reader.feed(text)
    except AssertionError:  # the stdlib parser's last resort on garbage markup
        reader.body.broken.append(("html_cut_off", text[:20], 1))
        return reader.body
    return reader.finish(text)
