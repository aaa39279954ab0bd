#!/usr/bin/env python3
"""Write examples/categories.json: the sandbox's category tree, with the rules and attributes of
the leaves the example catalogue uses — the same data `shelfcheck data pull --endpoint
<sandbox> --catalog examples/catalog.csv` stores, as one bundle of official response shapes.

Import it with `shelfcheck data import tiktok-categories examples/categories.json --shop sandbox`.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from shelfcheck.datasets.platform import PlatformCategories, parse_categories
from shelfcheck.datasets.pull import catalog_categories, leaves_for
from shelfcheck.policy import load_policy
from shelfcheck.sandbox.catalog import SandboxCatalog

HERE = Path(__file__).resolve().parent


def main() -> None:
    pack = load_policy(None)
    sandbox = SandboxCatalog(pack)
    tree = {"categories": sandbox.categories()}
    data = PlatformCategories("sandbox", dt.date(2024, 8, 1), "sandbox", parse_categories(tree))
    leaves, _ = leaves_for(data, catalog_categories(HERE / "catalog.csv"), pack)
    bundle = {"categories": {"code": 0, "message": "Success", "data": tree},
              "rules": {leaf: sandbox.rules(sandbox.get(leaf)) for leaf in leaves},
              "attributes": {leaf: sandbox.attributes(sandbox.get(leaf)) for leaf in leaves}}
    (HERE / "categories.json").write_text(json.dumps(bundle, ensure_ascii=False, indent=1), "utf-8")


if __name__ == "__main__":
    main()
