"""Listing matching: candidate generation by blocking, vectorised scoring, explained top-k.

Candidates are generated per block of offers against the needs of the same kind (blocking by
kind); hard limits then remove pairs (distance beyond the kind's maximum, disjoint availability
windows) and pairs without material evidence (no shared code family, no documented use by the
need's industry, no text similarity). The remaining pairs are scored with the weighted
components of :mod:`sidestream.matching.scoring`.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse

from sidestream.matching import scoring
from sidestream.matching.knowledge import KnowledgeBase
from sidestream.matching.schemas import Listing, Match, Reason
from sidestream.matching.sectors import SectorModel, SectorQuery, sector_model
from sidestream.matching.table import ListingTable, build_table, concat_tables, take_rows
from sidestream.matching.text import TfidfIndex, cosine
from sidestream.matching.weights import (
    ANALOGUES,
    INFER_MIN_SIMILARITY,
    MIN_MATERIAL,
    NACE_BACKOFF,
    SEMANTIC_MAX_NEED_TEXTS,
    WEIGHTS,
)
from sidestream.taxonomy.kinds import Kind

CHUNK = 256


@dataclass
class Block:
    """Component scores of a block of offers (rows) against candidate needs (columns)."""

    offers: np.ndarray
    needs: np.ndarray
    parts: dict[str, np.ndarray]
    components: dict[str, np.ndarray]
    distance: np.ndarray
    total: np.ndarray


@dataclass
class PreparedOffers:
    """Offers read and scored against the knowledge base once, for any number of match calls."""

    table: ListingTable
    #: Sector-recommender scores (offers × classes) and similarity to documented materials.
    affinity: tuple[np.ndarray, np.ndarray]
    #: TF-IDF vectors of the offers in the index's vocabulary.
    vectors: sparse.csr_matrix


class MatchIndex:
    """Needs indexed for matching offers against them (built once, queried many times).

    :meth:`updated` derives an index with some needs removed and others added without
    re-reading the unchanged ones: the vocabularies and IDF weights stay those of the full build
    (texts added later are read in them), which is why a pool rebuilds fully once changes pile
    up (:mod:`sidestream.matching.service`).
    """

    def __init__(self, needs: Sequence[Listing], kb: KnowledgeBase | None = None) -> None:
        self.model: SectorModel = sector_model(kb)
        self.needs = build_table(needs)
        self.tfidf = TfidfIndex(self.needs.text)
        receivers = self.model.receiver_text
        self._receiver_tfidf = TfidfIndex([*receivers, *self.needs.text])
        self._receiver_vectors = self._receiver_tfidf.transform(receivers)
        model = self.model
        #: Whether needs are compared with documented receivers semantically too.
        self.semantic = (
            model.encoder is not None
            and model.vectors is not None
            and len(set(self.needs.text)) <= SEMANTIC_MAX_NEED_TEXTS
        )
        self.analogue_idx, self.analogue_sim = self._analogues(self.needs.text)
        self.need_class, self.need_class_weight = self._need_classes(
            self.needs.nace, self.analogue_idx, self.analogue_sim
        )
        self._group_by_kind()
        rows = self.tfidf.transform(self.needs.text)
        #: TF-IDF vectors of each kind's needs as columns (vocabulary × needs of the kind, in
        #: ``by_kind`` order): a block of offers is multiplied with them without slicing.
        self.kind_vectors = {k: rows[nj].T.tocsr() for k, nj in self.by_kind.items()}

    def updated(self, keep: np.ndarray, added: Sequence[Listing]) -> MatchIndex:
        """A new index of the needs where ``keep`` (boolean mask) is true, then ``added``.

        Unchanged needs are not read again; ``added`` ones are read with this index's
        vocabularies. The offers prepared for this index stay valid for the new one.
        """
        new = copy.copy(self)
        table = build_table(added)
        idx, sim = self._analogues(table.text)
        cls, weight = self._need_classes(table.nace, idx, sim)
        new.needs = concat_tables(take_rows(self.needs, keep), table)
        new.analogue_idx = np.vstack([self.analogue_idx[keep], idx])
        new.analogue_sim = np.vstack([self.analogue_sim[keep], sim])
        new.need_class = np.concatenate([self.need_class[keep], cls])
        new.need_class_weight = np.concatenate([self.need_class_weight[keep], weight])
        new._group_by_kind()
        added_vectors = self.tfidf.transform(table.text)
        new.kind_vectors = {}
        for k in new.by_kind:
            old = self.by_kind.get(k, np.zeros(0, np.int64))
            kept = self.kind_vectors[k][:, np.flatnonzero(keep[old])] if len(old) else None
            more = added_vectors[np.flatnonzero(table.kind == k)].T
            new.kind_vectors[k] = sparse.hstack([x for x in (kept, more) if x is not None], "csr")
        return new

    def updated_offers(
        self, prepared: PreparedOffers, keep: np.ndarray, added: Sequence[Listing]
    ) -> PreparedOffers:
        """Offers prepared for this index: the ``keep`` rows of ``prepared``, then ``added``."""
        extra = self.prepare(added)
        (sector, similar), (more_sector, more_similar) = prepared.affinity, extra.affinity
        return PreparedOffers(
            concat_tables(take_rows(prepared.table, keep), extra.table),
            (np.vstack([sector[keep], more_sector]), np.vstack([similar[keep], more_similar])),
            sparse.vstack([prepared.vectors[np.flatnonzero(keep)], extra.vectors], format="csr"),
        )

    def _group_by_kind(self) -> None:
        self.by_kind = {
            int(k): np.flatnonzero(self.needs.kind == k) for k in np.unique(self.needs.kind)
        }

    def _analogues(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """For each need text, the documented exchanges whose receiver looks like it.

        Keeps the ``ANALOGUES`` most similar receivers (business + final use; TF-IDF, or the
        semantic similarity where higher) per need: their exchange rows in the sector model
        (needs × k, -1 = none) and their similarity.
        """
        k = min(ANALOGUES, len(self.model.receiver_text))
        analogue_idx = np.full((len(texts), k), -1, np.int64)
        analogue_sim = np.zeros((len(texts), k), np.float32)
        if not k or not len(texts):
            return analogue_idx, analogue_sim
        semantic, need_rows = self._receiver_semantic(texts)
        for start in range(0, len(texts), 4096):
            rows = slice(start, start + 4096)
            sim = cosine(self._receiver_tfidf.transform(texts[rows]), self._receiver_vectors)
            if semantic is not None:
                sim = np.maximum(sim, semantic[need_rows[rows]])
            top = (
                np.argpartition(-sim, k - 1, axis=1)[:, :k]
                if k < sim.shape[1]
                else (np.tile(np.arange(k), (sim.shape[0], 1)))
            )
            val = np.take_along_axis(sim, top, axis=1)
            analogue_idx[rows] = np.where(val > 0, top, -1)
            analogue_sim[rows] = val
        return analogue_idx, analogue_sim

    def _receiver_semantic(self, texts: Sequence[str]) -> tuple[np.ndarray | None, np.ndarray]:
        """Semantic similarity of each distinct need text to each documented receiver, and the
        row of each need (``None`` when semantic evidence is off)."""
        model = self.model
        if not self.semantic or model.encoder is None or model.vectors is None:
            return None, np.zeros(0, np.int64)
        vectors, rows = model.encoder.encode_unique(texts)
        return model.encoder.similarity(vectors, model.vectors.receivers), rows

    def _need_classes(
        self, nace: Sequence[tuple[str, ...]], analogue_idx: np.ndarray, analogue_sim: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """The receiving class of each need in the sector model, and how sure we are of it.

        Its own NACE class when the knowledge base knows it (weight 1); else NACE back-off: the
        most frequent known class of the same group (``NACE_BACKOFF['group']``) or division;
        without a NACE code, the class of the most similar documented receiver (business and
        final use), weighted by that similarity × ``NACE_BACKOFF['inferred']``.
        """
        model = self.model
        col = model.col
        by_prefix: dict[str, int] = {}
        for j in np.argsort(-model.popularity, kind="stable"):
            cls = model.classes[j]
            by_prefix.setdefault(cls[:3], int(j))
            by_prefix.setdefault(cls[:2], int(j))
        classes = np.full(len(nace), -1, np.int64)
        weight = np.zeros(len(nace), np.float32)
        for i, codes in enumerate(nace):
            exact = next((col[c] for c in codes if c in col), None)
            if exact is not None:
                classes[i], weight[i] = exact, 1.0
                continue
            for level, width in (("group", 3), ("division", 2)):
                found = next((by_prefix[c[:width]] for c in codes if c[:width] in by_prefix), None)
                if found is not None:
                    classes[i], weight[i] = found, NACE_BACKOFF[level]
                    break
            if not codes and analogue_idx.shape[1] and analogue_idx[i, 0] >= 0:
                best = int(np.argmax(analogue_sim[i]))
                e = model.exchanges[int(analogue_idx[i, best])]
                sim = float(analogue_sim[i, best])
                if sim >= INFER_MIN_SIMILARITY and e.receiver_classes:
                    classes[i] = col[e.receiver_classes[0]]
                    weight[i] = NACE_BACKOFF["inferred"] * sim
        return classes, weight

    def match(self, offers: Sequence[Listing], top: int = 10) -> list[list[Match]]:
        """For each offer, its ``top`` needs, best first, with component reasons."""
        prepared = self.prepare(offers)
        table = prepared.table
        results: list[list[Match]] = [[] for _ in offers]
        for block in self._blocks(prepared):
            k = min(top, block.total.shape[1])
            if k == 0:
                continue
            best = np.argpartition(-block.total, k - 1, axis=1)[:, :k]
            for r, i in enumerate(block.offers):
                cols = best[r][np.argsort(-block.total[r, best[r]], kind="stable")]
                results[i] = [
                    self._explain(table, block, r, c) for c in cols if block.total[r, c] > 0
                ]
        return results

    def score_matrix(self, offers: Sequence[Listing]) -> np.ndarray:
        """Total scores of every offer (rows) against every indexed need (0 = not a candidate)."""
        out = np.zeros((len(offers), len(self.needs)))
        for block in self._blocks(self.prepare(offers)):
            out[np.ix_(block.offers, block.needs)] = block.total
        return out

    def offers_for_need(
        self, prepared: PreparedOffers, need: int, top: int = 10, keep: np.ndarray | None = None
    ) -> list[Match]:
        """The reverse direction: the ``top`` prepared offers for indexed need number ``need``,
        best first, scored exactly as :meth:`match` scores the pair (``keep``: offer mask)."""
        table = prepared.table
        mask = table.kind == self.needs.kind[need]
        if keep is not None:
            mask &= keep
        rows = np.flatnonzero(mask)
        if not len(rows):
            return []
        vectors = self.tfidf.transform([self.needs.text[need]]).T.tocsr()
        block = self._score(prepared, rows, np.array([need]), vectors)
        scores = block.total[:, 0]
        best = [r for r in np.argsort(-scores, kind="stable")[:top] if scores[r] > 0]
        return [self._explain(table, block, int(r), 0) for r in best]

    def prepare(self, offers: Sequence[Listing]) -> PreparedOffers:
        """Read offers and score their materials against the knowledge base (reusable)."""
        table = build_table(offers)
        temperatures = [None if np.isnan(t) else float(t) for t in table.temperature]
        scores = self.model.score([  # a kind the offer states skips other kinds' patterns
            SectorQuery(x.text, x.waste_family, x.organisation_nace, t,
                        Kind(x.kind).value if x.kind else None)
            for x, t in zip(offers, temperatures, strict=True)
        ])  # fmt: skip
        affinity = (scores.total.astype(np.float32), self.model.exchange_similarity(scores))
        return PreparedOffers(table, affinity, self.tfidf.transform(table.text))

    def _blocks(self, prepared: PreparedOffers) -> Iterator[Block]:
        table = prepared.table
        for kind in np.unique(table.kind):
            needs = self.by_kind.get(int(kind))
            offers = np.flatnonzero(table.kind == kind)
            if needs is None or not len(needs):
                continue
            columns = self.kind_vectors[int(kind)]
            for start in range(0, len(offers), CHUNK):
                yield self._score(prepared, offers[start : start + CHUNK], needs, columns)

    def _score(
        self, prepared: PreparedOffers, oi: np.ndarray, nj: np.ndarray, columns: sparse.csr_matrix
    ) -> Block:
        """Scores of offers ``oi`` against needs ``nj`` (``columns``: their TF-IDF vectors as
        columns, vocabulary × needs)."""
        table, vectors = prepared.table, prepared.vectors
        needs = self.needs
        cls = self.need_class[nj]
        sector, similar = prepared.affinity
        kb_use = np.where(
            cls >= 0, sector[oi][:, np.maximum(cls, 0)] * self.need_class_weight[nj], 0.0
        )
        text = np.asarray((vectors[oi] @ columns).todense(), dtype=np.float32)
        parts = {
            "code": scoring.code_scores(table.code[oi], needs.code[nj]),
            "kb_use": kb_use,
            "text": text,
            "analogue": scoring.analogue_scores(
                similar[oi], self.analogue_idx[nj], self.analogue_sim[nj]
            ),
        }
        dist = scoring.haversine_km(
            table.lat[oi][:, None],
            table.lon[oi][:, None],
            needs.lat[nj][None, :],
            needs.lon[nj][None, :],
        )
        limit = scoring.max_distance(int(table.kind[oi[0]]))
        time = scoring.time_scores(table, oi, needs, nj)
        components = {
            "material": scoring.material_scores(parts),
            "distance": scoring.distance_scores(dist, limit),
            "quantity": scoring.quantity_scores(
                table.amount[oi],
                needs.amount[nj],
                table.unit[oi][:, None] == needs.unit[nj][None, :],
            ),
            "quality": scoring.quality_scores(table, oi, needs, nj),
            "time": np.nan_to_num(time, nan=0.0),
            "regulatory": np.broadcast_to(
                scoring.regulatory_scores(table, oi)[:, None], text.shape
            ),
        }
        total = scoring.combine(components, WEIGHTS)
        excluded = (
            (dist > limit)
            | np.isnan(time)
            | (components["material"] < MIN_MATERIAL)
            | scoring.ruled_out(table, oi, needs, nj)
        )
        total = np.where(excluded, 0.0, total)
        return Block(oi, nj, parts, components, dist, np.asarray(total, dtype=np.float64))

    def _explain(self, table: ListingTable, block: Block, r: int, c: int) -> Match:
        i, j = int(block.offers[r]), int(block.needs[c])
        needs = self.needs
        v = {k: float(m[r, c]) for k, m in block.components.items()}
        parts = {k: float(m[r, c]) for k, m in block.parts.items()}
        sector = self.model.classes[self.need_class[j]] if self.need_class[j] >= 0 else ""
        details = {
            "material": scoring.material_detail(table, i, needs, j, parts, sector),
            "distance": scoring.distance_detail(table, i, needs, j, float(block.distance[r, c])),
            "quantity": scoring.quantity_detail(table, i, needs, j),
            "quality": scoring.quality_detail(table, i, needs, j),
            "time": scoring.time_detail(table, i, needs, j, v["time"]),
            "regulatory": scoring.regulatory_detail(table, i),
        }
        reasons = [
            Reason(component=k, score=round(v[k], 4), weight=WEIGHTS[k], detail=details[k])
            for k in WEIGHTS
        ]
        return Match(
            need_id=needs.listings[j].id,
            offer_id=table.listings[i].id,
            score=round(float(block.total[r, c]), 4),
            reasons=reasons,
        )


def match_listings(
    offers: Sequence[Listing],
    needs: Sequence[Listing],
    top: int = 10,
    kb: KnowledgeBase | None = None,
) -> list[list[Match]]:
    """For every offer (in order), the ``top`` needs that could take it, best first."""
    if not offers or not needs:
        return [[] for _ in offers]
    return MatchIndex(needs, kb).match(offers, top)
