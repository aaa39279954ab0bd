"""``shelfcheck api sign`` — show exactly what is signed, for "invalid sign" hunts."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from shelfcheck.cli.common import fail, pick_lang
from shelfcheck.errors import Msg

app = typer.Typer(help="Open API tools: `api sign` prints the string that is signed and its signature.",
                  no_args_is_help=True, add_completion=False)


@app.callback()
def _group() -> None:
    """Open API tools."""


@app.command()
def sign(
    secret: Annotated[str, typer.Option("--secret", help="The app secret (never printed).")],
    path: Annotated[str, typer.Option("--path", help="The API path, e.g. /authorization/202309/shops.")],
    param: Annotated[Optional[list[str]], typer.Option("--param", help="A query parameter k=v (repeat).")] = None,
    body: Annotated[Optional[Path], typer.Option("--body", help="File holding the exact request body.")] = None,
    content_type: Annotated[str, typer.Option("--content-type", help="Request content type.")] = "application/json",
    lang: Annotated[Optional[str], typer.Option("--lang", help="en or zh.")] = None,
) -> None:
    """Sign a request as TikTok Shop does and print the signed string and the signature."""
    from shelfcheck.i18n import catalogue
    from shelfcheck.tiktok.signing import is_multipart, sign_request

    cat = catalogue(pick_lang(lang))
    if not secret.strip():
        raise fail(Msg("api_secret_empty"))
    if not path.startswith("/") or "?" in path:
        raise fail(Msg("api_bad_path", path=path))
    params: list[tuple[str, str]] = []
    for item in param or []:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise fail(Msg("api_bad_param", item=item))
        params.append((key.strip(), value))
    data = b""
    if body is not None:
        try:
            data = body.read_bytes()
        except OSError as exc:
            raise fail(Msg("api_body_unreadable", file=body, reason=exc.strerror or exc)) from None
    signed = sign_request(secret, path, params, data, content_type)
    print(cat.ui("api_signed_string", base=signed.base_text))
    if body is not None and is_multipart(content_type):
        print(cat.ui("api_body_skipped"))
    print(cat.ui("api_signature", sign=signed.sign))
