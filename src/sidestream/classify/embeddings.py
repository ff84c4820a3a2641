"""Embeddings shipped precomputed as package data, recomputed into a user cache if stale.

The classifier's term file is written by ``python -m sidestream.classify.build_embeddings``
(the matching knowledge base's by ``python -m sidestream.matching.build_embeddings``). At
start-up only the files are loaded; if the texts or the backend differ from what a file was
built with, the embeddings are recomputed once into ``$XDG_CACHE_HOME/sidestream``.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Sequence
from importlib import resources
from pathlib import Path

import numpy as np

from sidestream.classify.backends import EmbeddingBackend
from sidestream.classify.lexicon import index_terms, terms_fingerprint

SHIPPED_VECTORS = "term_embeddings.npy"


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


def _meta(backend: EmbeddingBackend, vectors: np.ndarray, fingerprint: str) -> dict[str, object]:
    return {
        "backend": backend.name,
        "fingerprint": fingerprint,
        "count": int(vectors.shape[0]),
        "dim": int(vectors.shape[1]),
    }


def save_embeddings(
    backend: EmbeddingBackend,
    vectors: np.ndarray,
    folder: Path,
    name: str = "term_embeddings",
    fingerprint: str | None = None,
) -> Path:
    """Write vectors and their metadata (``name.npy`` / ``name.json``) into ``folder``.

    ``fingerprint`` defaults to the index terms' one. Returns the vectors' path.
    """
    folder.mkdir(parents=True, exist_ok=True)
    meta = _meta(backend, vectors, fingerprint or terms_fingerprint())
    np.save(folder / f"{name}.npy", vectors)
    (folder / f"{name}.json").write_text(json.dumps(meta, indent=2) + "\n")
    return folder / f"{name}.npy"


def _load_if_current(
    folder: Path, backend: EmbeddingBackend, name: str, fingerprint: str, count: int
) -> np.ndarray | None:
    try:
        meta = json.loads((folder / f"{name}.json").read_text())
    except (OSError, ValueError):
        return None
    if meta.get("backend") != backend.name or meta.get("fingerprint") != fingerprint:
        return None
    vectors = np.load(folder / f"{name}.npy")
    return vectors if vectors.shape[0] == count else None


def texts_fingerprint(texts: Sequence[str], version: str = "1") -> str:
    """A hash of an ordered list of texts (and a format version), for :func:`stored_embeddings`."""
    digest = hashlib.sha256(version.encode())
    for text in texts:
        digest.update(text.encode() + b"\n")
    return digest.hexdigest()


def stored_embeddings(
    name: str,
    texts: Sequence[str],
    fingerprint: str,
    backend: EmbeddingBackend,
    shipped: Path,
) -> tuple[np.ndarray, str]:
    """Embeddings of ``texts`` (float16 rows, in order) and where they came from.

    Order of preference: the files ``name.*`` shipped in ``shipped`` when built from the same
    texts (``fingerprint``) and backend, the user cache, a fresh computation (saved into the
    user cache). Nothing is computed when the shipped files are current.
    """
    current = _load_if_current(shipped, backend, name, fingerprint, len(texts))
    if current is not None:
        return current, "package data"
    slug = re.sub(r"[^A-Za-z0-9.-]+", "_", backend.name)
    folder = cache_dir() / f"{slug}-{fingerprint[:16]}"
    cached = _load_if_current(folder, backend, name, fingerprint, len(texts))
    if cached is not None:
        return cached, str(folder)
    vectors = backend.encode(list(texts)).astype(np.float16)
    try:
        save_embeddings(backend, vectors, folder, name, fingerprint)
    except OSError:
        return vectors, "computed (cache not writable)"
    return vectors, str(folder)


def term_embeddings(backend: EmbeddingBackend) -> tuple[np.ndarray, str]:
    """The index-term embeddings for ``backend`` and where they came from
    (see :func:`stored_embeddings`)."""
    texts = [term.text for term in index_terms()]
    return stored_embeddings(
        "term_embeddings", texts, terms_fingerprint(), backend, package_data_dir()
    )
