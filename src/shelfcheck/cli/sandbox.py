"""``shelfcheck sandbox`` — run the local Open API emulator on loopback."""

from __future__ import annotations

import ipaddress
import sys
from typing import Annotated, Optional

import typer

from shelfcheck.cli.common import fail, pick_lang
from shelfcheck.errors import Msg


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def register(app: typer.Typer) -> None:
    @app.command("sandbox")
    def sandbox(
        host: Annotated[str, typer.Option("--host", help="Loopback address to listen on.")] = "127.0.0.1",
        port: Annotated[int, typer.Option("--port", min=1, max=65535, help="Port.")] = 8799,
        db: Annotated[Optional[str], typer.Option("--db", help="Sandbox state database URL or file "
                                                              "(default: in memory).")] = None,
        audit_seconds: Annotated[float, typer.Option("--audit-seconds", min=0,
                                                     help="How long a new product stays PENDING.")] = 0.0,
        policy: Annotated[Optional[str], typer.Option("--policy", help="Policy pack for the audit.")] = None,
        latency: Annotated[float, typer.Option("--latency", min=0, help="Seconds added to every call.")] = 0.0,
        daily_upload_limit: Annotated[Optional[int], typer.Option(
            "--daily-upload-limit", min=0, help="Products the shop may create per UTC day (then 12052093).")] = None,
        warehouse_region: Annotated[str, typer.Option(
            "--warehouse-region", help="Where the emulated shop ships from (CN makes sale_price required).")] = "US",
        lang: Annotated[Optional[str], typer.Option("--lang", help="en or zh.")] = None,
    ) -> None:
        """Run the TikTok Shop Open API emulator (local, loopback only)."""
        import os

        from shelfcheck.i18n import catalogue
        from shelfcheck.sandbox import ADMIN_HEADER, SandboxConfig, serve

        cat = catalogue(pick_lang(lang))
        if not _loopback(host):
            raise fail(Msg("sandbox_not_loopback", host=host))
        config = SandboxConfig.from_env(db=db, audit_seconds=audit_seconds, policy=policy,
                                          latency=latency, daily_upload_limit=daily_upload_limit,
                                          warehouse_region=warehouse_region.strip().upper() or "US")
        if not os.environ.get("SHELFCHECK_APP_SECRET"):
            print(cat.ui("sandbox_builtin_credentials"), file=sys.stderr)
        print(cat.ui("sandbox_listening", host=host, port=port, app_key=config.app_key, db=db or "memory"),
              file=sys.stderr)
        # The local admin token of the /_sandbox/* test hooks: shown to whoever started the sandbox.
        print(cat.ui("sandbox_admin_token", header=ADMIN_HEADER, token=config.admin_token),
              file=sys.stderr, flush=True)
        serve(config, host=host, port=port)
