"""The synonym list and the evaluation set: valid codes, coverage and no leakage."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

from sidestream.classify.lexicon import LANGUAGES, label_terms, synonym_terms
from sidestream.classify.text import fold
from sidestream.taxonomy.waste_codes import waste_codes

EVAL = Path(__file__).parents[2] / "benchmarks" / "data" / "classify_eval.csv"


def eval_rows() -> list[dict[str, str]]:
    with EVAL.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_synonyms_cover_the_ten_languages_with_known_codes() -> None:
    per_language = Counter(term.language for term in synonym_terms())
    assert set(per_language) == set(LANGUAGES)
    assert min(per_language.values()) >= 100
    assert {t.code for t in synonym_terms()} <= set(waste_codes())


def test_evaluation_set_is_large_multilingual_and_valid() -> None:
    rows = eval_rows()
    assert len(rows) >= 150
    assert {r["language"] for r in rows} == set(LANGUAGES)
    codes = waste_codes()
    for row in rows:
        assert all(code in codes for code in row["expected"].split("|") if code), row["id"]


def test_no_evaluation_text_is_a_synonym_or_label_verbatim() -> None:
    known = {fold(t.text) for t in synonym_terms()} | {fold(t.text) for t in label_terms()}
    known |= {fold(w.description) for w in waste_codes().values()}
    leaked = [r["id"] for r in eval_rows() if fold(r["text"]) in known]
    assert leaked == []


def test_synonyms_cover_the_codes_industrial_symbiosis_meets() -> None:
    covered = {t.code for t in synonym_terms()}
    assert len(covered) >= 350
    # slags by furnace type, refractories, ELV, WEEE, digestate, pulp & paper, food by-products
    for code in ("100202", "161104", "160104", "200136", "190606", "030309", "020702", "150102"):
        assert code in covered
