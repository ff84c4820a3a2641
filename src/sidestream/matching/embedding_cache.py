"""Embeddings of listing texts kept on disk, so a restarted process does not embed them again.

Embedding a text costs 7–15 ms on one core: a registry of 10,000 streams would spend a minute
after every restart before its first match. Vectors are stored in a small SQLite file (standard
library ``sqlite3``: a cache of derived values, not application data, so it stays outside the
application database and works for the database-free CLI too) keyed by the backend name and a
hash of the text. ``SIDESTREAM_EMBEDDING_CACHE`` picks the file: ``auto`` (default,
``$XDG_CACHE_HOME/sidestream/matching/text-embeddings.sqlite``), a path, or ``off``. A cache that
cannot be opened or written is skipped with a warning; matching never fails because of it.
"""

from __future__ import annotations

import hashlib
import logging
import os
import sqlite3
import threading
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

from sidestream.config import get_settings

log = logging.getLogger(__name__)

#: Texts looked up per query (below SQLite's bound-parameter limit).
LOOKUP_CHUNK = 500
#: Vectors kept (about 0.8 KB each): beyond this the oldest written are dropped.
MAX_ROWS = 400_000


def default_path() -> Path | None:
    """The cache file the settings ask for, or ``None`` when the cache is off."""
    setting = get_settings().embedding_cache.strip()
    if setting.lower() == "off":
        return None
    if setting.lower() != "auto":
        return Path(setting)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "sidestream" / "matching" / "text-embeddings.sqlite"


def _digest(text: str) -> bytes:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).digest()


class EmbeddingCache:
    """float16 vectors of texts for one embedding backend, in a SQLite file."""

    def __init__(self, path: Path, backend: str) -> None:
        self.path, self.backend = path, backend
        self._lock = threading.Lock()
        self._db: sqlite3.Connection | None = None
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(path, timeout=2.0, check_same_thread=False)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute(
                "CREATE TABLE IF NOT EXISTS text_embedding (backend TEXT NOT NULL, "
                "digest BLOB NOT NULL, vector BLOB NOT NULL, PRIMARY KEY (backend, digest))"
            )
            db.commit()
            self._db = db
        except (OSError, sqlite3.Error) as exc:
            log.warning("embedding cache %s not usable, texts are embedded anew: %s", path, exc)

    def get(self, texts: Sequence[str]) -> dict[str, np.ndarray]:
        """The stored vectors of those ``texts`` the cache holds."""
        if self._db is None or not texts:
            return {}
        by_digest = {_digest(t): t for t in texts}
        digests = list(by_digest)
        out: dict[str, np.ndarray] = {}
        try:
            with self._lock:
                for start in range(0, len(digests), LOOKUP_CHUNK):
                    chunk = digests[start : start + LOOKUP_CHUNK]
                    marks = ",".join("?" * len(chunk))
                    rows = self._db.execute(
                        "SELECT digest, vector FROM text_embedding "
                        f"WHERE backend = ? AND digest IN ({marks})",
                        (self.backend, *chunk),
                    ).fetchall()
                    for digest, blob in rows:
                        if len(blob) % 2 == 0:  # a damaged row is a miss
                            out[by_digest[digest]] = np.frombuffer(blob, dtype=np.float16)
        except sqlite3.Error as exc:
            self._failed("readable", exc)
        return out

    def put(self, items: Iterable[tuple[str, np.ndarray]]) -> None:
        """Store vectors of texts (kept as float16)."""
        if self._db is None:
            return
        rows = [(self.backend, _digest(t), np.asarray(v, np.float16).tobytes()) for t, v in items]
        try:
            with self._lock:
                self._db.executemany("INSERT OR IGNORE INTO text_embedding VALUES (?, ?, ?)", rows)
                self._db.commit()
                self._prune()
        except sqlite3.Error as exc:
            self._failed("writable", exc)

    def _failed(self, what: str, exc: sqlite3.Error) -> None:
        """Log, and end the failed transaction so that the next call starts afresh."""
        log.warning("embedding cache %s not %s: %s", self.path, what, exc)
        try:
            assert self._db is not None
            self._db.rollback()
        except sqlite3.Error:
            self._db = None  # give up on the file for this process

    def _prune(self) -> None:
        """Drop the oldest written vectors once the file holds more than ``MAX_ROWS`` (rows are
        counted by their rowid span: constant time, and exact while rows are only appended)."""
        assert self._db is not None
        first, last = self._db.execute(
            "SELECT min(rowid), max(rowid) FROM text_embedding"
        ).fetchone()
        if first is not None and last - first + 1 > MAX_ROWS:
            self._db.execute(
                "DELETE FROM text_embedding WHERE rowid < ?", (last - MAX_ROWS * 9 // 10 + 1,)
            )
            self._db.commit()
