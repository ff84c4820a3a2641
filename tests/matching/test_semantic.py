"""Semantic (multilingual embedding) evidence: shipped vectors, fold masking, and the off switch."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from sidestream.classify.embeddings import stored_embeddings, texts_fingerprint
from sidestream.config import get_settings
from sidestream.matching import sectors, semantic
from sidestream.matching.engine import MatchIndex
from sidestream.matching.knowledge import default_knowledge_base, load_knowledge_base
from sidestream.matching.schemas import Listing
from sidestream.matching.sectors import SectorModel, SectorQuery, recommend_sectors, sector_model


def _reset() -> None:
    get_settings.cache_clear()
    sectors._sector_model.cache_clear()


@pytest.fixture
def lexical() -> Iterator[None]:
    """Semantic evidence switched off, as with ``SIDESTREAM_CLASSIFIER_BACKEND=lexical``."""
    before = os.environ.get("SIDESTREAM_CLASSIFIER_BACKEND")
    os.environ["SIDESTREAM_CLASSIFIER_BACKEND"] = "lexical"
    _reset()
    try:
        yield
    finally:
        if before is None:
            del os.environ["SIDESTREAM_CLASSIFIER_BACKEND"]
        else:
            os.environ["SIDESTREAM_CLASSIFIER_BACKEND"] = before
        _reset()


def _top(description: str, k: int = 5) -> list[str]:
    return [r.nace for r in recommend_sectors(description, top=k)]


@pytest.mark.parametrize(
    ("description", "expected"),
    [
        ("Flyveaske fra kulkraftværk", {"2351"}),  # Danish: fly ash
        ("Flugasche aus dem Kohlekraftwerk", {"2351"}),  # German
        ("Vassle från ostproduktion", {"1091"}),  # Swedish: whey
        ("Biertreber aus der Brauerei", {"1091"}),  # German: brewers' spent grain
        ("Savsmuld fra savværk", {"1621", "1629"}),  # Danish: sawdust
        ("Odpadna toplota iz hlajenja", {"0113", "3530", "0119", "0322"}),  # Slovenian: heat
        ("Spillvärme från kylning", {"0113", "3530", "0119", "0322"}),  # Swedish: surplus heat
    ],
)
def test_descriptions_in_other_languages(description: str, expected: set[str]) -> None:
    assert expected & set(_top(description))


def test_semantic_components_are_scored() -> None:
    scores = sector_model().score([SectorQuery("Flyveaske fra kulkraftværk")])
    assert {"semantic", "semantic_pattern"} <= set(scores.components)
    j = sector_model().col["2351"]
    assert scores.components["semantic_pattern"][0, j] > 0.5


def test_lexical_switch_turns_semantic_evidence_off(lexical: None) -> None:
    model = sector_model()
    assert model.encoder is None and model.vectors is None
    scores = model.score([SectorQuery("coal fly ash", "100102")])
    assert "semantic" not in scores.components
    assert _top("coal fly ash")[0] == "2351"
    index = MatchIndex([Listing(id="n", direction="need", title="Cement raw material",
                                organisation_nace="2351")])  # fmt: skip
    [[match]] = index.match([Listing(id="o", direction="offer", title="Fly ash",
                                     waste_code="100102")], 5)  # fmt: skip
    assert match.need_id == "n"


def test_bundled_knowledge_base_vectors_are_shipped() -> None:
    texts = semantic.kb_texts(default_knowledge_base())
    fingerprint = texts_fingerprint(texts, semantic.KB_TEXTS_VERSION)
    model = semantic.backend()
    assert model is not None
    vectors, source = stored_embeddings(
        semantic.KB_FILE, texts, fingerprint, model, semantic.shipped_dir()
    )
    assert source == "package data"
    assert vectors.dtype == np.float16 and vectors.shape == (len(texts), 384)
    # float16 keeps the package small: ~4,200 texts (615 of them NACE class titles) in 3.2 MB
    assert (semantic.shipped_dir() / f"{semantic.KB_FILE}.npy").stat().st_size < 4_000_000


def test_fold_vectors_are_the_masked_rows_of_the_full_ones() -> None:
    kb = default_knowledge_base()
    case = kb.exchanges[0].case_id
    full, fold = SectorModel(kb), SectorModel(kb.without_cases([case]))
    assert full.vectors is not None and fold.vectors is not None
    assert len(fold.vectors.materials) == len(fold.exchanges) < len(full.exchanges)
    row = {id(e): i for i, e in enumerate(full.exchanges)}
    kept = [row[id(e)] for e in fold.exchanges]
    np.testing.assert_array_equal(fold.vectors.materials, full.vectors.materials[kept])
    np.testing.assert_array_equal(fold.vectors.receivers, full.vectors.receivers[kept])


def test_extended_knowledge_base_is_embedded_into_the_user_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    extra = tmp_path / "mine.csv"
    extra.write_text(
        "id,waste_codes,keywords,receiver_nace,typical_use,source\n"
        "grounds-cosmetics,,kaffegrums,2042,exfoliant in soaps,local trial 2024\n",
        encoding="utf-8",
    )
    kb = load_knowledge_base(extra_patterns=[extra])
    model = SectorModel(kb)
    assert model.vectors is not None and len(model.vectors.keywords) > 0
    # only the text the bundled vectors lack is embedded, once for every subset of this base
    SectorModel(kb.without_cases([kb.exchanges[0].case_id]))
    [stored] = list((tmp_path / "cache").rglob(f"{semantic.KB_FILE}.npy"))
    assert np.load(stored).shape[0] == 2  # 'kaffegrums' and 'exfoliant in soaps'


class _Counting:
    """An embedding backend that records what it is asked to embed."""

    name = "counting"
    similarity_floor = 0.0

    def __init__(self) -> None:
        self.seen: list[str] = []

    def encode(self, texts: list[str]) -> np.ndarray:
        self.seen += texts
        return np.array([[len(t), 1.0, 0.0, 0.5] for t in texts], np.float32)


def test_encoder_embeds_each_distinct_text_once() -> None:
    backend = _Counting()
    encoder = semantic.TextEncoder(backend)
    rows, inverse = encoder.encode_unique(["a", "b", "a"])
    encoder.encode(["b", "c"])
    assert backend.seen == ["a", "b", "c"]
    assert rows.shape == (2, 4) and inverse.tolist() == [0, 1, 0]


def test_a_restarted_process_reads_embeddings_from_the_disk_cache(tmp_path: Path) -> None:
    from sidestream.matching.embedding_cache import EmbeddingCache

    path = tmp_path / "cache" / "text-embeddings.sqlite"
    first = _Counting()
    before = semantic.TextEncoder(first, EmbeddingCache(path, first.name)).encode(["ash", "slag"])
    assert first.seen == ["ash", "slag"]
    again = _Counting()  # a new process: nothing remembered in memory
    encoder = semantic.TextEncoder(again, EmbeddingCache(path, again.name))
    after = encoder.encode(["slag", "ash", "whey"])
    assert again.seen == ["width", "whey"]  # a probe for the vector length, then the new text
    np.testing.assert_array_equal(after[:2], before[::-1])

    class Wider(_Counting):  # another model stored under the same name
        def encode(self, texts: list[str]) -> np.ndarray:
            self.seen += texts
            return np.ones((len(texts), 5), np.float32)

    wider = Wider()
    rows = semantic.TextEncoder(wider, EmbeddingCache(path, wider.name)).encode(["ash"])
    assert rows.shape == (1, 5) and wider.seen == ["width", "ash"]
    other = _Counting()
    other.name = "another-model"  # vectors of one model are never served to another
    semantic.TextEncoder(other, EmbeddingCache(path, other.name)).encode(["ash"])
    assert other.seen == ["ash"]


def test_an_unusable_cache_only_costs_time(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sidestream.matching import embedding_cache

    blocker = tmp_path / "file"
    blocker.write_text("not a folder", encoding="utf-8")
    backend = _Counting()
    cache = embedding_cache.EmbeddingCache(blocker / "x.sqlite", backend.name)
    rows = semantic.TextEncoder(backend, cache).encode(["ash"])
    assert rows.shape == (1, 4) and backend.seen == ["ash"]
    assert "not usable" in caplog.text
    monkeypatch.setenv("SIDESTREAM_EMBEDDING_CACHE", "off")
    get_settings.cache_clear()
    try:
        assert embedding_cache.default_path() is None
        monkeypatch.setenv("SIDESTREAM_EMBEDDING_CACHE", str(tmp_path / "mine.sqlite"))
        get_settings.cache_clear()
        assert embedding_cache.default_path() == tmp_path / "mine.sqlite"
    finally:
        get_settings.cache_clear()


def test_the_disk_cache_keeps_the_newest_vectors_within_its_bound(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sidestream.matching import embedding_cache

    monkeypatch.setattr(embedding_cache, "MAX_ROWS", 10)
    cache = embedding_cache.EmbeddingCache(tmp_path / "c.sqlite", "m")
    for i in range(25):
        cache.put([(f"text {i}", np.full(4, i, np.float32))])
    kept = cache.get([f"text {i}" for i in range(25)])
    assert 9 <= len(kept) <= 10 and "text 24" in kept and "text 0" not in kept
    np.testing.assert_array_equal(kept["text 24"], np.full(4, 24, np.float16))


def test_a_failed_write_does_not_leave_the_cache_stuck(tmp_path: Path) -> None:
    import sqlite3

    from sidestream.matching.embedding_cache import EmbeddingCache

    path = tmp_path / "c.sqlite"
    cache = EmbeddingCache(path, "m")
    blocker = sqlite3.connect(path, timeout=0)
    blocker.execute("BEGIN IMMEDIATE")  # another process holds the write lock
    cache.put([("t1", np.ones(4, np.float32))])  # fails after the busy wait, logged
    blocker.rollback()
    other = EmbeddingCache(path, "m")  # another process writes meanwhile
    assert cache.get(["t1"]) == {}
    other.put([("t2", np.ones(4, np.float32))])
    cache.put([("t3", np.ones(4, np.float32))])
    assert set(cache.get(["t1", "t2", "t3"])) == {"t2", "t3"}
    blocker.close()
