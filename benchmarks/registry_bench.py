"""Registry speed and memory: import N listings, then list/filter queries, on SQLite or PostgreSQL.

Listings are generated from the real Finnish E-PRTR facilities (locations and off-site waste
tonnages, ../shared/data/prtr-finland, MIT) with LoW codes drawn from the shipped list.

    .venv/bin/python benchmarks/registry_bench.py --rows 10000 [--database-url URL] [--repeat 5]

Writes a Markdown result to benchmarks/results/registry-<date>.md (with machine and commit).
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import random
import resource
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path

from machine import cpu_model, git_commit
from sidestream.db import make_engine, session_factory, upgrade
from sidestream.interop.readers import read_rows
from sidestream.interop.service import import_listings
from sidestream.registry.service import StreamFilter, list_streams
from sidestream.taxonomy.waste_codes import waste_codes

ROOT = Path(__file__).resolve().parents[1]
PRTR = ROOT.parent / "shared" / "data" / "prtr-finland"


def facilities() -> list[dict[str, str]]:
    """Finnish facilities with coordinates (one row per facility)."""
    with (PRTR / "facilities.csv").open(encoding="utf-8") as fh:
        rows = {r["Facility_INSPIRE_ID"]: r for r in csv.DictReader(fh, delimiter=";")}
    return [r for r in rows.values() if r["pointGeometryLat"] and r["pointGeometryLon"]]


def tonnages() -> list[float]:
    """Real annual off-site waste transfers in tonnes."""
    with (PRTR / "waste_transfers.csv").open(encoding="utf-8") as fh:
        return [
            float(r["totalWasteQuantityTNE"])
            for r in csv.DictReader(fh, delimiter=";")
            if r["totalWasteQuantityTNE"]
        ]


def generate(n: int, seed: int = 7) -> bytes:
    """``n`` listings in JSON Lines."""
    rng = random.Random(seed)
    sites, tons = facilities(), tonnages()
    codes = [c for c, w in waste_codes().items() if not w.hazardous]
    out = io.StringIO()
    for i in range(n):
        f = rng.choice(sites)
        code = rng.choice(codes)
        row = {
            "id": f"b{i}",
            "direction": rng.choice(["offer", "need"]),
            "title": waste_codes()[code].description[:200],
            "kind": "material",
            "waste_code": code,
            "organisation": f["nameOfFeature"][:200],
            "quantity": round(rng.choice(tons), 1),
            "unit": "t",
            "period": "per-year",
            "lat": float(f["pointGeometryLat"]),
            "lon": float(f["pointGeometryLon"]),
        }
        out.write(json.dumps(row, ensure_ascii=False) + "\n")
    return out.getvalue().encode()


def machine() -> str:
    """Cores, CPU model and git commit, recorded beside every result."""
    return f"{os.cpu_count()} cores, {cpu_model()}; commit {git_commit()}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--rows", type=int, default=10000)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--database-url", default=None)
    args = ap.parse_args()
    payload = generate(args.rows)
    tmp = tempfile.mkdtemp()
    url = args.database_url or f"sqlite:///{tmp}/bench.db"
    upgrade(url)
    engine = make_engine(url)
    sessions = session_factory(engine)

    t0 = time.perf_counter()
    with sessions() as s:
        report = import_listings(s, read_rows(io.BytesIO(payload), "jsonl"))
        s.commit()
    first = time.perf_counter() - t0
    t0 = time.perf_counter()
    with sessions() as s:
        import_listings(s, read_rows(io.BytesIO(payload), "jsonl"))
        s.commit()
    again = time.perf_counter() - t0

    queries = {
        "list page of 50": StreamFilter(),
        "filter kind+direction": StreamFilter(kind="material", direction="offer"),
        "filter code prefix 02": StreamFilter(code="02"),
        "text search 'sludge'": StreamFilter(q="sludge"),
        "bbox southern Finland": StreamFilter(bbox=(21.0, 60.0, 27.0, 61.5)),
    }
    timings = {}
    with sessions() as s:
        for name, f in queries.items():
            runs = []
            for _ in range(args.repeat):
                t = time.perf_counter()
                list_streams(s, f, limit=50)
                runs.append((time.perf_counter() - t) * 1000)
            timings[name] = statistics.median(runs)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    backend = url.split(":", 1)[0].split("+")[0]
    lines = [
        f"# Registry benchmark {date.today()}",
        "",
        f"Machine: {machine()}. Backend: {backend}. Rows: {args.rows} generated from the Finnish "
        "E-PRTR facilities. Command: `python benchmarks/registry_bench.py "
        f"--rows {args.rows}{' --database-url ...' if args.database_url else ''}`.",
        "",
        "| step | result |",
        "|---|---|",
        f"| first import ({report.created} new) | {first:.1f} s "
        f"({args.rows / first:,.0f} rows/s) |",
        f"| re-import (all updates) | {again:.1f} s ({args.rows / again:,.0f} rows/s) |",
    ]
    lines += [f"| query: {k} (median of {args.repeat}) | {v:.1f} ms |" for k, v in timings.items()]
    lines += [f"| peak RSS | {rss:.0f} MiB |", ""]
    text = "\n".join(lines)
    print(text)
    out = ROOT / "benchmarks" / "results" / f"registry-{backend}-{date.today()}.md"
    out.write_text(text)


if __name__ == "__main__":
    main()
