"""Docs and code stay in step: every code documented, translated, and in the default policy."""

from __future__ import annotations

import pytest

import shelfcheck
from shelfcheck.i18n import catalogue
from shelfcheck.policy import load_policy
from shelfcheck.rules import DOC_SECTIONS, RULES

CODES = sorted(RULES)


@pytest.mark.parametrize("code", CODES)
def test_rule_docstring_has_every_section(code: str) -> None:
    doc = RULES[code].doc
    assert doc.summary and not doc.summary.endswith(":"), code
    for section in DOC_SECTIONS:
        assert doc.sections.get(section, "").strip(), f"{code}: docstring lacks '{section}:'"


@pytest.mark.parametrize("code", CODES)
def test_messages_exist_in_both_languages(code: str) -> None:
    en, zh = catalogue("en"), catalogue("zh")
    for key in ("message", "fix"):
        assert en.has(code, key), f"en {code}.{key}"
        assert zh.has(code, key), f"zh {code}.{key}"
    for key in ("summary", "why"):
        assert zh.has(code, key), f"zh {code}.{key}"
    # the same placeholders in both languages, so the same finding fills both
    for key in ("message", "fix"):
        assert en.placeholders(en.entries[code][key]) == zh.placeholders(zh.entries[code][key]), (code, key)


def test_catalogues_hold_no_unknown_codes() -> None:
    for lang in ("en", "zh"):
        assert set(catalogue(lang).entries) <= set(RULES), lang


def test_default_policy_lists_every_code_with_the_contract_severity() -> None:
    policy = load_policy()
    assert set(policy.rules) == set(RULES)
    for code, setting in policy.rules.items():
        assert setting.severity == RULES[code].severity.label, code


def test_reason_keys_translated_in_both_languages() -> None:
    assert set(catalogue("en").reasons) == set(catalogue("zh").reasons)


def test_public_api_is_exactly_all() -> None:
    import types

    # dir(): the public names load on first use, so they are not all in vars() yet
    public = {name for name in dir(shelfcheck)
              if not name.startswith("_") and not isinstance(getattr(shelfcheck, name), types.ModuleType)}
    assert public == set(shelfcheck.__all__) - {"__version__"}
    assert all(hasattr(shelfcheck, name) for name in shelfcheck.__all__)
