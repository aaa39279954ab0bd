"""The built-in credentials of the local sandbox (not secrets: every sandbox accepts them).

They live with the client, which uses them to talk to a sandbox on loopback without any
configuration; the sandbox imports them from here, so the client never imports the sandbox.
"""

from __future__ import annotations

__all__ = [
    "SANDBOX_ACCESS_TOKEN",
    "SANDBOX_APP_KEY",
    "SANDBOX_APP_SECRET",
    "SANDBOX_SERVICE_ID",
    "SANDBOX_SHOP_CIPHER",
]

SANDBOX_APP_KEY = "sandbox-app-key"
SANDBOX_APP_SECRET = "sandbox-app-secret"
SANDBOX_ACCESS_TOKEN = "sandbox-access-token"
SANDBOX_SHOP_CIPHER = "SANDBOX_US_SHOP_CIPHER"
SANDBOX_SERVICE_ID = "sandbox-service"
