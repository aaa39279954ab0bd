"""Putting a client together: credentials from the environment or the token store.

* App key and secret: ``SHELFCHECK_APP_KEY`` / ``SHELFCHECK_APP_SECRET``. Talking to a sandbox on
  loopback without them uses the sandbox's built-in credentials.
* Access token: ``SHELFCHECK_ACCESS_TOKEN`` (used as is, cannot be refreshed), else the token
  stored by ``shelfcheck auth exchange`` (encrypted in the ledger; refreshed before expiry).
* Shop cipher: ``SHELFCHECK_SHOP_CIPHER``, else the one stored with the token.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from shelfcheck.tiktok.client import DEFAULT_BASE_URL, ApiClient, Credentials, StaticToken, TokenSource
from shelfcheck.tiktok.oauth import AUTH_BASE_URL, OAuthClient

__all__ = ["app_credentials", "auth_base_for", "is_loopback", "open_client"]


def is_loopback(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    return host == "localhost" or host.startswith("127.") or host == "::1"


def app_credentials(endpoint: str, env: Mapping[str, str] | None = None) -> tuple[Credentials, bool]:
    """``(credentials, builtin)``: from the environment, or the sandbox's built-in ones on loopback."""
    env = os.environ if env is None else env
    if not env.get("SHELFCHECK_APP_KEY", "").strip() and not env.get("SHELFCHECK_APP_SECRET", "").strip() \
            and is_loopback(endpoint):
        from shelfcheck.tiktok.sandbox_credentials import (
            SANDBOX_ACCESS_TOKEN,
            SANDBOX_APP_KEY,
            SANDBOX_APP_SECRET,
            SANDBOX_SHOP_CIPHER,
        )

        return Credentials(SANDBOX_APP_KEY, SANDBOX_APP_SECRET, SANDBOX_ACCESS_TOKEN, SANDBOX_SHOP_CIPHER), True
    return Credentials.from_env(env), False


def auth_base_for(endpoint: str, auth_endpoint: str | None = None) -> str:
    """The OAuth host: given, else the sandbox itself on loopback, else the platform's."""
    if auth_endpoint:
        return auth_endpoint
    return endpoint if is_loopback(endpoint) else AUTH_BASE_URL


def open_client(endpoint: str | None, ledger: Any, *, auth_endpoint: str | None = None,
                env: Mapping[str, str] | None = None, **options: Any) -> ApiClient:
    """A ready client for ``endpoint`` (default: the platform's gateway)."""
    from shelfcheck.tiktok.tokens import TokenCipher, TokenManager, TokenStore

    endpoint = endpoint or DEFAULT_BASE_URL
    env = os.environ if env is None else env
    creds, builtin = app_credentials(endpoint, env)
    token: TokenSource
    if creds.access_token:
        token = StaticToken(creds.access_token)
    else:
        store = TokenStore(ledger, TokenCipher.from_env(env))
        oauth = OAuthClient(creds.app_key, creds.app_secret, base_url=auth_base_for(endpoint, auth_endpoint))
        manager = TokenManager(store, oauth)
        stored = manager.current()  # raises ReauthorizationRequired with what to do
        if not creds.shop_cipher and stored.shop_cipher:
            creds.shop_cipher = stored.shop_cipher
        token = manager
    return ApiClient(creds, base_url=endpoint, token=token, **options)
