"""Network optimisation benchmark: LP with 100,000 arcs and MILP with 5,000 fixed-cost arcs.

Run from the repository root: ``.venv/bin/python benchmarks/optimize_bench.py``.
Pins itself to 2 cores, times the median of several runs and writes
``benchmarks/results/optimize-<date>.md``; exits 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import statistics
import time
from pathlib import Path

import scipy

from machine import cpu_model, git_commit
from sidestream.optimize.allocation import solve_allocation
from sidestream.optimize.schemas import Allocation, parse_problem
from sidestream.optimize.synthetic import random_problem

RESULTS = Path(__file__).parent / "results"
CASES = [
    # name, offers, needs, arcs, fixed-cost share, runs, target seconds, gap
    ("LP, 100,000 candidate arcs", 2000, 2000, 100_000, 0.0, 5, 5.0, 0.0),
    ("MILP, 5,000 fixed-cost arcs", 500, 500, 5_000, 1.0, 3, 60.0, 0.01),
]


def _machine() -> dict[str, str]:
    return {
        "cpu": cpu_model(),
        "cores used": str(len(os.sched_getaffinity(0))),
        "nproc": str(os.cpu_count()),
        "python": platform.python_version(),
        "scipy (HiGHS)": scipy.__version__,
        "commit": git_commit(),
    }


def _run(case: tuple, seed: int) -> tuple[float, float, Allocation]:
    _, offers, needs, arcs, fixed, _, _, gap = case
    data = random_problem(offers, needs, arcs, seed=seed, fixed_cost_share=fixed)
    data.update(carbon_price_eur_per_t=65.0, mip_rel_gap=gap or 1e-4, time_limit_s=120.0)
    started = time.perf_counter()
    alloc = solve_allocation(parse_problem(data))
    total = time.perf_counter() - started
    assert alloc.stats is not None
    return total, alloc.stats.solve_time_s, alloc


def main() -> int:
    """Run every case, print and write the results table; 1 if a target is missed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, help="override the number of runs per case")
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, sorted(os.sched_getaffinity(0))[:2])
    machine = _machine()
    rows = []
    ok = True
    for case in CASES:
        name, offers, needs, arcs, _, runs, target, _ = case
        runs = args.runs or runs
        results = [_run(case, seed) for seed in range(runs)]
        total = statistics.median(r[0] for r in results)
        solver = statistics.median(r[1] for r in results)
        gaps = [r[2].mip_gap or 0.0 for r in results]
        statuses = sorted({r[2].status for r in results})
        stats = results[0][2].stats
        assert stats is not None
        passed = total <= target and statuses == ["optimal"]
        ok &= passed
        rows.append(
            f"| {name} | {offers:,} x {needs:,} | {arcs:,} | "
            f"{stats.variables:,} / {stats.binaries:,} | "
            f"{stats.constraints:,} | {runs} | {total:.2f} | {solver:.2f} | "
            f"{max(gaps):.2%} | {', '.join(statuses)} | <= {target:.0f} s | "
            f"{'pass' if passed else 'FAIL'} |"
        )
    today = dt.date.today().isoformat()
    lines = [
        f"# Optimisation benchmark {today}",
        "",
        "Synthetic regions from `sidestream.optimize.synthetic.random_problem` (seeds 0..runs-1),",
        "carbon price 65 EUR/t; times are medians over the runs, end to end (validation, model",
        "build and HiGHS) and HiGHS alone.",
        "",
        *(f"- {k}: {v}" for k, v in machine.items()),
        "",
        "| case | offers x needs | arcs | variables / binaries | constraints | runs | median s "
        "| HiGHS s | worst gap | status | target | result |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
        *rows,
        "",
    ]
    text = "\n".join(lines)
    print(text)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"optimize-{today}.md").write_text(text, encoding="utf-8")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
