"""The command line as a user runs it: exit codes, one-line errors, JSON shape, languages."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import Workspace, write_csv

FINDING_KEYS = {"code", "severity", "field", "message", "fix", "evidence"}


def run(*args: str | Path, env: dict[str, str] | None = None,
        cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    full_env = dict(os.environ)
    full_env.update(env or {})
    return subprocess.run([sys.executable, "-m", "shelfcheck", *map(str, args)], capture_output=True,
                          text=True, env=full_env, cwd=cwd, timeout=120)


@pytest.fixture
def catalogue(ws: Workspace) -> Path:
    rows = [ws.listing(seller_sku="OK-1"), ws.listing(seller_sku="BAD-1", title="Short")]
    return write_csv(ws.root / "catalog.csv", rows)


def test_json_report_shape_and_exit_one(catalogue: Path) -> None:
    proc = run("check", catalogue, "--format", "json", "--as-of", "2024-08-01")
    assert proc.returncode == 1, proc.stderr
    report = json.loads(proc.stdout)
    assert report["schema"] == "shelfcheck.report/1"
    assert report["policy"] == {"name": "tiktok-us-2024-07", "version": "3.2", "effective_from": "2024-07-15"}
    assert report["as_of"] == "2024-08-01"
    notes = report["summary"].pop("notes")
    assert report["summary"] == {"listings": 2, "passed": 1, "failed": 1, "errors": 1, "warnings": 0,
                                 "products": 2, "products_passed": 1, "products_failed": 1,
                                 "header_row": 1, "skipped_rows": [], "ignored_columns": []}
    assert all(set(n) == {"code", "message"} for n in notes)
    assert report["shop_findings"] == []
    ok, bad = report["listings"]
    assert ok == {"row": 2, "seller_sku": "OK-1", "status": "pass", "findings": []}
    assert bad["row"] == 3 and bad["status"] == "fail"
    (finding,) = bad["findings"]
    assert set(finding) == FINDING_KEYS
    assert finding["code"] == "title_too_short" and finding["evidence"] == {"length": 5, "min": 10}


def test_clean_catalogue_exits_zero(ws: Workspace) -> None:
    path = write_csv(ws.root / "catalog.csv", [ws.listing()])
    proc = run("check", path, "--as-of", "2024-08-01")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "1 listings: 1 pass, 0 fail" in proc.stdout


def test_languages_change_messages_not_codes(catalogue: Path) -> None:
    en = json.loads(run("check", catalogue, "--format", "json", "--lang", "en").stdout)
    zh = json.loads(run("check", catalogue, "--format", "json", "--lang", "zh").stdout)
    f_en, f_zh = en["listings"][1]["findings"][0], zh["listings"][1]["findings"][0]
    assert f_en["code"] == f_zh["code"] == "title_too_short"
    assert "characters" in f_en["message"]
    assert "字符" in f_zh["message"] and "字符" in f_zh["fix"]


def test_lang_defaults_from_environment(catalogue: Path) -> None:
    proc = run("check", catalogue, "--format", "json", env={"LANG": "zh_CN.UTF-8"})
    assert "字符" in json.loads(proc.stdout)["listings"][1]["findings"][0]["message"]


def test_output_file_and_summary_on_stderr(catalogue: Path, tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    proc = run("check", catalogue, "--format", "json", "--output", out)
    assert proc.returncode == 1
    assert proc.stdout == ""
    assert str(out) in proc.stderr
    assert json.loads(out.read_text("utf-8"))["summary"]["listings"] == 2


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (("check", "missing.csv"), "missing.csv: catalogue file not found"),
        (("check", "{catalog}", "--documents", "nope.csv"), "nope.csv: documents file not found"),
        (("check", "{catalog}", "--as-of", "2024-13-01"), "--as-of"),
        (("check", "{catalog}", "--lang", "fr"), "--lang"),
        (("check", "{catalog}", "--policy", "no-such-pack"), "no policy named 'no-such-pack'"),
        (("check", "{catalog}", "--format", "pdf"), "--format"),
        (("check", "{catalog}", "--bogus"), "--bogus"),
        (("check",), "Missing argument 'catalog'"),
        (("explain", "no_such_code"), "unknown code"),
        (("check", "{binary}"), "binary file"),
        (("check", "{nosku}"), "no seller_sku column"),
    ],
)
def test_bad_input_is_one_line_and_exit_two(catalogue: Path, tmp_path: Path, args: tuple[str, ...],
                                            needle: str) -> None:
    binary = tmp_path / "garbage.csv"
    binary.write_bytes(bytes(range(256)) * 20)
    nosku = write_csv(tmp_path / "nosku.csv", [{"title": "x"}])
    filled = [a.format(catalog=catalogue, binary=binary, nosku=nosku) for a in args]
    proc = run(*filled)
    assert proc.returncode == 2, (proc.stdout, proc.stderr)
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert needle in lines[0]
    assert "Traceback" not in proc.stderr


def test_user_policy_extends_the_default(catalogue: Path, tmp_path: Path) -> None:
    pack = tmp_path / "mine.yaml"
    pack.write_text("extends: tiktok-us-2024-07\nname: mine\nversion: '1'\ntitle: {min_length: 3}\n", "utf-8")
    report = json.loads(run("check", catalogue, "--format", "json", "--policy", pack).stdout)
    assert report["policy"]["name"] == "mine"
    assert report["summary"]["failed"] == 0
    pack.write_text("extends: tiktok-us-2024-07\nname: mine\nversion: '1'\ntitel: {min_length: 3}\n", "utf-8")
    proc = run("check", catalogue, "--policy", pack)
    assert proc.returncode == 2 and "titel" in proc.stderr


def test_policy_can_downgrade_a_code(catalogue: Path, tmp_path: Path) -> None:
    pack = tmp_path / "soft.yaml"
    pack.write_text("extends: tiktok-us-2024-07\nname: soft\nversion: '1'\n"
                    "rules: {title_too_short: {severity: warning}}\n", "utf-8")
    proc = run("check", catalogue, "--format", "json", "--policy", pack)
    assert proc.returncode == 0
    finding = json.loads(proc.stdout)["listings"][1]["findings"][0]
    assert finding["severity"] == "warning"


def test_unknown_rule_code_in_policy_is_refused(catalogue: Path, tmp_path: Path) -> None:
    pack = tmp_path / "typo.yaml"
    pack.write_text("extends: tiktok-us-2024-07\nname: t\nversion: '1'\n"
                    "rules: {title_to_short: {severity: warning}}\n", "utf-8")
    proc = run("check", catalogue, "--policy", pack)
    assert proc.returncode == 2 and "title_to_short" in proc.stderr


def test_shop_errors_alone_give_exit_one(ws: Workspace) -> None:
    path = write_csv(ws.root / "catalog.csv", [ws.listing()])
    shop = ws.root / "shop.yaml"
    shop.write_text("seller_id: GB123\nkyc_complete: true\nstore_compliant: true\n", "utf-8")
    proc = run("check", path, "--shop", shop, "--format", "json")
    assert proc.returncode == 1
    report = json.loads(proc.stdout)
    assert [f["code"] for f in report["shop_findings"]] == ["seller_not_us"]
    assert report["summary"]["errors"] == 1 and report["summary"]["failed"] == 0


def test_explain_and_rules(tmp_path: Path) -> None:
    proc = run("explain", "missing_fcc_id")
    assert proc.returncode == 0
    for heading in ("What it checks:", "Why the platform refuses it:", "Bad:", "Good:", "Fix:"):
        assert heading in proc.stdout
    zh = run("explain", "missing_fcc_id", "--lang", "zh")
    assert "修复方法" in zh.stdout and "FCC" in zh.stdout
    listed = json.loads(run("rules", "--format", "json").stdout)
    codes = {r["code"]: r for r in listed}
    assert codes["image_duplicate"]["severity"] == "warning"
    assert codes["missing_fcc_id"]["severity"] == "error"
    table = run("rules")
    assert "title_not_english" in table.stdout


def test_python_dash_m_and_version() -> None:
    proc = run("--version")
    assert proc.returncode == 0 and proc.stdout.startswith("shelfcheck ")


def test_fail_on_warning(ws: Workspace) -> None:
    path = write_csv(ws.root / "catalog.csv", [ws.listing(main_images="|".join([ws.image()] * 3))])
    default = run("check", path, "--format", "json")
    assert default.returncode == 0
    assert json.loads(default.stdout)["summary"]["warnings"] == 2  # the image repeated twice
    strict = run("check", path, "--fail-on", "warning", "--format", "json")
    assert strict.returncode == 1
    bogus = run("check", path, "--fail-on", "bogus")
    assert bogus.returncode == 2 and "--fail-on" in bogus.stderr


def test_report_file_is_readable_by_others(catalogue: Path, tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    old = os.umask(0o022)
    try:
        run("check", catalogue, "--format", "html", "--output", out)
    finally:
        os.umask(old)
    assert out.stat().st_mode & 0o777 == 0o644
