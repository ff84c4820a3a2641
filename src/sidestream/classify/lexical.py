"""Character n-gram TF-IDF over the terms: typo- and inflection-tolerant, needs only SciPy."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence

import numpy as np
from scipy import sparse

from sidestream.classify.text import words

_NGRAM_SIZES = (3, 4, 5)


def features(text: str) -> Counter[str]:
    """Whole words plus character 3- to 5-grams of each word padded with spaces."""
    out: Counter[str] = Counter()
    for word in words(text):
        out["w:" + word] += 1
        padded = f" {word} "
        for n in _NGRAM_SIZES:
            out.update(padded[i : i + n] for i in range(len(padded) - n + 1))
    return out


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
                vals.append((1.0 + math.log(tf)) * self._idf[c])
        matrix = sparse.csr_matrix(
            (vals, (rows, cols)), shape=(len(documents), len(vocabulary)), dtype=np.float64
        )
        norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
        mass = np.asarray(matrix.sum(axis=1)).ravel()
        self._unit = sparse.diags(1.0 / np.maximum(norms, 1e-12)) @ matrix
        self._share = sparse.diags(1.0 / np.maximum(mass, 1e-12)) @ matrix

    def scores(self, query: str) -> tuple[np.ndarray, np.ndarray]:
        """(cosine, containment) of ``query`` against every document, each in [0, 1]."""
        n = len(self._vocabulary)
        grams = [
            (self._vocabulary[g], tf) for g, tf in features(query).items() if g in self._vocabulary
        ]
        if not grams:
            zero = np.zeros(self._unit.shape[0])
            return zero, zero
        idx = np.array([g for g, _ in grams])
        tf = np.array([t for _, t in grams], dtype=np.float64)
        weights = (1.0 + np.log(tf)) * self._idf[idx]
        query_norm = float(np.linalg.norm(weights)) or 1.0
        vec = sparse.csc_matrix((weights / query_norm, (idx, np.zeros_like(idx))), shape=(n, 1))
        present = sparse.csc_matrix(
            (np.ones_like(weights), (idx, np.zeros_like(idx))), shape=(n, 1)
        )
        cosine = np.asarray((self._unit @ vec).todense()).ravel()
        containment = np.asarray((self._share @ present).todense()).ravel()
        return cosine, containment
