"""A local emulator of the TikTok Shop Open API (FastAPI, served by uvicorn on loopback).

``shelfcheck sandbox`` runs it; :func:`create_app` builds it for tests; :func:`serve` runs it
in this process. See :mod:`shelfcheck.sandbox.app` for what it checks and emulates.
"""

from shelfcheck.sandbox.app import (
    ADMIN_HEADER,
    SANDBOX_ACCESS_TOKEN,
    SANDBOX_APP_KEY,
    SANDBOX_APP_SECRET,
    SANDBOX_SERVICE_ID,
    SANDBOX_SHOP_CIPHER,
    Sandbox,
    SandboxConfig,
    create_app,
)

__all__ = [
    "ADMIN_HEADER",
    "SANDBOX_ACCESS_TOKEN",
    "SANDBOX_APP_KEY",
    "SANDBOX_APP_SECRET",
    "SANDBOX_SERVICE_ID",
    "SANDBOX_SHOP_CIPHER",
    "Sandbox",
    "SandboxConfig",
    "create_app",
    "serve",
]


def serve(config: SandboxConfig | None = None, *, host: str = "127.0.0.1", port: int = 8799,
          log_level: str = "warning") -> None:
    """Serve the sandbox with uvicorn until interrupted."""
    import uvicorn

    uvicorn.run(create_app(config), host=host, port=port, log_level=log_level)
