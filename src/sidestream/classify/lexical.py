"""Character n-gram TF-IDF over the terms: typo- and inflection-tolerant, needs only SciPy."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence

import numpy as np
from scipy import sparse

from sidestream.classify.text import words

_NGRAM_SIZES = (3, 4, 5)

#: Words (folded) that say little about which code fits: "waste", "residues" and their kin in
#: the ten languages, and short function words. Their features carry ``GENERIC_WEIGHT`` of the
#: usual weight, so "waste car" is decided by "car", not by every term holding "waste". How a
#: material was broken up (shredded, crushed, baled) is generic too: "shredded tyres" and
#: "shredded newspaper" were iron and steel through the synonym "shredded scrap"; so is its
#: age ("old", "gamle"), not its use ("used cooking oil" is a name of its own).
_GENERIC_TEXT = """
    waste wastes residue residues remains material materials other from of the and with for in
    on to by at as or a an
    shredded crushed chipped granulated baled ground old gamle gamla alte
    abfall abfalle reste ruckstande aus der die das den dem und von vom mit fur zum zur
    affald rester fra og med til af
    avfall fran och av for pa
    avfallet ifra
    jate jatteet jatetta ja
    odpady odpad pozostalosci z ze i w we do od na
    rifiuti rifiuto scarti residui residuo di da del della dei delle e con per in
    odpadki ostanki iz s in za pri
    atkritumi atliekas no un ar
"""
GENERIC_WORDS = frozenset(_GENERIC_TEXT.split())
GENERIC_WEIGHT = 0.2
#: Marks the features of generic words (never produced by :func:`words`).
_GENERIC = "~"


def features(text: str) -> Counter[str]:
    """Whole words plus character 3- to 5-grams of each word padded with spaces.

    Features of generic words (:data:`GENERIC_WORDS`) are marked so that the index weighs
    them down.
    """
    out: Counter[str] = Counter()
    for word in words(text):
        mark = _GENERIC if word in GENERIC_WORDS else ""
        out[mark + "w:" + word] += 1
        padded = f" {word} "
        for n in _NGRAM_SIZES:
            out.update(mark + padded[i : i + n] for i in range(len(padded) - n + 1))
    return out


def _scale(gram: str) -> float:
    return GENERIC_WEIGHT if gram.startswith(_GENERIC) else 1.0


class CharNgramIndex:
    """Scores a query against every document by TF-IDF cosine and by containment.

    Containment is the share of a document's weighted n-grams that occur in the query, so a
    short synonym ("whey") found inside a long description still scores high.
    """

    def __init__(self, documents: Sequence[str]) -> None:
        counts = [features(doc) for doc in documents]
        vocabulary: dict[str, int] = {}
        for doc in counts:
            for gram in doc:
                vocabulary.setdefault(gram, len(vocabulary))
        df = np.zeros(len(vocabulary))
        for doc in counts:
            for gram in doc:
                df[vocabulary[gram]] += 1
        self._vocabulary = vocabulary
        self._idf = np.log((1 + len(documents)) / (1 + df)) + 1.0
        rows, cols, vals = [], [], []
        for r, doc in enumerate(counts):
            for gram, tf in doc.items():
                c = vocabulary[gram]
                rows.append(r)
                cols.append(c)
                vals.append((1.0 + math.log(tf)) * self._idf[c] * _scale(gram))
        matrix = sparse.csr_matrix(
            (vals, (rows, cols)), shape=(len(documents), len(vocabulary)), dtype=np.float64
        )
        norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
        mass = np.asarray(matrix.sum(axis=1)).ravel()
        unit = sparse.diags(1.0 / np.maximum(norms, 1e-12)) @ matrix
        share = sparse.diags(1.0 / np.maximum(mass, 1e-12)) @ matrix
        # n-gram-major copies: a query touches few n-grams, so scoring reads only their rows
        self._unit_by_gram = sparse.csr_matrix(unit.T)
        self._share_by_gram = sparse.csr_matrix(share.T)
        self._documents = len(documents)

    def scores(self, query: str) -> tuple[np.ndarray, np.ndarray]:
        """(cosine, containment) of ``query`` against every document, each in [0, 1]."""
        grams = [
            (self._vocabulary[g], tf * 1.0, _scale(g))
            for g, tf in features(query).items()
            if g in self._vocabulary
        ]
        if not grams:
            zero = np.zeros(self._documents)
            return zero, zero
        idx = np.array([g for g, _, _ in grams])
        tf = np.array([t for _, t, _ in grams], dtype=np.float64)
        scale = np.array([s for _, _, s in grams])
        weights = (1.0 + np.log(tf)) * self._idf[idx] * scale
        query_norm = float(np.linalg.norm(weights)) or 1.0
        cosine = self._unit_by_gram[idx].T @ (weights / query_norm)
        containment = np.asarray(self._share_by_gram[idx].sum(axis=0)).ravel()
        return np.asarray(cosine).ravel(), containment
