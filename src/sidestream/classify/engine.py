"""The classifier: lexical and semantic evidence over labels and synonyms, combined per code."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from sidestream.classify.backends import EmbeddingBackend
from sidestream.classify.embeddings import term_embeddings
from sidestream.classify.hazard import names_a_hazard
from sidestream.classify.lexical import CharNgramIndex
from sidestream.classify.lexicon import Term, index_terms, read_data_csv
from sidestream.taxonomy.waste_codes import listed_mirror_pairs, waste_codes

LEXICAL = "lexical"
#: Weight of the lexical score when a semantic score is available too.
LEXICAL_WEIGHT = 0.5
#: Within the lexical score, weight of containment against TF-IDF cosine.
CONTAINMENT_WEIGHT = 0.6
#: Added to the raw score of codes in the LoW chapter / sub-chapter a NACE class points to.
NACE_CHAPTER_BOOST = 0.04
NACE_SUB_CHAPTER_BOOST = 0.08
#: Only the start of a long description is embedded (the gist comes first; keeps it fast).
SEMANTIC_MAX_CHARS = 400

#: How far the hazardous side of a mirror pair is put above its counterpart when a text says
#: its waste is hazardous.
HAZARD_EDGE = 0.01

_CODE_REF = re.compile(r"\b(\d\d) (\d\d) (\d\d)\b")


@dataclass(frozen=True, slots=True)
class RankedCode:
    """A candidate code with its raw score and the term that scored best for it."""

    code: str
    raw: float
    term: Term
    lexical: float
    semantic: float | None
    nace_boost: float


@lru_cache
def nace_waste_prefixes() -> tuple[tuple[str, str], ...]:
    """(NACE prefix, LoW prefix) pairs from ``data/nace_waste_chapters.csv``."""
    return tuple(
        (r["nace_prefix"], r["waste_prefix"]) for r in read_data_csv("nace_waste_chapters.csv")
    )


def nace_boosts(nace: str) -> dict[str, float]:
    """LoW prefix -> boost for the activity ``nace`` (compact digits, e.g. ``'1051'``)."""
    out: dict[str, float] = {}
    for nace_prefix, waste_prefix in nace_waste_prefixes():
        if nace.startswith(nace_prefix):
            boost = NACE_SUB_CHAPTER_BOOST if len(waste_prefix) >= 4 else NACE_CHAPTER_BOOST
            out[waste_prefix] = max(out.get(waste_prefix, 0.0), boost)
    return out


@lru_cache
def mirror_counterparts() -> dict[str, tuple[str, ...]]:
    """Mirror entry -> the entries on the other side of the pair (from 'other than ...', and
    the listed pairs whose wording names no code)."""
    codes = waste_codes()
    pairs: dict[str, set[str]] = {}
    named = [
        (entry.code, "".join(ref))
        for entry in codes.values()
        if entry.mirror and not entry.hazardous
        for ref in _CODE_REF.findall(entry.description)
    ]
    for plain, other in [*named, *listed_mirror_pairs()]:
        if other in codes and codes[other].hazardous:
            pairs.setdefault(plain, set()).add(other)
            pairs.setdefault(other, set()).add(plain)
    return {code: tuple(sorted(others)) for code, others in pairs.items()}


class Classifier:
    """Ranks LoW codes for a text. Build once (loads the index), then call :meth:`rank`."""

    def __init__(self, backend: EmbeddingBackend | None = None) -> None:
        self.backend = backend
        self.terms = index_terms()
        codes = sorted({term.code for term in self.terms})
        self._codes = np.array(codes)
        position = {code: i for i, code in enumerate(codes)}
        self._term_code = np.array([position[term.code] for term in self.terms])
        self._prefix_codes = {code: i for i, code in enumerate(codes)}
        self.lexical = CharNgramIndex([term.text for term in self.terms])
        self.vectors: np.ndarray | None = None
        self.vectors_source = ""
        if backend is not None:
            vectors, self.vectors_source = term_embeddings(backend)
            self.vectors = vectors.astype(np.float32)

    @property
    def backend_name(self) -> str:
        """The embedding backend's name, or ``'lexical'``."""
        return self.backend.name if self.backend is not None else LEXICAL

    def term_scores(self, text: str) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        """(combined, lexical, semantic) score of every index term for ``text``."""
        cosine, containment = self.lexical.scores(text)
        lexical = (1 - CONTAINMENT_WEIGHT) * cosine + CONTAINMENT_WEIGHT * containment
        if self.backend is None or self.vectors is None:
            return lexical, lexical, None
        query = self.backend.encode([text[:SEMANTIC_MAX_CHARS]])[0]
        floor = self.backend.similarity_floor
        semantic = np.clip((self.vectors @ query - floor) / (1 - floor), 0.0, 1.0)
        combined = LEXICAL_WEIGHT * lexical + (1 - LEXICAL_WEIGHT) * semantic
        return combined, lexical, semantic

    def _hazardous_side_first(self, total: np.ndarray) -> None:
        """Put the hazardous entry of every mirror pair just above its counterparts (the text
        says the waste is hazardous: :func:`names_a_hazard`)."""
        for code, others in mirror_counterparts().items():
            i = self._prefix_codes.get(code)
            if i is None or not waste_codes()[code].hazardous:
                continue
            best = max((total[j] for c in others if (j := self._prefix_codes.get(c)) is not None),
                       default=-np.inf)  # fmt: skip
            total[i] = max(total[i], best + HAZARD_EDGE)

    def rank(self, text: str, top: int = 3, nace: str | None = None) -> list[RankedCode]:
        """The ``top`` best codes for ``text`` (best first); ``nace`` (compact digits) may boost."""
        combined, lexical, semantic = self.term_scores(text)
        best_term = np.full(len(self._codes), -1)
        best_score = np.full(len(self._codes), -np.inf)
        order = np.argsort(combined)
        best_term[self._term_code[order]] = order
        best_score[self._term_code[order]] = combined[order]
        boosts = np.zeros(len(self._codes))
        if nace:
            for prefix, boost in nace_boosts(nace).items():
                mask = np.char.startswith(self._codes, prefix)
                boosts[mask] = np.maximum(boosts[mask], boost)
        total = best_score + boosts
        if names_a_hazard(text):
            self._hazardous_side_first(total)
        out = []
        for i in np.argsort(-total, kind="stable")[:top]:
            t = int(best_term[i])
            out.append(
                RankedCode(
                    code=str(self._codes[i]),
                    raw=float(total[i]),
                    term=self.terms[t],
                    lexical=float(lexical[t]),
                    semantic=None if semantic is None else float(semantic[t]),
                    nace_boost=float(boosts[i]),
                )
            )
        return out
