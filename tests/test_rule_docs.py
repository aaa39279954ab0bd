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


def test_severity_is_declared_once_in_the_pack() -> None:
    from shelfcheck.findings import Severity
    from shelfcheck.rules.registry import rule

    assert RULES["image_duplicate"].severity is Severity.WARNING  # from the pack's rules: block
    with pytest.raises(ValueError, match="declare it in the pack only"):
        rule("image_duplicate", family="images", severity=Severity.ERROR)(lambda c: iter(()))
    with pytest.raises(ValueError, match="no severity in the built-in policy pack"):
        rule("not_in_the_pack", family="images")(lambda c: iter(()))
    assert "not_in_the_pack" not in RULES


# PENDING: rules/ledger.py (its owner is changing it) still has its own ``Fix:`` sections; the
# documentation shows the catalogue's fix for these codes as for every other.
_FIX_IN_DOCSTRING_PENDING = {"ledger"}


@pytest.mark.parametrize("code", CODES)
def test_fix_text_has_one_source(code: str) -> None:
    """The fix is the catalogue's, in both languages: the docstring does not restate it."""
    if RULES[code].family not in _FIX_IN_DOCSTRING_PENDING:
        assert "Fix" not in RULES[code].doc.sections, f"{code}: the fix belongs in i18n/en, not the docstring"
    from shelfcheck.rules.docs import rule_text

    for lang in ("en", "zh"):
        assert rule_text(code, lang).fix, (code, lang)


def test_reason_keys_translated_in_both_languages() -> None:
    assert set(catalogue("en").reasons) == set(catalogue("zh").reasons)


def test_public_api_is_exactly_all() -> None:
    import types

    # dir(): the public names load on first use, so they are not all in vars() yet; a callable
    # package (shelfcheck.fix) is a public function, a plain submodule is not
    def public_value(value: object) -> bool:
        return not isinstance(value, types.ModuleType) or callable(value)

    public = {name for name in dir(shelfcheck) if not name.startswith("_") and public_value(getattr(shelfcheck, name))}
    assert public == set(shelfcheck.__all__) - {"__version__"}
    assert all(hasattr(shelfcheck, name) for name in shelfcheck.__all__)


def test_readme_lists_every_finding_code() -> None:
    from pathlib import Path

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text("utf-8")
    missing = sorted(code for code in RULES if f"`{code}`" not in readme)
    assert not missing, f"README's 'What it checks' table does not name {missing}"
