"""The leave-one-case-out folds never let a held-out case be its own evidence."""

from __future__ import annotations

import numpy as np

from sidestream.matching.evaluation import (
    case_folds,
    expected_rank,
    first_hit_rank,
    scoped_hit_rank,
    summarise,
)
from sidestream.matching.knowledge import default_knowledge_base, nace_scopes_in


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


def test_a_division_receiver_is_met_by_any_class_inside_it() -> None:
    assert nace_scopes_in("21") == ("21",)
    assert nace_scopes_in("011/012") == ("011", "012")
    assert nace_scopes_in("0110 / 0120") == ("0110", "0120")
    ranked = ["2351", "2110", "2100"]
    assert first_hit_rank(ranked, {"2100"}) == 3  # padded code: exact only
    assert scoped_hit_rank(ranked, nace_scopes_in("21")) == 2
    assert scoped_hit_rank(ranked, nace_scopes_in("2351")) == 1
    assert scoped_hit_rank(["0111"], nace_scopes_in("0110 / 0120")) == 1  # padded groups
    assert scoped_hit_rank(["0510", "0146"], nace_scopes_in("0140")) == 2
    assert scoped_hit_rank(["2110"], nace_scopes_in("2100")) == 1  # a padded division
    assert scoped_hit_rank(["3600"], nace_scopes_in("3700")) == 0  # classes ending in 00
    assert scoped_hit_rank(["0111"], nace_scopes_in("011/012")) == 1
