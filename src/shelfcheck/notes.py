"""Run notes: what a report says once, at its top, about the run as a whole.

A note is not a finding: it concerns no listing and changes no status or exit code. It tells the
seller how far the run could see — e.g. that the INCI check used only the built-in list of common
names because the CosIng inventory is not installed, and how to install it. Every reporter shows
the same notes (JSON ``summary.notes``, a line under the table's heading, a banner in the HTML),
worded from the message catalogues (``notes:`` in ``i18n/<lang>/notes.yaml``) in the report's
language.

A note comes from a *provider*: a function of the prepared run that returns the notes it has
(usually none). Later checks register theirs with :func:`note_provider`; the order of
registration is the order in the report.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["NOTE_PROVIDERS", "RunNote", "note_dicts", "note_provider", "run_notes"]


@dataclass(frozen=True)
class RunNote:
    """One note: a stable ``code`` (its catalogue entry) and the values its message uses."""

    code: str
    values: Mapping[str, Any] = field(default_factory=dict)


# A provider gets the run context and the opened catalogue source (either may lack attributes a
# test stub does not set: providers read them defensively).
NoteProvider = Callable[[Any, Any], Iterable[RunNote]]
NOTE_PROVIDERS: list[NoteProvider] = []


def note_provider(fn: NoteProvider) -> NoteProvider:
    """Register a provider of run notes (a decorator)."""
    NOTE_PROVIDERS.append(fn)
    return fn


def run_notes(run: Any, source: Any = None) -> list[RunNote]:
    """Every provider's notes for this run, in registration order, each code once."""
    notes: list[RunNote] = []
    seen: set[str] = set()
    for provider in NOTE_PROVIDERS:
        for note in provider(run, source):
            if note.code not in seen:
                seen.add(note.code)
                notes.append(note)
    return notes


def note_dicts(notes: Iterable[RunNote], cat: Any) -> list[dict[str, str]]:
    """Notes as the JSON report's ``summary.notes``: ``[{"code", "message"}]`` in ``cat``'s language."""
    return [{"code": n.code, "message": cat.note(n)} for n in notes]


# Providers --------------------------------------------------------------------------------------

@note_provider
def _inci_dictionary(run: Any, source: Any) -> Iterable[RunNote]:
    """Which dictionary the INCI check used, when this run checks ingredient names at all.

    ``inci_dictionary_builtin`` (the check is limited; how to install CosIng) or
    ``inci_dictionary_cosing`` (its date and size). Nothing when the catalogue has no
    ``ingredients`` column and no CPI document is given.
    """
    datasets = getattr(run, "datasets", None)
    if datasets is None:
        return ()
    columns = getattr(source, "columns", None)
    has_column = columns is None or "ingredients" in columns
    has_cpi = any(getattr(d, "type", None) == "CPI" for d in (getattr(run, "documents", None) or ()))
    if not (has_column or has_cpi):
        return ()  # nothing in this run is checked as INCI (and the dictionary is not loaded)
    dictionary = getattr(datasets, "inci_dictionary", None)
    if dictionary is None:
        return ()
    if getattr(dictionary, "complete", False):
        label = str(getattr(dictionary, "label", "cosing"))
        return (RunNote("inci_dictionary_cosing", {"date": label.partition("@")[2] or "-",
                                                   "names": len(dictionary)}),)
    from shelfcheck.analysis.inci import builtin_names

    return (RunNote("inci_dictionary_builtin", {"names": len(builtin_names()),
                                                "command": "shelfcheck data import cosing FILE"}),)
