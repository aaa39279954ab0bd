"""shelfcheck benchmark: each measure a ratio of two timings taken in the same run.

Run ``--repeat`` times (default 5); every measure reports the ratio of the best timings and the
ratio of the medians.

  (S)   ``shelfcheck --version`` / ``python -c pass`` (wall, each the best or median of
        ``--startup-runs`` launches).                                              target ≤ 10
  (S1)  ``shelfcheck check`` of a one-row catalogue (photos cached) / ``python -c pass``.
                                                                                   target ≤ 25
  (A')  cold ``check`` of 400 SKUs × 3 product photos (empty analysis cache, in this process) /
        the floor: decoding every one of those photos at 1/8 scale (``Image.draft``) across the
        same number of processes.                                                  target ≤ 1.2
  (AF)  the same cold check / the floor of an exact check: decoding every photo at full scale,
        same processes. The check judges every photo at full scale (a 1/8-scale pixel is the mean
        of an 8×8 block and can hide darker pixels), so (A') cannot reach 1.2.      target ≤ 1.2
  (A)   the naive baseline kept: the cold check / reading the CSV and fully decoding and measuring
        every photo in one process.                                                target ≤ 0.35
  (B)   warm re-run (photos unchanged) / the cold check, both as ``shelfcheck check`` commands
        (start-up included: what a user waits for).                                target ≤ 0.08
  (B0)  the same in this process (no start-up), the earlier form of (B).           target ≤ 0.20
  (C)   ``shelfcheck check`` of a 100,000-row catalogue (JSON report written) / a plain
        ``csv.DictReader`` pass over the same file. Its rows name the same 1,200 photos as (A), so
        their analyses are cached: (C) measures catalogue throughput.               target ≤ 4
  (CL)  (C) with a default ledger (``~/.shelfcheck/ledger.db``) holding 1,000 of its SKUs'
        history / (C) without one.                                                 target ≤ 1.2
  (C10) a catalogue ten times the size of (C) (``--rows-c10``, default 1,000,000 rows) / (C);
        linear is 10.                                                              target ≤ 11
  (F)   ``fix`` of the (A') catalogue with an empty analysis cache, in this process (check, fix,
        write the copy and its images, check the copy) / the cold check of (A').    target ≤ 3
  (M)   peak memory of (C): the proportional set size (PSS) of the whole process tree, sampled
        every 0.1 s in separate runs (sampling costs CPU the timed runs do not pay); (M10) the same
        for (C10) — flat memory means (M10) close to (M).                          target ≤ 300 MB

Every command runs with a fresh home folder (no ledger unless (CL) puts one there), its own cache
folder, and Python's bytecode cache enabled, as an installed package has it.

Usage: python bench/run.py [--out bench/results/latest.json] [--rows 100000] [--rows-c10 1000000]
                           [--repeat 5] [--c10-runs N] [--startup-runs 15] [--skip MEASURE ...]
The data is generated once into bench/data/ (not committed) and reused.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import math
from concurrent.futures import ProcessPoolExecutor

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
DATA_VERSION = "2"  # the catalogues (2: products with variants and the whole record)
IMAGES_VERSION = "1"  # the photos
TARGETS = {"S": 10.0, "S1": 25.0, "A'": 1.2, "AF": 1.2, "A": 0.35, "B": 0.08, "B0": 0.20, "C": 4.0, "CL": 1.2,
           "C10": 11.0, "F": 3.0, "M_mb": 300.0}
LEDGER_SKUS = 1_000


# Data ---------------------------------------------------------------------------------------
def _photo(rng: np.random.Generator, kind: str) -> Image.Image:
    """A product-like photo: a shaded object with a soft shadow and some texture."""
    size = 1080
    background = {"white": 255, "near": 250, "grey": 214, "cream": None}[kind]
    bg = (255, 249, 232) if kind == "cream" else (background,) * 3
    img = Image.new("RGB", (size, size), bg)
    shadow = Image.new("L", (size, size), 0)
    sd = ImageDraw.Draw(shadow)
    cx, cy = rng.integers(420, 660, 2)
    w, h = rng.integers(260, 380, 2)
    sd.ellipse([cx - w, cy + h - 40, cx + w, cy + h + 50], fill=90)
    shadow = shadow.filter(ImageFilter.GaussianBlur(30))
    img.paste((120, 120, 120), mask=shadow)
    base = np.array(rng.integers(20, 220, 3))
    yy, xx = np.mgrid[0:size, 0:size]
    shade = ((xx - cx) * 0.15 + (yy - cy) * 0.25)[..., None]
    texture = rng.normal(0, 6, (size, size, 1))
    obj = np.clip(base + shade + texture, 0, 255).astype(np.uint8)
    mask = Image.new("L", (size, size), 0)
    md = ImageDraw.Draw(mask)
    shape = rng.integers(0, 3)
    box = [cx - w, cy - h, cx + w, cy + h]
    if shape == 0:
        md.rounded_rectangle(box, radius=40, fill=255)
    elif shape == 1:
        md.ellipse(box, fill=255)
    else:
        md.polygon([(cx, cy - h), (cx + w, cy + h), (cx - w, cy + h)], fill=255)
    img.paste(Image.fromarray(obj), mask=mask)
    return img


def generate(rows_c: int) -> dict[str, Path]:
    """Write the images and catalogues once; return their paths."""
    stamp = DATA / f".complete-{DATA_VERSION}-{rows_c}"
    paths = {"small": DATA / "catalog_400.csv", "big": DATA / f"catalog_{rows_c}.csv"}
    if stamp.exists():
        return paths
    (DATA / "img").mkdir(parents=True, exist_ok=True)
    names = [f"img/p{i:04d}.jpg" for i in range(1200)]
    if not (DATA / f".images-{IMAGES_VERSION}").exists():
        rng = np.random.default_rng(2024)
        kinds = ["white"] * 85 + ["near"] * 7 + ["grey"] * 5 + ["cream"] * 3
        for i, name in enumerate(names):
            _photo(rng, kinds[i % len(kinds)]).save(DATA / name, "JPEG", quality=int(rng.integers(82, 93)))
        (DATA / f".images-{IMAGES_VERSION}").write_text("ok\n")
    with paths["small"].open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(HEADER)
        for i in range(400):  # a product of its own each: 1,200 distinct photos
            writer.writerow(_bench_row(i, names[3 * i: 3 * i + 3], product=False))
    with paths["big"].open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(HEADER)
        for i in range(rows_c):
            writer.writerow(_bench_row(i, _product_images(i)))
    stamp.write_text("ok\n")
    return paths


# A catalogue as an ERP exports it today (contract §2): products of four colour variants, each
# SKU its own price and stock, the product's description, package weight and dimensions.
HEADER = ["product_key", "seller_sku", "title", "description", "category", "brand", "sales_attributes",
          "price", "quantity", "main_images", "package_weight", "package_length", "package_width",
          "package_height", "country_of_origin", "origin_label", "manufacturer_name", "manufacturer_address"]
VARIANTS = 4
_COLOURS = ("Clear", "White", "Grey", "Blue")


def _product_images(i: int) -> list[str]:
    p = i // VARIANTS
    return [f"img/p{(7 * p + k) % 1200:04d}.jpg" for k in range(3)]


def _bench_row(i: int, images: list[str], *, product: bool = True) -> list[str]:
    p = i // VARIANTS if product else i
    return [f"BP-{p:06d}" if product else "", f"BN-{i:06d}", f"Stackable Storage Box with Lid, Model {p}, 12 L",
            f"<p>Stackable storage box, model {p}, with a snap-on lid. Holds 12 litres; food-safe "
            "polypropylene, BPA free.</p><ul><li>Size: 15 x 11 x 8 in</li><li>Stacks three high</li>"
            "<li>In the box: 1 box, 1 lid</li></ul>",
            "Home Supplies > Storage & Organisation", "Tidyhome",
            f"Color: {_COLOURS[i % VARIANTS]}" if product else "", f"{10 + p % 20}.99", str(i % 300),
            "|".join(images), "1.8 lb", "16 in", "12 in", "9 in", "China", "Made in China",
            "Ningbo Tidyhome Plastics Co., Ltd.",
            "No. 88 Jiangnan Road, Yinzhou District, Ningbo, Zhejiang 315100, China"]


def generate_more(paths: dict[str, Path], rows_c10: int) -> dict[str, Path]:
    """The one-row catalogue of (S1) and the big one of (C10), written once next to the others."""
    with paths["small"].open(encoding="utf-8", newline="") as fh:
        header, first = list(csv.reader(fh))[:2]
    one = DATA / "catalog_1.csv"
    with one.open("w", newline="", encoding="utf-8") as fh:  # cheap: written every run
        csv.writer(fh).writerows([header, first])
    big = DATA / f"catalog_{rows_c10}.csv"
    stamp = DATA / f".complete-{DATA_VERSION}-{rows_c10}"
    if rows_c10 and not stamp.exists():
        with big.open("w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerow(header)
            for i in range(rows_c10):
                writer.writerow(_bench_row(i, _product_images(i)))
        stamp.write_text("ok\n")
    return {**paths, "one": one, "c10": big}


def seed_ledger(home: Path, rows_c: int) -> Path:
    """A default ledger in ``home`` holding history for ``LEDGER_SKUS`` of the catalogue's SKUs."""
    from sqlalchemy import insert

    from shelfcheck.ledger import open_ledger
    from shelfcheck.ledger.models import Attempt

    db = home / ".shelfcheck" / "ledger.db"
    db.parent.mkdir(parents=True, exist_ok=True)
    step = max(1, rows_c // LEDGER_SKUS)
    start = dt.datetime(2024, 7, 1, tzinfo=dt.timezone.utc)
    rows = []
    for n, i in enumerate(range(0, rows_c, step)[:LEDGER_SKUS]):
        for k in range(3):  # two failures, then a pass; every tenth SKU fails four times in a row
            failed = k < 2 or n % 10 == 0
            rows.append({"seller_sku": f"BN-{i:06d}", "outcome": "failed" if failed else "passed",
                         "reasons": ["title_too_short"] if failed else [], "content_hash": f"{n:032x}{k:032x}",
                         "attempted_at": start + dt.timedelta(days=n % 30, hours=k),
                         "recorded_at": start, "source": "bench"})
    with open_ledger(str(db)) as ledger:
        with ledger.engine.begin() as conn:  # type: ignore[union-attr]
            conn.execute(insert(Attempt), rows)
    return db


# Baselines ----------------------------------------------------------------------------------
def naive_images(catalog: Path) -> float:
    """Read the CSV and fully decode and measure every image, one process."""
    start = time.perf_counter()
    base = catalog.parent
    for record in csv.DictReader(catalog.open(encoding="utf-8")):
        for ref in record["main_images"].split("|"):
            with Image.open(base / ref) as img:
                arr = np.asarray(img.convert("RGB"))
            b = max(1, round(min(arr.shape[:2]) * 0.02))
            for band in (arr[:b], arr[-b:], arr[:, :b], arr[:, -b:]):
                lo, hi = band.min(axis=2), band.max(axis=2)
                float(((lo >= 245) & (hi - lo <= 10)).mean())
    return time.perf_counter() - start


def dictreader_pass(catalog: Path) -> float:
    start = time.perf_counter()
    for _ in csv.DictReader(catalog.open(encoding="utf-8")):
        pass
    return time.perf_counter() - start


def _decode_eighth(path: str) -> int:
    with Image.open(path) as img:
        img.draft("RGB", (math.ceil(img.size[0] / 8), math.ceil(img.size[1] / 8)))
        img.load()
        return img.size[0]


def _decode_full(path: str) -> int:
    with Image.open(path) as img:
        img.load()
        return img.size[0]


def floor_decode(catalog: Path, jobs: int, *, full: bool = False) -> float:
    """The floor of a cold check: every photo decoded at 1/8 scale (``full``: at full scale),
    across ``jobs`` processes."""
    start = time.perf_counter()
    base = catalog.parent
    paths = sorted({str(base / ref) for record in csv.DictReader(catalog.open(encoding="utf-8"))
                    for ref in record["main_images"].split("|")})
    import multiprocessing

    with ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("fork")) as pool:
        list(pool.map(_decode_full if full else _decode_eighth, paths, chunksize=max(1, len(paths) // (jobs * 4))))
    return time.perf_counter() - start


def launches(cmd: list[str], env: dict[str, str], runs: int) -> list[float]:
    """Wall time of ``runs`` launches of a command."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        done = subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        times.append(time.perf_counter() - start)
        if done.returncode not in (0, 1):
            raise SystemExit(f"{' '.join(cmd)} failed ({done.returncode}): {done.stderr.decode(errors='replace')}")
    return times


# shelfcheck runs ----------------------------------------------------------------------------
def check_in_process(catalog: Path) -> float:
    """A whole check (inputs, images, rules, JSON report) inside this process tree."""
    from shelfcheck.api import prepare
    from shelfcheck.i18n import catalogue
    from shelfcheck.reporters.json import write_json

    start = time.perf_counter()
    run = prepare(catalog, as_of=dt.date(2024, 8, 1))
    with open(os.devnull, "w", encoding="utf-8") as out:
        write_json(run.header(), run.shop_findings, run.results(), out, catalogue("en"))
    return time.perf_counter() - start


def fix_in_process(catalog: Path, out: Path) -> float:
    """A whole ``fix`` (check, fixed copy and images, change log, check of the copy) in this process tree."""
    import shelfcheck

    start = time.perf_counter()
    shelfcheck.fix(catalog, out, as_of=dt.date(2024, 8, 1))
    return time.perf_counter() - start


def _tree_pss_mb(root: int) -> float:
    """Proportional set size of a process and its descendants, in MB (Linux /proc)."""
    pids, frontier = {root}, [root]
    while frontier:
        pid = frontier.pop()
        try:
            children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        except OSError:
            children = []
        for child in map(int, children):
            if child not in pids:
                pids.add(child)
                frontier.append(child)
    total = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total / 1024


def check_command(catalog: Path, env: dict[str, str], *, sample: bool = False) -> tuple[float, float]:
    """``shelfcheck check`` as a command; returns (seconds, peak PSS of the tree in MB).

    Memory is sampled only when asked: reading /proc costs CPU the timing should not pay.
    """
    cmd = [sys.executable, "-m", "shelfcheck", "check", str(catalog), "--as-of", "2024-08-01",
           "--format", "json", "--output", os.devnull]
    peak = 0.0
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    stop = threading.Event()

    def sample_memory() -> None:
        nonlocal peak
        while not stop.is_set():
            peak = max(peak, _tree_pss_mb(proc.pid))
            time.sleep(0.1)

    sampler = threading.Thread(target=sample_memory, daemon=True)
    if sample:
        sampler.start()
    _, err = proc.communicate()
    elapsed = time.perf_counter() - start
    stop.set()
    if sample:
        sampler.join()
    if proc.returncode not in (0, 1):
        raise SystemExit(f"shelfcheck failed ({proc.returncode}): {err.decode(errors='replace')}")
    return elapsed, peak


def command_env(root: Path, name: str, *, home: Path | None = None, cache: str | None = None) -> dict[str, str]:
    """The environment of one command: its own home (no ledger unless asked) and cache folder."""
    env = {k: v for k, v in os.environ.items() if k not in ("SHELFCHECK_DB", "PYTHONDONTWRITEBYTECODE")}
    env["HOME"] = str(home if home is not None else root / "home-empty")
    env["SHELFCHECK_CACHE_DIR"] = str(root / (cache or f"cache-{name}"))
    Path(env["HOME"]).mkdir(parents=True, exist_ok=True)
    return env


def _per_run(values: list[float], group: int) -> list[float]:
    """The best of each run's ``group`` consecutive timings."""
    return [min(values[i:i + group]) for i in range(0, len(values), group)]


def _ratio(top: list[float], bottom: list[float], group: int = 1) -> list[float]:
    """The ratio measured in each run (numerator and denominator from the same run)."""
    return [a / b for a, b in zip(_per_run(top, group), _per_run(bottom, group))]


def summarise(t: dict[str, list[float]], startup_runs: int) -> dict[str, dict[str, object]]:
    """Each measure: the best and the median of its per-run ratios, against its target."""
    ratios: dict[str, list[float]] = {}
    if t.get("version"):
        ratios["S"] = _ratio(t["version"], t["pass"], startup_runs)
        ratios["S1"] = _ratio(t["check1"], t["pass"], startup_runs)
    if t.get("cold"):
        ratios["A'"] = _ratio(t["cold"], t["floor"])
        if t.get("floor_full"):
            ratios["AF"] = _ratio(t["cold"], t["floor_full"])
        if t.get("naive"):
            ratios["A"] = _ratio(t["cold"], t["naive"])
        ratios["B0"] = _ratio(t["warm"], t["cold"])
        if t.get("fix"):
            ratios["F"] = _ratio(t["fix"], t["cold"])
    if t.get("cold_cmd"):
        ratios["B"] = _ratio(t["warm_cmd"], t["cold_cmd"])
    if t.get("big"):
        ratios["C"] = _ratio(t["big"], t["reader"])
    if t.get("big_ledger"):
        ratios["CL"] = _ratio(t["big_ledger"], t["big"])
    if t.get("c10"):
        ratios["C10"] = _ratio(t["c10"], t["big"])  # the runs that measured (C10): the first ones
    measures: dict[str, dict[str, object]] = {
        k: {"best": round(min(v), 3), "median": round(statistics.median(v), 3), "runs": [round(x, 3) for x in v],
            "target": TARGETS[k], "met": min(v) <= TARGETS[k]} for k, v in ratios.items()}
    if t.get("peak"):
        measures["M_mb"] = {"best": round(min(t["peak"]), 1), "median": round(statistics.median(t["peak"]), 1),
                            "highest": round(max(t["peak"]), 1), "target": TARGETS["M_mb"],
                            "met": max(t["peak"]) <= TARGETS["M_mb"]}
    return measures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=HERE / "results" / "latest.json")
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--rows-c10", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5, help="runs of each measurement")
    parser.add_argument("--c10-runs", type=int, default=None, help="runs that measure (C10) too (default: all)")
    parser.add_argument("--startup-runs", type=int, default=15, help="launches per run for (S) and (S1)")
    parser.add_argument("--skip", nargs="*", default=[], choices=["S", "A", "naive", "B", "C", "CL", "C10", "M", "F"],
                        help="measures to leave out (A covers A', A, B0 and F; naive only the naive "
                             "baseline of A; C also CL, C10 and M)")
    args = parser.parse_args()
    skip = set(args.skip)
    paths = generate_more(generate(args.rows), args.rows_c10 if "C10" not in skip else 0)
    jobs = os.cpu_count() or 1
    print(f"data in {DATA}; {args.repeat} runs, {jobs} processes")
    t: dict[str, list[float]] = {k: [] for k in (
        "pass", "version", "check1", "naive", "floor", "floor_full", "cold", "warm", "cold_cmd", "warm_cmd", "reader",
        "fix", "big", "big_ledger", "c10", "peak", "peak_c10")}
    python = sys.executable
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        os.environ["SHELFCHECK_DATA_DIR"] = str(root / "data")
        os.environ.pop("SHELFCHECK_DB", None)
        ledger_home = root / "home-ledger"
        if not skip & {"C", "CL"}:
            seed_ledger(ledger_home, args.rows)
        check = [python, "-m", "shelfcheck", "check"]
        tail = ["--as-of", "2024-08-01", "--format", "json", "--output", os.devnull]
        warm_env = command_env(root, "warm", cache="cache-shared")
        launches(check + [str(paths["small"])] + tail, warm_env, 1)  # fill the shared cache, write bytecode
        for attempt in range(args.repeat):
            line = [f"  run {attempt + 1}:"]
            if "S" not in skip:
                env = command_env(root, "startup", cache="cache-shared")
                for _ in range(args.startup_runs):  # interleaved, so a busy moment hits all three alike
                    t["pass"] += launches([python, "-c", "pass"], env, 1)
                    t["version"] += launches([python, "-m", "shelfcheck", "--version"], env, 1)
                    t["check1"] += launches(check + [str(paths["one"])] + tail, env, 1)
                line.append(f"pass {min(t['pass'][-args.startup_runs:]) * 1000:.0f} ms "
                            f"--version {min(t['version'][-args.startup_runs:]) * 1000:.0f} ms "
                            f"1-row {min(t['check1'][-args.startup_runs:]) * 1000:.0f} ms")
            if "A" not in skip:
                os.environ["SHELFCHECK_CACHE_DIR"] = str(root / f"cache-a-{attempt}")
                if "naive" not in skip:
                    t["naive"].append(naive_images(paths["small"]))
                t["floor"].append(floor_decode(paths["small"], jobs))
                t["floor_full"].append(floor_decode(paths["small"], jobs, full=True))
                t["cold"].append(check_in_process(paths["small"]))
                t["warm"].append(check_in_process(paths["small"]))
                naive = t['naive'][-1] if t['naive'] else float('nan')
                line.append(f"naive {naive:.2f}s floor {t['floor'][-1]:.2f}s full {t['floor_full'][-1]:.2f}s "
                            f"cold {t['cold'][-1]:.2f}s warm {t['warm'][-1]:.3f}s")
                if "F" not in skip:
                    os.environ["SHELFCHECK_CACHE_DIR"] = str(root / f"cache-f-{attempt}")
                    t["fix"].append(fix_in_process(paths["small"], root / f"fixed-{attempt}"))
                    line.append(f"fix {t['fix'][-1]:.2f}s")
            if "B" not in skip:
                env = command_env(root, f"b-{attempt}")
                t["cold_cmd"].append(check_command(paths["small"], env)[0])
                t["warm_cmd"].append(check_command(paths["small"], env)[0])
                line.append(f"cold command {t['cold_cmd'][-1]:.2f}s warm {t['warm_cmd'][-1]:.3f}s")
            if "C" not in skip:
                t["reader"].append(dictreader_pass(paths["big"]))
                t["big"].append(check_command(paths["big"], warm_env)[0])
                line.append(f"reader {t['reader'][-1]:.2f}s {args.rows} rows {t['big'][-1]:.2f}s")
                if "CL" not in skip:
                    env = command_env(root, "ledger", home=ledger_home, cache="cache-shared")
                    t["big_ledger"].append(check_command(paths["big"], env)[0])
                    line.append(f"with a ledger {t['big_ledger'][-1]:.2f}s")
                if "M" not in skip:
                    t["peak"].append(check_command(paths["big"], warm_env, sample=True)[1])
                    line.append(f"peak {t['peak'][-1]:.0f} MB")
                if "C10" not in skip and attempt < (args.c10_runs or args.repeat):
                    seconds, peak = check_command(paths["c10"], warm_env, sample=attempt == 0)
                    t["c10"].append(seconds)
                    if attempt == 0:
                        t["peak_c10"].append(peak)
                    line.append(f"{args.rows_c10} rows {seconds:.1f}s"
                                + (f" peak {peak:.0f} MB" if attempt == 0 else ""))
            print(" ".join(line), flush=True)
    best = summarise(t, args.startup_runs)
    result = {
        "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                    "platform": platform.platform(), "processor": platform.machine(),
                    "load_average_at_end": list(os.getloadavg())},
        "runs": args.repeat, "c10_runs": min(args.c10_runs or args.repeat, args.repeat),
        "startup_runs": args.startup_runs, "rows_c": args.rows, "rows_c10": args.rows_c10,
        "skipped": sorted(skip),
        "measures": best,
        "seconds": {k: {"best": round(min(v), 4), "median": round(statistics.median(v), 4),
                        "all": [round(x, 4) for x in v]}
                    for k, v in t.items() if v and not k.startswith("peak")},
        "peak_mb": {k: [round(x, 1) for x in t[k]] for k in ("peak", "peak_c10") if t[k]},
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n", "utf-8")
    print()
    names = {"S": "--version / python -c pass", "S1": "1-row check / python -c pass",
             "A'": "cold check / 1/8-scale decode floor",
             "AF": "cold check / full-scale decode floor", "A": "cold check / naive full decode",
             "B": "warm / cold, as commands", "B0": "warm / cold, in process",
             "C": f"{args.rows}-row check / DictReader", "CL": "(C) with a ledger / (C)",
             "C10": f"{args.rows_c10}-row check / (C)", "F": "fix / cold check", "M_mb": "peak memory of (C), MB"}
    for key, m in best.items():
        print(f"({key:4}) {names[key]:40} best {m['best']:8.3f}  median {m['median']:8.3f}  "  # type: ignore[str-format]
              f"target ≤ {m['target']}  {'met' if m['met'] else 'NOT MET'}")
    if t["peak_c10"]:
        print(f"(M10)  peak memory of (C10), MB {max(t['peak_c10']):.0f}")
    print(f"results written to {args.out}")
    return 0 if all(m["met"] for m in best.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
