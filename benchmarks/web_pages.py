"""Web page response times on the demo region: median and p95 per page (target ≤ 300 ms).

Run: ``.venv/bin/python benchmarks/web_pages.py [--runs 30]`` (writes
``benchmarks/results/web-<date>.md``). The app runs in-process on a fresh SQLite database with
the demo region; each page is requested once to warm caches, then ``--runs`` times.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import select

from sidestream.api.app import create_app
from sidestream.db import make_engine, session_scope, upgrade
from sidestream.demo.builder import load_demo
from sidestream.registry.models import Stream

RESULTS = Path(__file__).parent / "results"
TARGET_MS = 300.0


def _pages(engine) -> list[tuple[str, str, dict[str, str] | None]]:  # type: ignore[no-untyped-def]
    with session_scope(engine) as session:
        offer = session.scalars(select(Stream).where(Stream.direction == "offer")).first()
        need = session.scalars(select(Stream).where(Stream.direction == "need")).first()
        org_id = offer.organisation_id
        return [
            ("GET", "/", None),
            ("GET", "/start", None),
            ("GET", f"/organisations/{org_id}", None),
            ("GET", f"/organisations/{org_id}/streams/new", None),
            ("POST", "/streams/suggest", {"description": "sawdust and bark from our sawmill"}),
            ("GET", f"/streams/{offer.id}", None),
            ("GET", f"/streams/{need.id}", None),
            ("GET", "/cases", None),
            ("GET", "/cases?q=ash&country=DK", None),
            ("GET", "/region", None),
            ("GET", "/region/optimise?carbon_price=80", None),
            ("GET", "/?lang=sl", None),
        ]


def _commit() -> str:
    out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    return out.stdout.strip() or "unknown"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/bench.db"
        upgrade(url)
        engine = make_engine(url)
        with session_scope(engine) as session:
            load_demo(session)
        rows = []
        with TestClient(create_app(engine)) as client:
            for method, path, data in _pages(engine):
                client.request(method, path, data=data).raise_for_status()
                times = []
                for _ in range(args.runs):
                    start = time.perf_counter()
                    client.request(method, path, data=data).raise_for_status()
                    times.append((time.perf_counter() - start) * 1000)
                times.sort()
                p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
                rows.append((method, path, statistics.median(times), p95))
        engine.dispose()
    today = dt.date.today().isoformat()
    lines = [
        f"# Web page response times — {today}",
        "",
        f"- machine: {platform.node()} · {platform.processor() or platform.machine()} · "
        f"{os.cpu_count()} CPUs · Python {platform.python_version()} · {platform.system()}",
        f"- commit: {_commit()}",
        f"- setup: demo region on SQLite, in-process TestClient, {args.runs} runs per page "
        "after one warm-up request; target ≤ 300 ms",
        "",
        "| page | median ms | p95 ms | within target |",
        "|---|---:|---:|---|",
    ]
    for method, path, median, p95 in rows:
        ok = "yes" if p95 <= TARGET_MS else "NO"
        lines.append(f"| {method} `{path}` | {median:.1f} | {p95:.1f} | {ok} |")
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"web-{today}.md"
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))
    print(f"\nwritten to {out}")


if __name__ == "__main__":
    main()
