"""OAuth: consent URL, code exchange and refresh against a local fake; the encrypted token store."""

from __future__ import annotations

import datetime as dt
import json
import logging
import time
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from shelfcheck.ledger import open_ledger
from shelfcheck.tiktok.client import ApiClient, Credentials
from shelfcheck.tiktok.errors import ReauthorizationRequired
from shelfcheck.tiktok.oauth import OAuthClient, Token, authorization_url
from shelfcheck.tiktok.tokens import KeyUnavailable, TokenCipher, TokenManager, TokenStore

APP_KEY = "app-key-9"
SECRET = "oauth-app-secret-XYZ"
AUTH_CODE = "AUTHCODE-single-use-777"


class FakeAuth:
    """The auth host: token/get and token/refresh, answering with the official sample's shape."""

    def __init__(self, sample: dict, now: int | None = None) -> None:
        self.sample = sample
        self.now = now if now is not None else int(time.time())
        self.requests: list[httpx.Request] = []
        self.used_codes: set[str] = set()
        self.generation = 0
        self.revoked = False

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        q = {k: v[0] for k, v in parse_qs(request.url.query.decode()).items()}
        assert request.method == "GET" and "sign" not in q and q["app_secret"] == SECRET
        if request.url.path == "/api/v2/token/get":
            assert q["grant_type"] == "authorized_code"
            if q["auth_code"] != AUTH_CODE or q["auth_code"] in self.used_codes:
                return httpx.Response(200, json={"code": 36004004, "message": "Invalid auth code",
                                                 "request_id": "RID-AUTH", "data": None})
            self.used_codes.add(q["auth_code"])
        elif request.url.path == "/api/v2/token/refresh":
            assert q["grant_type"] == "refresh_token"
            if self.revoked or q["refresh_token"] != f"RT-{self.generation}":
                return httpx.Response(200, json={"code": 36004004, "message": "refresh token invalid",
                                                 "request_id": "RID-REF", "data": None})
        else:
            return httpx.Response(404, json={"code": 36009009, "message": "Invalid path", "request_id": "x"})
        self.generation += 1
        body = json.loads(json.dumps(self.sample))
        body["data"].update(access_token=f"AT-{self.generation}", refresh_token=f"RT-{self.generation}",
                            access_token_expire_in=self.now + 7 * 86400,
                            refresh_token_expire_in=self.now + 365 * 86400)
        return httpx.Response(200, json=body)


@pytest.fixture
def sample(shared_data: Path) -> dict:
    return json.loads((shared_data / "tiktok_api" / "samples" / "api_v2_token_get.json").read_text("utf-8"))


def oauth(fake: FakeAuth) -> OAuthClient:
    return OAuthClient(APP_KEY, SECRET, transport=httpx.MockTransport(fake))


def test_authorization_url_us_and_row() -> None:
    url = authorization_url("7331", state="abc")
    parts = urlsplit(url)
    assert parts.netloc == "services.us.tiktokshop.com" and parts.path == "/open/authorize"
    assert parse_qs(parts.query) == {"service_id": ["7331"], "state": ["abc"]}
    assert urlsplit(authorization_url("1", region="ROW")).netloc == "services.tiktokshop.com"


def test_official_token_samples_parse(shared_data: Path) -> None:
    for name in ("api_v2_token_get.json", "api_v2_token_refresh.json"):
        payload = json.loads((shared_data / "tiktok_api" / "samples" / name).read_text("utf-8"))
        fake_sample = {"code": 0, "message": "success", "request_id": "r", "data": payload["data"]}
        with OAuthClient(APP_KEY, SECRET, transport=httpx.MockTransport(
                lambda r, body=fake_sample: httpx.Response(200, json=body))) as c:
            token = c.exchange("x") if name.endswith("get.json") else c.refresh("y")
        # *_expire_in are absolute epoch seconds, not durations
        assert token.access_expires_at == dt.datetime(2022, 8, 15, 9, 46, 23, tzinfo=dt.timezone.utc)
        assert token.refresh_expires_at.year == 2023
        assert token.seller_name == "Jjj test shop" and token.granted_scopes
        assert "TTP_PLACEHOLDER" not in repr(token)


def test_exchange_then_refresh_rotates_both_tokens(sample: dict) -> None:
    fake = FakeAuth(sample)
    with oauth(fake) as c:
        first = c.exchange(AUTH_CODE)
        assert (first.access_token, first.refresh_token) == ("AT-1", "RT-1")
        second = c.refresh(first.refresh_token)
    assert (second.access_token, second.refresh_token) == ("AT-2", "RT-2")
    assert second.access_expires_at == dt.datetime.fromtimestamp(fake.now + 7 * 86400, dt.timezone.utc)


def test_used_or_bad_code_asks_to_authorize_again(sample: dict, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    fake = FakeAuth(sample)
    with oauth(fake) as c:
        c.exchange(AUTH_CODE)
        with pytest.raises(ReauthorizationRequired) as info:
            c.exchange(AUTH_CODE)  # single use
    text = str(info.value)
    assert "auth url" in text and info.value.request_id == "RID-AUTH"
    for secret in (SECRET, AUTH_CODE, "AT-1", "RT-1"):
        assert secret not in text and secret not in caplog.text


def test_failed_refresh_says_reauthorize_e_g_after_erp_switch(sample: dict) -> None:
    fake = FakeAuth(sample)
    fake.revoked = True
    with oauth(fake) as c, pytest.raises(ReauthorizationRequired) as info:
        c.refresh("RT-0")
    assert "authorize the app again" in str(info.value) and "ERP" in str(info.value)
    assert "RT-0" not in str(info.value)


# Token store -----------------------------------------------------------------------------------
def _token(access: str = "AT-secret-1", refresh: str = "RT-secret-1", hours: float = 100) -> Token:
    now = dt.datetime.now(dt.timezone.utc)
    return Token(access, refresh, now + dt.timedelta(hours=hours), now + dt.timedelta(days=300),
                 "open1", "Shop", "US", ["product.write"], shop_cipher="CIPHER-1")


def test_tokens_are_encrypted_at_rest(tmp_path: Path) -> None:
    db = tmp_path / "ledger.db"
    cipher = TokenCipher.from_env({"SHELFCHECK_SECRET_KEY": "correct horse battery staple"})
    with open_ledger(db) as ledger:
        TokenStore(ledger, cipher).save(_token(), APP_KEY)
        loaded = TokenStore(ledger, cipher).load(APP_KEY)
    assert loaded is not None and loaded.access_token == "AT-secret-1" and loaded.shop_cipher == "CIPHER-1"
    raw = b"".join(p.read_bytes() for p in tmp_path.glob("ledger.db*"))
    assert b"AT-secret-1" not in raw and b"RT-secret-1" not in raw and b"CIPHER-1" not in raw
    assert b"open1" in raw  # the row is there, only the secrets are ciphertext
    other = TokenCipher.from_env({"SHELFCHECK_SECRET_KEY": "another key"})
    with open_ledger(db) as ledger, pytest.raises(KeyUnavailable) as info:
        TokenStore(ledger, other).load(APP_KEY)
    assert "SHELFCHECK_SECRET_KEY" in str(info.value)
    with open_ledger(db) as ledger:
        assert TokenStore(ledger, cipher).load("another-app") is None


def test_no_key_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("shelfcheck.tiktok.tokens._keyring_key", lambda create: None)
    with pytest.raises(KeyUnavailable) as info:
        TokenCipher.from_env({})
    assert "SHELFCHECK_SECRET_KEY" in str(info.value)


def test_fernet_key_is_used_as_is() -> None:
    from cryptography.fernet import Fernet
    key = Fernet.generate_key()
    assert TokenCipher.derive(key.decode()) == key
    assert TokenCipher.derive("passphrase") != TokenCipher.derive("passphrase2")


def test_manager_refreshes_before_expiry_and_persists(tmp_path: Path, sample: dict) -> None:
    fake = FakeAuth(sample)
    cipher = TokenCipher.from_env({"SHELFCHECK_SECRET_KEY": "k"})
    with open_ledger(tmp_path / "l.db") as ledger:
        store = TokenStore(ledger, cipher)
        store.save(_token("AT-0", "RT-0", hours=0.5), APP_KEY)  # expires within the 1 h margin
        manager = TokenManager(store, oauth(fake))
        assert manager.access_token() == "AT-1"
        assert len(fake.requests) == 1
        assert manager.access_token() == "AT-1"  # fresh now: no second refresh
        assert len(fake.requests) == 1
        again = TokenStore(ledger, cipher).load(APP_KEY)
        assert again.access_token == "AT-1" and again.refresh_token == "RT-1"
        assert again.shop_cipher == "CIPHER-1"  # kept across the refresh


def test_manager_with_expired_refresh_token_requires_reauthorization(tmp_path: Path, sample: dict) -> None:
    fake = FakeAuth(sample)
    cipher = TokenCipher.from_env({"SHELFCHECK_SECRET_KEY": "k"})
    now = dt.datetime.now(dt.timezone.utc)
    token = Token("AT-0", "RT-0", now - dt.timedelta(hours=1), now - dt.timedelta(minutes=1))
    with open_ledger(tmp_path / "l.db") as ledger:
        store = TokenStore(ledger, cipher)
        store.save(token, APP_KEY)
        with pytest.raises(ReauthorizationRequired) as info:
            TokenManager(store, oauth(fake)).access_token()
    assert "authorize the app again" in str(info.value) and fake.requests == []


def test_manager_without_stored_token(tmp_path: Path, sample: dict) -> None:
    with open_ledger(tmp_path / "l.db") as ledger:
        manager = TokenManager(TokenStore(ledger, TokenCipher.from_env({"SHELFCHECK_SECRET_KEY": "k"})),
                               oauth(FakeAuth(sample)))
        with pytest.raises(ReauthorizationRequired) as info:
            manager.access_token()
    assert "auth exchange" in str(info.value)


def test_client_refreshes_through_the_manager_on_105002(tmp_path: Path, sample: dict) -> None:
    fake = FakeAuth(sample)
    seen: list[str] = []

    def gateway(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers["x-tts-access-token"])
        if request.headers["x-tts-access-token"] == "AT-0":
            return httpx.Response(200, json={"code": 105002, "message": "Expired credentials.", "request_id": "R1"})
        return httpx.Response(200, json={"code": 0, "message": "ok", "request_id": "R2",
                                         "data": {"check_results": []}})

    with open_ledger(tmp_path / "l.db") as ledger:
        store = TokenStore(ledger, TokenCipher.from_env({"SHELFCHECK_SECRET_KEY": "k"}))
        store.save(_token("AT-0", "RT-0"), APP_KEY)
        manager = TokenManager(store, oauth(fake))
        with ApiClient(Credentials(APP_KEY, SECRET), token=manager,
                       transport=httpx.MockTransport(gateway), sleep=lambda s: None) as c:
            c.get_prerequisites()
    assert seen == ["AT-0", "AT-1"]
