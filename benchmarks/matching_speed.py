"""Speed of listing matching on a generated registry of realistic streams.

Usage: ``.venv/bin/python benchmarks/matching_speed.py [--registry 100000] [--batch 10000]
[--queries 200] [--texts 300] [--out benchmarks/results/matching-speed-DATE.md]``

Streams are placed at Finnish E-PRTR facilities (``shared/data/prtr-finland``: lon/lat jittered
by a few km, annual tonnages from the reported waste transfers) with LoW codes drawn from the
chapters that fit each facility's E-PRTR activity, and receiving NACE classes from the
knowledge base. Measures (1) one new offer against an index of N needs (median/p95 over 200
offers, index build reported apart), (2) all offers × all needs at B × B, top 20 each, (3)
the peak resident memory of the process and (4) what embedding a text no cache holds costs
(the registry's titles repeat, so (1) and (2) embed a few hundred texts once; a registry of
distinct texts pays (4) once per text, then reads them from the on-disk cache).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import platform
import resource
import time
from pathlib import Path

import numpy as np

from machine import git_commit
from sidestream.matching.engine import MatchIndex
from sidestream.matching.schemas import Listing
from sidestream.matching.sectors import sector_model
from sidestream.matching.semantic import clip_text
from sidestream.taxonomy.waste_codes import waste_codes

PRTR = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "prtr-finland"
#: E-PRTR activity (first digit) -> LoW chapters its wastes typically come from.
CHAPTERS = {
    "1": ["10", "19"], "2": ["10", "11", "12"], "3": ["01", "10", "17"], "4": ["06", "07"],
    "5": ["19", "20"], "6": ["03"], "7": ["02"], "8": ["02"], "9": ["04", "08", "14"],
}  # fmt: skip


def _facilities() -> list[dict[str, str]]:
    prtr = PRTR if PRTR.exists() else Path("/work/shared/data/prtr-finland")
    with (prtr / "facilities.csv").open(encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh, delimiter=";") if r["pointGeometryLat"]]
    with (prtr / "waste_transfers.csv").open(encoding="utf-8") as fh:
        tonnes = [float(r["totalWasteQuantityTNE"] or 0) for r in csv.DictReader(fh, delimiter=";")]
    positive = [t for t in tonnes if t > 0]
    for i, row in enumerate(rows):
        row["tonnes"] = str(positive[i % len(positive)])
    return rows


def generate(n: int, direction: str, seed: int) -> list[Listing]:
    """``n`` offers or needs at PRTR facilities with plausible codes, kinds and quantities."""
    rng = np.random.default_rng(seed)
    facilities = _facilities()
    by_chapter: dict[str, list[str]] = {}
    for code in waste_codes():
        by_chapter.setdefault(code[:2], []).append(code)
    classes = sector_model().classes
    entries = waste_codes()
    out: list[Listing] = []
    for k in range(n):
        f = facilities[int(rng.integers(len(facilities)))]
        lat = float(f["pointGeometryLat"]) + rng.normal(0, 0.03)
        lon = float(f["pointGeometryLon"]) + rng.normal(0, 0.05)
        roll = rng.random()
        common = {"id": f"{direction[0]}{k}", "direction": direction, "lat": lat, "lon": lon}
        if roll < 0.12:
            temperature = float(rng.uniform(35, 95))
            out.append(Listing(**common, kind="energy", title="Surplus heat, hot water",
                               quantity=float(rng.uniform(1, 50)), unit="GWh",
                               properties={"temperature_c": temperature}))  # fmt: skip
            continue
        if roll < 0.20:
            out.append(Listing(**common, kind="water", title="Process water",
                               quantity=float(rng.uniform(1e3, 1e6)), unit="m3"))  # fmt: skip
            continue
        chapters = CHAPTERS.get(f["mainActivityCode"][:1], ["20"])
        code = rng.choice(by_chapter[chapters[int(rng.integers(len(chapters)))]])
        tonnes = float(f["tonnes"]) * rng.uniform(0.2, 1.5)
        if direction == "offer":
            out.append(Listing(**common, kind="material", title=entries[code].description,
                               waste_code=code, quantity=tonnes, unit="t"))  # fmt: skip
        else:
            nace = classes[int(rng.integers(len(classes)))]
            title = f"Raw material: {entries[code].description}"
            out.append(Listing(**common, kind="material", title=title, organisation_nace=nace,
                               quantity=tonnes, unit="t",
                               waste_code=code if rng.random() < 0.5 else None))  # fmt: skip
    return out


def _embedding_ms(n: int) -> float:
    """Milliseconds a text for embedding ``n`` distinct texts no cache holds (the bulk figures
    above reuse the generated registry's few hundred titles, embedded once per process)."""
    model = sector_model().encoder
    if model is None or n < 1:
        return float("nan")
    rng = np.random.default_rng(5)
    entries = [w.description for w in waste_codes().values()]
    texts = [clip_text(f"{entries[int(rng.integers(len(entries)))]}, lot {k}") for k in range(n)]
    t0 = time.perf_counter()
    model.model.encode(texts)  # the backend itself: neither the process nor the disk cache
    return (time.perf_counter() - t0) * 1000 / n


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    """Run the measurements and write the results file."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    today = dt.date.today().isoformat()
    parser.add_argument("--registry", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=10_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--texts", type=int, default=300, help="new texts to embed")
    parser.add_argument(
        "--out", type=Path, default=Path(f"benchmarks/results/matching-speed-{today}.md")
    )
    args = parser.parse_args()

    t0 = time.perf_counter()
    needs = generate(args.registry, "need", seed=1)
    offers = generate(args.queries, "offer", seed=2)
    gen_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    index = MatchIndex(needs)
    build_s = time.perf_counter() - t0
    index.match(offers[:1], 20)  # warm caches
    times = []
    for offer in offers:
        t = time.perf_counter()
        index.match([offer], 20)
        times.append((time.perf_counter() - t) * 1000)
    one = np.array(times)

    batch_needs = generate(args.batch, "need", seed=3)
    batch_offers = generate(args.batch, "offer", seed=4)
    t0 = time.perf_counter()
    results = MatchIndex(batch_needs).match(batch_offers, 20)
    batch_s = time.perf_counter() - t0
    found = sum(1 for r in results if r)

    embed_ms = _embedding_ms(args.texts)

    commit = git_commit()
    text = f"""# Matching speed ({today})

Machine: {platform.platform()}, Python {platform.python_version()}, {os.cpu_count()} CPU cores
Commit: {commit}. Registry generated from Finnish E-PRTR facilities (see the script).

| measurement | figure |
|---|---|
| generate {args.registry:,} + {args.queries} listings | {gen_s:.1f} s |
| build index over {args.registry:,} needs (table, TF-IDF) | {build_s:.1f} s |
| one new offer vs {args.registry:,} needs, top 20: median | {np.median(one):.1f} ms |
| one new offer vs {args.registry:,} needs, top 20: p95 | {np.percentile(one, 95):.1f} ms |
| all offers × all needs {args.batch:,} × {args.batch:,}, top 20 each, incl. index \
| {batch_s:.1f} s |
| offers with at least one match | {found:,} / {args.batch:,} |
| peak resident memory of the whole run | {_peak_mib():,.0f} MiB |
| embedding a text new to the process and the cache ({args.texts} texts, one batch) \
| {embed_ms:.1f} ms a text |
"""
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
