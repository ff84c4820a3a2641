"""Term embeddings: shipped precomputed as package data, recomputed into a user cache if stale.

The shipped file is written by ``python -m sidestream.classify.build_embeddings``. At start-up
the classifier only loads it; if the synonym list or the backend differs from what the file
was built with, the embeddings are recomputed once into ``$XDG_CACHE_HOME/sidestream``.
"""

from __future__ import annotations

import json
import os
import re
from importlib import resources
from pathlib import Path

import numpy as np

from sidestream.classify.backends import EmbeddingBackend
from sidestream.classify.lexicon import index_terms, terms_fingerprint

SHIPPED_VECTORS = "term_embeddings.npy"
SHIPPED_META = "term_embeddings.json"


def package_data_dir() -> Path:
    """The shipped data folder of this package."""
    return Path(str(resources.files("sidestream.classify").joinpath("data")))


def cache_dir() -> Path:
    """Where recomputed embeddings go: ``$XDG_CACHE_HOME/sidestream/classify``."""
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "sidestream" / "classify"


def compute_embeddings(backend: EmbeddingBackend) -> np.ndarray:
    """Embed every index term with ``backend`` (float16 rows, term order)."""
    return backend.encode([term.text for term in index_terms()]).astype(np.float16)


def _meta(backend: EmbeddingBackend, vectors: np.ndarray) -> dict[str, object]:
    return {
        "backend": backend.name,
        "fingerprint": terms_fingerprint(),
        "count": int(vectors.shape[0]),
        "dim": int(vectors.shape[1]),
    }


def save_embeddings(backend: EmbeddingBackend, vectors: np.ndarray, folder: Path) -> Path:
    """Write vectors and their metadata into ``folder``; return the vectors' path."""
    folder.mkdir(parents=True, exist_ok=True)
    np.save(folder / SHIPPED_VECTORS, vectors)
    (folder / SHIPPED_META).write_text(json.dumps(_meta(backend, vectors), indent=2) + "\n")
    return folder / SHIPPED_VECTORS


def _load_if_current(folder: Path, backend: EmbeddingBackend) -> np.ndarray | None:
    try:
        meta = json.loads((folder / SHIPPED_META).read_text())
    except (OSError, ValueError):
        return None
    if meta.get("backend") != backend.name or meta.get("fingerprint") != terms_fingerprint():
        return None
    vectors = np.load(folder / SHIPPED_VECTORS)
    return vectors if vectors.shape[0] == len(index_terms()) else None


def term_embeddings(backend: EmbeddingBackend) -> tuple[np.ndarray, str]:
    """The index-term embeddings for ``backend`` and where they came from.

    Order of preference: the shipped package data, the user cache, a fresh computation
    (saved into the user cache).
    """
    shipped = _load_if_current(package_data_dir(), backend)
    if shipped is not None:
        return shipped, "package data"
    slug = re.sub(r"[^A-Za-z0-9.-]+", "_", backend.name)
    folder = cache_dir() / f"{slug}-{terms_fingerprint()[:16]}"
    cached = _load_if_current(folder, backend)
    if cached is not None:
        return cached, str(folder)
    vectors = compute_embeddings(backend)
    try:
        save_embeddings(backend, vectors, folder)
    except OSError:
        return vectors, "computed (cache not writable)"
    return vectors, str(folder)
