"""TikTok Shop Open API: request signing, the client, OAuth tokens, errors and webhooks.

Import from the submodules: :mod:`~shelfcheck.tiktok.signing`, :mod:`~shelfcheck.tiktok.client`,
:mod:`~shelfcheck.tiktok.oauth`, :mod:`~shelfcheck.tiktok.errors`,
:mod:`~shelfcheck.tiktok.webhooks`.
"""

from shelfcheck.tiktok.client import ApiClient, Credentials, RetryPolicy, cipher_allowed
from shelfcheck.tiktok.errors import ApiError, Kind, classify, redact
from shelfcheck.tiktok.signing import sign_request, verify_request, verify_webhook, webhook_signature

__all__ = [
    "ApiClient",
    "ApiError",
    "Credentials",
    "Kind",
    "RetryPolicy",
    "cipher_allowed",
    "classify",
    "redact",
    "sign_request",
    "verify_request",
    "verify_webhook",
    "webhook_signature",
]
