"""diagnose (four levels), triage (two checks and one try) and the support case draft."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

import shelfcheck.rules.ledger  # noqa: F401  (registers the ledger codes until rules/__init__ does)
from helpers import Workspace, write_csv
from shelfcheck.cli.main import main
from shelfcheck.diagnose import draft_case, triage, try_endpoint
from shelfcheck.ledger import SyncItem, open_ledger
from shelfcheck.tiktok.client import Credentials

UTC = dt.timezone.utc
AS_OF = "2024-08-01"
BEFORE = dt.datetime(2024, 7, 31, 10, 0, tzinfo=UTC)
ELECTRONICS = {"category": "Phones & Electronics > Earbuds", "model_number": "M-1", "fcc_id": "2AGN7-X9"}
GOOD_SHOP = {"seller_id": "US1234567890", "kyc_complete": True, "store_compliant": True,
             "app": {"name": "DianXiaoMi", "status": "Active", "permissions": ["product_read", "product_write"],
                     "api_version": "4.1", "authorized_at": "2024-06-20"},
             "integrations": [{"name": "DianXiaoMi", "connected_at": "2024-06-01"}]}


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exc:
        main(list(args))
    out, err = capsys.readouterr()
    return int(exc.value.code or 0), out, err


@pytest.fixture
def db(tmp_path: Path) -> str:
    return str(tmp_path / "ledger.db")


@pytest.fixture
def catalog(ws: Workspace) -> Path:
    rows = [
        ws.listing(seller_sku="CLEAN-1", product_id="1729000001"),
        ws.listing(seller_sku="SHORT-1", title="Box"),
        ws.listing(seller_sku="EL-1", **ELECTRONICS),
        ws.listing(seller_sku="INV-1", quantity="120"),
        ws.listing(seller_sku="BAN-1", category="CBD Products"),
    ]
    return write_csv(ws.root / "catalog.csv", rows)


def _docs(ws: Workspace, status: str) -> Path:
    return write_csv(ws.root / "documents.csv", [{
        "doc_id": "FCC-7", "type": "FCC_TEST_REPORT", "number": "R1", "status": status,
        "issued_on": "2024-01-10", "expires_on": "", "file": "", "applies_to": "M-1"}])


def _diagnose(capsys: pytest.CaptureFixture[str], sku: str, catalog: Path, db: str,
              *extra: str) -> tuple[int, dict[str, Any]]:
    code, out, err = cli(capsys, "diagnose", sku, "--catalog", str(catalog), "--as-of", AS_OF,
                         "--format", "json", "--db", db, *extra)
    assert code in (0, 1), err
    return code, json.loads(out)


def _results(data: dict[str, Any]) -> list[str]:
    assert [lv["level"] for lv in data["levels"]] == [1, 2, 3, 4]
    assert [lv["name"] for lv in data["levels"]] == ["failure_reason", "documents", "inventory_sync", "escalation"]
    for lv in data["levels"]:
        assert set(lv) == {"level", "name", "result", "findings", "next_step"}
    return [lv["result"] for lv in data["levels"]]


# diagnose ----------------------------------------------------------------------------------------

def test_level1_stops_at_the_listings_own_error(catalog: Path, db: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, data = _diagnose(capsys, "SHORT-1", catalog, db)
    assert code == 1 and data["sku"] == "SHORT-1"
    assert _results(data) == ["problem", "skipped", "skipped", "skipped"]
    assert data["verdict"] == "fix_listing"
    level1 = data["levels"][0]
    assert [f["code"] for f in level1["findings"]] == ["title_too_short"]
    assert level1["findings"][0]["source"] == "preflight" and "shelfcheck check" in level1["next_step"]


def test_level1_reads_the_last_recorded_failure(catalog: Path, db: str, capsys: pytest.CaptureFixture[str]) -> None:
    with open_ledger(db) as ledger:
        ledger.record_attempt("CLEAN-1", "failed", reasons=["title_too_short", "12052262"], at=BEFORE,
                              product_id="1729000001")
    _code, data = _diagnose(capsys, "CLEAN-1", catalog, db)
    assert _results(data) == ["problem", "skipped", "skipped", "skipped"]
    findings = {f["code"]: f for f in data["levels"][0]["findings"]}
    assert findings["title_too_short"]["still_found"] is False  # fixed since
    assert findings["12052262"]["source"] == "ledger" and findings["12052262"]["retry"] == "after_fix"
    assert findings["title_too_short"]["evidence"]["failed_at"] == "2024-07-31T10:00:00Z"
    assert data["lock"] == {"sku": "CLEAN-1", "failures_24h": 1, "locked": False, "locked_until": None,
                            "attempts_left": 2}


def test_level1_locked_sku(catalog: Path, db: str, capsys: pytest.CaptureFixture[str]) -> None:
    with open_ledger(db) as ledger:
        for minutes in range(4):
            ledger.record_attempt("CLEAN-1", "failed", reasons=["36009003"],
                                  at=BEFORE + dt.timedelta(minutes=minutes))
    _code, data = _diagnose(capsys, "CLEAN-1", catalog, db)
    codes = [f["code"] for f in data["levels"][0]["findings"]]
    assert "sku_locked" in codes and "36009003" in codes
    assert "2024-08-03T10:03:00Z" in data["levels"][0]["next_step"]


def test_level2_documents_not_verified(ws: Workspace, catalog: Path, db: str,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    docs = _docs(ws, "Pending Review")
    code, data = _diagnose(capsys, "EL-1", catalog, db, "--documents", str(docs))
    assert code == 1
    assert _results(data) == ["ok", "problem", "skipped", "skipped"]
    assert data["verdict"] == "fix_documents"
    assert [f["code"] for f in data["levels"][1]["findings"]] == ["document_not_verified"]
    assert "Compliance Documents" in data["levels"][1]["next_step"]
    verified = _docs(ws, "Verified")
    code, data = _diagnose(capsys, "EL-1", catalog, db, "--documents", str(verified))
    assert _results(data)[:2] == ["ok", "ok"]


def test_level3_inventory_from_snapshot_and_from_sync_history(ws: Workspace, catalog: Path, db: str,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    platform = write_csv(ws.root / "platform.csv", [{"seller_sku": "INV-1", "platform_quantity": "100"}])
    code, data = _diagnose(capsys, "INV-1", catalog, db, "--inventory", str(platform))
    assert _results(data) == ["ok", "ok", "problem", "skipped"] and data["verdict"] == "calibrate_inventory"
    assert data["levels"][2]["findings"][0]["evidence"]["drift"] == 20
    # Without --inventory: no data → skipped, and the walk goes on to escalation.
    code, data = _diagnose(capsys, "INV-1", catalog, db)
    assert _results(data) == ["ok", "ok", "skipped", "ok"] and data["verdict"] == "no_problem_found"
    assert code == 0
    # With a stored reconciliation (before the as-of day) the last drift is read from the ledger.
    with open_ledger(db) as ledger:
        ledger.record_sync([SyncItem("INV-1", 120, 100, 20, True)], tolerance=5, at=BEFORE)
        ledger.record_sync([SyncItem("INV-1", 120, 118, 2, False)], tolerance=5,
                           at=BEFORE + dt.timedelta(days=5))  # after as-of: not seen
    code, data = _diagnose(capsys, "INV-1", catalog, db)
    assert _results(data) == ["ok", "ok", "problem", "skipped"]
    finding = data["levels"][2]["findings"][0]
    assert finding["source"] == "sync_history" and finding["evidence"]["drift"] == 20


def test_level4_escalates_an_unexplained_failure(catalog: Path, db: str, capsys: pytest.CaptureFixture[str]) -> None:
    with open_ledger(db) as ledger:
        ledger.record_attempt("CLEAN-1", "failed", at=BEFORE)  # no reason shown
        ledger.record_sync([SyncItem("CLEAN-1", 40, 40, 0, False)], tolerance=5, at=BEFORE)
    code, data = _diagnose(capsys, "CLEAN-1", catalog, db)
    assert code == 1
    assert _results(data) == ["ok", "ok", "ok", "problem"] and data["verdict"] == "escalate"
    assert "shelfcheck case CLEAN-1" in data["levels"][3]["next_step"]
    assert data["product_id"] == "1729000001"


def test_diagnose_table_in_chinese_and_unknown_sku(catalog: Path, db: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = cli(capsys, "diagnose", "SHORT-1", "--catalog", str(catalog), "--as-of", AS_OF, "--db", db,
                       "--lang", "zh")
    assert code == 1 and "一级" in out and "结论" in out and "title_too_short" in out
    code, out, err = cli(capsys, "diagnose", "NOPE-9", "--catalog", str(catalog), "--db", db)
    assert code == 2 and "NOPE-9" in err and "catalog.csv" in err and err.count("\n") == 1


def test_diagnose_creates_no_ledger(catalog: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "never.db"
    _diagnose(capsys, "CLEAN-1", catalog, str(target))
    assert not target.exists()


# triage ------------------------------------------------------------------------------------------

def _shop(ws: Workspace, **changes: Any) -> Path:
    data = json.loads(json.dumps(GOOD_SHOP))
    for key, value in changes.items():
        if key.startswith("app_"):
            data["app"][key[4:]] = value
        else:
            data[key] = value
    path = ws.root / "shop.yaml"
    path.write_text(yaml.safe_dump(data), "utf-8")
    return path


def test_triage_data_problem_when_shop_app_and_test_listing_are_fine(ws: Workspace,
                                                                     capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = cli(capsys, "triage", "--shop", str(_shop(ws)), "--as-of", AS_OF, "--format", "json")
    data = json.loads(out)
    assert code == 0 and data["verdict"] == "data_problem" and data["unverified"] == []
    assert [(c["check"], c["result"]) for c in data["checks"]] == [
        ("store_compliant", "ok"), ("app_active", "ok"), ("test_listing", "ok")]
    assert data["checks"][2]["detail"] == {"mode": "offline", "sku": "US-TEST-001"}


@pytest.mark.parametrize("changes, failing, code", [
    ({"store_compliant": False}, "store_compliant", "store_not_compliant"),
    ({"app_status": "Suspended"}, "app_active", "app_inactive"),
    ({"app_permissions": ["product_read"]}, "app_active", "app_missing_product_write"),
    ({"app_api_version": "1.0"}, "app_active", "channel_api_outdated"),
])
def test_triage_system_problem(ws: Workspace, changes: dict[str, Any], failing: str, code: str,
                               capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, _ = cli(capsys, "triage", "--shop", str(_shop(ws, **changes)), "--as-of", AS_OF, "--format", "json")
    data = json.loads(out)
    assert rc == 1 and data["verdict"] == "system_problem"
    check = next(c for c in data["checks"] if c["check"] == failing)
    assert check["result"] == "problem" and [f["code"] for f in check["findings"]] == [code]


def test_triage_without_shop_says_what_it_could_not_verify(capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, _ = cli(capsys, "triage", "--as-of", AS_OF, "--lang", "zh")
    assert rc == 0 and "数据问题" in out and "未能验证" in out


def _mock(listing_result: dict[str, Any] | None = None, fail_code: int | None = None) -> httpx.MockTransport:
    def handler(request: httpx.Request) -> httpx.Response:
        assert request.url.params.get("sign") and request.url.params.get("app_key") == "appkey"
        if fail_code is not None:
            return httpx.Response(200, json={"code": fail_code, "message": "Access denied.", "request_id": "r1",
                                             "data": {}})
        if request.url.path.endswith("/images/upload"):
            return httpx.Response(200, json={"code": 0, "message": "Success", "request_id": "r2",
                                             "data": {"uri": f"tos-{len(request.content)}", "url": "u"}})
        if request.url.path.endswith("/products/listing_check"):
            body = json.loads(request.content)
            assert body["title"] and len(body["main_images"]) == 3
            return httpx.Response(200, json={"code": 0, "message": "Success", "request_id": "r3",
                                             "data": listing_result})
        return httpx.Response(404, json={"code": 36009009, "message": "Invalid path", "request_id": "r4"})
    return httpx.MockTransport(handler)


CREDS = Credentials("appkey", "appsecret", "token-value", "cipher")


def test_online_try_pass_fail_and_auth_error() -> None:
    ok = try_endpoint("http://127.0.0.1:8799", credentials=CREDS,
                      transport=_mock({"check_result": "PASSED", "fail_reasons": []}))
    assert ok.result == "ok" and ok.detail["check_result"] == "PASSED"
    refused = try_endpoint("http://127.0.0.1:8799", credentials=CREDS, transport=_mock(
        {"check_result": "FAILED", "fail_reasons": [{"code": 12052700, "message": "Seller inactive"}]}))
    assert refused.result == "problem" and refused.findings[0]["code"] == "12052700"
    denied = try_endpoint("http://127.0.0.1:8799", credentials=CREDS, transport=_mock(fail_code=105005))
    assert denied.result == "problem" and denied.detail["code"] == 105005
    assert "re-authorize" in denied.findings[0]["fix"] or "authorize" in denied.findings[0]["fix"]
    result = triage(endpoints=["http://127.0.0.1:8799"], credentials=CREDS, transport=_mock(fail_code=105005))
    assert result.verdict == "system_problem"


def test_online_try_without_credentials_or_with_a_bad_endpoint(monkeypatch: pytest.MonkeyPatch,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    for var in ("SHELFCHECK_APP_KEY", "SHELFCHECK_APP_SECRET", "SHELFCHECK_ACCESS_TOKEN"):
        monkeypatch.delenv(var, raising=False)
    check = try_endpoint("http://127.0.0.1:8799")
    assert check.result == "unknown" and check.detail["reason"] == "credentials_missing"
    rc, _out, err = cli(capsys, "triage", "--endpoint", "http://example.com", "--format", "json")
    assert rc == 2 and "--endpoint" in err and err.count("\n") == 1


# case --------------------------------------------------------------------------------------------

def test_case_draft_fields_and_both_languages(catalog: Path, db: str, capsys: pytest.CaptureFixture[str]) -> None:
    with open_ledger(db) as ledger:
        ledger.record_attempt("CLEAN-1", "failed", reasons=["12052105"], at=BEFORE)
    code, out, _ = cli(capsys, "case", "CLEAN-1", "--catalog", str(catalog), "--as-of", AS_OF, "--db", db,
                       "--format", "json")
    data = json.loads(out)
    assert code == 0
    assert data["category"] == ["Listing & Catalog", "Product Submission Failure"]
    assert data["product_id"] == "1729000001" and data["timestamp"] == "2024-07-31T10:00:00Z"
    assert [r["code"] for r in data["reasons"]] == ["12052105"]
    assert "Upload Status" in data["screenshot"]["en"] and "Upload Status" in data["screenshot"]["zh"]
    assert "Product ID: 1729000001" in data["draft"]["en"] and "商品 ID:1729000001" in data["draft"]["zh"]
    assert data["urgent"] is False and data["urgent_refused"] is None
    code, out, _ = cli(capsys, "case", "CLEAN-1", "--catalog", str(catalog), "--as-of", AS_OF, "--db", db,
                       "--lang", "zh")
    assert "Listing & Catalog > Product Submission Failure" in out and "中文对照" in out


def test_urgent_granted_for_fixable_reasons_with_a_po(ws: Workspace, catalog: Path, db: str,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    po = ws.root / "po.pdf"
    po.write_bytes(b"%PDF-1.4 purchase order")
    code, out, _ = cli(capsys, "case", "SHORT-1", "--catalog", str(catalog), "--as-of", AS_OF, "--db", db,
                       "--urgent", "--po", str(po), "--format", "json")
    data = json.loads(out)
    assert code == 0 and data["urgent"] is True and data["po_file"] == str(po)
    assert "Urgent: Product Launch Deadline" in data["draft"]["en"] and "po.pdf" in data["draft"]["en"]


def test_urgent_refused_for_a_prohibited_category(ws: Workspace, catalog: Path, db: str,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    po = ws.root / "po.pdf"
    po.write_bytes(b"po")
    code, out, _ = cli(capsys, "case", "BAN-1", "--catalog", str(catalog), "--as-of", AS_OF, "--db", db,
                       "--urgent", "--po", str(po), "--format", "json")
    data = json.loads(out)
    assert code == 1 and data["urgent"] is False and data["urgent_refused"] == "urgent_prohibited"
    assert "category_prohibited" in [r["code"] for r in data["reasons"]]
    assert "Urgent" not in data["draft"]["en"]
    code, out, _ = cli(capsys, "case", "BAN-1", "--catalog", str(catalog), "--as-of", AS_OF, "--db", db,
                       "--urgent", "--po", str(po), "--lang", "zh")
    assert "未使用加急通道" in out and "禁售" in out


def test_urgent_refused_without_po_unfixable_or_unknown_reasons(ws: Workspace, catalog: Path, db: str,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    code, _out, err = cli(capsys, "case", "SHORT-1", "--catalog", str(catalog), "--db", db, "--urgent")
    assert code == 2 and "--po" in err and err.count("\n") == 1
    code, _out, err = cli(capsys, "case", "SHORT-1", "--catalog", str(catalog), "--db", db, "--urgent",
                          "--po", str(ws.root / "missing.pdf"))
    assert code == 2 and "missing.pdf" in err
    po = ws.root / "po.pdf"
    po.write_bytes(b"po")
    with open_ledger(db) as ledger:
        ledger.record_attempt("CLEAN-1", "failed", reasons=["something odd happened"], at=BEFORE)
    draft = draft_case("CLEAN-1", catalog, as_of=dt.date(2024, 8, 1), ledger=open_ledger(db, readonly=True),
                       urgent=True, po=po)
    assert draft.urgent is False and draft.urgent_refused == "urgent_unfixable"
    nothing = draft_case("CLEAN-1", catalog, as_of=dt.date(2024, 7, 1), urgent=True, po=po)
    assert nothing.urgent is False and nothing.urgent_refused == "urgent_no_reasons" and nothing.timestamp is None
    library_no_po = draft_case("SHORT-1", catalog, as_of=dt.date(2024, 8, 1), urgent=True)
    assert library_no_po.urgent_refused == "urgent_needs_po"
    with open_ledger(db) as ledger:
        ledger.record_attempt("CLEAN-1", "failed", reasons=["12052220"], at=BEFORE + dt.timedelta(hours=1))
    closed = draft_case("CLEAN-1", catalog, as_of=dt.date(2024, 8, 1), ledger=open_ledger(db, readonly=True),
                        urgent=True, po=po)
    assert closed.urgent_refused == "urgent_prohibited"


@pytest.mark.parametrize("lang, needle", [("en", "48-hour lock"), ("zh", "48 小时锁定")])
def test_triage_states_the_lock_of_the_pack(ws: Workspace, capsys: pytest.CaptureFixture[str],
                                            lang: str, needle: str) -> None:
    pack = ws.root / "lock48.yaml"
    pack.write_text("extends: tiktok-us-2024-07\nname: lock48\nversion: '1'\nlock: {lock_hours: 48}\n", "utf-8")
    shop = str(_shop(ws, store_compliant=False))
    rc, out, _ = cli(capsys, "triage", "--shop", shop, "--as-of", AS_OF, "--policy", str(pack), "--lang", lang)
    assert rc == 1 and needle in out and "72" not in out
    rc, out, _ = cli(capsys, "triage", "--shop", shop, "--as-of", AS_OF, "--lang", lang)
    assert needle.replace("48", "72") in out
