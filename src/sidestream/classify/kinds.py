"""Resource-kind detection: surplus heat, water, spare capacity, services and know-how."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from sidestream.classify.lexicon import read_data_csv
from sidestream.classify.text import fold
from sidestream.taxonomy.kinds import Kind


@dataclass(frozen=True, slots=True)
class KindMatch:
    """A kind term found in a text, with where it starts (in the folded text)."""

    kind: Kind
    term: str
    position: int


#: A term this short matches whole words only ("el" is no start of "elastomer", "electrode" or
#: Latvian "elektrostacijas", "damp" of "dampers", "para" of "paraffin"); its inflected forms
#: are terms of their own ("dampen", "ångan"). Longer terms also start compounds ("Dampfkessel").
WHOLE_WORD_MAX_LETTERS = 4


@lru_cache
def _patterns() -> tuple[tuple[Kind, str, re.Pattern[str]], ...]:
    out = []
    for row in read_data_csv("kind_terms.csv"):
        folded = fold(row["term"])
        end = r"\b" if len(folded) <= WHOLE_WORD_MAX_LETTERS else ""
        out.append((Kind(row["kind"]), row["term"], re.compile(rf"\b{re.escape(folded)}{end}")))
    return tuple(out)


def find_kind_terms(text: str) -> list[KindMatch]:
    """Every non-material kind term in ``text`` (matched at a word start, a short one as a whole
    word; accents ignored)."""
    folded = fold(text)
    matches = []
    for kind, term, pattern in _patterns():
        hit = pattern.search(folded)
        if hit:
            matches.append(KindMatch(kind, term, hit.start()))
    return sorted(matches, key=lambda m: (m.position, -len(fold(m.term))))
