"""Listing matching: candidate generation by blocking, vectorised scoring, explained top-k.

Candidates are generated per block of offers against the needs of the same kind (blocking by
kind); hard limits then remove pairs (distance beyond the kind's maximum, disjoint availability
windows) and pairs without material evidence (no shared code family, no documented use by the
need's industry, no text similarity). The remaining pairs are scored with the weighted
components of :mod:`sidestream.matching.scoring`.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from sidestream.matching import scoring
from sidestream.matching.knowledge import KnowledgeBase
from sidestream.matching.schemas import Listing, Match, Reason
from sidestream.matching.sectors import SectorModel, SectorQuery, sector_model
from sidestream.matching.table import ListingTable, build_table
from sidestream.matching.text import TfidfIndex
from sidestream.matching.weights import MIN_MATERIAL, WEIGHTS

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


class MatchIndex:
    """Needs indexed for matching offers against them (built once, queried many times)."""

    def __init__(self, needs: Sequence[Listing], kb: KnowledgeBase | None = None) -> None:
        self.model: SectorModel = sector_model(kb)
        self.needs = build_table(needs)
        self.tfidf = TfidfIndex(self.needs.text)
        self.need_vectors = self.tfidf.transform(self.needs.text).T.tocsr()
        col = self.model.col
        self.need_class = np.array(
            [next((col[c] for c in n if c in col), -1) for n in self.needs.nace], np.int64
        )
        self.by_kind = {
            int(k): np.flatnonzero(self.needs.kind == k) for k in np.unique(self.needs.kind)
        }

    def match(self, offers: Sequence[Listing], top: int = 10) -> list[list[Match]]:
        """For each offer, its ``top`` needs, best first, with component reasons."""
        table, affinity, vectors = self._prepare(offers)
        results: list[list[Match]] = [[] for _ in offers]
        for block in self._blocks(table, affinity, vectors):
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
        table, affinity, vectors = self._prepare(offers)
        out = np.zeros((len(offers), len(self.needs)))
        for block in self._blocks(table, affinity, vectors):
            out[np.ix_(block.offers, block.needs)] = block.total
        return out

    def _prepare(self, offers: Sequence[Listing]):
        table = build_table(offers)
        affinity = self.model.score(
            [SectorQuery(x.text, x.waste_family, x.organisation_nace) for x in offers]
        ).total.astype(np.float32)
        return table, affinity, self.tfidf.transform(table.text)

    def _blocks(self, table: ListingTable, affinity: np.ndarray, vectors) -> Iterator[Block]:
        for kind in np.unique(table.kind):
            needs = self.by_kind.get(int(kind))
            offers = np.flatnonzero(table.kind == kind)
            if needs is None or not len(needs):
                continue
            for start in range(0, len(offers), CHUNK):
                yield self._score(table, offers[start : start + CHUNK], needs, affinity, vectors)

    def _score(
        self, table: ListingTable, oi: np.ndarray, nj: np.ndarray, affinity: np.ndarray, vectors
    ) -> Block:
        needs = self.needs
        cls = self.need_class[nj]
        kb_use = np.where(cls >= 0, affinity[oi][:, np.maximum(cls, 0)], 0.0)
        text = np.asarray((vectors[oi] @ self.need_vectors[:, nj]).todense(), dtype=np.float32)
        parts = {
            "code": scoring.code_scores(table.code[oi], needs.code[nj]),
            "kb_use": kb_use,
            "text": text,
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
            "material": scoring.material_scores(parts["code"], kb_use, text),
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
        total = sum(WEIGHTS[k] * v for k, v in components.items()) / sum(WEIGHTS.values())
        excluded = (dist > limit) | np.isnan(time) | (components["material"] < MIN_MATERIAL)
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
