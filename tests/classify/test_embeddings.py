"""Backends and the shipped / cached term embeddings."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import numpy as np
import pytest

from sidestream.classify.backends import SentenceTransformerBackend, load_backend
from sidestream.classify.embeddings import SHIPPED_VECTORS, term_embeddings
from sidestream.classify.engine import Classifier
from sidestream.classify.lexicon import index_terms


class HashingBackend:
    """A tiny deterministic embedder standing in for a user's own local model."""

    name = "test-hashing-16"
    similarity_floor = 0.0

    def __init__(self) -> None:
        self.calls = 0

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        self.calls += 1
        rows = [np.frombuffer(hashlib.sha256(t.encode()).digest()[:16], np.uint8) for t in texts]
        vectors = np.array(rows, dtype=np.float32) - 127.5
        return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def test_shipped_embeddings_are_current_for_the_bundled_model(e5_classifier: Classifier) -> None:
    assert e5_classifier.vectors_source == "package data"
    assert e5_classifier.vectors is not None
    assert e5_classifier.vectors.shape == (len(index_terms()), 384)


def test_shipped_embeddings_stay_small() -> None:
    from sidestream.classify.embeddings import package_data_dir

    assert (package_data_dir() / SHIPPED_VECTORS).stat().st_size < 4_000_000


def test_other_backend_embeds_once_into_the_user_cache(
    tmp_path: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    backend = HashingBackend()
    first, source = term_embeddings(backend)
    assert source.startswith(str(tmp_path))
    second, again = term_embeddings(backend)
    assert backend.calls == 1
    assert again == source
    np.testing.assert_array_equal(first, second)


def test_unknown_backend_name_is_rejected() -> None:
    with pytest.raises(ValueError, match="SIDESTREAM_CLASSIFIER_BACKEND"):
        load_backend("gpt")


def test_lexical_backend_needs_no_model() -> None:
    assert load_backend("lexical") is None


def test_local_model_path_must_exist(tmp_path: object) -> None:
    with pytest.raises(ValueError, match="SIDESTREAM_EMBEDDING_MODEL_PATH"):
        SentenceTransformerBackend(f"{tmp_path}/missing")


def test_missing_sentence_transformers_is_explained(tmp_path: object) -> None:
    pytest.importorskip("numpy")
    try:
        import sentence_transformers  # noqa: F401
    except ImportError:
        with pytest.raises(RuntimeError, match="pip install sentence-transformers"):
            load_backend("auto", str(tmp_path))
    else:
        pytest.skip("sentence-transformers is installed")
