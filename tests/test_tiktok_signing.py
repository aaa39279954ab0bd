"""Request and webhook signing against the official vectors (read from shared/data at test time)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from shelfcheck.tiktok.signing import (
    canonical_params,
    is_multipart,
    sign_request,
    string_to_sign,
    verify_request,
    verify_webhook,
    webhook_signature,
)

CONTRACT_SIGN = "b596b73e0cc6de07ac26f036364178ab16b0a907af13d43f0a0cd2345f582dc8"


def _vectors(shared_data: Path) -> list[dict]:
    return json.loads((shared_data / "tiktok_api" / "signing_vectors.json").read_text("utf-8"))["vectors"]


def test_contract_vector() -> None:
    sig = sign_request("e59af819cc", "/authorization/202309/shops",
                       {"app_key": "29a39d", "timestamp": "1623812664"})
    assert sig.base_text == "/authorization/202309/shopsapp_key29a39dtimestamp1623812664"
    assert sig.sign == CONTRACT_SIGN


def test_official_api_vectors(shared_data: Path) -> None:
    checked = 0
    for vec in _vectors(shared_data):
        if not vec["kind"].startswith("api_request") or not vec["verified"]:
            continue
        inp = vec["inputs"]
        base = string_to_sign(inp["path"], inp["query"], inp.get("body", ""), inp.get("content_type"))
        assert base.decode("utf-8") == vec["expected"]["base_string"], vec["id"]
        if inp["app_secret"] and vec["expected"].get("wrapped_string"):
            secret = inp["app_secret"]
            assert secret + base.decode() + secret == vec["expected"]["wrapped_string"]
        published = vec["expected"].get("signature")
        if published:
            assert sign_request(inp["app_secret"], inp["path"], inp["query"], inp.get("body", ""),
                                inp.get("content_type")).sign == published
        computed = vec["computed"].get("signature")
        if computed and inp["app_secret"]:
            assert sign_request(inp["app_secret"], inp["path"], inp["query"], inp.get("body", "")).sign == computed
        checked += 1
    assert checked == 3


def test_official_webhook_vectors(shared_data: Path) -> None:
    verifying = [v for v in _vectors(shared_data) if v["kind"] == "webhook_authorization_header"]
    good = [v for v in verifying if v["verified"]]
    assert good
    for vec in good:
        inp = vec["inputs"]
        assert webhook_signature(inp["app_key"], inp["app_secret"], inp["raw_body"]) == vec["expected"]["signature"]
        assert verify_webhook(inp["app_key"], inp["app_secret"], inp["raw_body"].encode(), vec["expected"]["signature"])
        # one changed byte of the body breaks it; so does re-serialised JSON
        assert not verify_webhook(inp["app_key"], inp["app_secret"], inp["raw_body"] + " ",
                                  vec["expected"]["signature"])
        reserialised = json.dumps(json.loads(inp["raw_body"]), indent=1)
        assert not verify_webhook(inp["app_key"], inp["app_secret"], reserialised, vec["expected"]["signature"])
    # the vector the file marks as not verifying must not be used: it indeed fails with the page's key
    for vec in verifying:
        if not vec["verified"]:
            assert not verify_webhook("abcdef", "123", vec["inputs"]["raw_body"], vec["expected"]["signature"])


def test_sign_and_access_token_are_never_signed() -> None:
    params = {"app_key": "29a39d", "timestamp": "1623812664"}
    with_extra = {**params, "sign": "zzz", "access_token": "tok"}
    assert string_to_sign("/authorization/202309/shops", with_extra) == string_to_sign(
        "/authorization/202309/shops", params)
    assert sign_request("e59af819cc", "/authorization/202309/shops", with_extra).sign == CONTRACT_SIGN


def test_sorted_by_key_and_values_decoded() -> None:
    pairs = canonical_params({"timestamp": 1, "shop_cipher": "C", "app_key": "k", "page_token": "a+b/c=",
                              "ids": ["1", "2"], "flag": True, "none": None})
    assert pairs == [("app_key", "k"), ("flag", "true"), ("ids", "1,2"), ("page_token", "a+b/c="),
                     ("shop_cipher", "C"), ("timestamp", "1")]


def test_body_appended_raw_except_multipart() -> None:
    body = b'{"a":  1}'
    assert string_to_sign("/p", {"x": "1"}, body, "application/json") == b'/px1{"a":  1}'
    assert string_to_sign("/p", {"x": "1"}, body, "multipart/form-data; boundary=abc") == b"/px1"
    assert is_multipart("Multipart/Form-Data; boundary=x")
    assert not is_multipart("application/json")
    assert not is_multipart(None)


def test_hex_is_lowercase_and_verify_is_exact() -> None:
    sig = sign_request("e59af819cc", "/authorization/202309/shops", {"app_key": "29a39d", "timestamp": "1623812664"})
    assert sig.sign == sig.sign.lower()
    q = {"app_key": "29a39d", "timestamp": "1623812664"}
    assert verify_request("e59af819cc", "/authorization/202309/shops", q, b"", None, CONTRACT_SIGN)
    assert not verify_request("e59af819cc", "/authorization/202309/shops", q, b"", None, CONTRACT_SIGN.upper())
    assert not verify_request("e59af819cc", "/authorization/202309/shopz", q, b"", None, CONTRACT_SIGN)
    assert not verify_request("wrong", "/authorization/202309/shops", q, b"", None, CONTRACT_SIGN)


def test_signature_repr_never_holds_the_secret() -> None:
    sig = sign_request("e59af819cc-secret", "/x", {"a": "1"})
    assert "e59af819cc-secret" not in repr(sig)


@pytest.mark.parametrize("secret", ["s", "密钥"])
def test_unicode_secret_and_body(secret: str) -> None:
    a = sign_request(secret, "/p", {}, "标题".encode())
    b = sign_request(secret, "/p", {}, "标题")
    assert a.sign == b.sign and len(a.sign) == 64
