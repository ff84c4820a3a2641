"""Multilingual lexical similarity: TF-IDF over words and character n-grams (NumPy/SciPy)."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from functools import lru_cache

import numpy as np
from scipy import sparse

from sidestream.classify.text import fold_letters

_WORD = re.compile(r"[^\W_]+")
#: Only the first characters of a text are featurised (keeps huge descriptions cheap).
MAX_FEATURE_CHARS = 4000


@lru_cache(maxsize=65536)
def normalise_text(text: str) -> str:
    """``text`` with its letters folded (:func:`~sidestream.classify.text.fold_letters`),
    punctuation kept: positions map one character to its folded letters."""
    return fold_letters(text)


def whole_words(text: str, words: str) -> re.Match[str] | None:
    """Where ``words`` first occur in ``text`` as whole words (not inside a longer word)."""
    return re.search(rf"(?<!\w){re.escape(words)}(?!\w)", text) if words else None


#: How a title names a business by what it makes: "Production of bricks", "Herstellung von
#: Zement", "Cement plant", "our pig farm". Those words name the business's product or
#: premises, not what it wants.
_MAKES_WHAT = re.compile(
    r"\b(?:production|manufacture|manufacturing|producers?|manufacturers?|processing|makers?|"
    r"herstellung|produktion|fabrication|fabricaci[oó]n|producci[oó]n|produzione|productie|"
    r"tillverkning|proizvodnja|produkcja)\s+(?:of|von|der|af|av|de|des|du|di|del|della|van|"
    r"från|fra)\s+[^\W\d_]+(?:[ -][^\W\d_]+)?",
    re.IGNORECASE,
)
_MAKES_HERE = re.compile(
    r"((?:[^\W\d_]+[ -]){0,2})(?:plant|factory|works|mill|farm|refinery|producers?|"
    r"manufacturers?|production|industry)\b",
    re.IGNORECASE,
)
#: Words that end a business name read backwards from "plant": "Steam for production" names
#: no product, "Wood chips for our boiler plant" names a boiler.
_NOT_A_PRODUCT = frozenset({
    "for", "to", "the", "a", "an", "our", "their", "its", "of", "in", "at", "by", "with",
    "from", "til", "vores", "vor", "för", "vår", "vårt", "für", "unsere", "unser", "pour",
    "notre", "le", "la", "les", "per", "il", "nostra", "para", "el", "nuestra", "voor", "onze",
    "de", "het", "za", "naš", "naša", "do", "dla",
})  # fmt: skip


def _product_removed(match: re.Match[str]) -> str:
    words = match.group(1).split()
    while words and words[-1].lower().strip("-") not in _NOT_A_PRODUCT:
        words.pop()
    return " ".join(words) + " "


@lru_cache(maxsize=65536)
def without_business_names(title: str) -> str:
    """``title`` without the words that name a business by its product or premises
    (``_MAKES_WHAT``, ``_MAKES_HERE``): "Wood chips for our boiler plant" keeps "Wood chips
    for our", "Production of bricks" keeps nothing, "Steam for production" keeps "Steam for".
    A need's title is read for the material it names; a brick works does not want bricks."""
    return _MAKES_HERE.sub(_product_removed, _MAKES_WHAT.sub(" ", title))


#: The word that starts what a listing is for ("Coal fly ash for cement and concrete"), in the
#: interface and keyword languages: for, til (da, nb), till and för (sv), für, zur, zum, pour,
#: per (it), para (es, pt), voor, za (sl), dla (pl). Only between two words: "For sale:
#: sawdust" keeps its material.
_PURPOSE = re.compile(
    r"\s(?:for|til|till|för|für|zur|zum|pour|per|para|voor|za|dla)\s", re.IGNORECASE
)
#: A phrase that says where a stream comes from ("Heat from our biogas plant"): from, fra (da,
#: nb), från (sv), aus, von, uit, iz (sl), up to the end of its clause or the next word of
#: purpose.
_SOURCE = re.compile(
    r"(?<![^\s(])(?:from|fra|från|aus|von|uit|iz)\s.*?(?=[.,;:!?()\n]|" + _PURPOSE.pattern + r"|$)",
    re.IGNORECASE,
)


def purpose_starts(title: str) -> list[int]:
    """Where each word that says what a listing is for starts in ``normalise_text(title)``
    ("Looking for fly ash for cement": before each "for"), then the normalised title's end."""
    starts = [m.start() for m in _PURPOSE.finditer(title)]
    if not starts:
        return [len(normalise_text(title))]
    at = normalised_offsets(title)
    return [at[i] for i in starts] + [at[-1]]


def asked_part(title: str) -> str:
    """What a need's ``title`` asks for: its normalised words before the first word saying
    what it is for ("whey" of "Whey for pig feeding"), the whole title when none comes first."""
    norm = normalise_text(title)
    return norm[: purpose_starts(title)[0]].strip() or norm


def normalised_offsets(text: str) -> list[int]:
    """For each position of ``text`` (and its end), where it falls in ``normalise_text(text)``
    ("ß" becomes two letters, a separate accent none)."""
    offsets = [0]
    for ch in text:
        offsets.append(offsets[-1] + len(normalise_text(ch)))
    return offsets


def source_spans(text: str) -> list[tuple[int, int]]:
    """Where ``text`` says where something comes from ("from our biogas plant")."""
    return [m.span() for m in _SOURCE.finditer(text)]


def without_sources(text: str) -> str:
    """``text`` normalised, with each phrase saying where it comes from blanked out ("heat"
    and spaces of "Heat from our biogas plant"); positions are kept."""
    norm = normalise_text(text)
    spans = source_spans(text)
    if not spans:
        return norm
    at = normalised_offsets(text)
    for start, end in spans:
        norm = norm[: at[start]] + " " * (at[end] - at[start]) + norm[at[end] :]
    return norm


def original_words(text: str, normalised: str) -> str:
    """The words of ``text`` that read ``normalised`` once normalised (the first such place),
    as the text writes them ("hladilniška" for "hladilniska"); ``normalised`` if none do."""
    at = normalised_offsets(text)
    joined = "".join(normalise_text(ch) for ch in text)
    whole = whole_words(joined, normalised)
    start = whole.start() if whole else joined.find(normalised)  # else inside a compound word
    if start < 0 or not normalised:
        return normalised
    first = bisect_right(at, start) - 1
    end = bisect_right(at, start + len(normalised) - 1)
    while end < len(text) and at[end + 1] == at[end]:  # accents written as separate marks
        end += 1
    return text[first:end]


@lru_cache(maxsize=65536)
def features(text: str, char_range: tuple[int, int] = (3, 5)) -> tuple[str, ...]:
    """Word tokens (``w:``) plus character n-grams inside word boundaries (``c:``)."""
    words = _WORD.findall(normalise_text(text[:MAX_FEATURE_CHARS]))
    out: list[str] = []
    lo, hi = char_range
    for word in words:
        if len(word) > 1:
            out.append("w:" + word)
        padded = f" {word} "
        for n in range(lo, hi + 1):
            out.extend("c:" + padded[i : i + n] for i in range(len(padded) - n + 1))
    return tuple(out)


class TfidfIndex:
    """A TF-IDF vocabulary fitted on a corpus; transforms texts to L2-normalised sparse rows."""

    def __init__(self, texts: Iterable[str], min_df: int = 1) -> None:
        df: dict[str, int] = {}
        n_docs = 0
        for text in texts:
            n_docs += 1
            for feat in set(features(text)):
                df[feat] = df.get(feat, 0) + 1
        kept = sorted(f for f, c in df.items() if c >= min_df)
        self.vocabulary: dict[str, int] = {f: i for i, f in enumerate(kept)}
        counts = np.array([df[f] for f in kept], dtype=np.float64)
        self.idf = np.log((1.0 + n_docs) / (1.0 + counts)) + 1.0

    def transform(self, texts: Sequence[str]) -> sparse.csr_matrix:
        """Rows of sublinear TF × IDF, L2-normalised; identical texts are featurised once."""
        unique: dict[str, int] = {}
        row_of = np.fromiter((unique.setdefault(t, len(unique)) for t in texts), dtype=np.int64)
        indptr = [0]
        indices: list[int] = []
        data: list[float] = []
        vocab = self.vocabulary
        for text in unique:
            counts: dict[int, int] = {}
            for feat in features(text):
                j = vocab.get(feat)
                if j is not None:
                    counts[j] = counts.get(j, 0) + 1
            cols = np.fromiter(counts, dtype=np.int64, count=len(counts))
            tf = 1.0 + np.log(np.fromiter(counts.values(), dtype=np.float64, count=len(counts)))
            weights = tf * self.idf[cols]
            norm = float(np.sqrt((weights**2).sum())) or 1.0
            indices.extend(cols.tolist())
            data.extend((weights / norm).tolist())
            indptr.append(len(indices))
        shape = (len(unique), len(vocab))
        base = sparse.csr_matrix((data, indices, indptr), shape=shape, dtype=np.float32)
        return base[row_of] if len(unique) != len(texts) else base


def cosine(a: sparse.csr_matrix, b: sparse.csr_matrix) -> np.ndarray:
    """Dense cosine similarities between the L2-normalised rows of ``a`` and ``b``."""
    return np.asarray((a @ b.T).todense(), dtype=np.float32)
