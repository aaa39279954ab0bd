"""The sandbox and the webhook receiver fail closed: hostile requests get the platform's 4xx.

Body over the cap (declared or streamed), JSON nested deep or holding NaN, multipart without a
boundary, webhook timestamps out of range, and the ``/_sandbox/*`` hooks without the admin token:
each answered with the envelope and code, never a 500, and nothing recorded.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn
from fastapi import FastAPI

from shelfcheck.ledger import open_ledger
from shelfcheck.sandbox import (
    ADMIN_HEADER,
    SANDBOX_ACCESS_TOKEN,
    SANDBOX_APP_KEY,
    SANDBOX_APP_SECRET,
    SandboxConfig,
)
from shelfcheck.sandbox.guard import json_body
from shelfcheck.tiktok.limits import (
    JsonRefused,
    RequestLimits,
    integer_in_range,
    json_depth,
    loads_bounded,
)
from shelfcheck.tiktok.signing import sign_request, webhook_signature
from shelfcheck.tiktok.webhooks import WebhookError, handle_webhook, router
from tiktok_helpers import admin_headers, free_port, running_sandbox

CAP = 64 * 1024
LIMITS = RequestLimits(max_body_bytes=CAP, max_json_depth=8)
CHECK = "/product/202309/products/listing_check"
UPLOAD = "/product/202309/images/upload"


def _signed(base: str, path: str, body: bytes, content_type: str = "application/json",
            **headers: str) -> httpx.Response:
    q = {"app_key": SANDBOX_APP_KEY, "timestamp": str(int(time.time()))}
    if path != UPLOAD:  # the upload is not shop-specific
        q["shop_cipher"] = "SANDBOX_US_SHOP_CIPHER"
    signed_body = b"" if content_type.startswith("multipart/") else body
    q["sign"] = sign_request(SANDBOX_APP_SECRET, path, q, signed_body, content_type).sign
    return httpx.post(base + path, params=q, content=body, timeout=30,
                      headers={"content-type": content_type, "x-tts-access-token": SANDBOX_ACCESS_TOKEN,
                               **headers})


def _envelope(res: httpx.Response, http: int, code: int) -> dict:
    payload = res.json()
    assert set(payload) == {"code", "message", "request_id", "data"}, payload
    assert (res.status_code, payload["code"]) == (http, code), (res.status_code, payload)
    assert payload["request_id"]
    return payload


@pytest.fixture(scope="module")
def sandbox() -> Iterator[tuple[str, object]]:
    with running_sandbox(SandboxConfig(limits=LIMITS)) as running:
        yield running


# --------------------------------------------------------------------------------------------
# Limits as functions
# --------------------------------------------------------------------------------------------


def test_json_depth_is_linear_and_skips_strings() -> None:
    assert json_depth(b'{"a": "[[[{\\" ]]", "b": [[1]]}') == 3
    assert json_depth(b"[" * 200_000 + b"]" * 200_000) == 200_000
    assert json_depth(b"5") == 0
    with pytest.raises(JsonRefused) as info:
        loads_bounded(b"[" * 200_000 + b"]" * 200_000, 32)
    assert info.value.reason == "too_deep"
    assert loads_bounded(b"[" * 32 + b"]" * 32, 32) is not None
    for constant in (b"NaN", b"Infinity", b"-Infinity"):
        with pytest.raises(JsonRefused) as info:
            loads_bounded(b'{"t": ' + constant + b"}")
        assert info.value.reason == "not_a_number"
    with pytest.raises(JsonRefused):
        loads_bounded(b"{not json")


@pytest.mark.parametrize("value, expected", [
    (1644412885, 1644412885), (1644412885.0, 1644412885), (0, 0),
    (1e20, None), (-1e18, None), (float("nan"), None), (float("inf"), None), (True, None),
    ("1644412885", None), (1.5, None), (-1, None), (None, None), ([1], None),
])
def test_integer_in_range(value: object, expected: int | None) -> None:
    assert integer_in_range(value, 0, 4102444799) == expected


def test_json_body_refusals_are_the_platforms() -> None:
    for raw in (b"[" * 9 + b"]" * 9, b'{"x": NaN}', b"{"):
        with pytest.raises(Exception) as info:
            json_body(raw, LIMITS)
        assert (info.value.code, info.value.http) == (36009004, 400)
    assert json_body(b"[" * 8 + b"]" * 8, LIMITS) == [[[[[[[[]]]]]]]]


# --------------------------------------------------------------------------------------------
# The running sandbox
# --------------------------------------------------------------------------------------------


def test_body_over_the_cap_is_refused_by_its_declared_length(sandbox: tuple[str, object]) -> None:
    base, sb = sandbox
    big = json.dumps({"title": "x" * CAP}).encode()
    payload = _envelope(_signed(base, CHECK, big), 413, 36009021)
    assert str(CAP) in payload["message"]
    assert sb.all_products() == []


def test_streamed_body_over_the_cap_is_refused(sandbox: tuple[str, object]) -> None:
    base, _ = sandbox

    def chunks() -> Iterator[bytes]:  # no Content-Length: chunked transfer encoding
        for _ in range(200):
            yield b" " * 1024

    q = {"app_key": SANDBOX_APP_KEY, "timestamp": str(int(time.time()))}
    res = httpx.post(base + CHECK, params=q, content=chunks(), timeout=30,
                     headers={"content-type": "application/json"})
    assert "content-length" not in res.request.headers
    _envelope(res, 413, 36009021)


def test_body_at_the_cap_reaches_the_gateway(sandbox: tuple[str, object]) -> None:
    base, _ = sandbox
    body = b"{}" + b" " * (CAP - 2)
    res = _signed(base, CHECK, body)
    assert res.status_code == 200 and res.json()["code"] == 0
    assert res.json()["data"]["check_result"] == "FAILED"  # an empty product: audited, refused


def test_deep_and_nan_bodies_are_4xx(sandbox: tuple[str, object]) -> None:
    base, _ = sandbox
    deep = b'{"a": ' + b"[" * 30_000 + b"]" * 30_000 + b"}"
    payload = _envelope(_signed(base, CHECK, deep), 400, 36009004)
    assert "deeper than 8" in payload["message"]
    _envelope(_signed(base, CHECK, b'{"title": NaN}'), 400, 36009004)
    _envelope(_signed(base, CHECK, b'{"title": '), 400, 36009004)


def test_multipart_without_boundary_or_unreadable_is_4xx(sandbox: tuple[str, object]) -> None:
    base, _ = sandbox
    body = b"--x\r\nContent-Disposition: form-data; name=\"data\"; filename=\"a.jpg\"\r\n\r\nabc\r\n--x--\r\n"
    for content_type in ("multipart/form-data", "multipart/form-data; boundary=",
                         "multipart/form-data; boundary=" + "b" * 71):
        _envelope(_signed(base, UPLOAD, body, content_type), 400, 36009023)
    garbled = _signed(base, UPLOAD, b"--x\r\nno headers and no end", "multipart/form-data; boundary=x")
    _envelope(garbled, 400, 36009022)
    ok_framing = _signed(base, UPLOAD, body, "multipart/form-data; boundary=x")
    _envelope(ok_framing, 200, 12038004)  # framing fine; "abc" is no image: the platform's own answer


def test_control_endpoints_need_the_admin_token(sandbox: tuple[str, object]) -> None:
    base, sb = sandbox
    for path, method in (("/_sandbox/health", "GET"), ("/_sandbox/products", "GET"),
                         ("/_sandbox/faults", "POST"), ("/_sandbox/expire_tokens", "POST")):
        for headers in ({}, {ADMIN_HEADER: "wrong"}, {ADMIN_HEADER: ""},
                        {"x-tts-access-token": SANDBOX_ACCESS_TOKEN}):
            res = httpx.request(method, base + path, headers=headers, json={"code": 36009003, "count": 5})
            payload = _envelope(res, 401, 36009004)
            assert sb.config.admin_token not in payload["message"]
    assert sb._faults == [], "no fault was queued without the token"
    assert httpx.get(base + "/_sandbox/health", headers=admin_headers(sb)).json()["code"] == 0
    bad = httpx.post(base + "/_sandbox/faults", headers=admin_headers(sb), json={"code": "x"})
    _envelope(bad, 400, 36009004)
    _envelope(httpx.post(base + "/_sandbox/faults", headers=admin_headers(sb),
                         content=b"[" * 50 + b"]" * 50), 400, 36009004)
    assert sb._faults == []
    assert "admin_token" not in repr(sb.config) and sb.config.admin_token not in repr(sb.config)


def test_each_sandbox_has_its_own_token_unless_set() -> None:
    assert SandboxConfig().admin_token != SandboxConfig().admin_token
    assert len(SandboxConfig().admin_token) >= 40
    env = {"SHELFCHECK_SANDBOX_ADMIN_TOKEN": "local-token-for-scripts"}
    assert SandboxConfig.from_env(env).admin_token == "local-token-for-scripts"


def test_cli_prints_the_admin_token_and_the_hooks_need_it(tmp_path: Path) -> None:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "SHELFCHECK_SANDBOX_ADMIN_TOKEN"}
    env["LANG"] = "en_US.UTF-8"
    proc = subprocess.Popen([sys.executable, "-m", "shelfcheck", "sandbox", "--port", str(port)],
                            stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True, env=env)
    try:
        token = None
        deadline = time.monotonic() + 60
        while token is None and time.monotonic() < deadline:
            line = proc.stderr.readline()
            if not line:
                break
            match = re.search(r"X-Sandbox-Admin-Token header\): (\S+)", line, re.IGNORECASE)
            token = match.group(1) if match else None
        assert token, "the token is printed at start"
        base = f"http://127.0.0.1:{port}"
        while time.monotonic() < deadline:
            try:
                res = httpx.get(base + "/_sandbox/health", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        assert res.status_code == 401
        assert httpx.get(base + "/_sandbox/health", headers={ADMIN_HEADER: token}).json()["code"] == 0
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        proc.stderr.close()


# --------------------------------------------------------------------------------------------
# Webhooks
# --------------------------------------------------------------------------------------------

KEY, SECRET = "hook-app-key", "hook-app-secret-value"


def _hook(**overrides: object) -> bytes:
    body: dict[str, object] = {"type": 5, "tts_notification_id": "N-1", "shop_id": "1",
                               "timestamp": 1722500000, "data": {"product_id": "P1", "status": "ACTIVATE"}}
    body.update(overrides)
    return json.dumps(body, allow_nan=True).encode()


@pytest.mark.parametrize("raw", [
    _hook(timestamp=1e20), _hook(timestamp=-1e18), _hook(timestamp=float("nan")),
    _hook(timestamp=float("inf")), _hook(timestamp="1722500000"), _hook(timestamp=True),
    _hook(timestamp=1.5), _hook(type=1e400), _hook(type="5"), _hook(tts_notification_id={"a": 1}),
    b'{"type": 5, "tts_notification_id": "N", "data": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
    b"[1, 2]", b"{",
])
def test_hostile_webhooks_are_400_and_record_nothing(tmp_path: Path, raw: bytes) -> None:
    with open_ledger(tmp_path / "l.db") as ledger:
        with pytest.raises(WebhookError) as info:
            handle_webhook(raw, webhook_signature(KEY, SECRET, raw), app_key=KEY, app_secret=SECRET,
                           ledger=ledger)
        assert info.value.status == 400, info.value
        from shelfcheck.tiktok import records

        assert records.product(ledger, "P1") is None


def test_good_webhook_timestamps_are_kept(tmp_path: Path) -> None:
    with open_ledger(tmp_path / "l.db") as ledger:
        for i, stamp in enumerate((1722500000, 1722500000.0, None)):
            raw = _hook(tts_notification_id=f"N-{i}", timestamp=stamp)
            res = handle_webhook(raw, webhook_signature(KEY, SECRET, raw), app_key=KEY, app_secret=SECRET,
                                 ledger=ledger)
            assert not res.duplicate and res.status == "ACTIVATE"


@contextlib.contextmanager
def _serving(app: FastAPI) -> Iterator[httpx.Client]:
    """An HTTP client of ``app`` served by uvicorn on a free loopback port (stopped on exit)."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning",
                                           lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as http:
            deadline = time.monotonic() + 15
            while True:
                try:
                    http.get("/")
                    break
                except httpx.HTTPError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.05)
            yield http
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def test_webhook_router_caps_the_body_and_answers_4xx(tmp_path: Path) -> None:
    with open_ledger(tmp_path / "l.db") as ledger:
        app = FastAPI()
        app.include_router(router(app_key=KEY, app_secret=SECRET, ledger=ledger,
                                  limits=RequestLimits(max_body_bytes=4096, max_json_depth=8)))
        with _serving(app) as http:
            big = _hook(data={"product_id": "P1", "status": "x" * 5000})
            res = http.post("/webhooks/tiktok", content=big,
                            headers={"authorization": webhook_signature(KEY, SECRET, big)})
            assert res.status_code == 413
            streamed = http.post("/webhooks/tiktok", content=iter([b" " * 1024] * 8))
            assert streamed.status_code == 413
            for raw in (_hook(timestamp=1e20), _hook(timestamp=float("nan")),
                        b'{"type": 5, "tts_notification_id": "N", "x": ' + b"[" * 20 + b"]" * 20 + b"}"):
                res = http.post("/webhooks/tiktok", content=raw,
                                headers={"authorization": webhook_signature(KEY, SECRET, raw)})
                assert res.status_code == 400, res.text
            good = _hook()
            res = http.post("/webhooks/tiktok", content=good,
                            headers={"authorization": webhook_signature(KEY, SECRET, good)})
            assert res.status_code == 200 and res.json()["code"] == 0


def test_default_cap_refuses_a_signed_oversized_body() -> None:
    from shelfcheck.tiktok.limits import DEFAULT_MAX_BODY_BYTES

    with running_sandbox() as (base, sb):
        body = b'{"title": "' + b"x" * DEFAULT_MAX_BODY_BYTES + b'"}'
        _envelope(_signed(base, CHECK, body), 413, 36009021)
        assert sb.all_products() == []
        # the connection was drained and answered, the sandbox is still serving
        assert httpx.get(base + "/_sandbox/health", headers=admin_headers(sb)).json()["code"] == 0
