"""`shelfcheck data pull` against the sandbox's generated tree, then `check` with what was pulled."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from typer.testing import CliRunner

from helpers import write_csv
from shelfcheck.cli.main import app
from shelfcheck.datasets.platform import load_platform
from shelfcheck.policy import load_policy, split_path
from shelfcheck.sandbox.catalog import SandboxCatalog
from tiktok_helpers import running_sandbox

runner = CliRunner()


def test_the_sandbox_tree_is_generated_deep_and_deterministic() -> None:
    pack = load_policy(None)
    one, two = SandboxCatalog(pack), SandboxCatalog(pack)
    assert [(n.id, n.path) for n in one.nodes.values()] == [(n.id, n.path) for n in two.nodes.values()]
    assert 2000 <= len(one.nodes) <= 6000
    depth = Counter(n.path.count(">") for n in one.nodes.values())
    assert depth[1] > 100 and depth[2] > 500 and depth[3] > 0
    for entry in pack.categories:
        segments = split_path(entry.path)
        if len(segments) > 1:
            continue
        below = [n for n in one.nodes.values() if split_path(n.path)[0] == segments[0]]
        assert any(n.path.count(">") == 2 for n in below), entry.path  # every first level has three levels
        assert all(n.is_leaf == (not n.children) for n in below)
    # the sample leaves the other sandbox tests publish to stay leaves
    assert next(n for n in one.nodes.values() if n.path == "Home Supplies > Storage & Organisation").is_leaf


def test_the_sandbox_rules_have_conditions_and_size_charts() -> None:
    catalog = SandboxCatalog(load_policy(None))
    leaves = [n for n in catalog.nodes.values() if n.is_leaf]
    attributes = [a for n in leaves[:400] for a in catalog.attributes(n)["attributes"]]
    assert any(a["requirement_conditions"] for a in attributes)
    assert any(a["value_data_format"] == "POSITIVE_INT_OR_DECIMAL" for a in attributes)
    rules = [catalog.rules(n) for n in leaves]
    assert any(c["requirement_conditions"] for r in rules for c in r["product_certifications"])
    assert any(r["size_chart"]["is_required"] for r in rules)
    ebike = next(n for n in leaves if n.name == "E-bikes")
    assert any(c["is_required"] for c in catalog.rules(ebike)["product_certifications"])


def test_pull_from_the_sandbox_then_check(tmp_path: Path) -> None:
    catalog = write_csv(tmp_path / "catalog.csv", [
        {"seller_sku": "EB-1", "title": "Wireless Earbuds Bluetooth 5.3", "category": "Phones & Electronics > Audio",
         "price": "19.99", "quantity": "5"},
        {"seller_sku": "EB-2", "title": "Wireless Earbuds Bluetooth 5.3",
         "category": "Phones & Electronics > Audio > Earbuds", "price": "19.99", "quantity": "5",
         "attributes": "Contains Batteries or Cells?: Batteries Built In; Warranty Period: 1 Year"},
        {"seller_sku": "TS-1", "title": "Cotton Blouse for Women",
         "category": "Womenswear & Underwear > Women's Tops > Blouses", "price": "9.99", "quantity": "5",
         "attributes": "Material: Silk"},
        {"seller_sku": "XX-1", "title": "Gadget", "category": "Phones & Electronics > Gadgets > Widgets",
         "price": "9.99", "quantity": "5"},
    ])
    with running_sandbox() as (base, _):
        result = runner.invoke(app, ["data", "pull", "--endpoint", base, "--catalog", str(catalog)])
    assert result.exit_code == 0, result.output
    data = load_platform()
    assert data is not None and len(data.nodes) > 2000 and len(data.rules) == 2 and len(data.attributes) == 2
    assert "rules and attributes of 2 leaves" in result.output
    out = runner.invoke(app, ["check", str(catalog), "--format", "json"])
    report = json.loads(out.stdout)
    by_row = {row["row"]: {f["code"]: f for f in row["findings"]} for row in report["listings"]}
    not_leaf = by_row[2]["category_not_leaf"]
    assert not_leaf["evidence"]["suggestions"][0] == "Phones & Electronics > Audio > Earbuds"
    missing = [f for f in report["listings"][1]["findings"] if f["code"] == "attribute_missing"]
    assert "Battery Type" in {f["evidence"]["attribute"] for f in missing}
    assert any(f["evidence"]["condition"] for f in missing)
    assert by_row[4]["attribute_value_invalid"]["evidence"]["value"] == "Silk"
    assert "size_chart_missing" in by_row[4]
    assert by_row[5]["category_not_on_platform"]["evidence"]["known_part"] == "Phones & Electronics"
    assert [n["code"] for n in report["summary"]["notes"] if n["code"].startswith("category")] == \
        ["category_tree_used"]


def test_pull_without_credentials_is_one_line(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("SHELFCHECK_APP_KEY", raising=False)
    monkeypatch.delenv("SHELFCHECK_APP_SECRET", raising=False)
    result = runner.invoke(app, ["data", "pull", "--endpoint", "https://open-api.example.invalid"])
    assert result.exit_code == 2 and len(result.stderr.strip().splitlines()) == 1
    assert "SHELFCHECK_APP_KEY" in result.stderr


def test_pull_with_a_catalogue_without_categories_is_one_line(tmp_path: Path) -> None:
    catalog = write_csv(tmp_path / "catalog.csv", [{"seller_sku": "A", "title": "A thing"}])
    result = runner.invoke(app, ["data", "pull", "--endpoint", "http://127.0.0.1:9", "--catalog", str(catalog)])
    assert result.exit_code == 2 and str(catalog) in result.stderr and "Traceback" not in result.output
