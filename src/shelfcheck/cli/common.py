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

from shelfcheck.i18n import LANGS, default_lang

__all__ = ["UsageError", "fail", "open_output", "parse_as_of", "parse_endpoint", "pick_lang"]

# A character a report file cannot encode (a lone surrogate) is written escaped, never a crash.
_ERRORS = "backslashreplace"


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


def parse_endpoint(text: str | None, option: str = "--endpoint") -> str | None:
    """An ``http(s)://host[:port][/path]`` base URL, or exit 2 naming the option."""
    if text is None:
        return None
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(text.strip())
        host, _port = parts.hostname, parts.port
    except ValueError as exc:  # "http://[::1" (an unclosed bracket), a port that is not a number
        raise fail(f"{option} {text!r}: not a URL ({exc})") from None
    if parts.scheme not in ("http", "https") or not host:
        raise fail(f"{option} {text!r}: use an http:// or https:// URL with a host name")
    return text.strip()


def pick_lang(lang: str | None) -> str:
    """``--lang`` or the default from the environment."""
    if lang is None:
        return default_lang()
    if lang not in LANGS:
        raise fail(f"--lang: use {' or '.join(LANGS)}, not {lang!r}")
    return lang


@contextmanager
def open_output(path: Path | None, *, binary: bool = False) -> Iterator[IO]:  # type: ignore[type-arg]
    """Write to ``path`` atomically (a temp file renamed on success), or to stdout.

    An interrupted run never leaves a half-written report in place of an older one.
    """
    if path is None:
        yield sys.stdout.buffer if binary else sys.stdout
        return
    path = Path(path)
    if path.exists() and not path.is_file():  # /dev/null, a pipe: write straight to it
        if path.is_dir():
            raise fail(f"{path}: is a folder; give a file name for the report")
        with path.open("wb" if binary else "w", **({} if binary else {"encoding": "utf-8", "errors": _ERRORS})) as fh:
            yield fh
        return
    directory = path.resolve().parent
    if not directory.is_dir():
        raise fail(f"{path}: the output folder does not exist")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=directory)
    try:
        with os.fdopen(fd, "wb" if binary else "w",
                       **({} if binary else {"encoding": "utf-8", "errors": _ERRORS, "newline": ""})) as fh:
            yield fh
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # a report is an ordinary file, not a private temp file
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
