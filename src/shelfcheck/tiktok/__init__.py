"""TikTok Shop Open API: request signing, the client, OAuth tokens, errors and webhooks.

Import from the submodules: :mod:`~shelfcheck.tiktok.signing`, :mod:`~shelfcheck.tiktok.client`,
:mod:`~shelfcheck.tiktok.oauth`, :mod:`~shelfcheck.tiktok.errors`,
:mod:`~shelfcheck.tiktok.webhooks`.
"""

from shelfcheck.lazy import lazy_getattr

# Loaded on first use: the client pulls httpx, and the check path only needs the payload's tables
# (:mod:`shelfcheck.tiktok.payload`), whose import would otherwise run this package's.
_LAZY = {
    "ApiClient": "shelfcheck.tiktok.client",
    "Credentials": "shelfcheck.tiktok.client",
    "RetryPolicy": "shelfcheck.tiktok.client",
    "cipher_allowed": "shelfcheck.tiktok.client",
    "ApiError": "shelfcheck.tiktok.errors",
    "Kind": "shelfcheck.tiktok.errors",
    "classify": "shelfcheck.tiktok.errors",
    "redact": "shelfcheck.tiktok.errors",
    "sign_request": "shelfcheck.tiktok.signing",
    "verify_request": "shelfcheck.tiktok.signing",
    "verify_webhook": "shelfcheck.tiktok.signing",
    "webhook_signature": "shelfcheck.tiktok.signing",
}


__getattr__ = lazy_getattr(__name__, _LAZY)


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
