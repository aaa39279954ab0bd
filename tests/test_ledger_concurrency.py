"""Concurrent writers lose nothing: real processes recording at once, on SQLite and PostgreSQL.

Each worker process opens the same (initially absent or empty) ledger — so the first-open
migration races too — waits for a common start instant, then records its attempts as fast as it
can. Afterwards every attempt is there exactly once, and the lock status agrees with a count.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from ledger_fixtures import ledger_url, pg_server  # noqa: F401  (fixtures)
from shelfcheck.ledger import open_ledger
from shelfcheck.policy import load_policy

WORKERS = 4
PER_WORKER = 30

WORKER = textwrap.dedent("""
    import datetime as dt, sys, time
    from shelfcheck.ledger import open_ledger
    url, worker, count, start = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
    while time.time() < start:
        time.sleep(0.005)
    base = dt.datetime(2024, 8, 1, tzinfo=dt.timezone.utc)
    with open_ledger(url) as ledger:
        for i in range(count):
            ledger.record_attempt("SHARED", "failed", reasons=[f"w{worker}"],
                                  at=base + dt.timedelta(seconds=worker * 1000 + i))
            ledger.record_attempt(f"OWN-{worker}", "passed" if i % 2 else "failed",
                                  at=base + dt.timedelta(minutes=i))
    print("done", worker)
""")


def _env() -> dict[str, str]:
    env = dict(os.environ)
    src = str(Path(__file__).resolve().parents[1] / "src")
    env["PYTHONPATH"] = src + os.pathsep + env.get("PYTHONPATH", "")
    return env


def test_parallel_processes_record_every_attempt(ledger_url: str, tmp_path: Path) -> None:
    script = tmp_path / "worker.py"
    script.write_text(WORKER, "utf-8")
    start = time.time() + 3.0  # every process is up and importing by then
    procs = [subprocess.Popen([sys.executable, str(script), ledger_url, str(w), str(PER_WORKER), str(start)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_env())
             for w in range(WORKERS)]
    outputs = [p.communicate(timeout=300) for p in procs]
    for proc, (out, err) in zip(procs, outputs):
        assert proc.returncode == 0, err[-2000:]
        assert out.startswith("done")
    with open_ledger(ledger_url, readonly=True) as ledger:
        assert ledger.count_attempts() == WORKERS * PER_WORKER * 2
        shared = ledger.attempts("SHARED")
        assert len(shared) == WORKERS * PER_WORKER
        by_worker = {f"w{w}": 0 for w in range(WORKERS)}
        for attempt in shared:
            by_worker[attempt.reasons[0]] += 1
        assert by_worker == {f"w{w}": PER_WORKER for w in range(WORKERS)}
        for w in range(WORKERS):
            own = ledger.attempts(f"OWN-{w}")
            assert [a.outcome for a in own] == ["failed" if i % 2 == 0 else "passed" for i in range(PER_WORKER)]
        status = ledger.status("SHARED", rule=load_policy(None),
                               as_of=dt.datetime(2024, 8, 1, 1, tzinfo=dt.timezone.utc))
        assert status.locked and status.failures_24h == WORKERS * PER_WORKER


def test_two_cli_processes_recording_at_once(ledger_url: str) -> None:
    with open_ledger(ledger_url) as ledger:
        for hour in (0, 1):
            ledger.record_attempt("CLI-A", "failed", reasons=["missing_cpi"],
                                  at=dt.datetime(2024, 8, 1, hour, tzinfo=dt.timezone.utc))
    pair = [subprocess.Popen([sys.executable, "-m", "shelfcheck", "ledger", "record", "--sku", "CLI-A",
                              "--outcome", "failed", "--reason", "missing_cpi", "--at",
                              f"2024-08-01T{hour:02d}:00:00Z", "--db", ledger_url],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_env())
            for hour in (2, 3)]
    for proc in pair:
        _out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
    with open_ledger(ledger_url, readonly=True) as ledger:
        status = ledger.status("CLI-A", rule=load_policy(None),
                               as_of=dt.datetime(2024, 8, 1, 5, tzinfo=dt.timezone.utc))
    assert status.to_json() == {"sku": "CLI-A", "failures_24h": 4, "locked": True,
                                "locked_until": "2024-08-04T03:00:00Z", "attempts_left": 0}


@pytest.mark.parametrize("backend", ["sqlite"])
def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(backend: str, tmp_path: Path) -> None:
    with open_ledger(str(tmp_path / "w.db")) as ledger:
        with ledger.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 10000
