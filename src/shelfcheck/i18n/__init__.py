"""Message catalogues: every finding's message and fix in English and Simplified Chinese.

Messages are templates filled from a finding's evidence and ctx, so both languages come from the
same finding and codes never change with the language. The catalogues are YAML, one file per rule
family in ``i18n/<lang>/``:

```yaml
notes:                      # run notes (shelfcheck.notes), said once at the top of a report
  inci_dictionary_builtin: "INCI check limited: …"
reasons:                    # translations of reason keys used in ctx values
  image_file_missing: the file does not exist
title_too_short:
  message: "Title has {length} characters; at least {min} are required."
  fix: "Extend the title …"
  summary: …                # zh only (English summaries come from the rule docstrings)
  why: …                    # zh only
```

The one-line errors of the command line (exit status 2) have their own ``errors.yaml`` in each
language, loaded apart by :func:`error_texts` (see :mod:`shelfcheck.errors`).
"""

from __future__ import annotations

import os
import string
from functools import lru_cache
from importlib import resources
from typing import Any

from shelfcheck.copies import parsed_yaml

__all__ = ["LANGS", "Catalogue", "ErrorTexts", "catalogue", "default_lang", "error_texts"]

LANGS = ("en", "zh")
_FORMATTER = string.Formatter()


def default_lang() -> str:
    """``zh`` when ``LANG`` (or ``LC_ALL``/``LC_MESSAGES``) starts with ``zh``, else ``en``."""
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(var, "")
        if value:
            return "zh" if value.lower().startswith("zh") else "en"
    return "en"


class _Values(dict):  # type: ignore[type-arg]
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


class Catalogue:
    """The messages of one language."""

    def __init__(self, lang: str, entries: dict[str, dict[str, str]], reasons: dict[str, str],
                 ui: dict[str, str], notes: dict[str, str] | None = None) -> None:
        self.lang = lang
        self.entries = entries
        self.reasons = reasons
        self.ui_text = ui
        self.notes_text = notes or {}
        self._sep = "、" if lang == "zh" else ", "
        self._template_names: dict[str, tuple[str, ...]] = {}

    def has(self, code: str, key: str) -> bool:
        """True when the catalogue has ``key`` (``message``, ``fix`` …) for ``code``."""
        return bool(self.entries.get(code, {}).get(key))

    def _value(self, value: Any, translate: bool) -> str:
        if value is None:
            return "-"
        if isinstance(value, bool):
            return self.ui("yes") if value else self.ui("no")
        if isinstance(value, (list, tuple)):
            return self._sep.join(self._value(v, translate) for v in value)
        if isinstance(value, float):
            return f"{value:g}"
        if translate and isinstance(value, str) and value in self.reasons:
            return self.reasons[value]
        return str(value)

    def render(self, code: str, key: str, evidence: dict[str, Any], ctx: dict[str, Any]) -> str:
        """Fill the ``key`` template of ``code`` from evidence (as is) and ctx (translated)."""
        template = self.entries.get(code, {}).get(key)
        if not template:
            return code if key == "message" else ""
        values = _Values()
        for name in self._names(template):  # only what the template uses
            if name in ctx:
                values[name] = self._value(ctx[name], True)
            elif name in evidence:
                values[name] = self._value(evidence[name], False)
        return template.format_map(values)

    def _names(self, template: str) -> tuple[str, ...]:
        names = self._template_names.get(template)
        if names is None:
            names = self._template_names[template] = tuple(sorted(self.placeholders(template)))
        return names

    def message(self, finding: Any) -> str:
        """The finding's message in this language."""
        return self.render(finding.code, "message", finding.evidence, finding.ctx)

    def fix(self, finding: Any) -> str:
        """How to fix the finding, in this language."""
        return self.render(finding.code, "fix", finding.evidence, finding.ctx)

    def text(self, code: str, key: str) -> str:
        """A raw catalogue entry (``summary``, ``why`` …), ``""`` when absent."""
        return self.entries.get(code, {}).get(key, "")

    def reason(self, key: str) -> str:
        """The text of a reason key (the key itself when unknown)."""
        return self.reasons.get(key, key)

    def ui(self, key: str, **values: Any) -> str:
        """An interface string (table headings, summary lines)."""
        template = self.ui_text.get(key, key)
        return template.format_map(_Values({k: self._value(v, False) for k, v in values.items()}))

    def note(self, note: Any) -> str:
        """A run note's message (see :mod:`shelfcheck.notes`): its ``notes:`` template filled."""
        template = self.notes_text.get(note.code, note.code)
        return template.format_map(_Values({k: self._value(v, False) for k, v in note.values.items()}))

    @staticmethod
    def placeholders(template: str) -> set[str]:
        """The ``{names}`` a template uses."""
        return {name for _, name, _, _ in _FORMATTER.parse(template) if name}


@lru_cache(maxsize=4)
def catalogue(lang: str = "en") -> Catalogue:
    """Load the catalogue of ``lang`` (``en`` or ``zh``)."""
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r} (use {' or '.join(LANGS)})")
    entries: dict[str, dict[str, str]] = {}
    reasons: dict[str, str] = {}
    ui: dict[str, str] = {}
    notes: dict[str, str] = {}
    folder = resources.files("shelfcheck.i18n") / lang
    items = sorted((i for i in folder.iterdir() if i.name.endswith(".yaml") and i.name != _ERRORS_FILE),
                   key=lambda p: p.name)
    for data in _parsed(lang, items):
        reasons.update(data.pop("reasons", None) or {})
        ui.update(data.pop("ui", None) or {})
        notes.update(data.pop("notes", None) or {})
        for code, entry in data.items():
            if code in entries:
                raise ValueError(f"i18n/{lang}: {code} defined twice")
            entries[code] = dict(entry)
    return Catalogue(lang, entries, reasons, ui, notes)


# The error catalogue ---------------------------------------------------------------------------
#
# The one-line errors of the command line (:mod:`shelfcheck.errors`) have a file of their own,
# ``errors.yaml``, loaded apart from the findings' catalogue: an error is raised (and its English
# line made) by code that reports nothing, and must not pay for every catalogue of the language.

_ERRORS_FILE = "errors.yaml"


class ErrorTexts:
    """The error catalogue of one language: ``errors:`` (key → template), ``joins:`` (the
    separators of :class:`shelfcheck.errors.Join`) and ``terms:`` (shelfcheck's own words put
    into a message, :class:`shelfcheck.errors.Term`)."""

    def __init__(self, lang: str, messages: dict[str, str], joins: dict[str, str], terms: dict[str, str]) -> None:
        self.lang = lang
        self.messages = messages
        self.joins = joins
        self.terms = terms


@lru_cache(maxsize=4)
def error_texts(lang: str = "en") -> ErrorTexts:
    """Load the error catalogue of ``lang`` (``en`` or ``zh``; anything else: English)."""
    if lang not in LANGS:
        lang = "en"
    item = resources.files("shelfcheck.i18n") / lang / _ERRORS_FILE
    data = _parsed(f"errors-{lang}", [item])[0]
    return ErrorTexts(lang, dict(data.get("errors") or {}), dict(data.get("joins") or {}),
                      dict(data.get("terms") or {}))


# Parsed catalogues are kept as JSON in the user cache folder (:mod:`shelfcheck.copies`): reading
# them back is many times faster than parsing the YAML, and every command that reports pays for it.
_PARSED_VERSION = 1


def _parsed(lang: str, items: list[Any]) -> list[dict[str, Any]]:
    """The YAML files of one language, parsed (from the JSON copy when it is current)."""
    return [data or {} for data in parsed_yaml(items, f"i18n-{lang}", _PARSED_VERSION)]
