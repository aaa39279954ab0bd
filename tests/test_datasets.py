"""Reference datasets: import, status, update (against a local HTTP server), loading and provenance.

The third-party files are read from ../shared/data at test time and imported into the per-test
data directory (``SHELFCHECK_DATA_DIR``, set by conftest); nothing of them is kept in the repository.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from typer.testing import CliRunner

import shelfcheck.datasets as datasets_pkg
from shelfcheck.analysis import inci as inci_module
from shelfcheck.cli.data import app
from shelfcheck.datasets import BUILTIN_INCI_LABEL, dataset_status, import_dataset, load_datasets
from shelfcheck.datasets import store as store_module
from shelfcheck.errors import InputError

ROOT = Path(__file__).resolve().parents[1]
runner = CliRunner()


def data_root() -> Path:
    return Path(os.environ["SHELFCHECK_DATA_DIR"])


def cli(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def assert_one_line_error(code: int, out: str, err: str, *needles: str) -> None:
    assert code == 2, (code, out, err)
    lines = err.strip("\n").split("\n")
    assert len(lines) == 1, err
    assert lines[0].startswith("shelfcheck: ") and "Traceback" not in err
    for needle in needles:
        assert needle in lines[0], (needle, lines[0])


# Status and import ------------------------------------------------------------------------------

def test_status_with_nothing_installed_says_what_is_used_instead() -> None:
    code, out, err = cli("status")
    assert code == 0 and err == ""
    assert f"data directory: {data_root()}" in out
    lines = {line.split()[0]: line for line in out.splitlines()[1:]}
    assert set(lines) == {"cosing", "fcc-grantees", "tiktok-errors", "tiktok-categories"}
    assert "not stored" in lines["tiktok-categories"] and "data pull" in lines["tiktok-categories"]
    assert "not installed" in lines["cosing"] and "built-in list of" in lines["cosing"]
    assert "not installed" in lines["fcc-grantees"]
    ds = load_datasets()
    assert ds.provenance == {"inci": "builtin", "cosing": "not installed", "fcc-grantees": "not installed",
                             "tiktok-errors": "not installed"}
    assert ds.inci is None  # the built-in list is made when a listing declares ingredients
    assert ds.inci_dictionary.label == BUILTIN_INCI_LABEL == "builtin" and not ds.inci_dictionary.complete
    assert ds.inci_dictionary is ds.inci_dictionary  # one dictionary: the names it judged stay judged
    assert ds.grantees is None and ds.errors is None


def test_import_cosing_records_provenance(shared_data: Path) -> None:
    source = shared_data / "cosing_inci.csv"
    code, out, err = cli("import", "cosing", str(source))
    assert code == 0, err
    assert "cosing@2021-12-15" in out
    manifest = json.loads((data_root() / "datasets" / "cosing" / "manifest.json").read_text("utf-8"))
    assert manifest["kind"] == "cosing"
    assert manifest["source"] == str(source.resolve())
    assert manifest["sha256"] == hashlib.sha256(source.read_bytes()).hexdigest()
    assert manifest["rows"] == 30059
    assert 30000 < manifest["entries"] <= 30059
    assert manifest["dataset_date"] == "2021-12-15" and manifest["dataset_date_from"] == "update_date"
    imported = dt.datetime.fromisoformat(manifest["imported_at"].replace("Z", "+00:00"))
    assert abs((dt.datetime.now(dt.timezone.utc) - imported).total_seconds()) < 300
    ds = load_datasets()
    assert ds.provenance["inci"] == ds.provenance["cosing"] == "cosing@2021-12-15"
    assert ds.inci.complete and len(ds.inci) == manifest["entries"]
    assert ds.manifests["cosing"]["sha256"] == manifest["sha256"]
    code, out, _ = cli("status")
    line = next(x for x in out.splitlines() if x.startswith("cosing"))
    assert "cosing@2021-12-15" in line and str(source.resolve()) in line and manifest["sha256"][:12] in line
    status = json.loads(cli("status", "--format", "json")[1])
    entry = next(d for d in status["datasets"] if d["kind"] == "cosing")
    assert entry["state"] == "installed" and entry["rows"] == 30059 and entry["dataset_date"] == "2021-12-15"


def test_import_grantees_and_error_table(shared_data: Path) -> None:
    code, out, err = cli("import", "fcc-grantees", str(shared_data / "fcc_grantees.csv"), "--date", "2024-06-18")
    assert code == 0, err
    code, out, err = cli("import", "tiktok-errors", str(shared_data / "tiktok_api" / "error_codes.csv"))
    assert code == 0, err
    ds = load_datasets()
    assert ds.grantees is not None and len(ds.grantees) == 700
    assert ds.grantees["BCG"] == "Apple Inc." and ds.grantees["2AC7Z"].startswith("ESPRESSIF")
    assert ds.provenance["fcc-grantees"] == "fcc-grantees@2024-06-18"
    today = dt.datetime.now(dt.timezone.utc).date().isoformat()
    assert ds.provenance["tiktok-errors"] == f"tiktok-errors@{today}"  # no date in the file: import day
    assert ds.errors is not None and len(ds.errors) == 466
    rows = ds.errors["105002"]
    assert rows[0]["message"].startswith("Expired credentials") and rows[0]["endpoint"] == "(common: any endpoint)"
    assert len(ds.errors["36009004"]) > 1 and {"blocking", "category", "source_url"} <= set(rows[0])


def test_loading_is_fast_and_does_not_renormalise_names(shared_data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import_dataset("cosing", shared_data / "cosing_inci.csv")
    import_dataset("fcc-grantees", shared_data / "fcc_grantees.csv")
    import_dataset("tiktok-errors", shared_data / "tiktok_api" / "error_codes.csv")

    def forbidden(name: str) -> str:
        raise AssertionError("load_datasets must not normalise the stored names again")

    inci_module.builtin_dictionary()  # the built-in table is built once per process, not per load
    monkeypatch.setattr(inci_module, "name_key", forbidden)  # the store's converter imports it from there
    best = float("inf")
    for _ in range(5):
        store_module._CACHE.clear()
        datasets_pkg._INCI_CACHE.clear()
        start = time.perf_counter()
        ds = load_datasets()
        best = min(best, time.perf_counter() - start)
    assert ds.inci.complete and ds.grantees and ds.errors
    assert best < 0.1, f"cold load took {best * 1000:.0f} ms"


def test_import_an_ec_style_csv_with_preamble_and_cp1252(tmp_path: Path) -> None:
    text = ('"Cosmetic ingredient database - Ingredients and Fragrance inventory"\n"Disclaimer: indicative only"\n\n'
            "COSING Ref No,INCI name,INN name,Ph. Eur. Name,CAS No,EC No,Chem/IUPAC Name / Description,"
            "Restriction,Function,Update Date\n"
            '1,WATER,,,7732-18-5,,,,SOLVENT,25/03/2010\n'
            '2,GLYCERIN,,,56-81-5,,Propane-1,2,3-triol,,HUMECTANT,02/11/2019\n'
            '3,"CAPRYLIC/CAPRIC TRIGLYCERIDE",,,,,,,EMOLLIENT,15/12/2021\n'
            '4,MENTHA × PIPERITA LEAF EXTRACT,,,,,,,,07/06/2016\n'
            '5,,,,,,,,,\n')
    path = tmp_path / "COSING_Ingredients-Fragrance Inventory_v2.csv"
    path.write_bytes(text.encode("cp1252"))
    manifest = import_dataset("cosing", path)
    assert manifest["rows"] == 5 and manifest["entries"] == 4
    assert manifest["dataset_date"] == "2021-12-15"
    ds = load_datasets()
    assert ds.inci.check("Mentha × Piperita Leaf Extract").inci is True
    assert ds.inci.check("Caprylic/Capric Triglyceride").inci is True
    assert ds.inci.check("Xylo Mystery Ferment").reason == "inci_not_in_dictionary"  # a complete inventory


def test_import_cosing_from_xlsx(tmp_path: Path) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["CosIng export"])
    sheet.append([])
    sheet.append(["COSING Ref No", "INCI name", "Update Date"])
    sheet.append([1, "WATER", "25/03/2010"])
    sheet.append([2, "NIACINAMIDE", dt.datetime(2020, 5, 4)])
    path = tmp_path / "cosing.xlsx"
    book.save(path)
    manifest = import_dataset("cosing", path)
    assert (manifest["entries"], manifest["dataset_date"]) == (2, "2020-05-04")


def test_import_fcc_xml_export_in_iso_8859_1(tmp_path: Path) -> None:
    xml = ('<?xml version="1.0" encoding="ISO-8859-1"?>\n<Report><Row><grantee_code>ZQX</grantee_code>'
           '<grantee_name>Société Électronique</grantee_name><address_line1>1 Rue</address_line1></Row>'
           '<Row><grantee_code>2ZZZZ</grantee_code><grantee_name>Example Co., Ltd.</grantee_name></Row></Report>')
    path = tmp_path / "GranteeSearch.xml"
    path.write_bytes(xml.encode("iso-8859-1"))
    manifest = import_dataset("fcc-grantees", path)
    assert manifest["entries"] == 2
    assert load_datasets().grantees == {"ZQX": "Société Électronique", "2ZZZZ": "Example Co., Ltd."}
    undeclared = tmp_path / "undeclared.xml"
    undeclared.write_bytes(xml.split("\n", 1)[1].encode("iso-8859-1"))  # no declaration, Latin-1 bytes
    import_dataset("fcc-grantees", undeclared)
    assert load_datasets().grantees["ZQX"] == "Société Électronique"


def test_reimport_replaces_the_store(tmp_path: Path) -> None:
    first = tmp_path / "a.csv"
    first.write_text("inci_name,update_date\nWATER,2020-01-01\n", "utf-8")
    second = tmp_path / "b.csv"
    second.write_text("INCI name\nWATER\nGLYCERIN\n", "utf-8")
    import_dataset("cosing", first)
    assert load_datasets().provenance["cosing"] == "cosing@2020-01-01"
    manifest = import_dataset("cosing", second, dataset_date="2024-02-03")
    ds = load_datasets()
    assert ds.provenance["cosing"] == "cosing@2024-02-03" and len(ds.inci) == 2
    assert manifest["dataset_date_from"] == "given"
    assert not [p for p in (data_root() / "datasets" / "cosing").iterdir() if p.name.startswith(".")]


# Import errors: one line, file, row, column, exit 2 ----------------------------------------------

def test_file_without_the_needed_column(shared_data: Path) -> None:
    wrong = shared_data / "fcc_grantees.csv"
    assert_one_line_error(*cli("import", "cosing", str(wrong)), str(wrong), "row 1", "column 'inci_name'")
    assert_one_line_error(*cli("import", "fcc-grantees", str(shared_data / "cosing_inci.csv")),
                          "row 1", "column 'grantee_code'")
    assert dataset_status()[0].state == "missing"


@pytest.mark.parametrize(
    ("kind", "content", "needles"),
    [
        ("fcc-grantees", "grantee_code,grantee_name\nBCG,Apple Inc.\nB-1,Broken\n",
         ["row 3", "column 'grantee_code'", "'B-1'"]),
        ("tiktok-errors", "code,endpoint\n105002,GET /x\n", ["row 1", "column 'code'", "message"]),
        ("tiktok-errors", "code,message\n105002,Expired\n,No code\n", ["row 3", "column 'code'"]),
        ("cosing", "inci_name\n\n", ["no INCI names"]),
        ("cosing", "", ["empty"]),
        ("cosing", "\x00\x01\x02binary", ["binary"]),
    ],
)
def test_bad_files_give_one_line_and_exit_2(tmp_path: Path, kind: str, content: str, needles: list[str]) -> None:
    path = tmp_path / "source.csv"
    path.write_text(content, "utf-8")
    assert_one_line_error(*cli("import", kind, str(path)), str(path), *needles)
    assert not (data_root() / "datasets" / kind / "manifest.json").exists()


def test_misuse_gives_one_line(tmp_path: Path) -> None:
    assert_one_line_error(*cli("import", "inci", str(tmp_path / "x.csv")), "unknown dataset kind 'inci'")
    assert_one_line_error(*cli("import", "cosing", str(tmp_path / "nope.csv")), "nope.csv", "not found")
    good = tmp_path / "ok.csv"
    good.write_text("inci_name\nWATER\n", "utf-8")
    assert_one_line_error(*cli("import", "cosing", str(good), "--date", "yesterday"), "--date")
    assert_one_line_error(*cli("status", "--format", "xml"), "--format")
    assert_one_line_error(*cli("update", "cosmetics"), "unknown dataset kind")


def test_the_main_command_mounts_data_and_never_prints_a_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("name\nWATER\n", "utf-8")
    env = dict(os.environ)
    proc = subprocess.run([sys.executable, "-m", "shelfcheck", "data", "import", "cosing", str(bad)],
                          capture_output=True, text=True, env=env, timeout=120)
    assert_one_line_error(proc.returncode, proc.stdout, proc.stderr, str(bad), "column 'inci_name'")
    proc = subprocess.run([sys.executable, "-m", "shelfcheck", "data", "status"], capture_output=True, text=True,
                          env=env, timeout=120)
    assert proc.returncode == 0 and "cosing" in proc.stdout and "not installed" in proc.stdout


# A corrupt store is never fatal ------------------------------------------------------------------

@pytest.mark.parametrize("damage", ["truncate_store", "edit_store", "garbage_manifest", "delete_manifest",
                                    "delete_store", "foreign_manifest"])
def test_corrupt_store_is_treated_as_not_installed(tmp_path: Path, damage: str) -> None:
    source = tmp_path / "cosing.csv"
    source.write_text("inci_name\nWATER\nGLYCERIN\nNIACINAMIDE\n", "utf-8")
    import_dataset("cosing", source)
    folder = data_root() / "datasets" / "cosing"
    store, manifest = folder / "inci.txt", folder / "manifest.json"
    if damage == "truncate_store":
        store.write_bytes(store.read_bytes()[:7])
    elif damage == "edit_store":
        store.write_text(store.read_text("utf-8").replace("glycerin", "glycerol"), "utf-8")
    elif damage == "garbage_manifest":
        manifest.write_text("{not json", "utf-8")
    elif damage == "delete_manifest":
        manifest.unlink()
    elif damage == "delete_store":
        store.unlink()
    else:
        manifest.write_text(json.dumps({"kind": "something-else", "format": 1}), "utf-8")
    ds = load_datasets()
    assert ds.provenance["cosing"].startswith("unreadable (")
    assert ds.provenance["inci"] == "builtin" and ds.inci_dictionary.label == "builtin"
    code, out, err = cli("status")
    assert code == 0 and err == ""
    line = next(x for x in out.splitlines() if x.startswith("cosing"))
    assert "unreadable" in line and "built-in list" in line and "shelfcheck data import cosing" in line


# Update: downloads from a local HTTP server ------------------------------------------------------

class _Server:
    def __init__(self, routes: dict[str, tuple[int, str, bytes]]) -> None:
        routes_ = routes

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server API)
                status, ctype, body = routes_.get(self.path, (404, "text/plain", b"not found"))
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(5)


GRANTEES_XML = ('<?xml version="1.0" encoding="ISO-8859-1"?><Report><Row><grantee_code>ZQX</grantee_code>'
                '<grantee_name>Société Test</grantee_name></Row></Report>').encode("iso-8859-1")


@pytest.fixture
def server(shared_data: Path) -> Iterator[_Server]:
    srv = _Server({
        "/cosing.csv": (200, "text/csv", (shared_data / "cosing_inci.csv").read_bytes()),
        "/grantees.xml": (200, "text/xml", GRANTEES_XML),
        "/page.html": (200, "text/html", b"<html><body>The download has moved.</body></html>"),
    })
    yield srv
    srv.close()


def test_update_downloads_and_installs(server: _Server) -> None:
    code, out, err = cli("update", "--cosing-url", f"{server.url}/cosing.csv",
                         "--fcc-url", f"{server.url}/grantees.xml", "--timeout", "10")
    assert code == 0, err
    assert "cosing: cosing@2021-12-15" in out and "fcc-grantees: fcc-grantees@" in out
    assert "tiktok-errors: no official download exists" in out
    ds = load_datasets()
    assert ds.manifests["cosing"]["source"] == f"{server.url}/cosing.csv"
    assert ds.manifests["fcc-grantees"]["source"] == f"{server.url}/grantees.xml"
    assert ds.grantees == {"ZQX": "Société Test"} and ds.inci.complete and ds.errors is None
    assert not list((data_root() / "datasets" / ".downloads").iterdir())  # no leftovers


def test_update_urls_from_environment(server: _Server, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHELFCHECK_FCC_GRANTEES_URL", f"{server.url}/grantees.xml")
    code, out, err = cli("update", "fcc-grantees")
    assert code == 0, err
    assert load_datasets().grantees == {"ZQX": "Société Test"}
    assert "cosing" not in out and dataset_status()[0].state == "missing"


def test_update_offline_is_one_line_and_installs_nothing() -> None:
    import socket

    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    code, out, err = cli("update", "--cosing-url", f"{url}/c.csv", "--fcc-url", f"{url}/g.xml", "--timeout", "5")
    assert_one_line_error(code, out, err, "cannot download cosing", "cannot download fcc-grantees", "offline")
    assert all(state.state == "missing" for state in dataset_status())


def test_update_http_error_and_wrong_content(server: _Server) -> None:
    assert_one_line_error(*cli("update", "cosing", "--cosing-url", f"{server.url}/gone.csv"), "HTTP 404")
    assert_one_line_error(*cli("update", "cosing", "--cosing-url", f"{server.url}/page.html"),
                          "not usable", f"{server.url}/page.html")
    assert dataset_status()[0].state == "missing"


def test_tiktok_errors_cannot_be_downloaded() -> None:
    code, out, err = cli("update", "tiktok-errors")
    assert code == 0 and err == ""
    assert "no official download exists" in out and "shelfcheck data import tiktok-errors FILE" in out


# The hard rule: no third-party dataset (or a copy of part of it) in the repository --------------

def _sentinels(shared_data: Path) -> list[str]:
    picks = []
    for name, rows in (("cosing_inci.csv", (500, 7000, 15000, 29000)), ("fcc_grantees.csv", (50, 400, 650)),
                       ("fcc_ids_sample.csv", (20, 120)), ("tiktok_api/error_codes.csv", (300, 900, 1400))):
        lines = (shared_data / name).read_text("utf-8").splitlines()
        picks += [lines[i] for i in rows if i < len(lines)]
    return picks


def test_repository_holds_no_third_party_dataset(shared_data: Path) -> None:
    sentinels = _sentinels(shared_data)
    assert len(sentinels) >= 10
    skip = {".git", ".venv", "__pycache__", "node_modules", ".pytest_cache"}
    offenders = []
    for path in ROOT.rglob("*"):
        if any(part in skip or part.endswith(".egg-info") for part in path.relative_to(ROOT).parts):
            continue
        if not path.is_file() or path.stat().st_size > 20 * 2**20:
            continue
        try:
            text = path.read_text("utf-8")
        except (UnicodeDecodeError, OSError):
            continue
        offenders += [f"{path.relative_to(ROOT)}: {s[:40]}" for s in sentinels if s in text]
    assert offenders == []
    packaged = {p.name for p in (ROOT / "src" / "shelfcheck" / "datasets").iterdir() if p.is_file()}
    assert packaged == {"__init__.py", "store.py", "download.py", "platform.py", "pull.py", "inci_builtin.txt",
                        "inci_synonyms.yaml"}


def test_import_error_carries_row_and_column(tmp_path: Path) -> None:
    path = tmp_path / "g.csv"
    path.write_text("grantee_code,grantee_name\nBCG,Apple\nA,Too short\n", "utf-8")
    with pytest.raises(InputError) as info:
        import_dataset("fcc-grantees", path)
    assert (info.value.row, info.value.column) == (3, "grantee_code")
