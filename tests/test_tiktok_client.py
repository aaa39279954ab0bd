"""The Open API client: official samples parse, signing on the wire, retries, refresh, no leaks."""

from __future__ import annotations

import csv
import json
import logging
import random
from pathlib import Path
from urllib.parse import parse_qsl

import httpx
import pytest

from shelfcheck.tiktok.client import ApiClient, Credentials, RetryPolicy, cipher_allowed
from shelfcheck.tiktok.errors import (
    ApiError,
    Kind,
    RateLimited,
    ReauthorizationRequired,
    RetryableError,
    ScopeDenied,
    SignatureInvalid,
    ValidationFailed,
    classify,
    redact,
)
from shelfcheck.tiktok.signing import verify_request

SECRET = "s3cr3t-APP-SECRET-value"
TOKEN = "TTP_live_access_token_123456"
CIPHER = "ROW_cipher_abc"


def samples(shared_data: Path) -> Path:
    return shared_data / "tiktok_api" / "samples"


class Recorder:
    """A fake gateway: verifies each request's signature and answers from a queue or a function."""

    def __init__(self, answers: list | None = None, handler=None) -> None:
        self.requests: list[httpx.Request] = []
        self.answers = list(answers or [])
        self.handler = handler

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        query = dict(parse_qsl(request.url.query.decode(), keep_blank_values=True))
        body = request.content if "multipart" not in request.headers.get("content-type", "") else b""
        assert verify_request(SECRET, request.url.path, query, body, request.headers.get("content-type"),
                              query["sign"]), "bad signature on the wire"
        if self.handler is not None:
            return self.handler(request)
        status, payload = self.answers.pop(0)
        if isinstance(payload, (bytes, str)):
            return httpx.Response(status, content=payload)
        return httpx.Response(status, json=payload)


class FakeToken:
    def __init__(self) -> None:
        self.token = TOKEN
        self.refreshes = 0

    def access_token(self) -> str:
        return self.token

    def refresh(self) -> str:
        self.refreshes += 1
        self.token = TOKEN + "-refreshed"
        return self.token

    def secrets(self) -> list[str]:
        return [self.token, TOKEN]


def client(rec: Recorder, token=None, sleeps: list | None = None, attempts: int = 4) -> ApiClient:
    creds = Credentials("app-key-1", SECRET, TOKEN, CIPHER)
    return ApiClient(creds, base_url="https://open-api.tiktokglobalshop.com", token=token,
                     transport=httpx.MockTransport(rec), retry=RetryPolicy(max_attempts=attempts, base=0.5, cap=4),
                     sleep=(sleeps.append if sleeps is not None else (lambda s: None)), clock=lambda: 1_700_000_000,
                     rng=random.Random(7))


def ok(data: dict) -> tuple[int, dict]:
    return 200, {"code": 0, "message": "Success", "request_id": "RID-OK", "data": data}


def fail(code: int, message: str, status: int = 200, rid: str = "RID-FAIL") -> tuple[int, dict]:
    return status, {"code": code, "message": message, "request_id": rid, "data": None}


# Official samples ------------------------------------------------------------------------------
SAMPLE_CALLS = [
    ("authorization_202309_shops.json", lambda c: c.get_authorized_shops(),
     lambda d: d.shops[0].cipher == "GCP_PLACEHOLDER_SHOP_CIPHER" and d.shops[0].seller_type == "CROSS_BORDER"),
    ("product_202309_categories.json", lambda c: c.get_categories(),
     lambda d: d.categories[0].id == "600002" and "INVITE_ONLY" in d.categories[0].permission_statuses),
    ("product_202309_categories_id_rules.json", lambda c: c.get_category_rules("600001"),
     lambda d: d.product_certifications[0].is_required and d.package_dimension.is_required),
    ("product_202309_categories_id_attributes.json", lambda c: c.get_attributes("600001"),
     lambda d: d.attributes[0].id == "100392" and d.attributes[0].is_required is False
     and d.attributes[0].values[0].name == "Birthday"),
    ("product_202312_prerequisites.json", lambda c: c.get_prerequisites(),
     lambda d: d.failed[0].check_item == "RETURN_WAREHOUSE"),
    ("product_202309_images_upload.json", lambda c: c.upload_image(b"\xff\xd8jpegbytes"),
     lambda d: d.uri.startswith("tos-maliva") and d.width == 720),
    ("product_202309_products_listing_check.json", lambda c: c.check_listing({"title": "x"}),
     lambda d: not d.passed and d.fail_reasons[0].code == 12052700),
    ("product_202309_products.json", lambda c: c.create_product({"title": "x"}),
     lambda d: d.product_id == "1729592969712207008" and d.skus[0].seller_sku == "Color-Red-XM001"),
    ("product_202509_products_id.json", lambda c: c.edit_product("1729592969712207008", {"title": "x"}),
     lambda d: d.product_id == "1729592969712207008" and d.audit.status == "AUDITING"),
    ("product_202309_products_id.json", lambda c: c.get_product("1729592969712207008"),
     lambda d: d.status == "SELLER_DEACTIVATED" and d.audit_failed_reasons[0].position == "product"
     and d.seller_skus == ["sku name"]),
    ("product_202502_products_search.json", lambda c: c.search_products(seller_skus=["Color-Red-XM01"]),
     lambda d: d.products[0].skus[0].seller_sku == "Color-Red-XM01"),
    ("product_202309_products_id_inventory_update.json",
     lambda c: c.update_inventory("1729592969712207008", [{"id": "1", "inventory": [{"quantity": 3}]}]),
     lambda d: d.errors[0].code == 12052990),
]


@pytest.mark.parametrize("name,call,check", SAMPLE_CALLS, ids=[s[0] for s in SAMPLE_CALLS])
def test_official_response_samples_parse(shared_data: Path, name: str, call, check) -> None:
    payload = json.loads((samples(shared_data) / name).read_text("utf-8"))
    rec = Recorder([(200, payload)])
    with client(rec) as c:
        data = call(c)
    assert check(data)
    assert len(rec.requests) == 1


def test_every_wrapped_endpoint_has_a_sample(shared_data: Path) -> None:
    index = json.loads((samples(shared_data) / "_index.json").read_text("utf-8"))
    responses = {f["response"] for f in index["files"]}
    for name, _, _ in SAMPLE_CALLS:
        assert name in responses


def test_request_shape_on_the_wire(shared_data: Path) -> None:
    rec = Recorder(handler=lambda r: httpx.Response(200, json={"code": 0, "message": "", "request_id": "r", "data": {
        "uri": "u", "product_id": "1", "categories": []}}))
    with client(rec) as c:
        c.get_categories(keyword="box")
        c.upload_image(b"IMG", filename="a.jpg")
        c.create_product({"title": "Stackable box", "n": 1})
    get, upload, create = rec.requests
    for r in rec.requests:
        q = dict(parse_qsl(r.url.query.decode()))
        assert r.headers["x-tts-access-token"] == TOKEN
        assert "access_token" not in q and q["timestamp"] == "1700000000" and q["app_key"] == "app-key-1"
        assert q["sign"] == q["sign"].lower() and len(q["sign"]) == 64
    assert dict(parse_qsl(get.url.query.decode()))["shop_cipher"] == CIPHER
    assert "shop_cipher" not in dict(parse_qsl(upload.url.query.decode()))
    assert upload.headers["content-type"].startswith("multipart/form-data")
    assert b'name="use_case"' in upload.content and b"MAIN_IMAGE" in upload.content
    assert create.content == b'{"title":"Stackable box","n":1}'
    assert dict(parse_qsl(create.url.query.decode()))["shop_cipher"] == CIPHER


@pytest.mark.parametrize("method,path,allowed", [
    ("GET", "/product/202309/categories", True),
    ("POST", "/product/202309/products", True),
    ("POST", "/product/202309/images/upload", False),
    ("POST", "/product/202309/files/upload", False),
    ("GET", "/product/202309/global_products/1", False),
    ("GET", "/product/202309/global_categories", False),
    ("GET", "/product/202309/categories/1/global_attributes", False),
    ("POST", "/product/202409/compliance/manufacturers", False),
    ("POST", "/product/202309/brands", False),
    ("GET", "/product/202309/brands", True),
    ("GET", "/authorization/202309/shops", False),
    ("GET", "/seller/202309/shops", False),
    ("PUT", "/event/202309/webhooks", True),
])
def test_cipher_rule(method: str, path: str, allowed: bool) -> None:
    assert cipher_allowed(path, method) is allowed


# Retries -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("first", [
    fail(36009002, "Too many requests.", 429),
    fail(36009003, "Internal error.", 500),
    fail(36009007, "Request timeout."),
    (503, "<html>Service Unavailable</html>"),
    (502, {"code": 0, "message": "", "request_id": "", "data": None}),
])
def test_transient_errors_are_retried_with_backoff(first) -> None:
    sleeps: list[float] = []
    rec = Recorder([first, first, ok({"check_results": []})])
    with client(rec, sleeps=sleeps) as c:
        assert c.get_prerequisites().check_results == []
    assert len(rec.requests) == 3
    assert len(sleeps) == 2
    assert 0.25 <= sleeps[0] <= 0.5 and 0.5 <= sleeps[1] <= 1.0  # exponential, jittered
    assert sleeps[0] != sleeps[1]


def test_retries_are_bounded_and_keep_request_id() -> None:
    sleeps: list[float] = []
    rec = Recorder([fail(36009002, "Too many requests.", 429, rid=f"RID-{i}") for i in range(10)])
    with client(rec, sleeps=sleeps, attempts=4) as c, pytest.raises(RateLimited) as info:
        c.get_prerequisites()
    assert len(rec.requests) == 4 and len(sleeps) == 3
    assert all(s <= 4 for s in sleeps)
    assert info.value.request_id == "RID-3" and "RID-3" in str(info.value)


def test_retry_after_header_is_honoured() -> None:
    sleeps: list[float] = []
    seq = [httpx.Response(429, headers={"retry-after": "3"}, json=fail(36009002, "slow down")[1]),
           httpx.Response(200, json=ok({"check_results": []})[1])]
    rec = Recorder(handler=lambda r: seq.pop(0))
    with client(rec, sleeps=sleeps) as c:
        c.get_prerequisites()
    assert sleeps and sleeps[0] >= 3


def test_transport_errors_are_retried() -> None:
    calls = []

    def handler(request):
        calls.append(1)
        if len(calls) < 3:
            raise httpx.ConnectError("connection refused")
        return httpx.Response(200, json=ok({"check_results": []})[1])

    with client(Recorder(handler=handler)) as c:
        c.get_prerequisites()
    assert len(calls) == 3


@pytest.mark.parametrize("answer,exc", [
    (fail(106001, "Invalid credentials. The `sign` query parameter is invalid."), SignatureInvalid),
    (fail(105005, "Access denied. you should apply auth pkg for this api"), ScopeDenied),
    (fail(12052262, "Chinese characters are not supported in product name"), ValidationFailed),
    (fail(36009004, "Invalid timestamp. Too old.", 400), ApiError),
    (fail(36009004, "Unexpected identifier. The `shop_cipher` query parameter is not required.", 400), ApiError),
])
def test_no_retry_for_signature_permission_validation(answer, exc) -> None:
    sleeps: list[float] = []
    token = FakeToken()
    rec = Recorder([answer, ok({})])
    with client(rec, token=token, sleeps=sleeps) as c, pytest.raises(exc) as info:
        c.create_product({"title": "x"})
    assert len(rec.requests) == 1 and sleeps == [] and token.refreshes == 0
    assert info.value.request_id == "RID-FAIL"
    assert not info.value.retryable


def test_expired_token_refreshes_once_then_retries() -> None:
    token = FakeToken()
    rec = Recorder([fail(105002, "Expired credentials. The `x-tts-access-token` header has expired."),
                    ok({"check_results": []})])
    with client(rec, token=token) as c:
        c.get_prerequisites()
    assert token.refreshes == 1
    assert rec.requests[0].headers["x-tts-access-token"] == TOKEN
    assert rec.requests[1].headers["x-tts-access-token"] == TOKEN + "-refreshed"


def test_refresh_only_once_then_reauthorization() -> None:
    token = FakeToken()
    expired = fail(105002, "Expired credentials.")
    rec = Recorder([expired, expired, expired])
    with client(rec, token=token) as c, pytest.raises(ReauthorizationRequired) as info:
        c.get_prerequisites()
    assert token.refreshes == 1 and len(rec.requests) == 2
    assert "authorize" in str(info.value) and info.value.request_id == "RID-FAIL"


def test_static_token_cannot_refresh_and_says_what_to_do() -> None:
    rec = Recorder([fail(105002, "Expired credentials.")])
    with client(rec) as c, pytest.raises(ReauthorizationRequired) as info:
        c.get_prerequisites()
    assert "auth refresh" in str(info.value)


# Classification ----------------------------------------------------------------------------------
def test_every_official_common_error_is_classified(shared_data: Path) -> None:
    expected = {
        101000: {Kind.AUTH_EXPIRED}, 105002: {Kind.AUTH_EXPIRED}, 105005: {Kind.SCOPE},
        106001: {Kind.SIGNATURE}, 106013: {Kind.CONFIG}, 36004004: {Kind.REAUTHORIZE},
        36009002: {Kind.RATE_LIMITED}, 36009003: {Kind.RETRYABLE}, 36009007: {Kind.RETRYABLE},
        36009009: {Kind.CONFIG}, 36009010: {Kind.CONFIG}, 36009014: {Kind.CONFIG},
        36009021: {Kind.CONFIG}, 36009022: {Kind.CONFIG}, 36009023: {Kind.CONFIG},
    }
    seen_36009004: dict[str, Kind] = {}
    with open(shared_data / "tiktok_api" / "error_codes.csv", encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            if not row["category"].startswith("common/"):
                continue
            code = int(row["code"])
            kind = classify(code, row["message"])
            if code == 36009004:
                seen_36009004[row["message"]] = kind
            elif code in expected:
                assert kind in expected[code], (code, row["message"], kind)
    by_word = {"timestamp": Kind.CLOCK, "signature": Kind.SIGNATURE, "app_key": Kind.CONFIG,
               "token": Kind.AUTH_EXPIRED, "cipher": Kind.CONFIG, "version": Kind.CONFIG, "shop_id": Kind.CONFIG}
    assert len(seen_36009004) >= 10
    for message, kind in seen_36009004.items():
        word = next(w for w in by_word if w in message.lower())
        assert kind is by_word[word], (message, kind)


def test_official_product_codes_classify_sensibly(shared_data: Path) -> None:
    with open(shared_data / "tiktok_api" / "error_codes.csv", encoding="utf-8", newline="") as fh:
        rows = [r for r in csv.DictReader(fh) if r["endpoint"] == "POST /product/202309/products"]
    kinds = {int(r["code"]): classify(int(r["code"]), r["message"]) for r in rows}
    assert kinds[12052262] is Kind.VALIDATION
    assert kinds[12052105] is Kind.VALIDATION
    assert kinds[12052535] is Kind.SELLER_ACTION
    assert kinds[12052701] is Kind.SELLER_ACTION
    assert kinds[12052220] is Kind.SELLER_ACTION
    assert sum(k is Kind.UNKNOWN for k in kinds.values()) / len(kinds) < 0.05


# Secrets -----------------------------------------------------------------------------------------
def test_no_secret_in_logs_or_errors(caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    token = FakeToken()
    rec = Recorder([
        fail(105002, "Expired credentials."),
        fail(36009002, "Too many requests."),
        fail(12052910, f"Invalid input app_secret={SECRET}&access_token={TOKEN} echo {TOKEN}-refreshed"),
    ])
    with client(rec, token=token) as c, pytest.raises(ApiError) as info:
        c.create_product({"title": "x"})
    texts = [caplog.text, str(info.value), repr(info.value), json.dumps(info.value.to_dict()),
             repr(c), repr(c.credentials), *capsys.readouterr()]
    for text in texts:
        for secret in (SECRET, TOKEN, TOKEN + "-refreshed"):
            assert secret not in text
    assert "/product/202309/products" in caplog.text  # logging does happen


def test_redact_scrubs_credentials_in_urls_and_text() -> None:
    url = ("https://auth.tiktok-shops.com/api/v2/token/get?app_key=k&app_secret=SEC&auth_code=AC"
           "&grant_type=authorized_code&sign=abc&access_token=TOK&refresh_token=RT&code=CODE")
    out = redact(url)
    for value in ("SEC", "=AC", "=abc", "TOK", "=RT", "CODE"):
        assert value not in out
    assert "app_key=k" in out and "grant_type=authorized_code" in out
    assert "HIDDEN" not in redact("x-tts-access-token: HIDDEN")
    assert "topsecretvalue" not in redact("a topsecretvalue b", ["topsecretvalue"])
    assert redact('{"access_token": "abc123"}') == '{"access_token": "***"}'


def test_credentials_from_env_missing_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    from shelfcheck.tiktok.errors import ConfigurationError
    with pytest.raises(ConfigurationError) as info:
        Credentials.from_env({"SHELFCHECK_APP_KEY": "k"})
    assert "SHELFCHECK_APP_SECRET" in str(info.value)
    creds = Credentials.from_env({"SHELFCHECK_APP_KEY": "k", "SHELFCHECK_APP_SECRET": SECRET,
                                  "SHELFCHECK_ACCESS_TOKEN": TOKEN, "SHELFCHECK_SHOP_CIPHER": CIPHER})
    assert creds.shop_cipher == CIPHER and SECRET not in repr(creds) and TOKEN not in repr(creds)


def test_plain_http_only_for_loopback() -> None:
    from shelfcheck.tiktok.errors import ConfigurationError
    creds = Credentials("k", SECRET)
    ApiClient(creds, base_url="http://127.0.0.1:8799").close()
    with pytest.raises(ConfigurationError):
        ApiClient(creds, base_url="http://open-api.tiktokglobalshop.com")


def test_malformed_sample_data_is_an_api_error() -> None:
    rec = Recorder([ok({"product_id": None})])
    with client(rec) as c, pytest.raises(ApiError) as info:
        c.create_product({"title": "x"})
    assert "unexpected response data" in str(info.value) and info.value.request_id == "RID-OK"


def test_retryable_error_type() -> None:
    rec = Recorder([fail(12001000, "internal")] * 2)
    with client(rec, attempts=2) as c, pytest.raises(RetryableError):
        c.get_prerequisites()
