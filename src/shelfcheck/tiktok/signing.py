"""Request signing exactly as TikTok Shop publishes it (Partner Center, "Sign your API request").

::

    params = every query parameter except ``sign`` and ``access_token``
    base   = path + "".join(key + value for key in sorted(params))
    base  += raw body bytes, unless the request is multipart/form-data
    sign   = lowercase hex HMAC-SHA256(key=app_secret, msg=app_secret + base + app_secret)

Values are signed as sent *after* percent-decoding (a ``page_token`` holding ``+`` or ``/`` is
signed as is and percent-encoded on the wire). A list value is comma-joined, and the same
comma-joined text is sent. The body is the exact bytes that go on the wire: serialise JSON once
and send those bytes. The access token travels in the ``x-tts-access-token`` header and is
never signed.

Webhooks use a different algorithm: lowercase hex HMAC-SHA256(key=app_secret,
msg=app_key + raw body), sent in the ``Authorization`` header.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

__all__ = [
    "UNSIGNED_PARAMS",
    "Signature",
    "canonical_params",
    "is_multipart",
    "query_value",
    "sign_request",
    "signature",
    "string_to_sign",
    "verify_request",
    "verify_webhook",
    "webhook_signature",
]

#: Query parameters that never take part in the signature.
UNSIGNED_PARAMS = frozenset({"sign", "access_token"})


def query_value(value: Any) -> str:
    """The text a query value is signed and sent as (lists comma-joined, booleans lower-case)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return ",".join(query_value(v) for v in value)
    return str(value)


def is_multipart(content_type: str | None) -> bool:
    """True when the media type is ``multipart/form-data`` (parameters such as boundary ignored)."""
    if not content_type:
        return False
    return content_type.split(";", 1)[0].strip().lower() == "multipart/form-data"


def canonical_params(params: Mapping[str, Any] | Iterable[tuple[str, Any]]) -> list[tuple[str, str]]:
    """The signed parameters as ``(key, value)`` pairs, sorted by key (plain byte order).

    ``sign`` and ``access_token`` are left out; ``None`` values are not sent, so not signed.
    """
    items = params.items() if isinstance(params, Mapping) else params
    pairs = [(str(k), query_value(v)) for k, v in items if v is not None and str(k) not in UNSIGNED_PARAMS]
    return sorted(pairs, key=lambda kv: kv[0].encode("utf-8"))


def _body_bytes(body: bytes | str | None) -> bytes:
    if body is None:
        return b""
    return body.encode("utf-8") if isinstance(body, str) else bytes(body)


def string_to_sign(path: str, params: Mapping[str, Any] | Iterable[tuple[str, Any]],
                   body: bytes | str | None = None, content_type: str | None = None) -> bytes:
    """The base string (before the secret wrapping), as bytes."""
    base = path.encode("utf-8")
    for key, value in canonical_params(params):
        base += key.encode("utf-8") + value.encode("utf-8")
    if not is_multipart(content_type):
        base += _body_bytes(body)
    return base


def signature(app_secret: str, base: bytes) -> str:
    """Lowercase hex HMAC-SHA256(key=secret, msg=secret + base + secret)."""
    key = app_secret.encode("utf-8")
    return hmac.new(key, key + base + key, hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Signature:
    """A computed signature and the base string it covers (the secret is never kept)."""

    base: bytes
    sign: str

    @property
    def base_text(self) -> str:
        """The base string as text (bytes that are not UTF-8 shown as replacement characters)."""
        return self.base.decode("utf-8", errors="replace")

    def __repr__(self) -> str:
        return f"Signature(base={self.base_text!r}, sign={self.sign!r})"


def sign_request(app_secret: str, path: str, params: Mapping[str, Any] | Iterable[tuple[str, Any]],
                 body: bytes | str | None = None, content_type: str | None = None) -> Signature:
    """Sign one request: the base string and its signature."""
    base = string_to_sign(path, params, body, content_type)
    return Signature(base, signature(app_secret, base))


def verify_request(app_secret: str, path: str, params: Mapping[str, Any] | Iterable[tuple[str, Any]],
                   body: bytes | str | None, content_type: str | None, sign: str) -> bool:
    """True when ``sign`` is the request's signature (exact, lowercase hex; constant-time)."""
    expected = sign_request(app_secret, path, params, body, content_type).sign
    return hmac.compare_digest(expected, sign or "")


def webhook_signature(app_key: str, app_secret: str, raw_body: bytes | str) -> str:
    """The ``Authorization`` header of a webhook: HMAC-SHA256(key=secret, msg=app_key + raw body)."""
    msg = app_key.encode("utf-8") + _body_bytes(raw_body)
    return hmac.new(app_secret.encode("utf-8"), msg, hashlib.sha256).hexdigest()


def verify_webhook(app_key: str, app_secret: str, raw_body: bytes | str, header: str | None) -> bool:
    """True when ``header`` carries the webhook signature of ``raw_body`` (constant-time)."""
    if not header:
        return False
    got = header.strip()
    expected = webhook_signature(app_key, app_secret, raw_body)
    return hmac.compare_digest(expected, got)
