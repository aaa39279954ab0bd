"""Helpers shared by the CLI commands: option parsing, one-line errors, safe output files."""

from __future__ import annotations

import datetime as dt
import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

import typer

from shelfcheck.errors import Join, Msg, ShelfcheckError

try:  # typer >= 0.29 vendors click; older releases use click itself
    from typer._click.exceptions import UsageError
except ImportError:  # pragma: no cover - depends on the installed typer
    from click.exceptions import UsageError  # type: ignore[no-redef]

__all__ = ["BadValue", "UsageError", "check_url_option", "error_lang", "fail", "lang_in_argv", "line",
           "open_output", "parse_as_of", "pick_lang", "set_error_argv"]

# The command line of this run (``main`` keeps it): its ``--lang`` is the language of the errors.
_argv: list[str] | None = None


def lang_in_argv(argv: list[str]) -> str | None:
    """The ``--lang en|zh`` (or ``--lang=zh``) of a command line, before typer has read it;
    ``None`` when there is none, or when its value is not a language."""
    from shelfcheck.i18n import LANGS

    found = None
    for i, arg in enumerate(argv):
        if arg == "--":
            break
        if arg == "--lang" and i + 1 < len(argv):
            found = argv[i + 1]
        elif arg.startswith("--lang="):
            found = arg.partition("=")[2]
    return found if found in LANGS else None


def set_error_argv(argv: list[str] | None) -> None:
    """Keep the command line whose ``--lang`` the one-line errors follow (``None``: forget it)."""
    global _argv
    _argv = list(argv) if argv is not None else None


def error_lang() -> str:
    """The language of the one-line errors: ``--lang`` of the command line, else from ``LANG``."""
    from shelfcheck.i18n import default_lang

    return (lang_in_argv(_argv) if _argv is not None else None) or default_lang()


def line(message: str | Msg | ShelfcheckError, lang: str | None = None) -> str:
    """``shelfcheck: <message>`` as one line, in ``lang`` (default :func:`error_lang`)."""
    lang = lang or error_lang()
    if isinstance(message, ShelfcheckError):
        text = message.one_line(lang)
    else:
        text = message.render(lang) if isinstance(message, Msg) else message
    return "shelfcheck: " + " ".join(text.split())


def fail(message: str | Msg | ShelfcheckError, code: int = 2) -> typer.Exit:
    """Print ``shelfcheck: <message>`` as one line on stderr, in the language of the errors
    (:func:`error_lang`), and return the exit to raise."""
    print(line(message), file=sys.stderr)
    return typer.Exit(code)


class BadValue(typer.BadParameter):
    """A bad option value that only shelfcheck sees: click's usage line ("Invalid value for
    --out: …"), its message from the error catalogue."""

    def __init__(self, option: str, message: Msg, **kwargs: Any) -> None:
        super().__init__(str(message), param_hint=option, **kwargs)
        self.msg = Msg("cli_invalid_value", option=option, message=message)


def parse_as_of(text: str | None) -> dt.date | None:
    """Read ``--as-of YYYY-MM-DD`` (``None`` = today)."""
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text.strip()[:10])
    except ValueError:
        raise fail(Msg("cli_bad_as_of", text=text)) from None


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
        raise fail(Msg("cli_option_problem", option=option, problem=exc.message_in(error_lang()))) from None
    return value


def pick_lang(lang: str | None) -> str:
    """``--lang`` or the default from the environment."""
    from shelfcheck.i18n import LANGS, default_lang  # the catalogues only when a command runs

    if lang is None:
        return default_lang()
    if lang not in LANGS:
        raise fail(Msg("cli_bad_lang", langs=Join("or", LANGS), lang=lang))
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
            raise fail(Msg("cli_output_is_folder", path=path))
        with path.open("wb" if binary else "w", **({} if binary else text_options)) as fh:
            yield fh
        return
    directory = path.resolve().parent
    if not directory.is_dir():
        raise fail(Msg("cli_output_no_folder", path=path))
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
