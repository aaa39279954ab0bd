"""Missing optional parts skip with their reason on a bare machine, and fail where CI requires them."""

from __future__ import annotations

from pathlib import Path

import pytest

import conftest
from optional import REQUIRE_ENV, unavailable


def test_skip_by_default_fail_when_required(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(REQUIRE_ENV, raising=False)
    with pytest.raises(pytest.skip.Exception, match="chromium not found"):
        unavailable("chromium not found")
    monkeypatch.setenv(REQUIRE_ENV, "1")
    with pytest.raises(pytest.fail.Exception, match="chromium not found.*is set"):
        unavailable("chromium not found")


def test_missing_reference_data_names_the_folder(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    missing = tmp_path / "nowhere"
    monkeypatch.setattr(conftest, "SHARED_DATA", missing)
    monkeypatch.delenv(REQUIRE_ENV, raising=False)
    with pytest.raises(pytest.skip.Exception, match=str(missing)):
        conftest.shared_data.__wrapped__()
