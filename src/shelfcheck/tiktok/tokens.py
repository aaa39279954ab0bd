"""Tokens at rest: encrypted in the ledger database, refreshed before they expire.

The encryption key comes from ``SHELFCHECK_SECRET_KEY`` (a Fernet key, or any passphrase, which
is stretched with HKDF-SHA256) or, when that is unset, from the OS keyring (service
``shelfcheck``, entry ``token-key``; created on first use) when the ``keyring`` package and a
backend are available. The database holds only ciphertext; a wrong key reads as "cannot decrypt:
the key changed", never as garbage.

:class:`TokenManager` is the client's :class:`~shelfcheck.tiktok.client.TokenSource`: it hands
out the stored access token, refreshes it ``margin`` before expiry (and once when the platform
says it expired), and stores the new pair atomically.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import logging
import os
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy import select

from shelfcheck.errors import Msg, ShelfcheckError
from shelfcheck.tiktok.errors import ReauthorizationRequired
from shelfcheck.tiktok.oauth import OAuthClient, Token

__all__ = ["KeyUnavailable", "TokenCipher", "TokenManager", "TokenStore"]

log = logging.getLogger("shelfcheck.tiktok.tokens")

KEYRING_SERVICE = "shelfcheck"
KEYRING_ENTRY = "token-key"


class KeyUnavailable(ShelfcheckError):
    """No encryption key for the token store (or the stored tokens were written with another)."""


class TokenCipher:
    """Fernet encryption of token values."""

    def __init__(self, key: bytes) -> None:
        from cryptography.fernet import Fernet

        self._fernet = Fernet(key)

    def __repr__(self) -> str:
        return "TokenCipher(***)"

    @staticmethod
    def derive(secret: str) -> bytes:
        """A Fernet key from ``secret``: used as is when it already is one, else stretched (HKDF)."""
        raw = secret.strip().encode("utf-8")
        try:
            if len(base64.urlsafe_b64decode(raw)) == 32 and len(raw) == 44:
                return raw
        except (ValueError, TypeError):
            pass
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.kdf.hkdf import HKDF

        key = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"shelfcheck.token-store/1",
                   info=b"fernet").derive(raw)
        return base64.urlsafe_b64encode(key)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, *, create: bool = True) -> TokenCipher:
        """From ``SHELFCHECK_SECRET_KEY``, else the OS keyring; raise :class:`KeyUnavailable`."""
        env = os.environ if env is None else env
        secret = env.get("SHELFCHECK_SECRET_KEY", "").strip()
        if secret:
            return cls(cls.derive(secret))
        key = _keyring_key(create)
        if key is None:
            raise KeyUnavailable(Msg("tokens_no_key"))
        return cls(key)

    def encrypt(self, value: str) -> bytes:
        return self._fernet.encrypt(value.encode("utf-8"))

    def decrypt(self, blob: bytes) -> str:
        from cryptography.fernet import InvalidToken

        try:
            return self._fernet.decrypt(bytes(blob)).decode("utf-8")
        except InvalidToken:
            raise KeyUnavailable(Msg("tokens_wrong_key")) from None


def _keyring_key(create: bool) -> bytes | None:
    try:
        import keyring  # type: ignore[import-not-found]
        from keyring.errors import KeyringError  # type: ignore[import-not-found]
    except ImportError:
        return None
    try:
        stored = keyring.get_password(KEYRING_SERVICE, KEYRING_ENTRY)
        if stored:
            return stored.encode("ascii")
        if not create:
            return None
        from cryptography.fernet import Fernet

        key = Fernet.generate_key()
        keyring.set_password(KEYRING_SERVICE, KEYRING_ENTRY, key.decode("ascii"))
        return key
    except (KeyringError, RuntimeError, OSError):
        return None


class TokenStore:
    """Encrypted tokens in the ledger (table ``api_tokens``), one row per store ``name``."""

    def __init__(self, ledger: Any, cipher: TokenCipher, *, name: str = "default") -> None:
        self.ledger = ledger
        self.cipher = cipher
        self.name = name

    def __repr__(self) -> str:
        return f"TokenStore(name={self.name!r}, ledger={self.ledger.location!r})"

    def save(self, token: Token, app_key: str) -> None:
        """Store (or replace) the token pair atomically."""
        from shelfcheck.ledger.api_tables import ApiToken

        now = dt.datetime.now(dt.timezone.utc)
        with self.ledger._session(write=True) as session:
            row = session.scalars(select(ApiToken).where(ApiToken.name == self.name)).first()
            if row is None:
                row = ApiToken(name=self.name)
                session.add(row)
            row.app_key = app_key
            row.open_id = token.open_id or None
            row.seller_name = token.seller_name or None
            row.seller_base_region = token.seller_base_region or None
            row.access_token_enc = self.cipher.encrypt(token.access_token)
            row.refresh_token_enc = self.cipher.encrypt(token.refresh_token)
            row.access_expires_at = token.access_expires_at
            row.refresh_expires_at = token.refresh_expires_at
            row.granted_scopes = list(token.granted_scopes)
            row.shop_cipher_enc = self.cipher.encrypt(token.shop_cipher) if token.shop_cipher else None
            row.updated_at = now

    def load(self, app_key: str | None = None) -> Token | None:
        """The stored token (``None`` when there is none, or it belongs to another app key)."""
        from shelfcheck.ledger.api_tables import ApiToken

        if not self.ledger.exists:
            return None
        with self.ledger._session() as session:
            row = session.scalars(select(ApiToken).where(ApiToken.name == self.name)).first()
            if row is None or (app_key is not None and row.app_key != app_key):
                return None
            return Token(self.cipher.decrypt(row.access_token_enc), self.cipher.decrypt(row.refresh_token_enc),
                         row.access_expires_at, row.refresh_expires_at, row.open_id or "",
                         row.seller_name or "", row.seller_base_region or "", list(row.granted_scopes or []),
                         self.cipher.decrypt(row.shop_cipher_enc) if row.shop_cipher_enc else None)


class TokenManager:
    """A :class:`~shelfcheck.tiktok.client.TokenSource` backed by the encrypted store."""

    def __init__(self, store: TokenStore, oauth: OAuthClient, *, margin: dt.timedelta = dt.timedelta(hours=1),
                 clock: Callable[[], float] = time.time) -> None:
        self.store = store
        self.oauth = oauth
        self.margin = margin
        self._clock = clock
        self._lock = threading.Lock()
        self._token: Token | None = None

    def __repr__(self) -> str:
        return "TokenManager(***)"

    def _now(self) -> dt.datetime:
        return dt.datetime.fromtimestamp(self._clock(), tz=dt.timezone.utc)

    def current(self) -> Token:
        """The stored token; raise :class:`ReauthorizationRequired` when there is none."""
        if self._token is None:
            self._token = self.store.load(self.oauth.app_key)
        if self._token is None:
            raise ReauthorizationRequired(None, Msg("tokens_none_stored"), hint=Msg("api_hint_authorize"))
        return self._token

    def access_token(self) -> str:
        with self._lock:
            token = self.current()
            if token.access_valid(self._now(), self.margin):
                return token.access_token
            log.info("access token expires at %s: refreshing it first", token.access_expires_at.isoformat())
            return self._refresh(token).access_token

    def refresh(self) -> str:
        with self._lock:
            return self._refresh(self.current()).access_token

    def _refresh(self, token: Token) -> Token:
        if not token.refresh_valid(self._now()):
            raise ReauthorizationRequired(None, Msg("tokens_refresh_expired", at=token.refresh_expires_at.isoformat()),
                                          hint=Msg("api_hint_reauthorize"))
        new = self.oauth.refresh(token.refresh_token)
        new.shop_cipher = new.shop_cipher or token.shop_cipher
        self.store.save(new, self.oauth.app_key)
        self._token = new
        return new

    def secrets(self) -> list[str]:
        return list(self._token.secrets) if self._token is not None else []


def fingerprint(value: str) -> str:
    """A short, non-reversible tag of a secret (to say "the token changed" without showing it)."""
    return hashlib.sha256(value.encode("utf-8")).hexdigest()[:8]
