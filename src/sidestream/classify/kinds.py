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


@lru_cache
def _patterns() -> tuple[tuple[Kind, str, re.Pattern[str]], ...]:
    out = []
    for row in read_data_csv("kind_terms.csv"):
        folded = fold(row["term"])
        out.append((Kind(row["kind"]), row["term"], re.compile(rf"\b{re.escape(folded)}")))
    return tuple(out)


def find_kind_terms(text: str) -> list[KindMatch]:
    """Every non-material kind term in ``text`` (matched at a word start, accents ignored)."""
    folded = fold(text)
    matches = []
    for kind, term, pattern in _patterns():
        hit = pattern.search(folded)
        if hit:
            matches.append(KindMatch(kind, term, hit.start()))
    return sorted(matches, key=lambda m: (m.position, -len(fold(m.term))))
