"""Every user-facing text of the ledger, inventory and diagnosis commands exists in en and zh."""

from __future__ import annotations

from importlib import resources

import yaml

from shelfcheck.i18n import Catalogue


def _load(lang: str) -> dict:
    return yaml.safe_load((resources.files("shelfcheck.i18n") / lang / "ledger.yaml").read_text("utf-8"))


def test_same_keys_and_placeholders_in_both_languages() -> None:
    en, zh = _load("en"), _load("zh")
    assert set(en) == set(zh)
    for section in ("ui", "reasons"):
        assert set(en[section]) == set(zh[section]), section
        for key, text in en[section].items():
            assert Catalogue.placeholders(text) == Catalogue.placeholders(zh[section][key]), key
            assert zh[section][key].strip() and zh[section][key] != text or key.startswith("col_"), key
    for code in ("sku_locked", "sku_failures_near_limit", "resubmit_unchanged"):
        assert {"message", "fix"} <= set(en[code])
        assert {"summary", "why", "message", "fix"} <= set(zh[code])


def test_every_ui_key_the_commands_use_is_defined() -> None:
    import re
    from pathlib import Path

    import shelfcheck

    root = Path(shelfcheck.__file__).parent
    used: set[str] = set()
    for name in ("cli/ledger.py", "cli/inventory.py", "cli/diagnose.py", "diagnose/levels.py"):
        used |= set(re.findall(r'\.ui\("([a-z_]+)"', (root / name).read_text("utf-8")))
    used = {key for key in used if not key.endswith("_")}
    used |= {f"check_{k}" for k in ("store_compliant", "app_active", "test_listing")}
    used |= {f"outcome_{k}" for k in ("failed", "passed")}
    used |= {f"level_{k}" for k in ("failure_reason", "documents", "inventory_sync", "escalation")}
    used |= {f"result_{k}" for k in ("ok", "problem", "skipped", "unknown")}
    used |= {f"verdict_{k}" for k in ("fix_listing", "fix_documents", "calibrate_inventory", "escalate",
                                      "no_problem_found", "system_problem", "data_problem")}
    used |= {f"triage_next_{k}" for k in ("system_problem", "data_problem")}
    defined = set(_load("en")["ui"]) | set(yaml.safe_load((root / "i18n/en/ui.yaml").read_text("utf-8"))["ui"])
    assert used and used <= defined, used - defined
    zh_defined = set(_load("zh")["ui"]) | set(yaml.safe_load((root / "i18n/zh/ui.yaml").read_text("utf-8"))["ui"])
    assert used <= zh_defined, used - zh_defined
