"""Where the time of the 100,000-row check goes, parent and workers, sampled by py-spy.

Usage: python bench/profile.py [--rows 100000] [--rate 200]

Runs ``bench/run.py``'s data generation if needed, fills the image cache, then samples one
``shelfcheck check`` of the big catalogue with ``py-spy record --subprocesses`` and prints, for
the parent and for the workers, the share of samples spent in each stage (inclusive) and the
functions that hold the most samples themselves. The raw stacks are kept in
``bench/results/profile-<rows>.txt`` (collapsed format: flamegraph.pl or speedscope read it).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections import Counter, defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from run import generate  # noqa: E402  (the benchmark's own data)

# Stages in order of precedence: a stack belongs to the first stage one of its functions names.
STAGES = [
    ("start-up: imports", {"_find_and_load"}),
    ("worker waiting for a chunk", {"Queue.get"}),
    ("rendering JSON", {"finish_chunk", "render_listing", "listing_text"}),
    ("rules", {"Checker.check"}),
    ("building listings", {"CatalogSource.make_listing", "Listing.main_images"}),
    ("noting SKUs and images", {"Engine._prepare_rows", "Engine._prepare", "ImagePrep.known"}),
    ("reading records", {"csv_records", "rows", "_chunks"}),
    ("sending and receiving chunks", {"RuleWorkers.submit", "Queue._feed", "_ConnectionBase.send",
                                      "_ConnectionBase.recv"}),
    ("waiting for a worker", {"RuleWorkers.collect", "RuleWorkers.ready"}),
    ("images for the chunk", {"_worker_main.<locals>.<dictcomp>"}),
    ("writing the report", {"write_json"}),
    ("start-up: policy, datasets, inputs", {"prepare", "load_policy", "load_datasets"}),
]
_NAME = re.compile(r"^(\S+) \(")


def _stage(frames: list[str]) -> str:
    names = {m.group(1) for m in map(_NAME.match, frames) if m}
    for stage, marks in STAGES:
        if names & marks:
            return stage
    return "other"


def summarise(raw: Path) -> None:
    stages: dict[str, Counter[str]] = defaultdict(Counter)
    leaves: dict[str, Counter[str]] = defaultdict(Counter)
    totals: Counter[str] = Counter()
    for line in raw.read_text("utf-8", "replace").splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        frames = stack.split(";")
        role = "parent"
        for k, frame in enumerate(frames):
            if frame.startswith("_worker_main "):  # a forked worker: drop the parent's frames it inherited
                role, frames = "worker", frames[k:]
                break
        n = int(count)
        totals[role] += n
        stages[role][_stage(frames)] += n
        leaves[role][frames[-1]] += n
    for role in ("parent", "worker"):
        if not totals[role]:
            continue
        print(f"\n{role}: {totals[role]} samples")
        for name, n in stages[role].most_common():
            print(f"  {100 * n / totals[role]:5.1f} %  {name}")
        print("  most samples themselves:")
        for frame, n in leaves[role].most_common(8):
            print(f"  {100 * n / totals[role]:5.1f} %  {frame}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--rate", type=int, default=200, help="samples a second")
    args = parser.parse_args()
    # next to this Python first: `make profile` installs it into the environment, which need not be on PATH
    beside = Path(sys.executable).parent / "py-spy"
    spy = str(beside) if beside.is_file() else shutil.which("py-spy")
    if spy is None:
        print("py-spy is not installed: pip install py-spy", file=sys.stderr)
        return 2
    paths = generate(args.rows)
    out = HERE / "results" / f"profile-{args.rows}.txt"
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as root:
        env = dict(os.environ, SHELFCHECK_CACHE_DIR=str(Path(root) / "cache"),
                   SHELFCHECK_DATA_DIR=str(Path(root) / "data"))
        check = [sys.executable, "-m", "shelfcheck", "check", str(paths["big"]), "--as-of", "2024-08-01",
                 "--format", "json", "--output", os.devnull]
        subprocess.run(check, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fill the cache
        done = subprocess.run([spy, "record", "--subprocesses", "--format", "raw", "--rate", str(args.rate),
                               "--output", str(out), "--", *check], env=env, capture_output=True, text=True)
    if not out.exists():
        print(f"py-spy failed: {done.stderr.strip()}", file=sys.stderr)
        return 2
    summarise(out)
    print(f"\nraw stacks in {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
