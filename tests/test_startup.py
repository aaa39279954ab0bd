"""Start-up: a command imports only what it uses (the speed itself is measured in bench/)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from time import time_ns

import pytest

import shelfcheck
from shelfcheck.cli.main import COMMANDS, app

SRC = str(Path(shelfcheck.__file__).resolve().parent.parent)
HEAVY = ("shelfcheck.engine", "shelfcheck.api", "shelfcheck.rules", "shelfcheck.policy", "shelfcheck.model",
         "pydantic", "numpy", "PIL", "sqlalchemy", "alembic", "yaml", "rich")


def _modules_after(code: str, tmp_path: Path) -> tuple[set[str], str]:
    """The modules loaded by a fresh interpreter running ``code``, and what it printed."""
    probe = (
        "import json, sys\n"
        f"{code}\n"
        "sys.stderr.write('\\nMODULES ' + json.dumps(sorted(sys.modules)) + '\\n')\n"
    )
    env = {**os.environ, "PYTHONPATH": SRC + os.pathsep + os.environ.get("PYTHONPATH", ""),
           "HOME": str(tmp_path)}
    done = subprocess.run([sys.executable, "-c", probe], check=False, capture_output=True, text=True, env=env,
                          timeout=120)
    assert "MODULES " in done.stderr, done.stderr
    listed = done.stderr.rsplit("MODULES ", 1)[1]
    return set(json.loads(listed)), done.stdout


def _heavy(modules: set[str]) -> list[str]:
    return sorted(m for m in modules if any(m == h or m.startswith(h + ".") for h in HEAVY))


def test_version_imports_no_engine_models_or_libraries(tmp_path: Path) -> None:
    code = ("from shelfcheck.cli.main import main\n"
            "try:\n    main(['--version'])\nexcept SystemExit as exc:\n    assert exc.code == 0, exc.code")
    modules, out = _modules_after(code, tmp_path)
    assert out.strip() == f"shelfcheck {shelfcheck.__version__}"
    assert _heavy(modules) == []
    assert not any(m.startswith("shelfcheck.cli.") and m not in ("shelfcheck.cli.main", "shelfcheck.cli.common")
                   for m in modules), sorted(m for m in modules if m.startswith("shelfcheck.cli."))


def test_python_m_shelfcheck_version_is_the_same(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": SRC, "HOME": str(tmp_path)}
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "shelfcheck", "--version"],
                          check=False, capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0 and done.stdout.strip() == f"shelfcheck {shelfcheck.__version__}"
    imported = {line.rsplit("|", 1)[1].strip() for line in done.stderr.splitlines() if line.startswith("import time:")}
    assert "shelfcheck.cli.main" in imported  # the probe works
    assert _heavy(imported) == []


def test_import_shelfcheck_is_cheap_and_names_load_on_use(tmp_path: Path) -> None:
    modules, _ = _modules_after("import shelfcheck", tmp_path)
    assert _heavy(modules) == []
    modules, out = _modules_after("import shelfcheck\nprint(shelfcheck.Severity.ERROR.name)", tmp_path)
    assert out.strip() == "ERROR" and "shelfcheck.findings" in modules and "shelfcheck.engine" not in modules
    for name in shelfcheck.__all__:  # every public name resolves
        assert getattr(shelfcheck, name) is not None
    assert set(shelfcheck.__all__) <= set(dir(shelfcheck))
    with pytest.raises(AttributeError):
        shelfcheck.no_such_name  # noqa: B018


def test_a_command_loads_only_its_own_module(tmp_path: Path) -> None:
    code = ("from shelfcheck.cli.main import main\n"
            "try:\n    main(['ledger', '--help'])\nexcept SystemExit:\n    pass")
    modules, out = _modules_after(code, tmp_path)
    assert "record" in out and "shelfcheck.cli.ledger" in modules
    assert not {"shelfcheck.cli.sandbox", "shelfcheck.cli.publish", "shelfcheck.cli.data", "shelfcheck.engine",
                "sqlalchemy"} & modules


def test_every_command_in_the_table_loads_and_help_lists_them_in_order(tmp_path: Path) -> None:
    import typer.main

    group = typer.main.get_command(app)
    assert group.list_commands(None) == list(COMMANDS)  # type: ignore[attr-defined, arg-type]
    for name in COMMANDS:
        command = group.get_command(None, name)  # type: ignore[attr-defined, arg-type]
        assert command is not None and command.name == name, name
    assert group.get_command(None, "no-such-command") is None  # type: ignore[attr-defined, arg-type]


def test_a_mistyped_command_suggests_the_right_one(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": SRC, "HOME": str(tmp_path)}
    done = subprocess.run([sys.executable, "-m", "shelfcheck", "chek"], check=False, capture_output=True, text=True,
                          env=env, timeout=120)
    assert done.returncode == 2
    assert "No such command 'chek'" in done.stderr and "Did you mean 'check'" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_parsed_catalogues_are_reused_only_while_their_files_are_unchanged(tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    from shelfcheck import i18n

    cache = tmp_path / "cache"
    monkeypatch.setenv("SHELFCHECK_CACHE_DIR", str(cache))
    source = tmp_path / "family.yaml"
    source.write_text("code_one:\n  message: first\n", "utf-8")
    hour_ago = time_ns() - 3600 * 10**9
    os.utime(source, ns=(hour_ago, hour_ago))
    assert i18n._parsed("xx", [source]) == [{"code_one": {"message": "first"}}]
    copy = cache / "i18n-xx.json"
    kept = json.loads(copy.read_text("utf-8"))
    kept["data"] = [{"code_one": {"message": "from the copy"}}]
    copy.write_text(json.dumps(kept), "utf-8")
    assert i18n._parsed("xx", [source]) == [{"code_one": {"message": "from the copy"}}]  # current: used
    source.write_text("code_one:\n  message: edited\n", "utf-8")  # another size and mtime
    assert i18n._parsed("xx", [source]) == [{"code_one": {"message": "edited"}}]
    kept = json.loads(copy.read_text("utf-8"))
    kept["data"] = [{"code_one": {"message": "stale"}}]
    copy.write_text(json.dumps(kept), "utf-8")
    assert i18n._parsed("xx", [source]) == [{"code_one": {"message": "edited"}}]  # made too soon after the edit
    copy.write_text("{not json", "utf-8")
    assert i18n._parsed("xx", [source]) == [{"code_one": {"message": "edited"}}]
    i18n.catalogue.cache_clear()
    try:
        fresh = i18n.catalogue("en")
        i18n.catalogue.cache_clear()
        again = i18n.catalogue("en")  # from the copy the first call wrote (the package files are old)
    finally:
        i18n.catalogue.cache_clear()
    assert (fresh.entries, fresh.reasons, fresh.ui_text) == (again.entries, again.reasons, again.ui_text)
    assert (cache / "i18n-en.json").exists()


def test_the_check_path_loads_no_http_client_and_no_database(tmp_path: Path) -> None:
    # the category rules read the payload's attribute tables; the Open API client (httpx) and the
    # ledger's database side (SQLAlchemy) load only for the commands that talk to them
    modules, _ = _modules_after("import shelfcheck.api, shelfcheck.tiktok.payload", tmp_path)
    assert "shelfcheck.rules.category_rules" in modules  # the probe works
    assert not {m.split(".")[0] for m in modules} & {"httpx", "sqlalchemy", "alembic", "scipy"}
    modules, out = _modules_after("import shelfcheck.tiktok as t\nprint(t.ApiClient.__name__)", tmp_path)
    assert out.strip() == "ApiClient" and "httpx" in modules  # the package's names still resolve, on use


def test_a_policy_pack_is_rebuilt_from_its_copy_only_while_its_files_are_unchanged(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from shelfcheck.policy import builtin_policies, loader

    monkeypatch.setenv("SHELFCHECK_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.chdir(tmp_path)
    for name in builtin_policies():  # every built-in pack reads back as the very same pack
        loader._load_cached.cache_clear()
        validated = loader.load_policy(name)
        dumped = validated.model_dump(mode="json")
        rebuilt = loader._construct(type(validated), dumped)
        assert rebuilt == validated and rebuilt.model_dump(mode="json") == dumped, name
    pack = tmp_path / "mine.yaml"
    pack.write_text("extends: tiktok-us-2024-07\nname: mine\ntitle:\n  min_length: 12\n", "utf-8")
    hour_ago = time_ns() - 3600 * 10**9
    os.utime(pack, ns=(hour_ago, hour_ago))
    loader._load_cached.cache_clear()
    first = loader.load_policy("mine.yaml")
    copies = list((tmp_path / "cache").glob("policy-*.json"))
    kept = next(c for c in copies if json.loads(c.read_text("utf-8"))["data"]["name"] == "mine")
    payload = json.loads(kept.read_text("utf-8"))
    assert any(name.endswith("mine.yaml") for name, _, _ in payload["files"])  # the pack's own file
    payload["data"]["title"]["min_length"] = 13  # the copy, not the YAML, is what a current copy gives
    kept.write_text(json.dumps(payload), "utf-8")
    loader._load_cached.cache_clear()
    assert first.title.min_length == 12 and loader.load_policy("mine.yaml").title.min_length == 13
    pack.write_text("extends: tiktok-us-2024-07\nname: mine\ntitle:\n  min_length: 14\n", "utf-8")  # edited
    loader._load_cached.cache_clear()
    assert loader.load_policy("mine.yaml").title.min_length == 14
    kept.write_text("{not json", "utf-8")
    loader._load_cached.cache_clear()
    assert loader.load_policy("mine.yaml").title.min_length == 14
    loader._load_cached.cache_clear()


def test_a_one_row_ascii_check_loads_no_unicode_regex_nor_ingredient_analysis(tmp_path: Path) -> None:
    catalog = tmp_path / "one.csv"
    catalog.write_text("seller_sku,title,category,brand,price,quantity\n"
                       "BN-000001,\"Stackable Storage Box with Lid, 12 L, Clear\","
                       "Home Supplies > Storage & Organisation,Tidyhome,10.99,5\n", "utf-8")
    code = ("import os\n"
            f"os.environ['SHELFCHECK_CACHE_DIR'] = {str(tmp_path / 'cache')!r}\n"
            f"os.environ['SHELFCHECK_DATA_DIR'] = {str(tmp_path / 'data')!r}\n"
            "from shelfcheck.cli.main import main\n"
            "try:\n"
            f"    main(['check', {str(catalog)!r}, '--as-of', '2024-08-01', '--format', 'json'])\n"
            "except SystemExit as exc:\n    assert exc.code in (0, 1), exc.code")
    modules, out = _modules_after(code, tmp_path)
    assert json.loads(out)["summary"]["listings"] == 1 and "shelfcheck.rules.ingredients" in modules
    assert not {"regex", "shelfcheck.analysis.cpi"} & modules  # loaded for non-ASCII text, beauty rows
    han = tmp_path / "han.csv"
    han.write_text(catalog.read_text("utf-8").replace("Clear", "Clear \u84dd"), "utf-8")  # a Han character
    modules, out = _modules_after(code.replace(str(catalog), str(han)), tmp_path)
    assert json.loads(out)["listings"][0]["findings"][0]["code"] == "title_not_english"
    assert "regex" in modules  # the Unicode script patterns load when a text needs them


def test_a_second_check_without_ingredients_reads_no_yaml_and_no_inci_tables(tmp_path: Path) -> None:
    catalog = tmp_path / "catalog.csv"
    catalog.write_text("seller_sku,title,category,price,quantity\n"
                       "BOX-1,Storage Box with Lid,Home Supplies > Storage & Organisation,10.99,5\n", "utf-8")
    env_code = (f"import os\nos.environ['SHELFCHECK_CACHE_DIR'] = {str(tmp_path / 'cache')!r}\n"
                "from shelfcheck.cli.main import main\n"
                f"try:\n    main(['check', {str(catalog)!r}, '--format', 'json', '--output', os.devnull])\n"
                "except SystemExit as exc:\n    assert exc.code in (0, 1), exc.code")
    first, _ = _modules_after(env_code, tmp_path)
    assert "yaml" in first  # the package's tables are parsed once, then kept as JSON copies
    again, _ = _modules_after(env_code, tmp_path)
    assert "shelfcheck.engine" in again  # the check ran
    assert not {"yaml", "rapidfuzz", "shelfcheck.analysis.inci"} & again


def test_package_yaml_is_reparsed_when_its_file_changes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from shelfcheck.copies import package_yaml

    monkeypatch.setenv("SHELFCHECK_CACHE_DIR", str(tmp_path / "cache"))
    source = tmp_path / "table.yaml"
    source.write_text("names: [a, b]\n", "utf-8")
    hour_ago = time_ns() - 3600 * 10**9
    os.utime(source, ns=(hour_ago, hour_ago))
    assert package_yaml(source, "table") == {"names": ["a", "b"]}
    assert (tmp_path / "cache" / "table.json").is_file()
    assert package_yaml(source, "table") == {"names": ["a", "b"]}  # from the copy
    source.write_text("names: [a, b, c]\n", "utf-8")
    assert package_yaml(source, "table") == {"names": ["a", "b", "c"]}
