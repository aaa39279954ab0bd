"""OAuth 2.0 (TikTok Shop's variant): the consent URL, code exchange and token refresh.

* The seller opens the consent URL (US: ``services.us.tiktokshop.com/open/authorize``) and the
  platform redirects to the app's fixed redirect URL with ``code`` — the auth code, valid about
  30 minutes and single use.
* ``GET {auth host}/api/v2/token/get?app_key&app_secret&auth_code&grant_type=authorized_code``
  and ``…/api/v2/token/refresh?app_key&app_secret&refresh_token&grant_type=refresh_token`` are
  **unsigned** GETs; note the literal ``authorized_code``.
* The answer's ``access_token_expire_in`` and ``refresh_token_expire_in`` are **absolute Unix
  times**, despite their names. A refresh returns a *new* refresh token: keep both, atomically.
* When refreshing is impossible (refresh token expired or revoked, the seller switched ERP or
  removed the app) the seller must authorize again: :class:`ReauthorizationRequired` says so.

Nothing here logs a URL with credentials in it; errors never carry the secret, codes or tokens.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlencode

import httpx
from pydantic import ValidationError

from shelfcheck.errors import Msg
from shelfcheck.tiktok.errors import (
    ApiError,
    ConfigurationError,
    ReauthorizationRequired,
    TransportError,
    error_for,
    redact,
)
from shelfcheck.tiktok.models import Envelope, TokenData

__all__ = [
    "AUTH_BASE_URL",
    "AUTHORIZE_URLS",
    "OAuthClient",
    "Token",
    "authorization_url",
]

log = logging.getLogger("shelfcheck.tiktok.oauth")

AUTH_BASE_URL = "https://auth.tiktok-shops.com"
AUTHORIZE_URLS = {
    "US": "https://services.us.tiktokshop.com/open/authorize",
    "ROW": "https://services.tiktokshop.com/open/authorize",
}


def authorization_url(service_id: str, *, state: str | None = None, region: str = "US",
                      base: str | None = None) -> str:
    """The consent page a seller opens to authorize the app (US host unless ``region="ROW"``)."""
    if not service_id.strip():
        raise ConfigurationError(None, Msg("api_service_id_empty"))
    url = base or AUTHORIZE_URLS.get(region.upper())
    if url is None:
        raise ConfigurationError(None, Msg("api_bad_region", region=region))
    query = {"service_id": service_id.strip()}
    if state:
        query["state"] = state
    return f"{url}?{urlencode(query)}"


@dataclass
class Token:
    """A seller authorization. ``repr`` never shows a token."""

    access_token: str = field(repr=False)
    refresh_token: str = field(repr=False)
    access_expires_at: dt.datetime
    refresh_expires_at: dt.datetime
    open_id: str = ""
    seller_name: str = ""
    seller_base_region: str = ""
    granted_scopes: list[str] = field(default_factory=list)
    shop_cipher: str | None = field(default=None, repr=False)

    @classmethod
    def from_data(cls, data: TokenData) -> Token:
        """From the token endpoint's ``data`` (``*_expire_in`` are epoch seconds)."""
        return cls(data.access_token, data.refresh_token, _epoch(data.access_token_expire_in),
                   _epoch(data.refresh_token_expire_in), data.open_id, data.seller_name,
                   data.seller_base_region, list(data.granted_scopes))

    def access_valid(self, now: dt.datetime, margin: dt.timedelta = dt.timedelta(0)) -> bool:
        return now + margin < self.access_expires_at

    def refresh_valid(self, now: dt.datetime) -> bool:
        return now < self.refresh_expires_at

    @property
    def secrets(self) -> list[str]:
        return [self.access_token, self.refresh_token]


def _epoch(value: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(int(value), tz=dt.timezone.utc)


class OAuthClient:
    """Exchange an auth code for tokens, and refresh them (unsigned GETs on the auth host)."""

    def __init__(self, app_key: str, app_secret: str, *, base_url: str = AUTH_BASE_URL,
                 transport: httpx.BaseTransport | None = None, timeout: float = 30.0) -> None:
        from shelfcheck.tiktok.client import check_base_url

        self.app_key = app_key
        self._secret = app_secret
        self.base_url = check_base_url(base_url)
        self._http = httpx.Client(base_url=self.base_url, transport=transport, timeout=timeout,
                                  headers={"user-agent": "shelfcheck"})

    def __repr__(self) -> str:
        return f"OAuthClient(base_url={self.base_url!r}, app_key={self.app_key!r})"

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> OAuthClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def exchange(self, auth_code: str) -> Token:
        """Trade the auth code from the redirect for tokens (``grant_type=authorized_code``)."""
        code = auth_code.strip()
        if not code:
            raise ConfigurationError(None, Msg("api_auth_code_empty"))
        try:
            return self._get("/api/v2/token/get", {"auth_code": code, "grant_type": "authorized_code"},
                             [code])
        except ApiError as exc:
            if exc.code in (36004004,) or exc.kind.value in ("validation", "unknown", "config"):
                raise ReauthorizationRequired(
                    exc.code, exc.message or Msg("api_auth_code_refused"),
                    request_id=exc.request_id, path="/api/v2/token/get", hint=Msg("api_hint_auth_code"),
                    secrets=[code, self._secret]) from None
            raise

    def refresh(self, refresh_token: str) -> Token:
        """A new access *and* refresh token (``grant_type=refresh_token``)."""
        try:
            return self._get("/api/v2/token/refresh",
                             {"refresh_token": refresh_token, "grant_type": "refresh_token"},
                             [refresh_token])
        except ApiError as exc:
            if exc.retryable:
                raise
            raise ReauthorizationRequired(
                exc.code, exc.message or Msg("api_refresh_token_refused"),
                request_id=exc.request_id, path="/api/v2/token/refresh", hint=Msg("api_hint_refresh_refused"),
                secrets=[refresh_token, self._secret]) from None

    def _get(self, path: str, extra: dict[str, str], secrets: list[str]) -> Token:
        secrets = [*secrets, self._secret]
        params = {"app_key": self.app_key, "app_secret": self._secret, **extra}
        log.debug("→ GET %s%s?%s", self.base_url, path, redact(urlencode(params), secrets))
        try:
            response = self._http.get(path, params=params)
        except httpx.HTTPError as exc:
            raise TransportError(None, Msg("api_transport", error=exc.__class__.__name__, problem=str(exc)), path=path,
                                 secrets=secrets) from None
        try:
            envelope = Envelope.model_validate(response.json())
        except (ValueError, ValidationError):
            raise error_for(None, Msg("api_not_envelope", status=response.status_code),
                            http_status=response.status_code, path=path, secrets=secrets) from None
        if envelope.code != 0 or response.status_code >= 400:
            raise error_for(envelope.code or None, envelope.message, request_id=envelope.request_id,
                            http_status=response.status_code, path=path, secrets=secrets)
        try:
            data = TokenData.model_validate(envelope.data or {})
        except ValidationError:
            raise ApiError(None, Msg("api_token_answer_incomplete"),
                           request_id=envelope.request_id, path=path) from None
        log.info("token %s for %s (request_id %s)", "issued" if path.endswith("get") else "refreshed",
                 data.seller_name or data.open_id or "seller", envelope.request_id)
        return Token.from_data(data)


ClockFn = Callable[[], float]


def utcnow(clock: ClockFn = time.time) -> dt.datetime:
    return dt.datetime.fromtimestamp(clock(), tz=dt.timezone.utc)
