"""``shelfcheck`` — the command-line entry point.

Exit status: 0 no error-level finding; 1 at least one; 2 the input could not be read or the
command was misused (one line on stderr naming the file, row and column — never a traceback).
"""

from __future__ import annotations

import os
import sys
import traceback
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from shelfcheck import __version__
from shelfcheck.cli.common import (
    UsageError,
    error_lang,
    fail,
    line,
    open_output,
    parse_as_of,
    pick_lang,
    set_error_argv,
)
from shelfcheck.errors import Msg, ShelfcheckError

__all__ = ["COMMANDS", "app", "main"]

# Every command, in the order ``--help`` lists them: name -> where it is defined. Nothing is
# imported until the command runs (or ``--help`` lists it), so ``shelfcheck --version`` and a
# small ``check`` start fast. Adding a command is one line here:
#   "module:function"  a command function (typer annotations) in shelfcheck.cli.<module>
#   "module:app"       a ``typer.Typer`` mounted as a group under the name
#   "module"           a module whose ``register(app)`` adds the command of that name
COMMANDS: dict[str, str] = {
    "check": "main:check",        # check a catalogue
    "explain": "main:explain",    # what a finding code means
    "rules": "main:rules",        # every finding code
    "diagnose": "diagnose",       # diagnose, triage, case
    "triage": "diagnose",
    "case": "diagnose",
    "sandbox": "sandbox",         # sandbox
    "publish": "publish",         # publish
    "data": "data:app",           # data import | update | status
    "ledger": "ledger:app",       # ledger record | status
    "inventory": "inventory:app",  # inventory reconcile
    "api": "api:app",             # api sign
    "auth": "auth:app",           # auth url | exchange | refresh
    "columns": "columns",         # how each column of a catalogue is read
    "fix": "fix:fix_command",     # write a fixed copy of a catalogue and its change log
}


class _LazyGroup(typer.core.TyperGroup):
    """The root group: builds a command from :data:`COMMANDS` only when it is asked for."""

    def list_commands(self, ctx: Any) -> list[str]:
        return [*COMMANDS, *(name for name in self.commands if name not in COMMANDS)]

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        command = self.commands.get(cmd_name)
        if command is None and cmd_name in COMMANDS:
            command = self.commands[cmd_name] = _load_command(cmd_name, COMMANDS[cmd_name])
        return command

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        try:
            return super().resolve_command(ctx, args)
        except UsageError as exc:  # "Did you mean …?" over every command, loaded or not
            if args and "Did you mean" not in exc.message:
                import difflib

                matches = difflib.get_close_matches(args[0], list(COMMANDS))
                if matches:
                    exc.message = f"{exc.message.rstrip('.')}. Did you mean {', '.join(map(repr, matches))}?"
            raise


def _load_command(name: str, target: str) -> Any:
    """The click command for one :data:`COMMANDS` entry (its module imported now)."""
    import importlib

    module_name, _, attr = target.partition(":")
    module = importlib.import_module(f"shelfcheck.cli.{module_name}")
    holder = typer.Typer(add_completion=False, pretty_exceptions_enable=False)
    obj = getattr(module, attr) if attr else None
    if isinstance(obj, typer.Typer):
        holder.add_typer(obj, name=name)
    elif obj is not None:
        holder.command(name)(obj)
    else:
        module.register(holder)
    holder.callback()(_no_options)  # always a group, so the command is found by its name
    return typer.main.get_command(holder).commands[name]  # type: ignore[attr-defined]


def _no_options() -> None:
    pass


app = typer.Typer(
    cls=_LazyGroup,
    name="shelfcheck",
    help="Every reason TikTok Shop US would refuse your products — before you publish.",
    add_completion=False,
    pretty_exceptions_enable=False,
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)


class FailOn(str, Enum):
    error = "error"
    warning = "warning"


class Format(str, Enum):
    table = "table"
    json = "json"
    html = "html"
    xlsx = "xlsx"
    csv = "csv"
    sarif = "sarif"
    junit = "junit"


def _version(value: bool) -> None:
    if value:
        print(f"shelfcheck {__version__}")
        raise typer.Exit(0)


@app.callback()
def _root(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Print the version and exit.")] = False,
) -> None:
    """Every reason TikTok Shop US would refuse your products — before you publish."""


def check(
    catalog: Annotated[Path, typer.Argument(help="Catalogue: CSV (any encoding), XLSX or JSON.")],
    documents: Annotated[Optional[Path], typer.Option("--documents", help="Compliance documents CSV.")] = None,
    shop: Annotated[Optional[Path], typer.Option("--shop", help="Shop profile YAML.")] = None,
    inventory: Annotated[Optional[Path], typer.Option("--inventory", help="Platform inventory snapshot CSV.")] = None,
    policy: Annotated[Optional[str], typer.Option("--policy", help="Policy pack name or YAML path.")] = None,
    as_of: Annotated[Optional[str], typer.Option("--as-of", help="Evaluate dates as of YYYY-MM-DD.")] = None,
    fmt: Annotated[Format, typer.Option("--format", help="Report format.")] = Format.table,
    output: Annotated[Optional[Path], typer.Option("--output", "-o", help="Write the report here.")] = None,
    lang: Annotated[Optional[str], typer.Option("--lang", help="en or zh (default from LANG).")] = None,
    jobs: Annotated[Optional[int], typer.Option(
        "--jobs", min=1, help="Processes for images and rules (default: the cores).")] = None,
    sheet: Annotated[Optional[str], typer.Option("--sheet", help="XLSX sheet name.")] = None,
    columns: Annotated[Optional[Path], typer.Option(
        "--columns", help="YAML map of field: header (or header: field) for other layouts; "
                          "see `shelfcheck columns`.")] = None,
    no_cache: Annotated[bool, typer.Option("--no-cache", help="Analyse every image afresh.")] = False,
    verify_cache: Annotated[bool, typer.Option(
        "--verify-cache", help="Rehash every image file instead of trusting its size, times and inode; "
                               "images whose content is unchanged are still not decoded again.")] = False,
    allow_private_urls: Annotated[bool, typer.Option(
        "--allow-private-urls", help="Let image URLs point at loopback or private-network hosts.")] = False,
    fail_on: Annotated[FailOn, typer.Option(
        "--fail-on", help="Exit 1 when any finding is at or above this severity: error (default) or warning.",
    )] = FailOn.error,
    db: Annotated[Optional[str], typer.Option(
        "--db", help="Ledger (URL or SQLite file) for the repeat-failure lock and unchanged resubmissions; "
                     "default SHELFCHECK_DB or ~/.shelfcheck/ledger.db when it exists.")] = None,
) -> None:
    """Check a catalogue: every reason the platform would refuse each product.

    Exit status 0: nothing at the --fail-on level; 1: at least one finding at or above it;
    2: an input could not be read or the command was misused.
    """
    from shelfcheck.api import prepare
    from shelfcheck.i18n import catalogue
    from shelfcheck.reporters import ReportOptions, get_reporter
    from shelfcheck.cli.progress import progress

    language = pick_lang(lang)
    day = parse_as_of(as_of)
    try:
        reporter, binary = get_reporter(fmt.value)
    except ImportError:
        raise fail(Msg("cli_format_unavailable", format=fmt.value)) from None
    cat = catalogue(language)
    options = ReportOptions(output=output, color=None if output is None else False, fail_on=fail_on.value)
    with _ledger_for_check(db) as ledger:  # reads the ledger; never creates one
        run = prepare(catalog, documents=documents, shop=shop, inventory=inventory, policy=policy,
                      as_of=day, sheet=sheet, jobs=jobs, cache=_image_cache(no_cache, verify_cache),
                      allow_private_urls=allow_private_urls, ledger=ledger, columns=columns)
        with open_output(output, binary=binary) as out, \
                progress(run, cat, to_stdout=output is None) as tracked:
            summary = reporter(tracked, out, cat, options)
    if output is not None:
        print(cat.ui("written", path=output, listings=summary.listings, failed=summary.failed,
                     errors=summary.errors, warnings=summary.warnings), file=sys.stderr)
    raise typer.Exit(1 if summary.errors or (fail_on is FailOn.warning and summary.warnings) else 0)


def _image_cache(no_cache: bool, verify: bool) -> Any:
    """``--no-cache`` (none), ``--verify-cache`` (every file rehashed) or the usual cache."""
    if no_cache or not verify:
        return not no_cache
    from shelfcheck.analysis.cache import ImageCache

    return ImageCache(verify=True)


def _ledger_for_check(db: str | None) -> Any:
    """The ledger ``check`` reads: the one named, else the default one if it exists, else none.

    Without a ledger the database libraries are not even loaded.
    """
    import contextlib

    if db is None and not os.environ.get("SHELFCHECK_DB"):
        if not (Path.home() / ".shelfcheck" / "ledger.db").exists():
            return contextlib.nullcontext(None)
    from shelfcheck.ledger import open_ledger

    return open_ledger(db, readonly=True)


def explain(
    code: Annotated[Optional[str], typer.Argument(help="A finding code (e.g. missing_fcc_id) or a platform "
                                                       "error code (e.g. 12052024).")] = None,
    lang: Annotated[Optional[str], typer.Option("--lang", help="en or zh.")] = None,
    policy: Annotated[Optional[str], typer.Option("--policy", help="Policy pack name or YAML path.")] = None,
    coverage: Annotated[bool, typer.Option(
        "--coverage", help="Every Create Product / Check Product Listing error code: the findings that catch "
                           "it offline, or why only the platform can.")] = False,
    fmt: Annotated[str, typer.Option("--format", help="With --coverage: table or json.")] = "table",
) -> None:
    """What a finding code means, why the platform refuses it, and how to fix it."""
    from shelfcheck.explain import explain_code

    if coverage:
        from shelfcheck.explain import coverage_json, coverage_table

        if fmt not in ("table", "json"):
            raise fail(Msg("cli_format_table_json", format=fmt))
        print(coverage_json() if fmt == "json" else coverage_table(pick_lang(lang)), end="")
        return
    if code is None:
        raise fail(Msg("cli_explain_no_code"))
    text = explain_code(code.strip(), pick_lang(lang), policy)
    if text is None:
        raise fail(Msg("cli_explain_unknown_code", code=code))
    print(text)


def rules(
    fmt: Annotated[str, typer.Option("--format", help="table or json.")] = "table",
    lang: Annotated[Optional[str], typer.Option("--lang", help="en or zh.")] = None,
    policy: Annotated[Optional[str], typer.Option("--policy", help="Policy pack name or YAML path.")] = None,
) -> None:
    """Every finding code with its severity and summary."""
    from shelfcheck.explain import rules_json, rules_table

    language = pick_lang(lang)
    if fmt == "json":
        print(rules_json(language, policy))
    elif fmt == "table":
        rules_table(language, policy, sys.stdout)
    else:
        raise fail(Msg("cli_format_table_json", format=fmt))


def _crash_report(exc: BaseException) -> str | None:
    """Write the traceback of a bug to a private file and return its path (``None`` if it cannot)."""
    import tempfile
    import time

    try:
        fd, name = tempfile.mkstemp(prefix=f"shelfcheck-crash-{time.strftime('%Y%m%dT%H%M%S')}-",
                                    suffix=".txt")
        with os.fdopen(fd, "w", encoding="utf-8", errors="backslashreplace") as fh:
            fh.write(f"shelfcheck {__version__}, Python {sys.version.split()[0]}\n")
            fh.write("".join(traceback.format_exception(exc)))
        return name
    except OSError:
        return None


def _no_space(exc: BaseException) -> Msg | None:
    """The one line for a full disk or quota (an ``OSError``, or SQLite's "database or disk is
    full", as sqlite3 or SQLAlchemy raise it), else ``None``."""
    import errno
    import tempfile

    if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
        where: Msg | str = Msg("cli_no_space_writing", file=exc.filename) if exc.filename else ""
    elif "database or disk is full" in str(exc):
        where = ""
    else:
        return None
    return Msg("cli_no_space", where=where, tmp=tempfile.gettempdir())


def _safe_streams() -> None:
    """Let stdout and stderr write any text: a character the stream cannot encode is escaped
    (``\\ud800``) rather than stopping a report half-way."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            try:
                reconfigure(errors="backslashreplace")
            except (ValueError, OSError):  # a stream already in use in a way that forbids it
                pass


def main(argv: list[str] | None = None) -> None:
    """Run the CLI; turn every expected error into one line and an exit status.

    The line is in the language of ``--lang`` when the command line has one (read here, since
    the error may come before typer has parsed it), else in that of ``LANG``.
    """
    _safe_streams()
    set_error_argv(sys.argv[1:] if argv is None else argv)
    try:
        code = app(args=argv, prog_name="shelfcheck", standalone_mode=False)
    except UsageError as exc:
        path = exc.ctx.command_path if exc.ctx else ""
        sub = path.split(' ', 1)[1] + ' ' if ' ' in path else ''
        own = getattr(exc, "msg", None)  # a usage error of shelfcheck's own: its text in the language
        message = own if isinstance(own, Msg) else exc.format_message()
        _say(Msg("cli_usage", message=message, help=f"shelfcheck {sub}--help"))
        sys.exit(2)
    except typer.Abort:
        _say(Msg("cli_interrupted"))
        sys.exit(130)
    except ShelfcheckError as exc:
        _say(exc)
        sys.exit(2)
    except KeyboardInterrupt:
        _say(Msg("cli_interrupted"))
        sys.exit(130)
    except BrokenPipeError:
        sys.stderr.close()
        sys.exit(1)
    except Exception as exc:  # a bug: one line and the path of a report, the traceback only on request
        full = _no_space(exc)
        if full is not None:  # not a bug: the disk the report or the run's temporary files go to is full
            _say(full)
            sys.exit(2)
        if os.environ.get("SHELFCHECK_DEBUG"):
            traceback.print_exc()
        where = _crash_report(exc)
        details = Msg("cli_crash_report", path=where) if where else Msg("cli_crash_debug")
        _say(Msg("cli_internal_error", error=exc.__class__.__name__, message=" ".join(str(exc).split())[:200],
                 details=details))
        sys.exit(3)
    finally:
        set_error_argv(None)
    sys.exit(code if isinstance(code, int) else 0)


def _say(message: Msg | ShelfcheckError) -> None:
    """Print the one line of an error on stderr, in the language of the errors."""
    try:
        text = line(message, error_lang())
    except Exception:  # the error catalogue cannot be read (a broken install): still one line
        text = line(str(message) if isinstance(message, ShelfcheckError) else message.key, "en")
    print(text, file=sys.stderr)
