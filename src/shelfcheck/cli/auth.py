"""``shelfcheck auth url | exchange CODE | refresh`` — OAuth 2.0 with the token stored encrypted."""

from __future__ import annotations

import os
from typing import Annotated, Optional

import typer

from shelfcheck.cli.common import check_url_option, fail, pick_lang
from shelfcheck.errors import Msg

app = typer.Typer(help="Authorize the app for a shop (OAuth 2.0); tokens are stored encrypted in the ledger.",
                  no_args_is_help=True, add_completion=False)

_Endpoint = Annotated[Optional[str], typer.Option("--endpoint", help="API gateway (e.g. the sandbox URL).")]
_AuthEndpoint = Annotated[Optional[str], typer.Option("--auth-endpoint", help="OAuth host (default: the "
                                                      "platform's, or the sandbox on loopback).")]
_Db = Annotated[Optional[str], typer.Option("--db", help="Ledger database URL or file.")]
_Lang = Annotated[Optional[str], typer.Option("--lang", help="en or zh.")]


@app.callback()
def _group() -> None:
    """OAuth 2.0 authorization."""


def _when(value: object) -> str:
    return value.isoformat().replace("+00:00", "Z")  # type: ignore[attr-defined]


@app.command()
def url(
    service_id: Annotated[Optional[str], typer.Option("--service-id", help="Partner Center service id "
                                                      "(default SHELFCHECK_SERVICE_ID).")] = None,
    state: Annotated[Optional[str], typer.Option("--state", help="Opaque value echoed to your redirect.")] = None,
    region: Annotated[str, typer.Option("--region", help="US or ROW.")] = "US",
    base: Annotated[Optional[str], typer.Option("--authorize-url", help="Another consent page (e.g. the "
                                                "sandbox's /open/authorize).")] = None,
    lang: _Lang = None,
) -> None:
    """Print the consent URL the seller opens to authorize the app (US host by default)."""
    from shelfcheck.i18n import catalogue
    from shelfcheck.tiktok.oauth import authorization_url

    cat = catalogue(pick_lang(lang))
    check_url_option("--authorize-url", base)
    sid = service_id or os.environ.get("SHELFCHECK_SERVICE_ID", "")
    if not sid.strip():
        raise fail(Msg("auth_no_service_id"))
    print(cat.ui("auth_open_url"))
    print(authorization_url(sid, state=state, region=region, base=base))


@app.command()
def exchange(
    code: Annotated[str, typer.Argument(help="The auth code from the redirect (valid ~30 minutes, single use).")],
    endpoint: _Endpoint = None,
    auth_endpoint: _AuthEndpoint = None,
    db: _Db = None,
    lang: _Lang = None,
) -> None:
    """Exchange the auth code for tokens and store them encrypted (also the shop cipher)."""
    from shelfcheck.i18n import catalogue
    from shelfcheck.ledger import open_ledger
    from shelfcheck.tiktok.client import DEFAULT_BASE_URL, ApiClient
    from shelfcheck.tiktok.oauth import OAuthClient
    from shelfcheck.tiktok.session import app_credentials, auth_base_for
    from shelfcheck.tiktok.tokens import TokenCipher, TokenStore

    cat = catalogue(pick_lang(lang))
    check_url_option("--endpoint", endpoint)
    check_url_option("--auth-endpoint", auth_endpoint)
    gateway = endpoint or DEFAULT_BASE_URL
    creds, _ = app_credentials(gateway)
    cipher = TokenCipher.from_env()
    with OAuthClient(creds.app_key, creds.app_secret, base_url=auth_base_for(gateway, auth_endpoint)) as oauth:
        token = oauth.exchange(code)
    creds.access_token = token.access_token
    creds.shop_cipher = None
    with ApiClient(creds, base_url=gateway) as client:
        shops = client.get_authorized_shops().shops
    if shops:
        token.shop_cipher = shops[0].cipher
    with open_ledger(db) as ledger:
        TokenStore(ledger, cipher).save(token, creds.app_key)
        where = ledger.location
    print(cat.ui("auth_saved", seller=token.seller_name or token.open_id, region=token.seller_base_region,
                 access=_when(token.access_expires_at), refresh=_when(token.refresh_expires_at), ledger=where))
    for shop in shops:
        print(cat.ui("auth_shop", name=shop.name, region=shop.region, seller_type=shop.seller_type))


@app.command()
def refresh(
    endpoint: _Endpoint = None,
    auth_endpoint: _AuthEndpoint = None,
    db: _Db = None,
    lang: _Lang = None,
) -> None:
    """Refresh the stored tokens now (they are also refreshed automatically before expiry)."""
    from shelfcheck.i18n import catalogue
    from shelfcheck.ledger import open_ledger
    from shelfcheck.tiktok.client import DEFAULT_BASE_URL
    from shelfcheck.tiktok.oauth import OAuthClient
    from shelfcheck.tiktok.session import app_credentials, auth_base_for
    from shelfcheck.tiktok.tokens import TokenCipher, TokenManager, TokenStore

    cat = catalogue(pick_lang(lang))
    check_url_option("--endpoint", endpoint)
    check_url_option("--auth-endpoint", auth_endpoint)
    gateway = endpoint or DEFAULT_BASE_URL
    creds, _ = app_credentials(gateway)
    cipher = TokenCipher.from_env()
    with open_ledger(db) as ledger, OAuthClient(creds.app_key, creds.app_secret,
                                                base_url=auth_base_for(gateway, auth_endpoint)) as oauth:
        manager = TokenManager(TokenStore(ledger, cipher), oauth)
        manager.refresh()
        token = manager.current()
    print(cat.ui("auth_refreshed", seller=token.seller_name or token.open_id,
                 access=_when(token.access_expires_at), refresh=_when(token.refresh_expires_at)))
