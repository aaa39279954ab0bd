"""Open API errors: one class per way a caller must react, classified by code *and* message.

The platform answers business failures with HTTP 200 and ``code != 0``; gateway failures may
carry a non-2xx status with the same envelope. ``36009004`` is reused for a dozen conditions
(timestamp window, missing signature, bad app key, bad token header, unexpected cipher …), so
the message decides. Every error keeps the ``request_id`` — TikTok support asks for it.

How the client reacts (see :class:`Kind`):

* ``AUTH_EXPIRED`` (105002, an invalid/expired token header) → refresh the token once, retry.
* ``RATE_LIMITED`` (36009002, HTTP 429) and ``RETRYABLE`` (36009003, 36009007, 5xx, a few
  internal product codes) → retry with exponential backoff and jitter, bounded.
* everything else → no retry: ``SIGNATURE`` and ``CLOCK`` are bugs or skew on our side,
  ``SCOPE``/``REAUTHORIZE`` need the seller, ``VALIDATION`` needs the listing fixed,
  ``SELLER_ACTION`` needs Seller Center.

No secret ever reaches an exception message: :func:`redact` scrubs credential parameters from
any text, and the client registers its own secret values for scrubbing as well.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from enum import Enum

from shelfcheck.errors import Msg, ShelfcheckError

__all__ = [
    "ApiError",
    "AuthExpired",
    "ClockSkew",
    "ConfigurationError",
    "Kind",
    "RateLimited",
    "ReauthorizationRequired",
    "RetryableError",
    "ScopeDenied",
    "SellerActionRequired",
    "SignatureInvalid",
    "TransportError",
    "ValidationFailed",
    "RedactingFilter",
    "classify",
    "error_for",
    "install_log_redaction",
    "redact",
]

#: Parameter names whose values are secrets (query strings, form fields, JSON keys, headers).
SECRET_KEYS = ("app_secret", "access_token", "refresh_token", "sign", "auth_code", "code",
               "x-tts-access-token", "authorization", "secret")

_QUERY = re.compile(
    r"(?i)(?P<k>\b(?:app_secret|access_token|refresh_token|sign|auth_code|secret)\b)"
    r"(?P<sep>\s*[=:]\s*|\"\s*:\s*\"|'\s*:\s*')(?P<v>[^&\s\"',;}]+)")
_HEADER = re.compile(r"(?i)(?P<k>\b(?:x-tts-access-token|authorization)\b)(?P<sep>\s*[:=]\s*)(?P<v>\S+)")
_CODE_PARAM = re.compile(r"(?i)(?P<k>[?&]code)(?P<sep>=)(?P<v>[^&\s]+)")


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """``text`` with credential values replaced by ``***``.

    Scrubs ``app_secret``, ``access_token``, ``refresh_token``, ``sign``, ``auth_code`` (and a
    ``code`` query parameter) in URLs, form and JSON text, the token and authorization headers,
    and any literal value in ``secrets``.
    """
    if not text:
        return text
    for value in sorted({s for s in secrets if s and len(s) >= 4}, key=len, reverse=True):
        text = text.replace(value, "***")
    text = _QUERY.sub(lambda m: f"{m['k']}{m['sep']}***", text)
    text = _HEADER.sub(lambda m: f"{m['k']}{m['sep']}***", text)
    return _CODE_PARAM.sub(lambda m: f"{m['k']}{m['sep']}***", text)


class Kind(str, Enum):
    """How a caller must react to an error."""

    AUTH_EXPIRED = "auth_expired"          # refresh the access token once, then retry
    REAUTHORIZE = "reauthorize"            # the seller must authorize the app again
    SCOPE = "scope"                        # API package not granted: enable it, re-authorize
    SIGNATURE = "signature"                # our signature is wrong: fix the signer, never retry
    CLOCK = "clock"                        # timestamp outside −5 min / +30 s: fix the clock
    CONFIG = "config"                      # bad app key, cipher missing/unexpected, bad path …
    RATE_LIMITED = "rate_limited"          # back off and retry
    RETRYABLE = "retryable"                # transient server trouble: back off and retry
    VALIDATION = "validation"              # the request/listing must be fixed
    SELLER_ACTION = "seller_action"        # fix in Seller Center (warehouse, tax, category access)
    TRANSPORT = "transport"                # no answer (network, TLS): retry
    UNKNOWN = "unknown"

    @property
    def retryable(self) -> bool:
        return self in (Kind.RATE_LIMITED, Kind.RETRYABLE, Kind.TRANSPORT)


# Product codes the platform documents as internal/transient (reference §3.3, §7.8).
_RETRYABLE_CODES = {36009003, 36009007, 12001000, 12052881, 33001002}
# Shop readiness and category permission: only the seller can fix these, in Seller Center.
_SELLER_ACTION_CODES = {
    12052115, 12052097, 12052530, 12052531, 12052532, 12052535, 12052364, 12052402, 12052549,
    12052403, 12052404, 12052405, 12052420, 12052419, 12052700, 12052703, 12052995, 12052701,
    12052220, 12052221, 12052223, 12052225, 12052226, 12052227, 12052446, 12052093, 12052109,
    12052201, 12052208, 36009043, 36009044, 36009033,
}
_CONFIG_CODES = {106013, 36009009, 36009010, 36009014, 36009022, 36009023, 36009021}


def classify(code: int | None, message: str = "", http_status: int | None = None) -> Kind:
    """The :class:`Kind` of an error from its code, its message and the HTTP status."""
    msg = (message or "").lower()
    if code in (None, 0):
        if http_status == 429:
            return Kind.RATE_LIMITED
        if http_status is not None and http_status >= 500:
            return Kind.RETRYABLE
        return Kind.UNKNOWN
    if code == 36009002 or http_status == 429:
        return Kind.RATE_LIMITED
    if code in _RETRYABLE_CODES:
        return Kind.RETRYABLE
    if code == 105002:
        return Kind.AUTH_EXPIRED
    if code == 105005:
        return Kind.SCOPE
    if code == 106001:
        return Kind.SIGNATURE
    if code == 36004004:
        return Kind.REAUTHORIZE
    if code == 101000:
        # "category_asset_cipher or x-tts-access-token invalid": a fresh token is the likely cure.
        return Kind.AUTH_EXPIRED
    if code == 36009004:
        if "timestamp" in msg:
            return Kind.CLOCK
        if "signature" in msg or "`sign`" in msg or " sign " in f" {msg} ":
            return Kind.SIGNATURE
        if "access_token" in msg or "x-tts-access-token" in msg or "token" in msg:
            return Kind.AUTH_EXPIRED
        if "app_key" in msg or "cipher" in msg or "shop_id" in msg or "version" in msg:
            return Kind.CONFIG
        return Kind.VALIDATION  # "invalid param error", "body.x is missing" on create
    if code in _CONFIG_CODES:
        return Kind.CONFIG
    if code in _SELLER_ACTION_CODES:
        return Kind.SELLER_ACTION
    if http_status is not None and http_status >= 500:
        return Kind.RETRYABLE
    if str(code).startswith(("1205", "1201", "1203", "9800", "1105")) or code == 12052910:
        return Kind.VALIDATION
    return Kind.UNKNOWN


class ApiError(ShelfcheckError):
    """An Open API call that did not succeed.

    Attributes:
        code: the platform's code (``None`` when no envelope came back).
        message: the platform's message (or shelfcheck's, given as a :class:`Msg`), redacted; English.
        request_id: the platform's request id — quote it in a support case.
        http_status: the HTTP status, when there was a response.
        path: the endpoint path (no host, no query).
        kind: how to react (:class:`Kind`).
    """

    kind: Kind = Kind.UNKNOWN

    def __init__(self, code: int | None, message: str | Msg, *, request_id: str = "",
                 http_status: int | None = None, path: str = "", kind: Kind | None = None,
                 hint: str | Msg = "", secrets: Iterable[str] = ()) -> None:
        secrets = tuple(secrets)
        self.code = code
        self.message = redact(str(message or ""), secrets)
        self.request_id = request_id or ""
        self.http_status = http_status
        self.path = path
        self.hint = redact(str(hint), secrets)
        # shelfcheck's own message and hint in the other languages, redacted now: no secret is kept
        self._texts: dict[str, tuple[str, str]] = {}
        if isinstance(message, Msg) or isinstance(hint, Msg):
            from shelfcheck.i18n import LANGS

            self._texts = {lang: (redact(message.render(lang), secrets) if isinstance(message, Msg) else self.message,
                                  redact(hint.render(lang), secrets) if isinstance(hint, Msg) else self.hint)
                           for lang in LANGS if lang != "en"}
        if kind is not None:
            self.kind = kind
        super().__init__(self._render())

    def message_in(self, lang: str) -> str:
        """The message alone in ``lang`` (the platform's own is in its language, as it came)."""
        return self._texts[lang][0] if lang in self._texts else self.message

    def text(self, lang: str = "en") -> str:
        return str(self) if lang == "en" else self._render(lang)

    def _render(self, lang: str = "en") -> str:
        message, hint = self._texts.get(lang, (self.message, self.hint))
        head = Msg("api_code", code=self.code) if self.code is not None else (
            Msg("api_http", status=self.http_status) if self.http_status else Msg("api_no_response"))
        text = Msg("api_head_message", head=head, message=message) if message else head
        if self.path:
            text = Msg("api_path", path=self.path, text=text)
        if hint:
            text = Msg("api_hint", text=text, hint=hint)
        if self.request_id:
            text = Msg("api_request_id", text=text, request_id=self.request_id)
        return text.render(lang)

    @property
    def retryable(self) -> bool:
        return self.kind.retryable

    def to_dict(self) -> dict[str, object]:
        """Plain data for reports and logs (already redacted)."""
        return {"code": self.code, "message": self.message, "request_id": self.request_id,
                "http_status": self.http_status, "path": self.path, "kind": self.kind.value}


class AuthExpired(ApiError):
    kind = Kind.AUTH_EXPIRED


class ReauthorizationRequired(ApiError):
    kind = Kind.REAUTHORIZE


class ScopeDenied(ApiError):
    kind = Kind.SCOPE


class SignatureInvalid(ApiError):
    kind = Kind.SIGNATURE


class ClockSkew(ApiError):
    kind = Kind.CLOCK


class ConfigurationError(ApiError):
    kind = Kind.CONFIG


class RateLimited(ApiError):
    kind = Kind.RATE_LIMITED


class RetryableError(ApiError):
    kind = Kind.RETRYABLE


class ValidationFailed(ApiError):
    kind = Kind.VALIDATION


class SellerActionRequired(ApiError):
    kind = Kind.SELLER_ACTION


class TransportError(ApiError):
    kind = Kind.TRANSPORT


_CLASSES: dict[Kind, type[ApiError]] = {
    Kind.AUTH_EXPIRED: AuthExpired,
    Kind.REAUTHORIZE: ReauthorizationRequired,
    Kind.SCOPE: ScopeDenied,
    Kind.SIGNATURE: SignatureInvalid,
    Kind.CLOCK: ClockSkew,
    Kind.CONFIG: ConfigurationError,
    Kind.RATE_LIMITED: RateLimited,
    Kind.RETRYABLE: RetryableError,
    Kind.VALIDATION: ValidationFailed,
    Kind.SELLER_ACTION: SellerActionRequired,
    Kind.TRANSPORT: TransportError,
    Kind.UNKNOWN: ApiError,
}

_HINTS = {
    Kind.SIGNATURE: Msg("api_hint_signature"),
    Kind.CLOCK: Msg("api_hint_clock"),
    Kind.SCOPE: Msg("api_hint_scope"),
    Kind.REAUTHORIZE: Msg("api_hint_reauthorize"),
}


def error_for(code: int | None, message: str | Msg, *, request_id: str = "", http_status: int | None = None,
              path: str = "", secrets: Iterable[str] = ()) -> ApiError:
    """The typed error for an envelope (or a bare HTTP failure)."""
    kind = classify(code, str(message), http_status)
    cls = _CLASSES[kind]
    return cls(code, message, request_id=request_id, http_status=http_status, path=path, kind=kind,
               hint=_HINTS.get(kind, ""), secrets=secrets)


class RedactingFilter:
    """A :mod:`logging` filter that scrubs credentials from every record it sees.

    Installed on the loggers of the HTTP libraries (``httpx`` logs each request URL, which for
    the token endpoints holds ``app_secret`` and ``auth_code``) and of uvicorn's access log.
    """

    def filter(self, record: object) -> bool:
        import logging

        assert isinstance(record, logging.LogRecord)
        try:
            text = record.getMessage()
        except Exception:  # a malformed record: leave it to logging's own error handling
            return True
        clean = redact(text)
        if clean != text:
            record.msg, record.args = clean, ()
        return True


_FILTERED_LOGGERS = ("httpx", "httpcore", "uvicorn.access", "uvicorn.error")


def install_log_redaction() -> None:
    """Put :class:`RedactingFilter` on the HTTP libraries' loggers (idempotent)."""
    import logging

    for name in _FILTERED_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactingFilter) for f in logger.filters):
            logger.addFilter(RedactingFilter())  # type: ignore[arg-type]


install_log_redaction()
