"""Speed of ``matches_for_stream`` on stored streams (SQLite): the demo region and 10,000 streams.

Usage: ``.venv/bin/python benchmarks/pages_matching_db.py [--streams 10000] [--queries 200]
[--out benchmarks/results/matching-db-DATE.md]``

The large registry is generated like ``matching_speed.py`` (Finnish E-PRTR facilities), half
offers and half needs, and stored as streams. Each figure is the time of one call as the API
makes it (reasons, distance and benefit estimate included) with the pool of indexed streams
already built; the first call (loading, viewing and indexing every visible stream) and the first
call after one stream changed are reported apart.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from machine import git_commit
from sidestream.access.policy import ANONYMOUS, SYSTEM
from sidestream.db import make_engine, session_factory, upgrade
from sidestream.demo.builder import load_demo
from sidestream.matching import service
from sidestream.matching.service import matches_for_stream
from sidestream.registry.models import Stream
from sidestream.taxonomy.units import annualise

sys.path.insert(0, str(Path(__file__).parent))
from matching_speed import generate


def _store(session: Session, n: int) -> None:
    """``n`` generated streams (half offers, half needs) written in bulk."""
    listings = generate(n // 2, "offer", seed=11) + generate(n - n // 2, "need", seed=12)
    rows = []
    for x in listings:
        annual = annualise(x.quantity, x.unit, x.period, x.kind) if x.quantity else None
        rows.append(
            Stream(
                external_id=x.id,
                direction=x.direction,
                kind=x.kind,
                title=x.title,
                waste_code=x.waste_code,
                quantity=x.quantity,
                unit=x.unit,
                annual_amount=annual.amount if annual else None,
                annual_unit=annual.unit if annual else None,
                properties=x.properties,
                lat=x.lat,
                lon=x.lon,
            )
        )
    session.add_all(rows)
    session.commit()


def _time(session: Session, ids: list[int], viewer) -> tuple[float, float, np.ndarray]:  # type: ignore[no-untyped-def]
    """First call (pool built from scratch), first call after one stream changed, warm calls."""
    service._pools.clear()
    t = time.perf_counter()
    matches_for_stream(session, ids[0], viewer)
    cold = time.perf_counter() - t
    matches_for_stream(session, ids[-1], viewer)  # both sides of the pool built
    session.get(Stream, ids[1]).title += " "
    session.commit()
    t = time.perf_counter()
    matches_for_stream(session, ids[0], viewer)
    changed = time.perf_counter() - t
    times = []
    for sid in ids:
        t = time.perf_counter()
        matches_for_stream(session, sid, viewer)
        times.append((time.perf_counter() - t) * 1000)
    return cold, changed, np.array(times)


def _measure(url: str, queries: int, seed: int) -> list[tuple[str, float, float, np.ndarray]]:
    session = session_factory(make_engine(url))()
    rng = np.random.default_rng(seed)
    out = []
    for direction in ("offer", "need"):
        visible = Stream.visibility.in_(("public", "anonymous"))  # queried by both viewers
        ids = session.scalars(select(Stream.id).where(Stream.direction == direction, visible)).all()
        sample = [int(i) for i in rng.choice(ids, size=min(queries, len(ids)), replace=False)]
        for name, viewer in (("system", SYSTEM), ("outsider", ANONYMOUS)):
            cold, changed, times = _time(session, sample, viewer)
            out.append((f"{direction}s, {name}", cold, changed, times))
    session.close()
    return out


def main() -> None:
    """Run the measurements and write the results file."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    today = dt.date.today().isoformat()
    parser.add_argument("--streams", type=int, default=10_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument(
        "--out", type=Path, default=Path(f"benchmarks/results/matching-db-{today}.md")
    )
    args = parser.parse_args()
    lines = []
    with tempfile.TemporaryDirectory() as tmp:
        for label, build in (
            ("demo region (229 streams)", load_demo),
            (f"generated registry ({args.streams:,} streams)", lambda s: _store(s, args.streams)),
        ):
            url = f"sqlite:///{Path(tmp) / (label.split()[0] + '.db')}"
            upgrade(url)
            with session_factory(make_engine(url))() as s:
                build(s)
                s.commit()
            for what, cold, changed, times in _measure(url, args.queries, seed=5):
                lines.append(
                    f"| {label} | {what} | {len(times)} | {np.median(times):.1f} ms "
                    f"| {np.percentile(times, 95):.1f} ms | {cold * 1000:.0f} ms "
                    f"| {changed * 1000:.0f} ms |"
                )
                print(lines[-1], flush=True)
    commit = git_commit()
    text = f"""# Matching on stored streams ({today})

Machine: {platform.platform()}, Python {platform.python_version()}, {os.cpu_count()} CPU cores
Commit: {commit}. SQLite file database; `matches_for_stream(top=10)` with reasons, distance and
benefit estimate. Warm = pool of indexed streams built. First call = pool read and indexed from
scratch (as after a restart; text embeddings come from the on-disk cache when a run before
filled it). After a change = first call after one stream's title changed (pools of 2,000
streams and more are updated incrementally, smaller ones rebuilt).

| registry | streams, viewer | calls | median (warm) | p95 (warm) | first call | after a change |
|---|---|---|---|---|---|---|
{chr(10).join(lines)}
"""
    args.out.write_text(text, encoding="utf-8")
    print(f"written {args.out}")


if __name__ == "__main__":
    main()
