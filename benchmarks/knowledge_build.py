"""Time to build the sector model over a large knowledge base (a facilitator's file).

The bundled documented exchanges, repeated with fresh ids until the base holds ``--exchanges``
of them, and the bundled patterns; the model is built ``--runs`` times, the median reported.
The lexical backend is used so that no new texts are embedded: what is timed is the model's
own work (indexes, per-class receipts), which grows with the exchanges.

    SIDESTREAM_CLASSIFIER_BACKEND=lexical python benchmarks/knowledge_build.py --exchanges 10000
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import time

from machine import cpu_model, git_commit, load_average
from sidestream.matching.knowledge import default_knowledge_base
from sidestream.matching.sectors import SectorModel


def main() -> None:
    """Print the median build time of the sector model over an enlarged knowledge base."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--exchanges", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    kb = default_knowledge_base()
    copies = -(-args.exchanges // len(kb.exchanges))
    exchanges = [
        dataclasses.replace(e, exchange_id=f"{e.exchange_id}-{k}")
        for k in range(copies)
        for e in kb.exchanges
    ][: args.exchanges]
    big = dataclasses.replace(kb, exchanges=type(kb.exchanges)(exchanges))
    times = []
    for _ in range(args.runs):
        start = time.perf_counter()
        SectorModel(big)
        times.append(time.perf_counter() - start)
    print(
        f"commit {git_commit()} | {cpu_model()} | load {load_average()} | "
        f"{len(exchanges)} exchanges, {len(kb.patterns)} patterns | build median "
        f"{statistics.median(times):.2f} s (min {min(times):.2f}, max {max(times):.2f}, "
        f"{args.runs} runs)"
    )


if __name__ == "__main__":
    main()
