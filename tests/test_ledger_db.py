"""The ledger database on SQLite and a real PostgreSQL server: schema, round trips, CLI."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from sqlalchemy import inspect

from ledger_fixtures import ledger_url, pg_server  # noqa: F401  (fixtures)
from shelfcheck.cli.main import main
from shelfcheck.ledger import LedgerError, SyncItem, open_ledger, resolve_url
from shelfcheck.ledger.db import alembic_config
from shelfcheck.ledger.migrations import VERSION_TABLE
from shelfcheck.ledger.models import Base
from shelfcheck.policy import load_policy

UTC = dt.timezone.utc
T0 = dt.datetime(2024, 8, 1, 9, 0, tzinfo=UTC)
POLICY = load_policy(None)


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exc:
        main(list(args))
    out, err = capsys.readouterr()
    return int(exc.value.code or 0), out, err


def test_open_creates_the_schema_at_head_and_models_match_migrations(ledger_url: str) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    with open_ledger(ledger_url) as ledger:
        assert ledger.engine is not None
        tables = set(inspect(ledger.engine).get_table_names())
        assert {"attempts", "inventory_syncs", "inventory_snapshots", VERSION_TABLE} <= tables
        head = ScriptDirectory.from_config(alembic_config()).get_current_head()
        with ledger.engine.connect() as conn:
            ctx = MigrationContext.configure(conn, opts={"version_table": VERSION_TABLE, "compare_type": True})
            assert ctx.get_current_revision() == head
            assert compare_metadata(ctx, Base.metadata) == []
    # Opening again is a no-op (already at head) and keeps the data.
    with open_ledger(ledger_url) as ledger:
        ledger.record_attempt("A", "failed", at=T0)
    with open_ledger(ledger_url) as ledger:
        assert ledger.count_attempts() == 1


def test_attempt_round_trip_keeps_every_field_and_the_instant(ledger_url: str) -> None:
    at = dt.datetime(2024, 8, 1, 18, 30, 15, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    with open_ledger(ledger_url) as ledger:
        rec = ledger.record_attempt("SC-001", "failed", reasons=["missing_fcc_id", "12052105"], at=at,
                                    product_id="1729384756", content_hash="ab" * 32, source="publish",
                                    request_id="2024080110303501")
        got = ledger.attempts("SC-001")
    assert got == [rec]
    only = got[0]
    assert only.attempted_at == at and only.attempted_at.tzinfo is not None
    assert only.attempted_at.utcoffset() == dt.timedelta(0)
    assert only.reasons == ("missing_fcc_id", "12052105")
    assert (only.product_id, only.content_hash, only.source, only.request_id) == (
        "1729384756", "ab" * 32, "publish", "2024080110303501")


def test_status_counts_only_this_skus_failures_in_the_window(ledger_url: str) -> None:
    with open_ledger(ledger_url) as ledger:
        for i in range(4):
            ledger.record_attempt("LOCK-ME", "failed", at=T0 + dt.timedelta(hours=i))
        ledger.record_attempt("LOCK-ME", "passed", at=T0 + dt.timedelta(hours=1, minutes=30))
        for i in range(4):
            ledger.record_attempt("SPREAD", "failed", at=T0 + dt.timedelta(hours=25 * i / 3))
        locked = ledger.status("LOCK-ME", rule=POLICY, as_of=T0 + dt.timedelta(hours=4))
        spread = ledger.status("SPREAD", rule=POLICY, as_of=T0 + dt.timedelta(hours=25))
        other = ledger.status("NEVER", rule=POLICY, as_of=T0 + dt.timedelta(hours=4))
    assert locked.locked and locked.locked_until == T0 + dt.timedelta(hours=3 + 72)
    assert locked.failures_24h == 4
    assert not spread.locked and spread.failures_24h == 3
    assert other.to_json() == {"sku": "NEVER", "failures_24h": 0, "locked": False, "locked_until": None,
                               "attempts_left": 3}


def test_last_attempt_and_hash_lookups_respect_as_of(ledger_url: str) -> None:
    with open_ledger(ledger_url) as ledger:
        ledger.record_attempt("H", "failed", reasons=["title_too_short"], at=T0, content_hash="h1")
        ledger.record_attempt("H", "passed", at=T0 + dt.timedelta(hours=2), content_hash="h2")
        assert ledger.last_attempt("H").outcome == "passed"
        assert ledger.last_attempt("H", as_of=T0 + dt.timedelta(hours=1)).outcome == "failed"
        assert ledger.last_attempt("H", outcome="failed").reasons == ("title_too_short",)
        assert ledger.last_with_hash("H", "h1").outcome == "failed"
        assert ledger.last_with_hash("H", "h2", as_of=T0 + dt.timedelta(hours=1)) is None
        assert ledger.last_with_hash("OTHER", "h1") is None


def test_dedupe_key_makes_recording_idempotent(ledger_url: str) -> None:
    with open_ledger(ledger_url) as ledger:
        first = ledger.record_attempt("D", "failed", at=T0, dedupe_key="run-1:D")
        again = ledger.record_attempt("D", "failed", at=T0 + dt.timedelta(minutes=5), dedupe_key="run-1:D")
        assert again == first
        assert ledger.count_attempts() == 1


def test_sync_history_last_sync_as_of(ledger_url: str) -> None:
    with open_ledger(ledger_url) as ledger:
        ledger.record_sync([SyncItem("S", 120, 100, 20, True, "2024-07-31T10:00:00Z"),
                            SyncItem("T", 10, 10, 0, False)], tolerance=5, at=T0, catalog="c.csv")
        ledger.record_sync([SyncItem("S", 102, 100, 2, False)], tolerance=5, at=T0 + dt.timedelta(days=1))
        newest = ledger.last_sync("S")
        older = ledger.last_sync("S", as_of=T0 + dt.timedelta(hours=1))
        t_only = ledger.last_sync("T")
        assert ledger.last_sync("S", as_of=T0 - dt.timedelta(hours=1)) is None
    assert newest.item.drift == 2 and not newest.item.flagged
    assert older.item == SyncItem("S", 120, 100, 20, True, "2024-07-31T10:00:00Z")
    assert older.synced_at == T0 and older.tolerance == 5
    assert t_only.item.drift == 0


def test_read_only_open_of_a_missing_sqlite_file_creates_nothing(tmp_path: Path) -> None:
    target = tmp_path / "sub" / "ledger.db"
    with open_ledger(str(target), readonly=True) as ledger:
        assert not ledger.exists
        assert ledger.status("A", rule=POLICY).failures_24h == 0
        assert ledger.last_attempt("A") is None and ledger.last_sync("A") is None
        with pytest.raises(LedgerError):
            ledger.record_attempt("A", "failed")
    assert not target.exists() and not target.parent.exists()
    with open_ledger(str(target)) as ledger:  # writable: creates the folder and the file
        ledger.record_attempt("A", "failed")
    assert target.exists()


def test_urls_paths_and_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert resolve_url("postgresql://u:p@h/db").drivername == "postgresql+psycopg"
    assert resolve_url(str(tmp_path / "x.db")).database == str(tmp_path / "x.db")
    monkeypatch.setenv("SHELFCHECK_DB", str(tmp_path / "env.db"))
    assert resolve_url(None).database == str(tmp_path / "env.db")
    monkeypatch.delenv("SHELFCHECK_DB")
    assert resolve_url(None).database == str(Path.home() / ".shelfcheck" / "ledger.db")
    with pytest.raises(LedgerError, match="nosuchdialect"):
        open_ledger("nosuchdialect://host/db")


def test_unreachable_server_is_one_line_without_the_password(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = cli(capsys, "ledger", "status", "A", "--db", "postgresql://user:s3cr3tpw@127.0.0.1:1/x")
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "s3cr3tpw" not in err and "Traceback" not in err
    assert err.startswith("shelfcheck: ledger postgresql+psycopg://user:***@127.0.0.1:1/x")


def test_cli_record_then_status_json_and_as_of(ledger_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    for hour in ("01", "02", "03", "04"):
        code, out, _ = cli(capsys, "ledger", "record", "--sku", "CLI-1", "--outcome", "failed",
                           "--reason", "missing_fcc_id", "--at", f"2024-08-01T{hour}:00:00Z", "--db", ledger_url)
        assert code == 0 and "CLI-1" in out
    assert "locked until 2024-08-04T04:00:00Z" in out
    code, out, _ = cli(capsys, "ledger", "status", "CLI-1", "--as-of", "2024-08-01T03:30:00Z",
                       "--format", "json", "--db", ledger_url)
    assert code == 0
    assert json.loads(out) == {"sku": "CLI-1", "failures_24h": 3, "locked": False, "locked_until": None,
                               "attempts_left": 0}
    # A bare date is the start of that day, UTC: nothing had happened yet on 2024-08-01 00:00.
    code, out, _ = cli(capsys, "ledger", "status", "CLI-1", "--as-of", "2024-08-01", "--format", "json",
                       "--db", ledger_url)
    assert json.loads(out)["failures_24h"] == 0
    code, out, _ = cli(capsys, "ledger", "status", "CLI-1", "--as-of", "2024-08-02", "--format", "json",
                       "--db", ledger_url)
    assert json.loads(out) == {"sku": "CLI-1", "failures_24h": 4, "locked": True,
                               "locked_until": "2024-08-04T04:00:00Z", "attempts_left": 0}
    code, out, _ = cli(capsys, "ledger", "status", "CLI-1", "--as-of", "2024-08-04T04:00:00Z",
                       "--format", "json", "--db", ledger_url)
    assert json.loads(out)["locked"] is False
    code, out, _ = cli(capsys, "ledger", "status", "CLI-1", "--as-of", "2024-08-02", "--db", ledger_url,
                       "--lang", "zh")
    assert "锁定至" in out and "2024-08-04T04:00:00Z" in out


def test_cli_errors_are_one_line_exit_two(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = str(tmp_path / "l.db")
    for args, needle in [
        (("ledger", "record", "--sku", "A", "--outcome", "maybe", "--db", db), "--outcome"),
        (("ledger", "record", "--sku", "A", "--outcome", "failed", "--at", "soon", "--db", db), "--at"),
        (("ledger", "record", "--sku", " ", "--outcome", "failed", "--db", db), "--sku"),
        (("ledger", "status", "A", "--format", "xml", "--db", db), "--format"),
        (("ledger", "record", "--sku", "A", "--outcome", "failed", "--catalog", str(tmp_path / "no.csv"),
          "--db", db), "no.csv"),
    ]:
        code, out, err = cli(capsys, *args)
        assert code == 2, args
        assert needle in err and err.count("\n") == 1 and "Traceback" not in err


def test_cli_status_does_not_create_the_default_ledger(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("SHELFCHECK_DB")
    code, out, _ = cli(capsys, "ledger", "status", "A", "--format", "json")
    assert code == 0 and json.loads(out)["attempts_left"] == 3
    assert not (Path.home() / ".shelfcheck").exists()
    code, _, _ = cli(capsys, "ledger", "record", "--sku", "A", "--outcome", "passed")
    assert code == 0 and (Path.home() / ".shelfcheck" / "ledger.db").exists()


def test_missing_postgresql_binaries_skip_or_fail_as_required(monkeypatch: pytest.MonkeyPatch) -> None:
    import ledger_fixtures
    from optional import REQUIRE_ENV

    monkeypatch.setattr(ledger_fixtures, "_bindir", lambda: None)
    monkeypatch.delenv(REQUIRE_ENV, raising=False)
    with pytest.raises(pytest.skip.Exception, match="apt-get install -y postgresql"):
        ledger_fixtures._start()
    monkeypatch.setenv(REQUIRE_ENV, "1")
    with pytest.raises(pytest.fail.Exception, match="apt-get install -y postgresql"):
        ledger_fixtures._start()
