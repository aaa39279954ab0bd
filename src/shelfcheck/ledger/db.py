"""Where the ledger lives and how it is opened: URL resolution, engine settings, migrations.

* ``--db`` (or ``SHELFCHECK_DB``) takes any SQLAlchemy URL, or a plain file path meaning a
  SQLite file; ``postgresql://`` and ``postgres://`` use psycopg 3. Default:
  ``~/.shelfcheck/ledger.db``.
* SQLite runs in WAL mode with a 30 s busy timeout, so readers never block the writer and two
  processes writing at once wait for each other instead of failing; every transaction begins
  explicitly (``BEGIN``, or ``BEGIN IMMEDIATE`` for migrations).
* Opening for writing creates the SQLite file (and its folder) and upgrades the schema to the
  newest revision. Opening read-only (``ledger status``, ``diagnose``, ``case``, ``check --db``)
  never creates a file: a SQLite ledger that does not exist yet reads as an empty ledger.
  An existing database is upgraded in both modes (the upgrade only adds tables and columns).
* Passwords never appear in messages: URLs are shown with the password masked.
"""

from __future__ import annotations

import os
import zlib
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import URL, Engine, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, SQLAlchemyError
from sqlalchemy.pool import StaticPool

from shelfcheck.errors import Msg, ShelfcheckError
from shelfcheck.ledger.migrations import HEAD, SCRIPT_LOCATION, VERSION_TABLE

__all__ = [
    "BUSY_TIMEOUT_S",
    "LedgerError",
    "alembic_config",
    "create_ledger_engine",
    "default_url",
    "describe_url",
    "migrate",
    "resolve_url",
    "sqlite_path",
]

BUSY_TIMEOUT_S = 30.0
_ADVISORY_KEY = zlib.crc32(b"shelfcheck.ledger.migrate")


class LedgerError(ShelfcheckError):
    """The ledger cannot be opened, read or written (bad URL, server down, foreign schema)."""


def default_url() -> str:
    """``sqlite:///~/.shelfcheck/ledger.db`` with the home folder expanded."""
    return "sqlite:///" + str(Path.home() / ".shelfcheck" / "ledger.db")


def resolve_url(value: str | os.PathLike[str] | URL | None = None) -> URL:
    """The ledger URL: ``value``, else ``SHELFCHECK_DB``, else the default file.

    A value without ``://`` is a file path (``~`` expanded, made absolute) for SQLite.
    """
    if isinstance(value, URL):
        url = value
    else:
        raw = os.fspath(value) if value is not None else ""
        raw = raw.strip() or os.environ.get("SHELFCHECK_DB", "").strip() or default_url()
        if "://" not in raw:
            raw = "sqlite:///" + str(Path(raw).expanduser().resolve())
        try:
            url = make_url(raw)
        except ArgumentError:
            raise LedgerError(Msg("ledger_bad_url", url=_mask(raw))) from None
    if url.drivername in ("postgresql", "postgres"):
        url = url.set(drivername="postgresql+psycopg")
    return url


def _mask(raw: str) -> str:
    try:
        return make_url(raw).render_as_string(hide_password=True)
    except Exception:
        return raw.split("@")[-1] if "@" in raw else raw


def describe_url(url: URL) -> str:
    """The URL as it may be shown to a person (password masked)."""
    return url.render_as_string(hide_password=True)


def sqlite_path(url: URL) -> Path | None:
    """The file of a SQLite URL; ``None`` for other databases and in-memory SQLite."""
    if url.get_backend_name() != "sqlite":
        return None
    database = url.database or ""
    if database in ("", ":memory:") or database.startswith("file:") or url.query.get("mode") == "memory":
        return None
    return Path(database)


def create_ledger_engine(url: URL) -> Engine:
    """An engine with the settings the ledger relies on (see the module docstring)."""
    backend = url.get_backend_name()
    options: dict[str, Any] = {}
    if backend == "sqlite":
        options["connect_args"] = {"timeout": BUSY_TIMEOUT_S}
        if sqlite_path(url) is None:
            options["poolclass"] = StaticPool
            options["connect_args"]["check_same_thread"] = False
    elif backend == "postgresql":
        options["connect_args"] = {"connect_timeout": 10}
    try:
        engine = create_engine(url, **options)
    except (ArgumentError, NoSuchModuleError) as exc:
        raise LedgerError(Msg("ledger_db_problem", url=describe_url(url), problem=_first_line(exc))) from None
    except ImportError as exc:
        raise LedgerError(Msg("ledger_no_driver", url=describe_url(url), driver=exc.name)) from None
    if backend == "sqlite":
        _sqlite_events(engine)
    return engine


def _sqlite_events(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # the driver's implicit BEGIN is replaced by ours below
        cursor = dbapi_conn.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        mode = conn.get_execution_options().get("sqlite_begin", "")
        conn.exec_driver_sql(f"BEGIN {mode}".rstrip())


def alembic_config(engine: Engine | None = None) -> Any:
    """An alembic ``Config`` for the ledger's migration chain (no ini file needed)."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", SCRIPT_LOCATION)
    config.set_main_option("version_table", VERSION_TABLE)
    if engine is not None:
        config.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False)
                               .replace("%", "%%"))
    return config


def _head() -> str | None:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at (``None`` for an empty database)."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn, opts={"version_table": VERSION_TABLE}).get_current_revision()


def _at_head(engine: Engine) -> bool:
    """True when the database records the newest revision (one query; alembic is not loaded)."""
    try:
        with engine.connect() as conn:
            found = conn.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalars().all()
    except SQLAlchemyError:  # no version table yet, or no database: alembic decides
        return False
    return found == [HEAD]


def migrate(engine: Engine) -> None:
    """Upgrade the database to the newest revision, once, whatever other processes do."""
    if _at_head(engine):
        return
    from alembic import command
    from alembic.util.exc import CommandError

    head = _head()
    try:
        if current_revision(engine) == head:
            return
        with engine.connect() as conn:
            if engine.dialect.name == "sqlite":
                conn = conn.execution_options(sqlite_begin="IMMEDIATE")
            with conn.begin():
                if engine.dialect.name == "postgresql":
                    conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _ADVISORY_KEY})
                _ensure_version_table(conn)
                config = alembic_config()
                config.attributes["connection"] = conn
                command.upgrade(config, "head")
    except CommandError as exc:
        raise LedgerError(Msg("ledger_foreign", location=describe_url(engine.url), problem=_first_line(exc))) from None
    except DBAPIError as exc:
        raise LedgerError(Msg("ledger_problem", location=describe_url(engine.url),
                              problem=_first_line(exc.orig or exc))) from None
    except SQLAlchemyError as exc:
        raise LedgerError(Msg("ledger_problem", location=describe_url(engine.url), problem=_first_line(exc))) from None


def _ensure_version_table(conn: Any) -> None:
    """Create the version table with room for descriptive revision ids (alembic's own is 32 chars)."""
    from sqlalchemy import Column, MetaData, PrimaryKeyConstraint, String, Table

    metadata = MetaData()
    Table(VERSION_TABLE, metadata, Column("version_num", String(128), nullable=False),
          PrimaryKeyConstraint("version_num", name=f"{VERSION_TABLE}_pkc"))
    metadata.create_all(conn, checkfirst=True)


def _first_line(exc: BaseException) -> str:
    text_ = str(exc).strip().splitlines()
    return " ".join(text_[0].split())[:300] if text_ else exc.__class__.__name__
