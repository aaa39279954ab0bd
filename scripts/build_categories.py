"""Write the ``categories:`` block of the default policy pack from the category table.

Usage: python scripts/build_categories.py ../shared/data/tiktok_us_categories.csv

The category table is the project's own research (path, id, permission, aliases, source); this
prints it as YAML to paste into ``src/shelfcheck/policy/packs/tiktok-us-2024-07.yaml``.
"""

import csv
import sys

import yaml


def main(path: str) -> None:
    entries = []
    with open(path, encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            entry = {"path": row["path"], "id": row["category_id"] or None,
                     "permission": row["permission"],
                     "aliases": [a for a in row["aliases"].split("|") if a],
                     "source": row["source"]}
            entries.append(entry)
    print("categories:")
    for entry in entries:
        line = yaml.safe_dump(entry, allow_unicode=True, sort_keys=False, default_flow_style=True,
                              width=1000).strip()
        print(f"  - {line}")


if __name__ == "__main__":
    main(sys.argv[1])
