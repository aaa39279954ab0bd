"""The category tree of a pack: resolving what a seller wrote to a path and its permission.

A seller may write the full path (``Beauty & Personal Care > Makeup``), an alias from the
category data (``Beauty > Makeup``, ``美妆个护``), or a category id (``601450``). A deeper path
inherits the permission of its nearest listed ancestor.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cached_property

from shelfcheck.policy.schema import CategoryEntry

__all__ = ["CategoryMatch", "CategoryTree", "split_path"]

_SEP = re.compile(r"\s*(?:>|›|»|＞|→)\s*")


def split_path(text: str) -> list[str]:
    """Split ``A > B > C`` into its segments (also ``›``, ``»``, full-width ``＞``, ``→``)."""
    return [s.strip() for s in _SEP.split(text.strip()) if s.strip()]


def _key(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold()
    text = text.replace("’", "'").replace("‘", "'")
    return " ".join(text.split())


@dataclass(frozen=True, slots=True)
class CategoryMatch:
    """A resolved category."""

    path: str
    top: str
    permission: str
    entry: CategoryEntry
    written: str

    @property
    def segments(self) -> list[str]:
        return split_path(self.path)


class CategoryTree:
    """Lookup over the ``categories`` of a policy pack."""

    def __init__(self, entries: tuple[CategoryEntry, ...]) -> None:
        self._entries = entries
        self._by_path: dict[tuple[str, ...], CategoryEntry] = {}
        self._alias: dict[str, tuple[str, ...]] = {}
        self._by_id: dict[str, CategoryEntry] = {}
        for entry in entries:
            segs = tuple(split_path(entry.path))
            self._by_path[tuple(_key(s) for s in segs)] = entry
            if entry.id:
                self._by_id[entry.id] = entry
        for entry in entries:
            segs = tuple(split_path(entry.path))
            for alias in (entry.path, *entry.aliases):
                self._alias.setdefault(_key(alias), segs)
        self._resolved: dict[str, CategoryMatch | None] = {}

    def resolve(self, text: str) -> CategoryMatch | None:
        """Resolve what the seller wrote, or ``None`` when the first level is not known."""
        try:
            return self._resolved[text]
        except KeyError:
            pass
        match = self._resolve(text)
        if len(self._resolved) < 65536:  # catalogues repeat a few hundred categories at most
            self._resolved[text] = match
        return match

    def _resolve(self, text: str) -> CategoryMatch | None:
        written = text.strip()
        if written in self._by_id:
            entry = self._by_id[written]
            return self._match(split_path(entry.path), written)
        segments = split_path(written)
        if not segments:
            return None
        canonical = self._canonical(segments)
        if canonical is None:
            return None
        return self._match(canonical, written)

    def _canonical(self, segments: list[str]) -> list[str] | None:
        # Longest prefix that is an alias or a known path; the rest is kept as written.
        for cut in range(len(segments), 0, -1):
            head = " > ".join(segments[:cut])
            mapped = self._alias.get(_key(head))
            if mapped is not None:
                return list(mapped) + segments[cut:]
        return None

    def _match(self, segments: list[str], written: str) -> CategoryMatch | None:
        keys = [_key(s) for s in segments]
        for cut in range(len(keys), 0, -1):
            entry = self._by_path.get(tuple(keys[:cut]))
            if entry is not None:
                listed = split_path(entry.path)
                path = " > ".join(listed + segments[cut:])
                return CategoryMatch(path, listed[0], entry.permission, entry, written)
        return None

    def is_within(self, match: CategoryMatch, granted: str) -> bool:
        """True when ``match`` is the granted category or below it."""
        other = self.resolve(granted)
        if other is None:
            return False
        mine = [_key(s) for s in match.segments]
        theirs = [_key(s) for s in other.segments]
        return mine[: len(theirs)] == theirs

    @cached_property
    def _choices(self) -> list[str]:
        names = [e.path for e in self._entries]
        names += [a for e in self._entries for a in e.aliases]
        return names

    def suggest(self, text: str) -> str | None:
        """The closest known category path to a first level that did not resolve."""
        segments = split_path(text)
        if not segments:
            return None
        from rapidfuzz import fuzz, process, utils  # loaded when a category did not resolve

        best = process.extractOne(
            segments[0], self._choices, scorer=fuzz.token_sort_ratio,
            processor=utils.default_process, score_cutoff=70,
        )
        if best is None:
            return None
        resolved = self.resolve(best[0])
        return resolved.path if resolved else None
