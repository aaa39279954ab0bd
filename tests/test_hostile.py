"""``check`` over the hostile corpus (tests/hostile/make_corpus.py): exit 2 with one line naming
the file (and row or column), or findings on the damaged rows with every other row checked —
never a traceback, never an internal error, within bounded time."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from hostile.make_corpus import Case, build
from shelfcheck.cli.main import main

ROOT = Path(__file__).resolve().parents[1]
_BUILT: dict[str, list[Case]] = {}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("hostile")
    _BUILT["cases"] = build(root)
    return root


def _names() -> list[str]:
    from hostile.make_corpus import _cases

    return [c.name for c in _cases()]


def _run_in_process(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    try:
        main(argv)
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 0
    else:  # pragma: no cover - main always exits
        code = 0
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.mark.parametrize("name", _names())
def test_hostile_input(name: str, corpus: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                       monkeypatch: pytest.MonkeyPatch) -> None:
    case = next(c for c in _BUILT["cases"] if c.name == name)
    folder = corpus / name
    if (folder / "limits.yaml").exists():
        monkeypatch.setenv("SHELFCHECK_LIMITS", str(folder / "limits.yaml"))
    report = tmp_path / "report.json"
    options = [o.format(dir=folder) for o in case.options]
    fmt = ["--format", "json", "-o", str(report)] if "--format" not in options else []
    argv = ["check", str(folder / case.catalog), *fmt, "--jobs", "1", "--no-cache",
            "--as-of", "2024-08-01", *options]
    started = time.monotonic()
    code, out, err = _run_in_process(argv, capsys)
    elapsed = time.monotonic() - started
    assert "Traceback" not in out + err and "internal error" not in err, err
    assert code in case.exit, (code, err)
    assert elapsed < 60, f"{name} took {elapsed:.0f} s"
    if code == 2:
        lines = err.strip().splitlines()
        assert len(lines) == 1, err
        assert case.catalog in lines[0] or any(o.split("/")[-1] in lines[0] for o in options)
        for word in case.stderr:
            assert word in lines[0], (word, lines[0])
        return
    if report.exists():
        data = json.loads(report.read_text("utf-8"))
        rows = [item["row"] for item in data["listings"]]
        assert rows == sorted(set(rows)), "rows out of order or repeated"
        if case.listings is not None:
            assert data["summary"]["listings"] == len(rows) == case.listings
        found = {(item["row"], f["code"], f["field"]) for item in data["listings"] for f in item["findings"]}
        for row, code_, field in case.codes:
            assert (row, code_, field) in found, (row, code_, field, sorted(found)[:20])
        damaged = {r for r, c, _ in found if c == "cell_undecodable"}
        expected = {r for r, c, _ in case.codes if c == "cell_undecodable"}
        assert damaged == expected, "damage spread beyond its rows"


def test_a_damaged_cell_is_shown_escaped_in_both_languages(corpus: Path, tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    folder = corpus / "csv-byte-neither-utf8-nor-gbk"
    for lang, words in (("en", "neither UTF-8 nor GBK"), ("zh", "既非 UTF-8 也非 GBK")):
        report = tmp_path / f"{lang}.json"
        code, _, err = _run_in_process(["check", str(folder / "c.csv"), "--format", "json", "-o", str(report),
                                        "--jobs", "1", "--lang", lang], capsys)
        assert code == 1, err
        data = json.loads(report.read_text("utf-8"))
        (finding,) = [f for item in data["listings"] for f in item["findings"] if f["code"] == "cell_undecodable"]
        assert finding["evidence"] == {"column": "title", "problem": "undecodable_byte",
                                       "value": "Stackable Storage Box Mo\\xffdel 7"}
        assert words in finding["message"] and "Mo\\xffdel 7" in finding["message"]


@pytest.mark.parametrize("fmt", ["table", "json", "csv", "xlsx", "sarif", "junit", "html"])
def test_a_lone_surrogate_never_stops_a_report_half_way(corpus: Path, tmp_path: Path, fmt: str) -> None:
    """Real stdout (a pipe, UTF-8) and every format: the table had printed its header before."""
    catalog = corpus / "json-lone-surrogate" / "c.json"
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "PYTHONIOENCODING": "utf-8"}
    target = ["-o", str(tmp_path / f"report.{fmt}")] if fmt in ("xlsx", "html") else []
    proc = subprocess.run([sys.executable, "-m", "shelfcheck", "check", str(catalog), "--format", fmt,
                           "--jobs", "1", *target], capture_output=True, env=env, timeout=120)
    assert proc.returncode == 1, proc.stderr.decode("utf-8", "replace")
    assert b"Traceback" not in proc.stderr
    text = proc.stdout.decode("utf-8")  # valid UTF-8: the surrogate went out escaped
    if fmt in ("table", "json", "csv"):
        assert "HS-1\\ud800" in text.replace("\\\\", "\\")
    if fmt == "json":
        json.loads(text)


@pytest.mark.parametrize("endpoint", ["http://[::1", "ftp://host", "http://host:99999999", "no-scheme"])
def test_a_bad_publish_endpoint_is_exit_two_naming_the_option(endpoint: str, corpus: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    catalog = corpus / "csv-nul" / "c.csv"
    code, _, err = _run_in_process(["publish", str(catalog), "--endpoint", endpoint, "--force"], capsys)
    assert code == 2, err
    (line,) = err.strip().splitlines()
    assert line.startswith("shelfcheck: --endpoint") and "internal error" not in line


def test_a_huge_quantity_is_sent_as_written_never_converted() -> None:
    from shelfcheck.tiktok.payload import build_product_body

    huge = "9" * 10_000  # past Python's int conversion limit
    body = build_product_body({"seller_sku": "A", "quantity": huge}, category_id="1", image_uris=[],
                              attribute_ids={}, certification_ids={})
    assert body["skus"][0]["inventory"] == [{"quantity": huge}]
    body = build_product_body({"seller_sku": "A", "quantity": "12"}, category_id="1", image_uris=[],
                              attribute_ids={}, certification_ids={})
    assert body["skus"][0]["inventory"] == [{"quantity": 12}]


@pytest.mark.parametrize("error", [OSError(28, "No space left on device", "/tmp/tmpx1"),
                                   sqlite3.OperationalError("database or disk is full")])
def test_a_full_disk_is_one_line_and_exit_two_not_an_internal_error(
        error: Exception, corpus: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    import tempfile

    from shelfcheck.reporters import json as json_reporter

    def full(*args: object, **kwargs: object) -> Any:
        raise error

    monkeypatch.setattr(json_reporter.tempfile, "TemporaryFile", full)  # the report's own spool
    catalog = corpus / "csv-nul" / "c.csv"
    code, _, err = _run_in_process(["check", str(catalog), "--format", "json", "-o", str(tmp_path / "r.json"),
                                    "--jobs", "1", "--no-cache"], capsys)
    assert code == 2, err
    (line,) = err.strip().splitlines()
    assert line.startswith("shelfcheck: no space left on the disk") and "internal error" not in line
    assert tempfile.gettempdir() in line  # where the temporary files go, to free or move
    if isinstance(error, OSError):
        assert "/tmp/tmpx1" in line
