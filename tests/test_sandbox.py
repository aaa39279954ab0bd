"""The sandbox answers like the platform: envelope, gateway codes, audit by the policy, lock."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import httpx
import pytest

from helpers import make_image
from shelfcheck.ledger import open_ledger
from shelfcheck.sandbox import (
    SANDBOX_ACCESS_TOKEN,
    SANDBOX_APP_KEY,
    SANDBOX_APP_SECRET,
    SANDBOX_SERVICE_ID,
    SANDBOX_SHOP_CIPHER,
    SandboxConfig,
)
from shelfcheck.tiktok.client import ApiClient, Credentials, RetryPolicy
from shelfcheck.tiktok.errors import ApiError, Kind
from shelfcheck.tiktok.oauth import OAuthClient
from shelfcheck.tiktok.payload import build_product_body
from shelfcheck.tiktok.signing import sign_request
from shelfcheck.tiktok.tokens import TokenCipher, TokenManager, TokenStore
from tiktok_helpers import COMPLETE_RECORD, running_sandbox

CLEAN = {"seller_sku": "SB-001", "title": "Stackable Storage Box with Lid, 12 L, Clear", "price": "12.99",
         "quantity": "40", "brand": "Tidyhome", "country_of_origin": "China", "origin_label": "Made in China",
         "manufacturer_name": "Ningbo Tidyhome Plastics Co., Ltd.",
         "manufacturer_address": "No. 88 Jiangnan Road, Yinzhou District, Ningbo, Zhejiang 315100, China",
         # Create Product requires the record too (issue 12): description, package weight and size
         "description": "<p>Clear stackable storage box with a snap-on lid, 12 litres.</p>",
         "package_weight": "1.2 lb", "package_length": "13 in", "package_width": "9 in", "package_height": "8 in"}


def client(base: str, **kw) -> ApiClient:
    creds = Credentials(SANDBOX_APP_KEY, SANDBOX_APP_SECRET, kw.pop("token", SANDBOX_ACCESS_TOKEN),
                        kw.pop("cipher", SANDBOX_SHOP_CIPHER))
    return ApiClient(creds, base_url=base, retry=RetryPolicy(max_attempts=3, base=0.01, cap=0.05), **kw)


def _body(c: ApiClient, tmp: Path, values: dict, *, background=(255, 255, 255), key: str | None = None) -> dict:
    leaf = next(x for x in c.get_categories().categories if x.local_name == "Storage & Organisation")
    ids = {a.name: a.id for a in c.get_attributes(leaf.id).attributes}
    uris = []
    for i in range(3):
        path = make_image(tmp / f"{values['seller_sku']}-{i}.jpg", background=background,
                          product=(40 * i, 90, 160))
        uris.append(c.upload_image(path.read_bytes()).uri)
    values = {**COMPLETE_RECORD, **values}
    return build_product_body(values, category_id=leaf.id, image_uris=uris, attribute_ids=ids,
                              certification_ids={}, idempotency_key=key)


def test_official_shapes_and_categories(tmp_path: Path) -> None:
    with running_sandbox() as (base, _), client(base) as c:
        shops = c.get_authorized_shops().shops
        assert shops[0].cipher == SANDBOX_SHOP_CIPHER
        cats = c.get_categories().categories
        assert any(x.local_name == "Home Supplies" and not x.is_leaf for x in cats)
        assert not any("CBD" in x.local_name for x in cats)  # prohibited unless asked
        earbuds = next(x for x in cats if x.local_name == "Earbuds")
        rules = c.get_category_rules(earbuds.id)
        assert [p.name for p in rules.product_certifications if p.is_required] == ["FCC Test Report"]
        assert c.get_prerequisites().failed == []
        raw = httpx.get(base + "/product/202309/nothing").json()
        assert set(raw) == {"code", "message", "request_id", "data"} and raw["code"] == 36009009


def _raw_call(base: str, path: str, query: dict, headers: dict | None = None) -> httpx.Response:
    return httpx.get(base + path, params=query,
                     headers=headers if headers is not None else {"x-tts-access-token": SANDBOX_ACCESS_TOKEN})


def test_gateway_checks_in_order() -> None:
    with running_sandbox() as (base, _):
        now = int(time.time())
        path = "/product/202309/categories"
        q = {"app_key": SANDBOX_APP_KEY, "timestamp": str(now), "shop_cipher": SANDBOX_SHOP_CIPHER}
        signed = dict(q, sign=sign_request(SANDBOX_APP_SECRET, path, q).sign)
        assert _raw_call(base, path, signed).json()["code"] == 0
        assert _raw_call(base, path, dict(signed, app_key="nope")).json()["code"] == 36009004
        missing = _raw_call(base, path, q).json()
        assert missing["code"] == 36009004 and "signature" in missing["message"]
        bad = _raw_call(base, path, dict(signed, sign=signed["sign"].upper())).json()
        assert bad["code"] == 106001
        old = dict(q, timestamp=str(now - 400))
        res = _raw_call(base, path, dict(old, sign=sign_request(SANDBOX_APP_SECRET, path, old).sign))
        assert res.json()["code"] == 36009004 and "timestamp" in res.json()["message"] and res.status_code == 400
        ahead = dict(q, timestamp=str(now + 60))
        assert _raw_call(base, path, dict(ahead, sign=sign_request(SANDBOX_APP_SECRET, path, ahead).sign)
                         ).json()["code"] == 36009004
        assert _raw_call(base, path, signed, headers={}).json()["code"] == 36009004
        assert _raw_call(base, path, signed, headers={"x-tts-access-token": "forged"}).json()["code"] == 36009004
        no_cipher = {k: v for k, v in q.items() if k != "shop_cipher"}
        res = _raw_call(base, path, dict(no_cipher, sign=sign_request(SANDBOX_APP_SECRET, path, no_cipher).sign))
        assert res.json()["code"] == 106013
        shops_path = "/authorization/202309/shops"
        res = _raw_call(base, shops_path, dict(q, sign=sign_request(SANDBOX_APP_SECRET, shops_path, q).sign))
        assert res.json()["code"] == 36009004 and "shop_cipher" in res.json()["message"]


def test_client_errors_are_classified_against_the_sandbox() -> None:
    with running_sandbox() as (base, sb):
        with client(base, cipher=None) as c, pytest.raises(ApiError) as info:
            c.get_prerequisites()
        assert info.value.code == 106013 and info.value.request_id
        with client(base, clock=lambda: time.time() - 3600) as c, pytest.raises(ApiError) as info:
            c.get_prerequisites()
        assert info.value.kind is Kind.CLOCK
        creds = Credentials(SANDBOX_APP_KEY, "wrong-secret", SANDBOX_ACCESS_TOKEN, SANDBOX_SHOP_CIPHER)
        with ApiClient(creds, base_url=base) as c, pytest.raises(ApiError) as info:
            c.get_prerequisites()
        assert info.value.kind is Kind.SIGNATURE and "wrong-secret" not in str(info.value)
        sb.add_faults(36009002, 429, 2, "Too many requests.")
        with client(base) as c:
            assert c.get_prerequisites().failed == []  # retried past two 429s


def test_upload_refuses_non_images(tmp_path: Path) -> None:
    with running_sandbox() as (base, _), client(base) as c:
        with pytest.raises(ApiError) as info:
            c.upload_image(b"not an image at all")
        assert info.value.code == 12038004
        ok = c.upload_image(make_image(tmp_path / "a.png", fmt="PNG").read_bytes())
        assert ok.uri.startswith("tos-sandbox-us/") and ok.width == 1080


def test_upload_holds_a_size_chart_to_its_minimum_short_side(tmp_path: Path) -> None:
    small = make_image(tmp_path / "chart.png", size=(1000, 1400), fmt="PNG").read_bytes()
    with running_sandbox() as (base, _), client(base) as c:
        assert c.upload_image(small, use_case="MAIN_IMAGE").width == 1000  # any image from 100 px
        with pytest.raises(ApiError) as info:
            c.upload_image(small, use_case="SIZE_CHART_IMAGE")
        assert info.value.code == 12038014
        assert "1024 x 1024 to 20000 x 20000" in info.value.message and "1000 x 1400" in info.value.message
        chart = make_image(tmp_path / "ok.png", size=(1024, 1400), fmt="PNG").read_bytes()
        assert c.upload_image(chart, use_case="SIZE_CHART_IMAGE").height == 1400
        with pytest.raises(ApiError) as info:
            c.upload_image(make_image(tmp_path / "tiny.png", size=(90, 400), fmt="PNG").read_bytes())
        assert info.value.code == 12038014 and "100 x 100 to 20000 x 20000" in info.value.message


def test_audit_status_transitions_and_failure_reasons(tmp_path: Path) -> None:
    clock = [time.time()]
    with running_sandbox(SandboxConfig(audit_seconds=60, clock=lambda: clock[0])) as (base, _), \
            client(base, clock=lambda: clock[0]) as c:
        good = c.create_product(_body(c, tmp_path, CLEAN))
        grey = c.create_product(_body(c, tmp_path, dict(CLEAN, seller_sku="SB-GREY"), background=(200, 200, 200)))
        assert c.get_product(good.product_id).status == "PENDING"
        assert c.get_product(good.product_id).audit.status == "AUDITING"
        clock[0] += 61
        done = c.get_product(good.product_id)
        assert done.status == "ACTIVATE" and done.audit_failed_reasons == []
        failed = c.get_product(grey.product_id)
        assert failed.status == "FAILED"
        assert any("(12052301)" in r for x in failed.audit_failed_reasons for r in x.reasons)
        assert any("image_background_not_white" in t for x in failed.audit_failed_reasons for t in x.suggestions)
        check = c.check_listing(_body(c, tmp_path, dict(CLEAN, seller_sku="SB-GREY2"), background=(200, 200, 200)))
        assert not check.passed and {r.code for r in check.fail_reasons} == {12052301}
        inv = c.update_inventory(good.product_id, [{"id": done.skus[0].id, "inventory": [{"quantity": 7}]}])
        assert inv.errors == []
        assert c.get_product(good.product_id).skus[0].inventory[0]["quantity"] == 7


def test_sync_refusal_idempotency_and_repeat_failure_lock(tmp_path: Path) -> None:
    with running_sandbox() as (base, sb), client(base) as c:
        body = _body(c, tmp_path, CLEAN, key="idem-1")
        first = c.create_product(body)
        assert c.create_product(body).product_id == first.product_id  # idempotency key: no duplicate
        assert len(sb.all_products()) == 1
        bad = _body(c, tmp_path, dict(CLEAN, seller_sku="SB-BAD", title="收纳盒 Storage Box with Lid"))
        codes = []
        for _ in range(4):
            with pytest.raises(ApiError) as info:
                c.create_product(bad)
            codes.append(info.value.code)
        assert codes == [12052262] * 4
        with pytest.raises(ApiError) as info:
            c.create_product(dict(bad, title="Stackable Storage Box with Lid, now in English"))
        assert info.value.code == 12052109 and "locked" in info.value.message
        assert len(sb.all_products()) == 1


def test_the_lock_counts_every_seller_sku_of_a_product(tmp_path: Path) -> None:
    with running_sandbox() as (base, sb), client(base) as c:
        bad = _body(c, tmp_path, dict(CLEAN, seller_sku="SB-TWO-1", title="收纳盒 Storage Box with Lid"))
        bad["skus"] = [bad["skus"][0], {**bad["skus"][0], "seller_sku": "SB-TWO-2"}]
        for _ in range(4):
            with pytest.raises(ApiError) as info:
                c.create_product(bad)
            assert info.value.code != 12052109
        # the second SKU alone, in a body the platform would otherwise take, is locked too …
        alone = _body(c, tmp_path, dict(CLEAN, seller_sku="SB-TWO-2"))
        with pytest.raises(ApiError) as info:
            c.create_product(alone)
        assert info.value.code == 12052109 and "SB-TWO-2" in info.value.message
        # … and so is a product that carries it beside a SKU nobody refused
        mixed = _body(c, tmp_path, dict(CLEAN, seller_sku="SB-FRESH"))
        mixed["skus"] = [mixed["skus"][0], {**mixed["skus"][0], "seller_sku": "SB-TWO-1"}]
        with pytest.raises(ApiError) as info:
            c.create_product(mixed)
        assert info.value.code == 12052109 and "SB-TWO-1" in info.value.message
        # three refusals of a 2-SKU product lock neither SKU (the fourth failure locks)
        other = _body(c, tmp_path, dict(CLEAN, seller_sku="SB-3-1", title="收纳盒 Storage Box with Lid"))
        other["skus"] = [other["skus"][0], {**other["skus"][0], "seller_sku": "SB-3-2"}]
        for _ in range(3):
            with pytest.raises(ApiError):
                c.create_product(other)
        assert c.create_product(_body(c, tmp_path, dict(CLEAN, seller_sku="SB-3-2"))).product_id
        assert len(sb.all_products()) == 1


def test_oauth_against_the_sandbox_and_refresh_on_expiry(tmp_path: Path) -> None:
    with running_sandbox() as (base, sb):
        answer = httpx.get(base + "/open/authorize", params={"service_id": SANDBOX_SERVICE_ID}).json()
        code = answer["data"]["auth_code"]
        with OAuthClient(SANDBOX_APP_KEY, SANDBOX_APP_SECRET, base_url=base) as oauth, \
                open_ledger(tmp_path / "l.db") as ledger:
            token = oauth.exchange(code)
            assert token.access_expires_at > dt.datetime.now(dt.timezone.utc)
            with pytest.raises(ApiError) as info:
                oauth.exchange(code)  # single use
            assert "auth url" in str(info.value)
            store = TokenStore(ledger, TokenCipher.from_env({"SHELFCHECK_SECRET_KEY": "k"}))
            store.save(token, SANDBOX_APP_KEY)
            manager = TokenManager(store, oauth)
            with client(base, token=None, cipher=SANDBOX_SHOP_CIPHER) as c:
                c.token = manager
                assert c.get_prerequisites().failed == []
                sb.expire_access_tokens()
                assert c.get_prerequisites().failed == []  # 105002 → refreshed once → retried
            assert store.load(SANDBOX_APP_KEY).access_token != token.access_token
