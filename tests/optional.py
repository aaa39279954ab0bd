"""Optional parts of the test suite: third-party reference data, Chromium, PostgreSQL.

A fresh clone with nothing beside it runs every test that needs only Python; a test that needs an
optional part skips with a one-line reason naming what is missing and how to get it. CI sets
``SHELFCHECK_REQUIRE_OPTIONAL=1`` (see ``.ci/run``), which turns every such skip into a failure, so
nothing is silently left out there.
"""

from __future__ import annotations

import os
from typing import NoReturn

import pytest

__all__ = ["REQUIRE_ENV", "required", "unavailable"]

REQUIRE_ENV = "SHELFCHECK_REQUIRE_OPTIONAL"


def required() -> bool:
    """Whether a missing optional part fails the run instead of skipping."""
    return os.environ.get(REQUIRE_ENV, "").strip().lower() in {"1", "true", "yes"}


def unavailable(reason: str) -> NoReturn:
    """Skip the calling test (or fixture) for ``reason``; fail instead when parts are required."""
    if required():
        pytest.fail(f"{reason} ({REQUIRE_ENV} is set, so this is a failure, not a skip)")
    pytest.skip(reason)
