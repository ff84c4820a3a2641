"""Leave-one-case-out evaluation on documented exchanges (used by ``benchmarks/matching_eval.py``).

Each fold holds out every exchange of one case; the knowledge base of that fold is the full
knowledge base *without* that case, so no held-out exchange can be its own evidence.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from sidestream.matching.knowledge import Exchange, KnowledgeBase
from sidestream.taxonomy.nace import code_scope


@dataclass(frozen=True)
class Fold:
    """One hold-out case: its exchanges and the knowledge base that excludes them."""

    case_id: str
    held_out: tuple[Exchange, ...]
    kb: KnowledgeBase


def case_folds(kb: KnowledgeBase) -> Iterator[Fold]:
    """Leave-one-case-out folds over the exchanges that name a receiving NACE class."""
    cases = sorted({e.case_id for e in kb.exchanges}, key=lambda c: (len(c), c))
    for case in cases:
        held = tuple(e for e in kb.exchanges if e.case_id == case and e.receiver_classes)
        if held:
            yield Fold(case, held, kb.without_cases([case]))


def first_hit_rank(ranked: Sequence[str], gold: set[str], key: Callable[[str], str] = str) -> int:
    """1-based rank of the first item whose key is in ``gold``; 0 when none is."""
    for rank, item in enumerate(ranked, start=1):
        if key(item) in gold:
            return rank
    return 0


def scoped_hit_rank(ranked: Sequence[str], scopes: Sequence[str]) -> int:
    """1-based rank of the first class inside a gold scope (a class, group or division code as
    the source wrote it, padded or not: ``'21'`` and ``'2100'`` are met by ``'2110'``,
    ``'0140'`` by ``'0146'``; ``taxonomy.nace.code_scope``); 0 when none is."""
    prefixes = [code_scope(s) for s in scopes]
    return first_hit_rank(ranked, set(prefixes), key=lambda c: next(
        (p for p in prefixes if c.startswith(p)), ""))  # fmt: skip


def expected_rank(scores: np.ndarray, correct: np.ndarray) -> float:
    """Rank of the best correct item under random tie-breaking (expected value).

    ``scores``: one per candidate; ``correct``: boolean mask of the right answers.
    """
    best = scores[correct].max()
    better = int((scores > best).sum())
    tied_wrong = int(((scores == best) & ~correct).sum())
    tied_right = int(((scores == best) & correct).sum())
    return 1 + better + tied_wrong / (tied_right + 1)


def summarise(ranks: Sequence[float], ks: Sequence[int] = (1, 5, 10)) -> dict[str, float]:
    """hit@k for each k and MRR from 1-based ranks (0 = not found)."""
    r = np.asarray(ranks, dtype=float)
    out = {f"hit@{k}": float(((r > 0) & (r <= k)).mean()) for k in ks}
    out["mrr"] = float(np.where(r > 0, 1.0 / np.where(r > 0, r, 1), 0.0).mean())
    out["n"] = float(len(r))
    return out
