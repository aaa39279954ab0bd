"""Errors that stop a command: input that cannot be read, a policy that cannot be loaded.

A problem *inside* the data (a corrupt image, a bad date) is never an exception: it is a finding
on its row. These exceptions are for input that cannot be read at all; the CLI prints them as one
line naming the file, row and column, and exits with status 2.

Their text comes from the error catalogue (``i18n/<lang>/errors.yaml``), as the findings' does
from theirs: an error carries a :class:`Msg` (a key and the values that fill it), so the command
line can print it in English or in Chinese. ``str(error)`` is always the English line.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

__all__ = ["InputError", "Join", "Msg", "PolicyError", "ShelfcheckError", "Term"]


class Msg:
    """A message of the error catalogue: its key and the values that fill its ``{names}``.

    A value is inserted as it is (a file name, a cell's text, a column name: never translated),
    except a :class:`Msg`, a :class:`Join`, a :class:`Term` or a :class:`ShelfcheckError`, which
    are rendered in the same language. ``str(msg)`` is the English text.
    """

    __slots__ = ("key", "params")

    def __init__(self, key: str, /, **params: Any) -> None:
        self.key = key
        self.params = params

    def render(self, lang: str = "en") -> str:
        """The text in ``lang`` (English when ``lang`` has no template for the key)."""
        from shelfcheck.i18n import error_texts

        texts = error_texts(lang)
        template = texts.messages.get(self.key) or error_texts("en").messages.get(self.key)
        values = {name: _rendered(value, lang) for name, value in self.params.items()}
        if template is None:  # a key the catalogue lacks (a test sees to it): its name and values
            return self.key + "".join(f" {name}={value!r}" for name, value in values.items())
        return template.format_map(values)

    def __str__(self) -> str:
        return self.render("en")

    def __repr__(self) -> str:
        return f"Msg({self.key!r}, {', '.join(f'{k}={v!r}' for k, v in self.params.items())})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Msg) and (self.key, self.params) == (other.key, other.params)

    def __hash__(self) -> int:
        return hash(self.key)


class Join:
    """Several parts (texts, :class:`Msg`) joined with a separator of the catalogue's ``joins:``
    (``and``, ``or``, ``semicolon``, ``arrow``), rendered in the language of the message holding it."""

    __slots__ = ("items", "sep")

    def __init__(self, sep: str, items: Any) -> None:
        self.sep = sep
        self.items = list(items)

    def render(self, lang: str = "en") -> str:
        from shelfcheck.i18n import error_texts

        sep = error_texts(lang).joins.get(self.sep) or error_texts("en").joins.get(self.sep, " ")
        return sep.join(_rendered(item, lang) for item in self.items)

    def __str__(self) -> str:
        return self.render("en")

    def __repr__(self) -> str:
        return f"Join({self.sep!r}, {self.items!r})"


class Term(str):
    """A word of shelfcheck's own put into a message (the kind of file: ``catalogue``,
    ``documents``): the catalogue's ``terms:`` give it in each language; a word they lack (a
    dataset's name) stays as it is. It is the word itself in English."""

    __slots__ = ()

    def render(self, lang: str = "en") -> str:
        from shelfcheck.i18n import error_texts

        return error_texts(lang).terms.get(str(self), str(self))


def _rendered(value: Any, lang: str) -> Any:
    if isinstance(value, (Msg, Join, Term)):
        return value.render(lang)
    if isinstance(value, ShelfcheckError):
        return value.one_line(lang)
    return value


class ShelfcheckError(Exception):
    """Base class for errors the command line reports as one line with exit status 2.

    Args:
        message: a :class:`Msg` of the error catalogue (or plain text, the same in every language).
    """

    def __init__(self, message: str | Msg = "", *args: Any) -> None:
        self.msg = message if isinstance(message, Msg) else None
        super().__init__(str(message), *args)

    def text(self, lang: str = "en") -> str:
        """The message in ``lang`` (``en``: ``str(self)``)."""
        msg = getattr(self, "msg", None)
        if lang == "en" or msg is None:
            return str(self)
        return msg.render(lang)

    def one_line(self, lang: str = "en") -> str:
        """The message in ``lang`` as a single line, safe to print."""
        return " ".join(self.text(lang).split())


class InputError(ShelfcheckError):
    """An input file that cannot be read: missing, binary, empty, or missing a required column.

    Args:
        file: the file that could not be read.
        message: what is wrong, a :class:`Msg` of the error catalogue (plain text is shown as it
            is in every language).
        row: 1-based line (or spreadsheet row) where the problem is, when known.
        column: the column (header name) or key where the problem is, when known.

    ``message`` is the English text; ``msg`` the :class:`Msg` it came from (``None`` for text).
    """

    def __init__(
        self,
        file: str | Path | None,
        message: str | Msg,
        *,
        row: int | None = None,
        column: str | None = None,
    ) -> None:
        self.file = str(file) if file is not None else None
        self.message = str(message)
        self.row = row
        self.column = column
        super().__init__(message)  # keeps the Msg
        self.args = (self._render(),)  # str(self): the whole English line

    def _render(self, lang: str = "en") -> str:
        where: Any = self.file or Term("<input>")
        if self.row is not None:
            where = Msg("input_row", where=where, row=self.row)
        if self.column is not None:
            where = Msg("input_column", where=where, column=self.column)
        message = self.msg if self.msg is not None else self.message
        return Msg("input_line", where=where, message=message).render(lang)

    def text(self, lang: str = "en") -> str:
        return str(self) if lang == "en" else self._render(lang)


class PolicyError(ShelfcheckError):
    """A policy pack that cannot be loaded: unknown name, unknown key, bad value, cyclic extends."""
