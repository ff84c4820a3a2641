"""The leave-one-case-out folds never let a held-out case be its own evidence."""

from __future__ import annotations

import numpy as np

from sidestream.matching.evaluation import case_folds, expected_rank, summarise
from sidestream.matching.knowledge import default_knowledge_base


def test_folds_exclude_the_held_out_case() -> None:
    kb = default_knowledge_base()
    folds = list(case_folds(kb))
    assert len(folds) == len({e.case_id for e in kb.exchanges if e.receiver_classes})
    for fold in folds:
        assert {e.case_id for e in fold.held_out} == {fold.case_id}
        assert all(e.case_id != fold.case_id for e in fold.kb.exchanges)
        assert len(fold.kb.exchanges) + sum(
            1 for e in kb.exchanges if e.case_id == fold.case_id
        ) == len(kb.exchanges)
        assert fold.kb.patterns == kb.patterns


def test_expected_rank_breaks_ties_fairly() -> None:
    scores = np.array([0.9, 0.5, 0.5, 0.5])
    assert expected_rank(scores, np.array([True, False, False, False])) == 1
    assert expected_rank(scores, np.array([False, True, False, False])) == 3  # 1 + 1 + 2/2


def test_summarise() -> None:
    out = summarise([1, 3, 0, 12], (1, 5, 10))
    assert out["hit@1"] == 0.25 and out["hit@10"] == 0.5
    assert abs(out["mrr"] - (1 + 1 / 3 + 1 / 12) / 4) < 1e-9
