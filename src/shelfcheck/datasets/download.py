"""``shelfcheck data update``: download the official sources and install them like an import.

Sources (each URL can be overridden by an option or an environment variable, e.g. to use a mirror
or, in tests, a local HTTP server):

* ``cosing`` — the European Commission's CosIng "Ingredients & Fragrance Inventory" CSV export
  (``SHELFCHECK_COSING_URL``).
* ``fcc-grantees`` — the FCC EAS Grantee Search XML export, ``Row/grantee_code/grantee_name``,
  ISO-8859-1 (``SHELFCHECK_FCC_GRANTEES_URL``).
* ``tiktok-errors`` — no official download exists (TikTok publishes the error codes only as
  Partner Center web pages): import a CSV with ``shelfcheck data import tiktok-errors FILE``.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from shelfcheck.datasets.store import KINDS, DatasetError, check_kind, data_dir, import_dataset
from shelfcheck.errors import InputError, Msg

__all__ = ["DEFAULT_URLS", "DOWNLOADABLE", "NO_DOWNLOAD", "URL_ENV", "UpdateResult", "download", "source_url",
           "update"]

DEFAULT_URLS = {
    "cosing": "https://ec.europa.eu/growth/tools-databases/cosing/pdf/COSING_Ingredients-Fragrance%20Inventory_v2.csv",
    "fcc-grantees": "https://apps.fcc.gov/oetcf/eas/reports/GranteeSearch.cfm?calledFromFrame=N&show_records=all"
                    "&output_format=XML",
}
URL_ENV = {"cosing": "SHELFCHECK_COSING_URL", "fcc-grantees": "SHELFCHECK_FCC_GRANTEES_URL"}
DOWNLOADABLE = tuple(DEFAULT_URLS)
NO_DOWNLOAD = {
    "tiktok-errors": Msg("dataset_no_download_tiktok_errors"),
}
MAX_BYTES = 512 * 1024 * 1024


@dataclass
class UpdateResult:
    """One kind's outcome: installed (with its manifest), skipped (no download) or failed."""

    kind: str
    status: str  # "installed" | "skipped" | "failed"
    message: str
    manifest: dict[str, Any] | None = None
    error: DatasetError | None = None  # why it failed (``message`` is its English line)


def source_url(kind: str, override: str | None = None) -> str:
    """The URL to download ``kind`` from: ``override``, else its environment variable, else the default."""
    check_kind(kind)
    if kind not in DEFAULT_URLS:
        raise DatasetError(Msg("dataset_kind_problem", kind=kind, problem=NO_DOWNLOAD[kind]))
    return override or os.environ.get(URL_ENV[kind]) or DEFAULT_URLS[kind]


def _reason(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def download(kind: str, url: str, *, timeout: float = 60.0, root: Path | None = None) -> dict[str, Any]:
    """Download one kind from ``url`` and import it; return the manifest.

    Raises:
        DatasetError: the server cannot be reached (offline), answers an error, or the file it
            sends is not a usable dataset.
    """
    import httpx

    from shelfcheck import __version__

    root = root if root is not None else data_dir()
    staging = root / "datasets" / ".downloads"
    try:
        staging.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DatasetError(Msg("dataset_cannot_create", folder=staging, reason=exc.strerror or exc)) from None
    fd, tmp_name = tempfile.mkstemp(prefix=f"{kind}.", dir=staging)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as fh:
            try:
                with httpx.Client(timeout=timeout, follow_redirects=True,
                                  headers={"User-Agent": f"shelfcheck/{__version__}"}) as client:
                    with client.stream("GET", url) as response:
                        if response.status_code != 200:
                            raise DatasetError(Msg("dataset_http_status", kind=kind, url=url,
                                                   status=response.status_code))
                        size = 0
                        for chunk in response.iter_bytes():
                            size += len(chunk)
                            if size > MAX_BYTES:
                                raise DatasetError(Msg("dataset_too_large", kind=kind, url=url,
                                                       limit=MAX_BYTES // 2**20))
                            fh.write(chunk)
            except httpx.HTTPError as exc:
                raise DatasetError(Msg("dataset_offline", kind=kind, url=url, reason=_reason(exc))) from None
        try:
            return import_dataset(kind, tmp, source=url, root=root)
        except InputError as exc:
            row = Msg("dataset_download_row", row=exc.row) if exc.row else ""
            raise DatasetError(Msg("dataset_download_unusable", kind=kind, url=url, problem=exc.msg or exc.message,
                                   row=row)) from None
    finally:
        tmp.unlink(missing_ok=True)


def update(kinds: list[str] | None = None, *, urls: dict[str, str | None] | None = None,
           timeout: float = 60.0, root: Path | None = None) -> list[UpdateResult]:
    """Download every requested kind (default: all); never raises for one kind's failure."""
    wanted = list(kinds) if kinds else list(KINDS)
    for kind in wanted:
        check_kind(kind)
    results = []
    for kind in wanted:
        if kind in NO_DOWNLOAD:
            results.append(UpdateResult(kind, "skipped", str(NO_DOWNLOAD[kind])))
            continue
        url = source_url(kind, (urls or {}).get(kind))
        try:
            manifest = download(kind, url, timeout=timeout, root=root)
        except DatasetError as exc:
            results.append(UpdateResult(kind, "failed", exc.one_line(), error=exc))
            continue
        results.append(UpdateResult(kind, "installed", f"{manifest['label']} ({manifest['entries']} entries) "
                                                       f"from {url}", manifest))
    return results
