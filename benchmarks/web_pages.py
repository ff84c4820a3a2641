"""Web page response times on the demo region: median and p95 per page (target ≤ 300 ms).

Run: ``.venv/bin/python benchmarks/web_pages.py [--runs 30]`` (writes
``benchmarks/results/web-<date>.md``). The app runs in-process on a fresh SQLite database with
the demo region; each page is requested once to warm caches, then ``--runs`` times, by a
visitor, the demo company admin or the demo facilitator (logged in through ``/login``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import re
import statistics
import tempfile
import time
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import select

from machine import git_commit
from sidestream.access.demo import DEMO_PASSWORD
from sidestream.access.deps import CSRF_COOKIE
from sidestream.access.models import User
from sidestream.api.app import create_app
from sidestream.db import make_engine, session_scope, upgrade
from sidestream.demo.builder import load_demo
from sidestream.registry.models import Network, Stream

RESULTS = Path(__file__).parent / "results"
TARGET_MS = 300.0


VISITOR, COMPANY, FACILITATOR = "visitor", "company-admin", "facilitator"
Page = tuple[str, str, str, dict[str, str] | None]


def _pages(engine) -> list[Page]:  # type: ignore[no-untyped-def]
    with session_scope(engine) as session:
        admin = session.scalars(
            select(User).where(User.email == f"{COMPANY}@demo.sidestream.invalid")
        ).one()
        org_id = admin.memberships[0].organisation_id
        offer = session.scalars(
            select(Stream).where(Stream.direction == "offer", Stream.organisation_id == org_id)
        ).first()
        need = session.scalars(select(Stream).where(Stream.direction == "need")).first()
        network = session.scalars(select(Network.id).order_by(Network.id)).first()
        return [
            (VISITOR, "GET", "/", None),
            (COMPANY, "GET", "/start", None),
            (COMPANY, "GET", f"/organisations/{org_id}", None),
            (COMPANY, "GET", f"/organisations/{org_id}/streams/new", None),
            (
                COMPANY,
                "POST",
                "/streams/suggest",
                {"description": "sawdust and bark from our sawmill"},
            ),
            (COMPANY, "GET", f"/streams/{offer.id}", None),
            (VISITOR, "GET", f"/streams/{need.id}", None),
            (COMPANY, "GET", "/exchanges", None),
            (VISITOR, "GET", "/cases", None),
            (VISITOR, "GET", "/cases?q=ash&country=DK", None),
            (VISITOR, "GET", "/region", None),
            (VISITOR, "GET", "/region/optimise?carbon_price=80", None),
            (FACILITATOR, "GET", f"/region?network={network}", None),
            (FACILITATOR, "GET", "/region/pipeline", None),
            (VISITOR, "GET", "/?lang=sl", None),
        ]


def _log_in(client: TestClient, who: str) -> None:
    """Log in through the login page; later requests send the CSRF header."""
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text)
    assert token
    form = {"csrf_token": token.group(1), "email": f"{who}@demo.sidestream.invalid",
            "password": DEMO_PASSWORD}  # fmt: skip
    assert client.post("/login", data=form, follow_redirects=False).status_code == 303
    client.headers["X-CSRF-Token"] = client.cookies[CSRF_COOKIE]


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
        app = create_app(engine)
        clients = {who: TestClient(app) for who in (VISITOR, COMPANY, FACILITATOR)}
        for who in (COMPANY, FACILITATOR):
            _log_in(clients[who], who)
        for who, method, path, data in _pages(engine):
            client = clients[who]
            client.request(method, path, data=data).raise_for_status()
            times = []
            for _ in range(args.runs):
                start = time.perf_counter()
                client.request(method, path, data=data).raise_for_status()
                times.append((time.perf_counter() - start) * 1000)
            times.sort()
            p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
            rows.append((who, method, path, statistics.median(times), p95))
        engine.dispose()
    today = dt.date.today().isoformat()
    lines = [
        f"# Web page response times — {today}",
        "",
        f"- machine: {platform.node()} · {platform.processor() or platform.machine()} · "
        f"{os.cpu_count()} CPUs · Python {platform.python_version()} · {platform.system()}",
        f"- commit: {git_commit()}",
        f"- setup: demo region on SQLite, in-process TestClient, {args.runs} runs per page "
        "after one warm-up request; target ≤ 300 ms",
        "",
        "| page | as | median ms | p95 ms | within target |",
        "|---|---|---:|---:|---|",
    ]
    for who, method, path, median, p95 in rows:
        ok = "yes" if p95 <= TARGET_MS else "NO"
        lines.append(f"| {method} `{path}` | {who} | {median:.1f} | {p95:.1f} | {ok} |")
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"web-{today}.md"
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))
    print(f"\nwritten to {out}")


if __name__ == "__main__":
    main()
