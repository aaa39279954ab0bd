"""shelfcheck benchmark: ratios against naive baselines, run in one process tree.

  (A) cold ``check`` of 400 SKUs × 3 distinct product photos (empty analysis cache), against the
      naive baseline: read the CSV, fully decode every image with Pillow and measure its border,
      in one process.                                                         target ≤ 0.35
  (B) warm re-run with the images unchanged, against (A).                      target ≤ 0.20
  (C) ``shelfcheck check`` of a 100,000-row catalogue (the command, JSON report written), against
      a plain ``csv.DictReader`` pass over the same file. Its rows name the same 1,200 photos as
      (A), so their analyses are in the cache (A) filled: (C) measures catalogue throughput;
      image decoding is what (A) measures. The cold variant is reported too.   target ≤ 10
  (M) peak memory of (C): the proportional set size (PSS) of the whole process tree, sampled
      every 0.1 s in separate runs (sampling costs CPU the timed runs do not pay).
                                                                               target ≤ 600 MB

Usage: python bench/run.py [--out bench/results/latest.json] [--rows 100000]
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

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
DATA_VERSION = "1"
TARGETS = {"A": 0.35, "B": 0.20, "C": 10.0, "M_mb": 600.0}


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
    rng = np.random.default_rng(2024)
    kinds = ["white"] * 85 + ["near"] * 7 + ["grey"] * 5 + ["cream"] * 3
    names = []
    for i in range(1200):
        kind = kinds[i % len(kinds)]
        name = f"img/p{i:04d}.jpg"
        _photo(rng, kind).save(DATA / name, "JPEG", quality=int(rng.integers(82, 93)))
        names.append(name)
    header = ["seller_sku", "title", "category", "brand", "price", "quantity", "main_images",
              "country_of_origin", "origin_label", "manufacturer_name", "manufacturer_address"]

    def row(i: int, images: list[str]) -> list[str]:
        return [f"BN-{i:06d}", f"Stackable Storage Box with Lid, Model {i}, 12 L, Clear",
                "Home Supplies > Storage & Organisation", "Tidyhome", f"{10 + i % 20}.99", str(i % 300),
                "|".join(images), "China", "Made in China", "Ningbo Tidyhome Plastics Co., Ltd.",
                "No. 88 Jiangnan Road, Yinzhou District, Ningbo, Zhejiang 315100, China"]

    with paths["small"].open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        for i in range(400):
            writer.writerow(row(i, names[3 * i: 3 * i + 3]))
    with paths["big"].open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        for i in range(rows_c):
            writer.writerow(row(i, [names[(7 * i + k) % 1200] for k in range(3)]))
    stamp.write_text("ok\n")
    return paths


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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=HERE / "results" / "latest.json")
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3, help="runs of each measurement; the best counts")
    args = parser.parse_args()
    paths = generate(args.rows)
    print(f"data in {DATA}")
    with tempfile.TemporaryDirectory() as cache_root:
        os.environ["SHELFCHECK_DATA_DIR"] = str(Path(cache_root) / "data")
        best: dict[str, list[float]] = {"naive": [], "cold": [], "warm": [], "reader": [], "big": [],
                                         "big_cold": [], "peak": []}
        for attempt in range(args.repeat):
            os.environ["SHELFCHECK_CACHE_DIR"] = str(Path(cache_root) / f"cache-{attempt}")
            best["naive"].append(naive_images(paths["small"]))
            best["cold"].append(check_in_process(paths["small"]))
            best["warm"].append(check_in_process(paths["small"]))
            best["reader"].append(dictreader_pass(paths["big"]))
            seconds, _ = check_command(paths["big"], dict(os.environ))  # the cache (A) filled
            best["big"].append(seconds)
            cold_env = dict(os.environ, SHELFCHECK_CACHE_DIR=str(Path(cache_root) / f"big-{attempt}"))
            cold_seconds, cold_peak = check_command(paths["big"], cold_env, sample=True)
            best["big_cold"].append(cold_seconds)
            _, peak = check_command(paths["big"], dict(os.environ), sample=True)
            best["peak"].extend([cold_peak, peak])
            print(f"  run {attempt + 1}: naive {best['naive'][-1]:.2f}s cold {best['cold'][-1]:.2f}s "
                  f"warm {best['warm'][-1]:.3f}s reader {best['reader'][-1]:.2f}s "
                  f"100k {seconds:.2f}s (photos not cached {cold_seconds:.2f}s) peak {max(peak, cold_peak):.0f} MB")
    m = {k: min(v) for k, v in best.items()}
    med = {k: statistics.median(v) for k, v in best.items() if k != "peak"}
    ratios = {"A": m["cold"] / m["naive"], "B": m["warm"] / m["cold"], "C": m["big"] / m["reader"],
              "M_mb": max(best["peak"])}
    extra = {"C_cold_images": round(m["big_cold"] / m["reader"], 2),
             "C_median_of_runs": round(med["big"] / med["reader"], 2)}
    result = {
        "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                    "platform": platform.platform(), "processor": platform.machine()},
        "seconds": m,
        "median_seconds": med,
        "ratios": {k: round(v, 3) for k, v in ratios.items()},
        "targets": TARGETS,
        "met": {k: ratios[k] <= TARGETS[k] for k in TARGETS},
        "extra": extra,
        "rows_c": args.rows,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n", "utf-8")
    print()
    print(f"(A) cold check / naive full decode   {ratios['A']:.3f}  (target ≤ {TARGETS['A']})")
    print(f"(B) warm re-run / cold check          {ratios['B']:.3f}  (target ≤ {TARGETS['B']})")
    print(f"(C) 100k-row check / DictReader pass  {ratios['C']:.2f}   (target ≤ {TARGETS['C']}; "
          f"{extra['C_median_of_runs']} from the medians; {extra['C_cold_images']} with the photos not yet cached)")
    print(f"(M) peak memory of (C)                {ratios['M_mb']:.0f} MB (target ≤ {TARGETS['M_mb']:.0f} MB)")
    print(f"results written to {args.out}")
    return 0 if all(result["met"].values()) else 1


if __name__ == "__main__":
    sys.exit(main())
