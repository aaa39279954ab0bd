"""Webhooks: signature on the raw body, duplicates dropped, product status and audit recorded."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from shelfcheck.ledger import open_ledger
from shelfcheck.tiktok import records
from shelfcheck.tiktok.signing import webhook_signature
from shelfcheck.tiktok.webhooks import WebhookError, handle_webhook, router

KEY, SECRET = "hook-app-key", "hook-app-secret-value"


def _raw(shared_data: Path, name: str) -> bytes:
    return (shared_data / "tiktok_api" / "samples" / "webhooks" / name).read_bytes()


def test_official_vector_and_status_recorded(shared_data: Path, tmp_path: Path) -> None:
    vec = next(v for v in json.loads((shared_data / "tiktok_api" / "signing_vectors.json").read_text())["vectors"]
               if v["id"] == "webhook_official_overview")
    with open_ledger(tmp_path / "l.db") as ledger:
        res = handle_webhook(vec["inputs"]["raw_body"].encode(), vec["expected"]["signature"],
                             app_key=vec["inputs"]["app_key"], app_secret=vec["inputs"]["app_secret"], ledger=ledger)
        assert not res.duplicate and res.type == 1 and res.notification_id == "7380066284010030890"


def test_product_status_and_audit_and_dedup(shared_data: Path, tmp_path: Path) -> None:
    status_raw = _raw(shared_data, "5-product-status-change.json")
    audit_raw = _raw(shared_data, "37-product-audit-status-change.json").replace(
        b'"tts_notification_id": "7327112393057371910"', b'"tts_notification_id": "7327112393057371911"')
    with open_ledger(tmp_path / "l.db") as ledger:
        records.remember_product(ledger, "789078671231", seller_sku="HM-BOX-001", status="PENDING")
        first = handle_webhook(status_raw, webhook_signature(KEY, SECRET, status_raw), app_key=KEY,
                               app_secret=SECRET, ledger=ledger)
        again = handle_webhook(status_raw, webhook_signature(KEY, SECRET, status_raw), app_key=KEY,
                               app_secret=SECRET, ledger=ledger)
        assert not first.duplicate and again.duplicate
        assert records.product(ledger, "576486316948490000").status == "PRODUCT_FIRST_PASS_REVIEW"
        audit = handle_webhook(audit_raw, webhook_signature(KEY, SECRET, audit_raw), app_key=KEY,
                               app_secret=SECRET, ledger=ledger)
        assert audit.status == "PRE_APPROVED"
        rec = records.product(ledger, "789078671231")
        assert rec.audit_status == "PRE_APPROVED" and rec.reasons == ("KYC_PENDING",)
        assert ledger.attempts("HM-BOX-001") == []  # pre-approved is not a failure


def test_failed_audit_counts_once_for_the_sku(tmp_path: Path) -> None:
    body = json.dumps({"type": 37, "tts_notification_id": "N-1", "shop_id": "1", "timestamp": 1722500000,
                       "data": {"product_id": "P1", "audit": {"status": "FAILED", "failed_reason": "image"}}}).encode()
    sig = webhook_signature(KEY, SECRET, body)
    with open_ledger(tmp_path / "l.db") as ledger:
        records.remember_product(ledger, "P1", seller_sku="SKU-1", content_hash="h" * 64)
        handle_webhook(body, sig, app_key=KEY, app_secret=SECRET, ledger=ledger)
        handle_webhook(body, sig, app_key=KEY, app_secret=SECRET, ledger=ledger)
        attempts = ledger.attempts("SKU-1")
    assert len(attempts) == 1 and attempts[0].outcome == "failed" and attempts[0].reasons == ("image",)
    assert attempts[0].source == "webhook"


def test_bad_signatures_are_refused(tmp_path: Path, shared_data: Path) -> None:
    raw = _raw(shared_data, "16-product-creation.json")
    good = webhook_signature(KEY, SECRET, raw)
    with open_ledger(tmp_path / "l.db") as ledger:
        for header in (None, "", good.upper(), "Bearer " + good, webhook_signature(KEY, "other", raw)):
            with pytest.raises(WebhookError) as info:
                handle_webhook(raw, header, app_key=KEY, app_secret=SECRET, ledger=ledger)
            assert info.value.status == 401 and SECRET not in str(info.value)
        reserialised = json.dumps(json.loads(raw)).encode()
        with pytest.raises(WebhookError):
            handle_webhook(reserialised, good, app_key=KEY, app_secret=SECRET, ledger=ledger)
        with pytest.raises(WebhookError) as info:
            bad = b'{"no": "type"}'
            handle_webhook(bad, webhook_signature(KEY, SECRET, bad), app_key=KEY, app_secret=SECRET, ledger=ledger)
        assert info.value.status == 400


def test_router(tmp_path: Path, shared_data: Path, caplog: pytest.LogCaptureFixture) -> None:
    import anyio

    caplog.set_level(logging.DEBUG)
    raw = _raw(shared_data, "5-product-status-change.json")
    with open_ledger(tmp_path / "l.db") as ledger:
        app = FastAPI()
        app.include_router(router(app_key=KEY, app_secret=SECRET, ledger=ledger))

        async def go() -> list[httpx.Response]:
            async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
                ok = await c.post("/webhooks/tiktok", content=raw,
                                  headers={"authorization": webhook_signature(KEY, SECRET, raw)})
                dup = await c.post("/webhooks/tiktok", content=raw,
                                   headers={"authorization": webhook_signature(KEY, SECRET, raw)})
                bad = await c.post("/webhooks/tiktok", content=raw, headers={"authorization": "0" * 64})
                return [ok, dup, bad]

        ok, dup, bad = anyio.run(go)
    assert ok.status_code == 200 and ok.json()["message"] == "success"
    assert dup.status_code == 200 and dup.json()["message"] == "duplicate"
    assert bad.status_code == 401
    assert SECRET not in caplog.text
