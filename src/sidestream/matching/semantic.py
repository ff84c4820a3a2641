"""Multilingual semantic similarity for matching, from the classifier's embedding backend.

Texts are embedded with the backend chosen by ``SIDESTREAM_CLASSIFIER_BACKEND`` (the bundled
multilingual-e5-small by default; ``lexical`` switches semantic evidence off everywhere). The
knowledge base's texts are shipped precomputed (``data/kb_embeddings.*``, written by
``python -m sidestream.matching.build_embeddings``); texts of a facilitator-extended knowledge
base are embedded once into the user cache (``classify.embeddings.stored_embeddings``).
Query texts are embedded at run time, in batches, remembered for the process and kept on disk
between runs (:mod:`sidestream.matching.embedding_cache`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

import numpy as np

from sidestream.classify.backends import EmbeddingBackend, shared_backend
from sidestream.classify.embeddings import stored_embeddings, texts_fingerprint
from sidestream.config import get_settings
from sidestream.matching.business_names import business_names
from sidestream.matching.embedding_cache import EmbeddingCache, default_path
from sidestream.matching.knowledge import KnowledgeBase, default_knowledge_base
from sidestream.taxonomy.nace import nace_classes

#: Only the start of a text is embedded (material descriptions say what they are up front).
MAX_CHARS = 300
#: Query texts remembered per process (float16 rows; 50,000 × 384 dims ≈ 37 MiB).
CACHE_SIZE = 50_000
KB_FILE = "kb_embeddings"
#: Version of the knowledge-base text recipe; part of the shipped file's fingerprint.
KB_TEXTS_VERSION = "kb-texts-3"


def backend() -> EmbeddingBackend | None:
    """The process-wide embedding backend, or ``None`` when semantic evidence is off."""
    s = get_settings()
    return shared_backend(s.classifier_backend, s.embedding_model_path, s.embedding_threads)


def clip_text(text: str) -> str:
    """The part of a text that is embedded."""
    return " ".join(text.split())[:MAX_CHARS]


class TextEncoder:
    """Embeds texts with a backend, once per distinct text (bounded per-process memory)."""

    def __init__(self, model: EmbeddingBackend, cache: EmbeddingCache | None = None) -> None:
        self.model = model
        self.floor = float(model.similarity_floor)
        self.cache = cache
        self._seen: dict[str, np.ndarray] = {}
        self._dims: int | None = None

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """L2-normalised float32 rows, one per text (distinct new texts embedded in one batch,
        unless the on-disk cache already holds them)."""
        clipped = [clip_text(t) for t in texts]
        new = list(dict.fromkeys(t for t in clipped if t not in self._seen))
        if new:
            if len(self._seen) + len(new) > CACHE_SIZE:
                self._seen.clear()
            stored = self.cache.get(new) if self.cache else {}
            if stored:  # vectors of another model under the same name are misses
                width = self._width()
                stored = {t: v for t, v in stored.items() if v.shape == (width,)}
            missing = [t for t in new if t not in stored]
            if missing:
                vectors = self.model.encode(missing).astype(np.float16)
                stored |= dict(zip(missing, vectors, strict=True))
                if self.cache:
                    self.cache.put(zip(missing, vectors, strict=True))
            self._seen.update(stored)
        if not clipped:
            return np.zeros((0, 0), np.float32)
        return np.vstack([self._seen[t] for t in clipped]).astype(np.float32)

    def _width(self) -> int:
        """Length of this model's vectors (one probe text embedded on first use)."""
        if self._dims is None:
            self._dims = int(self.model.encode(["width"]).shape[1])
        return self._dims

    def encode_unique(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """Rows of the distinct texts and, per text, its row (repeated texts are stored once)."""
        distinct: dict[str, int] = {}
        inverse = np.fromiter(
            (distinct.setdefault(clip_text(t), len(distinct)) for t in texts), np.int64, len(texts)
        )
        return self.encode(list(distinct)), inverse

    def similarity(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """Cosine similarities rescaled from the backend's floor (unrelated texts) to 1, 0–1."""
        if not a.size or not b.size:
            return np.zeros((a.shape[0], b.shape[0]), np.float32)
        sim = a @ b.T
        return np.clip((sim - self.floor) / (1.0 - self.floor), 0.0, 1.0).astype(np.float32)


@lru_cache(maxsize=4)
def _encoder(model: EmbeddingBackend) -> TextEncoder:
    path = default_path()
    return TextEncoder(model, EmbeddingCache(path, model.name) if path else None)


def encoder() -> TextEncoder | None:
    """The process-wide text encoder, or ``None`` when semantic evidence is off."""
    model = backend()
    return _encoder(model) if model is not None else None


def material_text(material: str) -> str:
    """Embedded text of a documented material."""
    return clip_text(material)


def receiver_text(receiver: str, final_use: str) -> str:
    """Embedded text of a documented receiver: its business and what it does with the material."""
    return clip_text(f"{receiver}: {final_use}" if final_use else receiver)


@lru_cache(maxsize=1)
def class_titles() -> dict[str, str]:
    """NACE Rev. 2 class -> its English title, as embedded (a business is compared with them)."""
    return {code: clip_text(title) for code, title in nace_classes().items()}


@lru_cache(maxsize=1)
def business_texts() -> tuple[tuple[str, str], ...]:
    """(class, text) of what a need's business is compared with in meaning: every NACE class
    title and the English business names of the receiving classes (:mod:`.business_names`;
    the model compares languages, and the names of every language are read as words)."""
    named = [(c, clip_text(n)) for c, names in business_names("en").items() for n in names]
    return tuple(class_titles().items()) + tuple(named)


def kb_texts(kb: KnowledgeBase) -> list[str]:
    """The distinct texts of a knowledge base that are embedded (sorted): documented materials,
    documented receivers (business + final use), pattern keywords, typical uses, the NACE
    class titles and the English everyday business names."""
    texts = {text for _, text in business_texts()}
    texts |= {material_text(e.material) for e in kb.exchanges}
    texts |= {receiver_text(e.receiver, e.final_use) for e in kb.exchanges}
    texts |= {clip_text(k) for p in kb.patterns for k in p.keywords}
    texts |= {clip_text(u) for u in kb.typical_uses()}
    return sorted(t for t in texts if t)


def shipped_dir() -> Path:
    """The matching package's data folder (holds ``kb_embeddings.*``)."""
    return Path(str(resources.files("sidestream.matching").joinpath("data")))


def _stored(texts: list[str], model: EmbeddingBackend) -> dict[str, np.ndarray]:
    fingerprint = texts_fingerprint(texts, KB_TEXTS_VERSION)
    vectors, _ = stored_embeddings(KB_FILE, texts, fingerprint, model, shipped_dir())
    return dict(zip(texts, vectors.astype(np.float32), strict=True))


@lru_cache(maxsize=2)
def _bundled(model: EmbeddingBackend) -> dict[str, np.ndarray]:
    return _stored(kb_texts(default_knowledge_base()), model)


@dataclass(frozen=True)
class KnowledgeVectors:
    """Embeddings of a knowledge base's texts, row-aligned with the sector model's lists."""

    materials: np.ndarray  # documented exchanges (material)
    receivers: np.ndarray  # documented exchanges (receiver business + final use)
    keywords: np.ndarray  # pattern keywords
    keyword_pattern: np.ndarray  # index of each keyword's pattern
    uses: np.ndarray  # the patterns' distinct typical uses
    businesses: np.ndarray  # class titles and business names, in ``business_codes`` order
    business_codes: tuple[str, ...]


def knowledge_vectors(
    kb: KnowledgeBase, exchanges: Sequence, model: EmbeddingBackend
) -> KnowledgeVectors:
    """Vectors of ``exchanges`` (a subset of ``kb``'s) and of ``kb``'s pattern keywords.

    Texts of the bundled knowledge base (and of any subset, e.g. an evaluation fold) come from
    the shipped file; the texts it lacks (a facilitator's extra patterns or exchanges) are
    embedded once into the user cache, so every subset of the same extended base reuses them.
    """
    table = _bundled(model)
    missing = [t for t in kb_texts(kb) if t not in table]
    if missing:
        table = {**table, **_stored(missing, model)}
    pairs = [(k, i) for i, p in enumerate(kb.patterns) for k in p.keywords if clip_text(k)]
    zero = np.zeros(next(iter(table.values())).shape[0] if table else 0, np.float32)

    def rows(texts: list[str]) -> np.ndarray:
        found = [table.get(t, zero) for t in texts]
        return np.vstack(found) if found else np.zeros((0, zero.shape[0]), np.float32)

    return KnowledgeVectors(
        materials=rows([material_text(e.material) for e in exchanges]),
        receivers=rows([receiver_text(e.receiver, e.final_use) for e in exchanges]),
        keywords=rows([clip_text(k) for k, _ in pairs]),
        keyword_pattern=np.array([i for _, i in pairs], np.int64),
        uses=rows([clip_text(u) for u in kb.typical_uses()]),
        businesses=rows([text for _, text in business_texts()]),
        business_codes=tuple(code for code, _ in business_texts()),
    )
