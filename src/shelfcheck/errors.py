"""Errors that stop a command: input that cannot be read, a policy that cannot be loaded.

A problem *inside* the data (a corrupt image, a bad date) is never an exception: it is a finding
on its row. These exceptions are for input that cannot be read at all; the CLI prints them as one
line naming the file, row and column, and exits with status 2.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["InputError", "PolicyError", "ShelfcheckError"]


class ShelfcheckError(Exception):
    """Base class for errors the command line reports as one line with exit status 2."""

    def one_line(self) -> str:
        """The message as a single line, safe to print."""
        return " ".join(str(self).split())


class InputError(ShelfcheckError):
    """An input file that cannot be read: missing, binary, empty, or missing a required column.

    Args:
        file: the file that could not be read.
        message: what is wrong, in plain words.
        row: 1-based line (or spreadsheet row) where the problem is, when known.
        column: the column (header name) or key where the problem is, when known.
    """

    def __init__(
        self,
        file: str | Path | None,
        message: str,
        *,
        row: int | None = None,
        column: str | None = None,
    ) -> None:
        self.file = str(file) if file is not None else None
        self.message = message
        self.row = row
        self.column = column
        super().__init__(self._render())

    def _render(self) -> str:
        where = self.file or "<input>"
        if self.row is not None:
            where += f", row {self.row}"
        if self.column is not None:
            where += f", column {self.column!r}"
        return f"{where}: {self.message}"


class PolicyError(ShelfcheckError):
    """A policy pack that cannot be loaded: unknown name, unknown key, bad value, cyclic extends."""
