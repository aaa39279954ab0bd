"""Shared fixtures: an isolated data directory for every test, and a workspace to check in."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from helpers import Workspace
from optional import unavailable

def _find_shared_data() -> Path:
    """``$SHELFCHECK_SHARED_DATA``, else the nearest ``shared/data`` above the checkout."""
    env = os.environ.get("SHELFCHECK_SHARED_DATA")
    if env:
        return Path(env)
    for parent in Path(__file__).resolve().parents:
        candidate = parent / "shared" / "data"
        if candidate.is_dir():
            return candidate
    return Path(__file__).resolve().parents[2] / "shared" / "data"


SHARED_DATA = _find_shared_data()


@pytest.fixture(autouse=True)
def _isolated_dirs(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep every test away from the user's real data directory, cache and ledger."""
    root = tmp_path_factory.mktemp("user")
    monkeypatch.setenv("SHELFCHECK_DATA_DIR", str(root / "data"))
    monkeypatch.setenv("SHELFCHECK_CACHE_DIR", str(root / "cache"))
    monkeypatch.setenv("SHELFCHECK_DB", f"sqlite:///{root / 'ledger.db'}")
    monkeypatch.setenv("HOME", str(root / "home"))
    monkeypatch.delenv("LANG", raising=False)
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    """A temporary workspace to write inputs into and check."""
    return Workspace(tmp_path)


@pytest.fixture
def shared_data() -> Path:
    """The third-party reference datasets (read at test time only, never copied)."""
    if not SHARED_DATA.is_dir():
        unavailable(f"third-party reference data not found at {SHARED_DATA} "
                    "(set SHELFCHECK_SHARED_DATA to the folder holding cosing_inci.csv)")
    return SHARED_DATA


@pytest.fixture
def cosing_csv() -> Path:
    """The CosIng inventory in the reference data (third-party, read at test time, never copied).

    The tests that need it skip with a one-line reason when it is not there.
    """
    path = SHARED_DATA / "cosing_inci.csv"
    if not path.is_file():
        pytest.skip(f"needs the CosIng inventory {path} (third-party reference data, not in the repository)")
    return path
