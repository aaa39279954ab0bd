"""Triage: "two checks and one try" (两查一试) — is it the system or the product data?

1. **store_compliant** — the Seller Center banner "Your store is compliant" (shop profile:
   ``store_compliant``, with KYC and the US seller id);
2. **app_active** — the publishing app is ``Active`` in the Developer Portal and holds
   ``product_write`` (and its channel API and authorization are current);
3. **test_listing** — the known-good listing ``US-TEST-001``: offline, the preflight of the
   bundled sample under the same policy; online (``--endpoint URL``), the Open API's Check
   Product Listing on that endpoint.

Verdict: any check or try with a problem → ``system_problem`` (fix the shop, the app or the
channel before touching listings); everything fine → ``data_problem`` (the platform accepts a
good listing, so the refusal comes from your product's data: run ``check`` and ``diagnose``).
Checks that could not be made (no ``--shop``, no credentials) are listed as ``unknown``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from shelfcheck.diagnose.known_good import KNOWN_GOOD_SKU, create_product_body, draw_images, materialise
from shelfcheck.diagnose.preflight import finding_json
from shelfcheck.i18n import catalogue

__all__ = ["CHECKS", "Check", "Triage", "try_endpoint", "try_offline", "triage"]

CHECKS = {
    "store_compliant": ("seller_not_us", "kyc_incomplete", "store_not_compliant"),
    "app_active": ("app_inactive", "app_missing_product_write", "channel_api_outdated",
                   "channel_reauthorization_required"),
}


@dataclass
class Check:
    """One check or try: ``ok``, ``problem`` or ``unknown``, with what was found."""

    key: str
    result: str
    findings: list[dict[str, Any]] = field(default_factory=list)
    detail: dict[str, Any] = field(default_factory=dict)
    endpoint: str | None = None

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"check": self.key, "result": self.result, "findings": self.findings,
                                "detail": self.detail}
        if self.endpoint is not None:
            data["endpoint"] = self.endpoint
        return data


@dataclass
class Triage:
    """The outcome: the checks, the tries, and the verdict."""

    checks: list[Check]
    verdict: str  # system_problem | data_problem
    unverified: list[str]

    def to_json(self) -> dict[str, Any]:
        return {"checks": [c.to_json() for c in self.checks], "verdict": self.verdict,
                "unverified": self.unverified, "test_sku": KNOWN_GOOD_SKU}


def _shop_checks(shop: str | Path | None, policy: Any, as_of: dt.date, datasets: Any, lang: str) -> list[Check]:
    if shop is None:
        return [Check(key, "unknown", detail={"reason": "no_shop_profile"}) for key in CHECKS]
    from shelfcheck.engine import Checker
    from shelfcheck.ingest import load_shop
    from shelfcheck.policy import Policy, load_policy
    from shelfcheck.rules.context import RunContext

    pack = policy if isinstance(policy, Policy) else load_policy(policy)
    run = RunContext(policy=pack, as_of=as_of, datasets=datasets, shop=load_shop(shop))
    findings = Checker(run).check_shop()
    cat = catalogue(lang)
    checks = []
    for key, codes in CHECKS.items():
        mine = [finding_json(f, cat) for f in findings if f.code in codes and f.severity.label == "error"]
        checks.append(Check(key, "problem" if mine else "ok", mine))
    return checks


def try_offline(*, policy: Any = None, as_of: dt.date | None = None, datasets: Any = None,
                lang: str = "en") -> Check:
    """Preflight the bundled known-good listing; ``ok`` when it has no error-level finding."""
    from shelfcheck.api import prepare

    cat = catalogue(lang)
    with materialise(policy) as catalog:
        run = prepare(catalog, policy=policy, as_of=as_of, jobs=1, datasets=datasets)
        results = list(run.results())
    errors = [finding_json(f, cat) for r in results for f in r.findings if f.severity.label == "error"]
    return Check("test_listing", "problem" if errors else "ok", errors,
                 {"mode": "offline", "sku": KNOWN_GOOD_SKU})


def try_endpoint(endpoint: str, *, credentials: Any = None, transport: Any = None,
                 client_factory: Callable[..., Any] | None = None, lang: str = "en") -> Check:
    """Check Product Listing of the known-good listing on ``endpoint`` (the Open API or the sandbox).

    The images are uploaded first (Upload Product Image), then the Create Product body is sent to
    ``/product/202309/products/listing_check``. Credentials come from the environment unless given.
    """
    from shelfcheck.tiktok.client import ApiClient, Credentials
    from shelfcheck.tiktok.errors import ApiError, Kind

    detail: dict[str, Any] = {"mode": "online", "sku": KNOWN_GOOD_SKU}
    from shelfcheck.tiktok.client import check_base_url

    try:
        check_base_url(endpoint)
    except ApiError as exc:
        detail.update(reason="endpoint_invalid", message=exc.message)
        return Check("test_listing", "unknown", detail=detail, endpoint=endpoint)
    try:
        creds = credentials if credentials is not None else Credentials.from_env(need_token=True)
    except ApiError as exc:
        detail.update(reason="credentials_missing", message=exc.message)
        return Check("test_listing", "unknown", detail=detail, endpoint=endpoint)
    factory = client_factory or ApiClient
    try:
        with factory(creds, base_url=endpoint, transport=transport) as client:
            import tempfile

            with tempfile.TemporaryDirectory(prefix="shelfcheck-try-") as tmp:
                uris = []
                for name in draw_images(Path(tmp)):
                    uploaded = client.upload_image((Path(tmp) / name).read_bytes(), filename=name,
                                                   mime="image/jpeg")
                    uris.append(uploaded.uri)
            result = client.check_listing(create_product_body(uris))
    except ApiError as exc:
        detail.update(code=exc.code, message=exc.message, request_id=exc.request_id, kind=exc.kind.value)
        unreachable = exc.kind in (Kind.TRANSPORT, Kind.RETRYABLE, Kind.RATE_LIMITED)
        if unreachable:
            detail["reason"] = "endpoint_unreachable"
        return Check("test_listing", "unknown" if unreachable else "problem",
                     [_api_finding(exc.code, exc.message, lang)] if not unreachable else [],
                     detail, endpoint)
    detail["check_result"] = result.check_result
    if result.passed:
        return Check("test_listing", "ok", detail=detail, endpoint=endpoint)
    reasons = [_api_finding(r.code, r.message, lang) for r in result.fail_reasons]
    return Check("test_listing", "problem", reasons, detail, endpoint)


def _api_finding(code: Any, message: str, lang: str) -> dict[str, Any]:
    from shelfcheck.diagnose.platform_errors import explain_platform_code

    info = explain_platform_code(str(code)) if code is not None else None
    return {"code": str(code) if code is not None else None, "severity": "error", "field": None,
            "message": message, "fix": info.fix[lang] if info is not None else "",
            "evidence": {"platform_code": code}, "source": "platform"}


def triage(
    shop: str | Path | None = None,
    *,
    endpoints: Sequence[str] = (),
    policy: Any = None,
    as_of: dt.date | None = None,
    datasets: Any = None,
    lang: str = "en",
    credentials: Any = None,
    transport: Any = None,
) -> Triage:
    """Run the two checks and the try(s) and give the verdict."""
    from shelfcheck.datasets import load_datasets

    day = as_of or dt.datetime.now(dt.timezone.utc).date()
    data = datasets if datasets is not None else load_datasets()
    checks = _shop_checks(shop, policy, day, data, lang)
    if endpoints:
        for endpoint in endpoints:
            checks.append(try_endpoint(endpoint, credentials=credentials, transport=transport, lang=lang))
    else:
        checks.append(try_offline(policy=policy, as_of=day, datasets=data, lang=lang))
    verdict = "system_problem" if any(c.result == "problem" for c in checks) else "data_problem"
    unverified = [c.key for c in checks if c.result == "unknown"]
    return Triage(checks, verdict, unverified)
