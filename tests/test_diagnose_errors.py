"""Platform error codes: our own cause / fix / retry table, and the official messages once imported."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from shelfcheck.cli.main import main
from shelfcheck.datasets import load_datasets
from shelfcheck.diagnose.platform_errors import CODES, GROUPS, explain_platform_code

LISTING_ENDPOINTS = {
    "POST /product/202309/products",                                # Create Product
    "PUT /product/202509/products/{product_id}",                    # Edit Product
    "POST /product/202509/products/{product_id}/partial_edit",      # Partial Edit Product
    "POST /product/202309/products/listing_check",                  # Check Product Listing
    "POST /product/202309/images/upload",                           # Upload Product Image
    "POST /product/202309/files/upload",                            # Upload Product File
}


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exc:
        main(list(args))
    out, err = capsys.readouterr()
    return int(exc.value.code or 0), out, err


@pytest.mark.parametrize("code, group, retry, text", [
    ("403-UNAUTHORIZED_CHANNEL", "channel_outdated", "after_fix", "4.1"),
    ("401", "reauthorize", "after_fix", "Manage Apps"),
    ("105002", "token_expired", "after_fix", "refresh"),
    ("105005", "scope_denied", "after_fix", "API package"),
    ("106001", "signature", "after_fix", "signer"),
    ("36009004", "validation_generic", "after_fix", "field"),
    ("36009002", "rate_limited", "yes", "backoff"),
    ("36009003", "server_transient", "yes", "Retry"),
    ("12052220", "category_closed", "no", "cannot be sold"),
    ("12052105", "certifications", "after_fix", "Compliance Documents"),
])
def test_own_table_without_any_dataset(code: str, group: str, retry: str, text: str) -> None:
    info = explain_platform_code(code)
    assert info is not None and info.source == "shelfcheck"
    assert (info.group, info.retry) == (group, retry)
    assert text in info.fix["en"] + info.cause["en"]
    assert info.cause["zh"] and info.fix["zh"] and info.official == ()


def test_gateway_code_is_told_apart_by_its_message() -> None:
    assert explain_platform_code("36009004", message="Invalid timestamp: too old").group == "clock"
    assert explain_platform_code("36009004", message="The `sign` query parameter is missing").group == "signature"
    assert explain_platform_code("36009004", message="invalid x-tts-access-token header").group == "token_expired"
    assert explain_platform_code("36009004", message="Invalid app_key").group == "integration_config"
    info = explain_platform_code("36009004", message="body.package_weight.value is missing")
    assert info.group == "validation_generic"


def test_codes_map_to_shelfcheck_findings() -> None:
    from shelfcheck.rules import RULES

    for entry in CODES.values():
        for code in entry.findings or GROUPS[entry.group].findings:
            assert code in RULES, (entry.code, code)
    assert "title_not_english" in explain_platform_code("12052262").findings
    assert "channel_api_outdated" in explain_platform_code("403-unauthorized_channel").findings


@pytest.mark.parametrize("code, needle_en, needle_zh", [
    ("403-UNAUTHORIZED_CHANNEL", "Can a retry help?", "重试有用吗"),
    ("401", "OAuth 2.0", "OAuth 2.0"),
    ("105002", "refresh token", "refresh token"),
    ("105005", "product_write", "product_write"),
    ("106001", "signature", "签名"),
    ("36009004", "message", "提示"),
])
def test_explain_command_knows_platform_codes(code: str, needle_en: str, needle_zh: str,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, _ = cli(capsys, "explain", code)
    assert rc == 0 and out.startswith(code) and needle_en in out
    rc, out, _ = cli(capsys, "explain", code, "--lang", "zh")
    assert rc == 0 and needle_zh in out and "原因" in out


def test_explain_keeps_finding_codes_and_refuses_unknown_codes(capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, _ = cli(capsys, "explain", "missing_fcc_id")
    assert rc == 0 and out.startswith("missing_fcc_id [error]")
    rc, _out, err = cli(capsys, "explain", "99999999")
    assert rc == 2 and "99999999" in err and err.count("\n") == 1


def _listing_codes(csv_path: Path) -> dict[str, set[str]]:
    codes: dict[str, set[str]] = {}
    with csv_path.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            if row["endpoint"] in LISTING_ENDPOINTS:
                codes.setdefault(row["code"], set()).add(row["message"])
    return codes


def test_every_listing_endpoint_code_gets_an_answer_after_import(shared_data: Path,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    source = shared_data / "tiktok_api" / "error_codes.csv"
    rc, _out, err = cli(capsys, "data", "import", "tiktok-errors", str(source))
    assert rc == 0, err
    datasets = load_datasets()
    assert datasets.errors, "the tiktok-errors dataset did not install"
    codes = _listing_codes(source)
    assert len(codes) > 300
    own = inferred = 0
    for code, messages in sorted(codes.items()):
        info = explain_platform_code(code, datasets)
        assert info is not None, code
        assert info.retry in ("yes", "after_fix", "no"), code
        for lang in ("en", "zh"):
            assert info.cause[lang].strip() and info.fix[lang].strip(), (code, lang)
        official = {" ".join(o["message"].split()) for o in info.official}
        assert {" ".join(m.split()) for m in messages} <= official, code  # the dataset's wording
        own += info.source == "shelfcheck"
        inferred += info.source == "inferred"
    assert own + inferred == len(codes)
    assert own >= 250  # most listing codes are in our own table
    # Every common (gateway, auth) code of the dataset is in our own table.
    with source.open(encoding="utf-8", newline="") as fh:
        common = {r["code"] for r in csv.DictReader(fh) if r["category"].startswith("common/")}
    assert common and common <= set(CODES)
    # The CLI shows the official message beside our words.
    rc, out, _ = cli(capsys, "explain", "105002")
    assert rc == 0 and "Expired credentials" in out and "tiktok-errors@" in out
    only_dataset = next(code for code in sorted(codes) if code not in CODES)
    rc, out, _ = cli(capsys, "explain", only_dataset)
    assert rc == 0 and "inferred" in out and only_dataset in out


def test_inferred_groups_follow_the_official_message() -> None:
    class Fake:
        errors = {"12059999": [{"message": "The product title contains a banned word", "endpoint": "x"}],
                  "12058888": [{"message": "Warehouse is closed for the season", "endpoint": "x"}]}
        provenance = {"tiktok-errors": "tiktok-errors@2026-01-01"}

    assert explain_platform_code("12059999", Fake()).group == "title"
    assert explain_platform_code("12058888", Fake()).group == "warehouse_logistics"
    assert explain_platform_code("12057777", Fake()) is None
