"""Helpers shared by the CLI commands: option parsing, one-line errors, safe output files."""

from __future__ import annotations

import datetime as dt
import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

import typer

try:  # typer >= 0.29 vendors click; older releases use click itself
    from typer._click.exceptions import UsageError
except ImportError:  # pragma: no cover - depends on the installed typer
    from click.exceptions import UsageError  # type: ignore[no-redef]

__all__ = ["UsageError", "check_url_option", "fail", "open_output", "parse_as_of", "pick_lang"]


def fail(message: str, code: int = 2) -> typer.Exit:
    """Print ``shelfcheck: <message>`` as one line on stderr and return the exit to raise."""
    print("shelfcheck: " + " ".join(message.split()), file=sys.stderr)
    return typer.Exit(code)


def parse_as_of(text: str | None) -> dt.date | None:
    """Read ``--as-of YYYY-MM-DD`` (``None`` = today)."""
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text.strip()[:10])
    except ValueError:
        raise fail(f"--as-of: not a date in YYYY-MM-DD form: {text!r}") from None


def check_url_option(option: str, value: str | None) -> str | None:
    """A URL option (``--endpoint``, ``--auth-endpoint`` …) checked before anything uses it.

    A malformed URL is misuse: one line naming the option, exit 2 (never an internal error).
    """
    if value is None:
        return None
    from shelfcheck.tiktok.client import check_base_url
    from shelfcheck.tiktok.errors import ApiError

    try:
        check_base_url(value)
    except ApiError as exc:
        raise fail(f"{option}: {exc.message}") from None
    return value


def pick_lang(lang: str | None) -> str:
    """``--lang`` or the default from the environment."""
    from shelfcheck.i18n import LANGS, default_lang  # the catalogues only when a command runs

    if lang is None:
        return default_lang()
    if lang not in LANGS:
        raise fail(f"--lang: use {' or '.join(LANGS)}, not {lang!r}")
    return lang


@contextmanager
def open_output(path: Path | None, *, binary: bool = False) -> Iterator[IO]:  # type: ignore[type-arg]
    """Write to ``path`` atomically (a temp file renamed on success), or to stdout.

    An interrupted run never leaves a half-written report in place of an older one. Text is
    written as UTF-8; a character UTF-8 cannot carry (a lone surrogate from a broken JSON
    catalogue) is written as U+FFFD, never a crash halfway through the report.
    """
    from shelfcheck.reporters.inert import REPLACE_ERRORS  # registers the error handler

    text_options = {"encoding": "utf-8", "errors": REPLACE_ERRORS}
    if path is None:
        if not binary and callable(getattr(sys.stdout, "reconfigure", None)):
            try:
                sys.stdout.reconfigure(errors=REPLACE_ERRORS)
            except (ValueError, OSError, TypeError):  # pragma: no cover - an unusual stdout
                pass
        yield sys.stdout.buffer if binary else sys.stdout
        return
    path = Path(path)
    if path.exists() and not path.is_file():  # /dev/null, a pipe: write straight to it
        if path.is_dir():
            raise fail(f"{path}: is a folder; give a file name for the report")
        with path.open("wb" if binary else "w", **({} if binary else text_options)) as fh:
            yield fh
        return
    directory = path.resolve().parent
    if not directory.is_dir():
        raise fail(f"{path}: the output folder does not exist")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=directory)
    try:
        with os.fdopen(fd, "wb" if binary else "w", **({} if binary else {**text_options, "newline": ""})) as fh:
            yield fh
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # a report is an ordinary file, not a private temp file
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
