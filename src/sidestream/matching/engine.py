"""Listing matching: candidate generation by blocking, vectorised scoring, explained top-k.

Candidates are generated per block of offers against the needs of the same kind (blocking by
kind; a need that states and implies no kind joins every physical kind's block); hard limits
then remove pairs (distance beyond the kind's maximum, disjoint availability windows) and pairs
without material evidence (no shared code family, no documented use by the need's industry, no
text similarity). The remaining pairs are scored with the weighted components of
:mod:`sidestream.matching.scoring`.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from numpy.typing import ArrayLike
from scipy import sparse

from sidestream.matching import scoring
from sidestream.matching.business_names import written_business
from sidestream.matching.knowledge import KnowledgeBase
from sidestream.matching.schemas import Listing, Match, Reason
from sidestream.matching.sectors import SectorModel, SectorQuery, sector_model
from sidestream.matching.table import KINDS, ListingTable, build_table, concat_tables, take_rows
from sidestream.matching.text import (
    TfidfIndex,
    asked_part,
    cosine,
    normalise_text,
    original_words,
    source_spans,
    without_business_names,
)
from sidestream.matching.weights import (
    ANALOGUES,
    EVIDENCE_MIN_SIMILARITY,
    INFER_MIN_SIMILARITY,
    INFER_TITLE_MIN_SIMILARITY,
    KIND_DOUBT,
    LISTING_SECTOR_LEAVES_OUT,
    MIN_MATERIAL,
    NACE_BACKOFF,
    NAMES_ANOTHER,
    OVERRULE_MIN_SIMILARITY,
    SEMANTIC_MAX_NEED_TEXTS,
    USE_DETAIL_MIN,
    USES,
    WEIGHTS,
)
from sidestream.messages import english
from sidestream.taxonomy.kinds import PHYSICAL_KINDS, Kind

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
    #: How strongly patterns with each typical use name each offer's material (offers × uses).
    strength: np.ndarray
    #: The curated patterns each offer names (offers × patterns, 1 = named).
    patterns: sparse.csr_matrix
    #: Pairs whose need asks for another material than the offer's (``scoring.names_another``).
    another: np.ndarray


#: Embeddings of distinct texts and, per listing, the row of its text.
Embedded = tuple[np.ndarray, np.ndarray]


@dataclass
class PreparedOffers:
    """Offers read and scored against the knowledge base once, for any number of match calls."""

    table: ListingTable
    #: Sector-recommender scores (offers × classes), similarity to documented materials
    #: (offers × exchanges) and how strongly patterns with each typical use name them.
    affinity: tuple[np.ndarray, np.ndarray, np.ndarray]
    #: TF-IDF vectors of the offers in the index's vocabulary.
    vectors: sparse.csr_matrix
    #: The curated patterns each offer names (offers × patterns, 1 = named).
    patterns: sparse.csr_matrix
    #: Their texts' embeddings when the index compares texts semantically, else None.
    embeddings: Embedded | None = None


_LETTER = re.compile(r"[^\W\d_]")

#: Per need: indices (needs × k, -1 = none) and similarities of its nearest texts.
Nearest = tuple[np.ndarray, np.ndarray]


def _nearest(
    texts: Sequence[str],
    index: TfidfIndex,
    columns: sparse.csr_matrix,
    k: int,
    semantic: tuple[np.ndarray, np.ndarray] | None,
) -> Nearest:
    """The ``k`` columns most like each text: TF-IDF cosine in ``index``, or where higher the
    embedding similarity (``semantic``: distinct texts × columns, and each text's row)."""
    k = min(k, columns.shape[0])
    idx = np.full((len(texts), k), -1, np.int64)
    out = np.zeros((len(texts), k), np.float32)
    if not k or not len(texts):
        return idx, out
    for start in range(0, len(texts), 4096):
        rows = slice(start, start + 4096)
        sim = cosine(index.transform(texts[rows]), columns)
        if semantic is not None:
            similarity, text_rows = semantic
            sim = np.maximum(sim, similarity[text_rows[rows]])
        top = (
            np.argpartition(-sim, k - 1, axis=1)[:, :k]
            if k < sim.shape[1]
            else np.tile(np.arange(k), (sim.shape[0], 1))
        )
        val = np.take_along_axis(sim, top, axis=1)
        idx[rows] = np.where(val > 0, top, -1)
        out[rows] = val
    return idx, out


def _joined(old: Embedded, keep: np.ndarray, added: Embedded) -> Embedded:
    """The kept listings' embeddings, then the added ones' (rows of dropped texts stay until
    the next full build)."""
    vectors, rows = old
    more, more_rows = added
    if not len(more_rows):
        return vectors, rows[keep]
    stacked = np.vstack([vectors, more]) if len(vectors) else more
    return stacked, np.concatenate([rows[keep], more_rows + len(vectors)])


class MatchIndex:
    """Needs indexed for matching offers against them (built once, queried many times).

    :meth:`updated` derives an index with some needs removed and others added without
    re-reading the unchanged ones: the vocabularies and IDF weights stay those of the full build
    (texts added later are read in them), which is why a pool rebuilds fully once changes pile
    up (:mod:`sidestream.matching.service`).
    """

    def __init__(self, needs: Sequence[Listing], kb: KnowledgeBase | None = None) -> None:
        self.model: SectorModel = sector_model(kb)
        self._quoted = lru_cache(maxsize=65_536)(self._quoted_uncached)
        self.needs = build_table(needs)
        self.tfidf = TfidfIndex(self.needs.text)
        receivers = self.model.receiver_text
        self._receiver_tfidf = TfidfIndex([*receivers, *self.needs.text])
        self._receiver_vectors = self._receiver_tfidf.transform(receivers)
        self._use_tfidf = TfidfIndex([*self.model.use_text, *self.needs.text])
        self._use_vectors = self._use_tfidf.transform(self.model.use_text)
        model = self.model
        #: Whether needs are compared with documented receivers semantically too.
        self.semantic = (
            model.encoder is not None
            and model.vectors is not None
            and len(set(self.needs.text)) <= SEMANTIC_MAX_NEED_TEXTS
        )
        #: Embeddings of the needs' texts (needs × dimensions) when semantic, else None.
        self.need_embeddings = self._embed(self.needs.text)
        (self.analogue_idx, self.analogue_sim), (self.use_idx, self.use_sim) = self._look_alikes(
            self.needs.text, self.need_embeddings
        )
        self.need_class, self.need_class_weight = self._need_classes(
            self.needs.nace,
            self.analogue_idx,
            self.analogue_sim,
            self._business_classes(needs, self.needs.nace),
        )
        wanted = _wanted(needs)
        read_kinds(self.model, self.needs, self.analogue_idx, self.analogue_sim, wanted)
        #: Needs with the same look-alikes share a number (scored once per block).
        self.analogue_rows = scoring.look_alike_rows(self.analogue_idx, self.analogue_sim)
        self.use_rows = scoring.look_alike_rows(self.use_idx, self.use_sim)
        #: The curated patterns each need names in its title (needs × patterns, 1 = named):
        #: the title says what is wanted, a description often who wants it ("brick works").
        self.named = self.model.named_patterns(wanted, _kinds(self.needs))
        self._group_by_kind()
        #: TF-IDF vectors of each kind's needs as columns (vocabulary × needs of the kind, in
        #: ``by_kind`` order): a block of offers is multiplied with them without slicing; the
        #: needs' texts, then what their titles ask for (:func:`~.text.asked_part`).
        texts = self.tfidf.transform(self.needs.text)
        asks = self.tfidf.transform(_asked(wanted, self.named))
        self.kind_vectors = {
            k: (texts[nj].T.tocsr(), asks[nj].T.tocsr()) for k, nj in self.by_kind.items()
        }

    def updated(self, keep: np.ndarray, added: Sequence[Listing]) -> MatchIndex:
        """A new index of the needs where ``keep`` (boolean mask) is true, then ``added``.

        Unchanged needs are not read again; ``added`` ones are read with this index's
        vocabularies and its semantic setting (:meth:`outgrown_by` tells when the needs have
        outgrown it). The offers prepared for this index stay valid for the new one.
        """
        new = copy.copy(self)
        table = build_table(added)
        embeddings = self._embed(table.text)
        (idx, sim), (use_idx, use_sim) = self._look_alikes(table.text, embeddings)
        business = self._business_classes(added, table.nace)
        cls, weight = self._need_classes(table.nace, idx, sim, business)
        wanted = _wanted(added)
        read_kinds(self.model, table, idx, sim, wanted)
        new.needs = concat_tables(take_rows(self.needs, keep), table)
        new.analogue_idx = np.vstack([self.analogue_idx[keep], idx])
        new.analogue_sim = np.vstack([self.analogue_sim[keep], sim])
        new.use_idx = np.vstack([self.use_idx[keep], use_idx])
        new.use_sim = np.vstack([self.use_sim[keep], use_sim])
        new.need_class = np.concatenate([self.need_class[keep], cls])
        new.analogue_rows = _renumbered(self.analogue_rows, keep, idx, sim)
        new.use_rows = _renumbered(self.use_rows, keep, use_idx, use_sim)
        new.need_class_weight = np.concatenate([self.need_class_weight[keep], weight])
        named = self.model.named_patterns(wanted, _kinds(table))
        new.named = sparse.vstack([self.named[np.flatnonzero(keep)], named], format="csr")
        if self.need_embeddings is not None and embeddings is not None:
            new.need_embeddings = _joined(self.need_embeddings, keep, embeddings)
        new._group_by_kind()
        added_vectors = (
            self.tfidf.transform(table.text),
            self.tfidf.transform(_asked(wanted, named)),
        )
        new.kind_vectors = {}
        for k in new.by_kind:
            old = self.by_kind.get(k, np.zeros(0, np.int64))
            more = np.flatnonzero(_compared(table, k))
            kept = (
                [c[:, np.flatnonzero(keep[old])] for c in self.kind_vectors[k]]
                if len(old)
                else [None, None]
            )
            new.kind_vectors[k] = tuple(
                sparse.hstack([x for x in (was, added[more].T) if x is not None], "csr")
                for was, added in zip(kept, added_vectors, strict=True)
            )
        return new

    def outgrown_by(self, needs: Sequence[Listing]) -> bool:
        """Whether ``needs`` are more distinct texts than a semantic index takes
        (``SEMANTIC_MAX_NEED_TEXTS``): a full build would then compare them by TF-IDF alone."""
        return self.semantic and len({x.text for x in needs}) > SEMANTIC_MAX_NEED_TEXTS

    def updated_offers(
        self, prepared: PreparedOffers, keep: np.ndarray, added: Sequence[Listing]
    ) -> PreparedOffers:
        """Offers prepared for this index: the ``keep`` rows of ``prepared``, then ``added``."""
        extra = self.prepare(added)
        return PreparedOffers(
            concat_tables(take_rows(prepared.table, keep), extra.table),
            tuple(  # type: ignore[arg-type]
                np.vstack([old[keep], more])
                for old, more in zip(prepared.affinity, extra.affinity, strict=True)
            ),
            sparse.vstack([prepared.vectors[np.flatnonzero(keep)], extra.vectors], format="csr"),
            sparse.vstack([prepared.patterns[np.flatnonzero(keep)], extra.patterns], format="csr"),
            None
            if prepared.embeddings is None or extra.embeddings is None
            else _joined(prepared.embeddings, keep, extra.embeddings),
        )

    def _group_by_kind(self) -> None:
        kinds = set(np.unique(self.needs.kind).tolist())
        if self.needs.open_kind.any():
            kinds |= PHYSICAL
        self.by_kind = {int(k): np.flatnonzero(_compared(self.needs, k)) for k in sorted(kinds)}

    def _look_alikes(
        self, texts: Sequence[str], embeddings: Embedded | None
    ) -> tuple[Nearest, Nearest]:
        """For each need text, the documented receivers and the patterns' typical uses that
        look like it (TF-IDF, or the semantic similarity where higher).

        Keeps the ``ANALOGUES`` most similar documented receivers (business + final use; their
        exchange rows in the sector model) and the ``USES`` most similar distinct typical uses of
        the patterns per need: needs × k indices (-1 = none) and similarities.
        """
        model = self.model
        receivers = uses = None  # semantic similarities, when on
        if embeddings is not None:
            assert model.encoder is not None and model.vectors is not None
            vectors, rows = embeddings
            receivers = model.encoder.similarity(vectors, model.vectors.receivers), rows
            uses = model.encoder.similarity(vectors, model.vectors.uses), rows
        found = (
            _nearest(texts, self._receiver_tfidf, self._receiver_vectors, ANALOGUES, receivers),
            _nearest(texts, self._use_tfidf, self._use_vectors, USES, uses),
        )
        wordless = np.array([_LETTER.search(t) is None for t in texts], bool)
        for idx, sim in found:  # no words, nothing alike (not the embedding's noise)
            idx[wordless], sim[wordless] = -1, 0.0
        return found

    def _best_use(self, strength: np.ndarray, need: int) -> str:
        """The typical use that gave an offer (its pattern strengths) its use evidence."""
        idx, sim = self.use_idx[need], self.use_sim[need]
        got = np.where(idx >= 0, strength[np.maximum(idx, 0)] * sim, 0.0)
        return self.model.use_text[int(idx[int(np.argmax(got))])]

    def _named_words(
        self, offers: ListingTable, i: int, offer_named: sparse.csr_matrix, r: int, need: int
    ) -> tuple[str, str | None]:
        """The need's words for a pattern it names with offer ``i`` (row ``r`` of
        ``offer_named``), and the offer's (``None`` when only the offer's LoW code, not its
        words, names such a pattern)."""
        need_text = without_business_names(self.needs.listings[need].title)
        offer_text = offers.text[i]
        shared = sorted(set(_named_in(self.named, need).tolist()) & set(
            _named_in(offer_named, r).tolist()))  # fmt: skip
        # a need may name it through its kind rather than a keyword ("Varme til
        # fjernvarmenettet": heat in an energy stream): then its title is quoted whole
        whole = need_text.strip() or self.needs.listings[need].title
        words = [(self._quoted(j, need_text) or whole, self._quoted(j, offer_text)) for j in shared]
        return next((w for w in words if w[1]), words[0])

    def _asked_words(
        self, offers: ListingTable, i: int, offer_named: sparse.csr_matrix, r: int, need: int
    ) -> tuple[str, str]:
        """The need's words for the first material its title names, and the offer's for the
        first it names (its title where only its LoW code names one)."""
        need_text = without_business_names(self.needs.listings[need].title)
        asked = self._quoted(int(_named_in(self.named, need)[0]), need_text)
        offered = self._quoted(int(_named_in(offer_named, r)[0]), offers.text[i])
        return asked or need_text, offered or offers.listings[i].title

    def _quoted_uncached(self, pattern: int, text: str) -> str | None:
        """Pattern number ``pattern``'s keyword in ``text`` as the text writes it, else None."""
        found = self.model.kb.patterns[pattern].keyword_in(normalise_text(text))
        return original_words(text, found) if found else None

    def _embed(self, texts: Sequence[str]) -> Embedded | None:
        """Embeddings of the distinct listing texts and each text's row (``None`` when semantic
        evidence is off); a text without words gets a zero row, so it resembles nothing (not
        the model's noise)."""
        encoder = self.model.encoder
        if not self.semantic or encoder is None:
            return None
        vectors, rows = encoder.encode_unique(texts)
        wordless = [i for i, t in enumerate(texts) if _LETTER.search(t) is None]
        if wordless:
            vectors[rows[wordless]] = 0.0
        return vectors, rows

    def _business_classes(
        self, needs: Sequence[Listing], nace: Sequence[tuple[str, ...]]
    ) -> tuple[list[str], np.ndarray]:
        """For each need that gives no NACE code (``nace``: the codes each gives), the class its
        business (its description, else its title) reads as, and how sure that is ("" and 0
        where none): 1 where its organisation's name or its business writes a class's everyday
        business name ("Zementwerk", :func:`~.business_names.named_business`), else, where
        needs are compared semantically, the class whose title or business name is most alike
        in meaning and that similarity."""
        codes, sims = [""] * len(needs), np.zeros(len(needs), np.float32)
        unnamed: list[tuple[int, str]] = []
        for i in (i for i, codes in enumerate(nace) if not codes):
            need, business = needs[i], _business(needs[i])
            named = written_business(need.organisation, business, need.language)
            if named:
                codes[i], sims[i] = named, 1.0
            else:
                unnamed.append((i, business))
        vectors = self.model.vectors
        embedded = (
            self._embed([business for _, business in unnamed])
            if self.semantic and vectors is not None and unnamed
            else None
        )
        if embedded is None or vectors is None or self.model.encoder is None:
            return codes, sims
        distinct, rows = embedded
        sim = self.model.encoder.similarity(distinct, vectors.businesses)
        best = np.argmax(sim, axis=1)
        for (i, _), row in zip(unnamed, rows, strict=True):
            codes[i], sims[i] = vectors.business_codes[best[row]], sim[row, best[row]]
        return codes, sims

    def _need_classes(
        self,
        nace: Sequence[tuple[str, ...]],
        analogue_idx: np.ndarray,
        analogue_sim: np.ndarray,
        business: tuple[list[str], np.ndarray],
    ) -> tuple[np.ndarray, np.ndarray]:
        """The receiving class of each need in the sector model, and how sure we are of it.

        Its own NACE class when the knowledge base knows it (weight 1); else NACE back-off: the
        most frequent known class of the same group (``NACE_BACKOFF['group']``) or division;
        without a NACE code, the surer of two inferences: the class of the most similar
        documented receiver (business and final use), weighted by that similarity ×
        ``NACE_BACKOFF['inferred']``, and the class the need's ``business`` reads as (its
        everyday name, else the title or name most alike: :meth:`_business_classes`), weighted
        by that similarity × ``NACE_BACKOFF['inferred']`` (× the group's back-off where the
        model knows only a class of its group). A business read as a class of another division
        than the documented receiver's overrules it (from ``OVERRULE_MIN_SIMILARITY``): a "Raw
        material" need resembles every documented "Raw material" receiver, so the receiver's
        class is no reading of a "Shoe manufacturer".
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
            found, backoff = self._backed_off(codes, by_prefix)
            if found >= 0:
                classes[i], weight[i] = found, backoff
            if not codes and analogue_idx.shape[1] and analogue_idx[i, 0] >= 0:
                best = int(np.argmax(analogue_sim[i]))
                e = model.exchanges[int(analogue_idx[i, best])]
                sim = float(analogue_sim[i, best])
                if sim >= INFER_MIN_SIMILARITY and e.receiver_classes:
                    classes[i] = col[e.receiver_classes[0]]
                    weight[i] = NACE_BACKOFF["inferred"] * sim
            if not codes:
                sim = float(business[1][i])
                code = business[0][i]
                found, backoff = (  # a title's class stands for its group, not its division
                    (col[code], 1.0) if code in col else self._backed_off((code,), by_prefix, 3)
                )
                if sim < INFER_TITLE_MIN_SIMILARITY:
                    continue
                sure = NACE_BACKOFF["inferred"] * sim * backoff if found >= 0 else 0.0
                other = classes[i] >= 0 and model.classes[classes[i]][:2] != code[:2]
                if sure > weight[i] or (other and sim >= OVERRULE_MIN_SIMILARITY):
                    classes[i], weight[i] = (found, sure) if found >= 0 else (-1, 0.0)
        return classes, weight

    @staticmethod
    def _backed_off(
        codes: Sequence[str], by_prefix: dict[str, int], narrowest: int = 2
    ) -> tuple[int, float]:
        """The most frequent known class of the group, else of the division (``narrowest``: 3
        stops at the group), of ``codes``, and the back-off's weight; (-1, 0) when the model
        knows none."""
        for level, width in (("group", 3), ("division", 2)):
            if width < narrowest:
                break
            found = next((by_prefix[c[:width]] for c in codes if c[:width] in by_prefix), None)
            if found is not None:
                return found, NACE_BACKOFF[level]
        return -1, 0.0

    def match(
        self, offers: Sequence[Listing], top: int = 10, phrases: bool = False
    ) -> list[list[Match]]:
        """For each offer, its ``top`` needs, best first, with component reasons (``phrases``:
        keep each reason's phrases for a page in another language)."""
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
                results[i] += [
                    self._explain(table, block, r, c, phrases)
                    for c in cols
                    if block.total[r, c] > 0
                ]
        for i in np.flatnonzero(table.open_kind):  # in several blocks: one list, best first
            results[i] = sorted(results[i], key=lambda m: -m.score)[:top]
        return results

    def score_matrix(self, offers: Sequence[Listing]) -> np.ndarray:
        """Total scores of every offer (rows) against every indexed need (0 = not a candidate)."""
        out = np.zeros((len(offers), len(self.needs)))
        for block in self._blocks(self.prepare(offers)):
            out[np.ix_(block.offers, block.needs)] = block.total
        return out

    def offers_for_need(
        self,
        prepared: PreparedOffers,
        need: int,
        top: int = 10,
        keep: np.ndarray | None = None,
        phrases: bool = False,
    ) -> list[Match]:
        """The reverse direction: the ``top`` prepared offers for indexed need number ``need``,
        best first, scored exactly as :meth:`match` scores the pair (``keep``: offer mask)."""
        table = prepared.table
        mask = _meets(
            table.kind, table.open_kind, self.needs.kind[need], self.needs.open_kind[need]
        )
        if keep is not None:
            mask &= keep
        rows = np.flatnonzero(mask)
        if not len(rows):
            return []
        asked = _asked(_wanted([self.needs.listings[need]]), self.named[[need]])
        vectors = (
            self.tfidf.transform([self.needs.text[need]]).T.tocsr(),
            self.tfidf.transform(asked).T.tocsr(),
        )
        found: list[tuple[float, Block, int]] = []
        for offer_kind in np.unique(table.kind[rows]):  # a block's limits are its offers' kind
            block = self._score(prepared, rows[table.kind[rows] == offer_kind], np.array([need]),
                                vectors)  # fmt: skip
            scores = block.total[:, 0]
            found += [(float(scores[r]), block, int(r)) for r in np.flatnonzero(scores > 0)]
        best = sorted(found, key=lambda x: -x[0])[:top]  # stable: table order among ties
        return [self._explain(table, block, r, 0, phrases) for _, block, r in best]

    def prepare(self, offers: Sequence[Listing]) -> PreparedOffers:
        """Read offers and score their materials against the knowledge base (reusable)."""
        table = build_table(offers)
        temperatures = [None if np.isnan(t) else float(t) for t in table.temperature]
        scores = self.model.score([  # a kind the offer states skips other kinds' patterns
            SectorQuery(x.text, x.waste_family, _donor_nace(x), t, kind)
            for x, t, kind in zip(offers, temperatures, _stated_kinds(offers), strict=True)
        ], ranking=False)  # fmt: skip
        affinity = (
            scores.total_without(LISTING_SECTOR_LEAVES_OUT).astype(np.float32),
            self.model.exchange_similarity(scores),
            self.model.use_strength(scores),
        )
        every = np.broadcast_to(np.arange(affinity[1].shape[1]), affinity[1].shape)
        read_kinds(self.model, table, every, affinity[1])  # from the most alike material
        return PreparedOffers(
            table,
            affinity,
            self.tfidf.transform(table.text),
            self.model.named_patterns(
                [x.title for x in offers],
                _kinds(table),
                [x.waste_code for x in offers],
                [x.description for x in offers],
            ),
            self._embed(table.text),
        )

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
        # an offer that states and implies no kind (read as material) also meets the needs
        # stated as the other physical kinds
        offers = np.flatnonzero(table.open_kind)
        for kind in sorted(PHYSICAL - {KINDS.index(Kind.material)}) if len(offers) else ():
            stated = ~self.needs.open_kind[self.by_kind.get(kind, np.zeros(0, np.int64))]
            if not stated.any():
                continue
            needs = self.by_kind[kind][stated]
            columns = tuple(c[:, np.flatnonzero(stated)] for c in self.kind_vectors[kind])
            for start in range(0, len(offers), CHUNK):
                yield self._score(prepared, offers[start : start + CHUNK], needs, columns)

    def _score(
        self,
        prepared: PreparedOffers,
        oi: np.ndarray,
        nj: np.ndarray,
        columns: tuple[sparse.csr_matrix, sparse.csr_matrix],
    ) -> Block:
        """Scores of offers ``oi`` against needs ``nj`` (``columns``: the TF-IDF vectors of
        their texts and of what their titles ask for as columns, vocabulary × needs)."""
        table, vectors = prepared.table, prepared.vectors
        needs = self.needs
        cls = self.need_class[nj]
        sector, similar, strength = prepared.affinity
        offer_named, need_named = prepared.patterns[oi], self.named[nj]
        kb_use = (
            np.where(cls >= 0, sector[oi][:, np.maximum(cls, 0)] * self.need_class_weight[nj], 0)
            if sector.shape[1]  # a knowledge base that knows no receiving class knows no use
            else np.zeros((len(oi), len(nj)), np.float32)
        )
        text = np.asarray((vectors[oi] @ columns[0]).todense(), dtype=np.float32)
        lexical = text
        encoder = self.model.encoder
        if encoder and prepared.embeddings is not None and self.need_embeddings is not None:
            # the two descriptions alike in words, or where higher in meaning (any language)
            (offer_vectors, offer_rows), (need_vectors, need_rows) = (
                prepared.embeddings,
                self.need_embeddings,
            )
            texts, each = np.unique(need_rows[nj], return_inverse=True)  # this block's texts
            distinct = encoder.similarity(offer_vectors[offer_rows[oi]], need_vectors[texts])
            semantic = distinct[:, each]
            text = np.maximum(text, semantic**2)  # squared: unrelated texts' 0.2-0.3 fall below 0.1
            noise = EVIDENCE_MIN_SIMILARITY["semantic"]
            lexical = np.maximum(lexical, np.where(semantic >= noise, semantic, 0.0))
        parts = {
            "code": scoring.code_scores(table.code[oi], needs.code[nj]),
            "kb_use": kb_use,
            "text": text,
            "analogue": scoring.analogue_scores(
                similar[oi], self.analogue_idx[nj], self.analogue_sim[nj], self.analogue_rows[nj]
            ),
            "use": scoring.analogue_scores(
                strength[oi], self.use_idx[nj], self.use_sim[nj], self.use_rows[nj]
            ),
            "named": scoring.named_scores(offer_named, need_named),
        }
        dist = scoring.haversine_km(
            table.lat[oi][:, None],
            table.lon[oi][:, None],
            needs.lat[nj][None, :],
            needs.lon[nj][None, :],
        )
        limit = scoring.max_distances(table, oi, needs, nj)
        time = scoring.time_scores(table, oi, needs, nj)
        material = scoring.material_scores(parts)
        doubted = np.where(
            scoring.kinds_differ(table, oi, needs, nj), KIND_DOUBT * material, material
        )
        rows, cols, fits = scoring.carrier_fits(table, oi, needs, nj)
        doubted[np.ix_(rows, cols)] *= fits
        named = (offer_named, need_named, self.model.substitutes)
        words = np.asarray((vectors[oi] @ columns[1]).todense(), dtype=np.float32)
        another = scoring.names_another(table, oi, needs, nj, named, parts, words)
        doubted[another] *= NAMES_ANOTHER
        components = {
            "material": doubted,
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
        # a candidate needs material evidence beyond the embeddings' noise: semantic similarity
        # ranks candidates, and makes one only from EVIDENCE_MIN_SIMILARITY on
        evident = (  # before a read kind halves it: a doubt about kinds costs rank, not the match
            material if lexical is text else scoring.material_scores(parts | {"text": lexical})
        )
        excluded = (
            (dist > limit)
            | np.isnan(time)
            | (evident < MIN_MATERIAL)
            | scoring.ruled_out(table, oi, needs, nj)
        )
        total = np.where(excluded, 0.0, total)
        total = np.asarray(total, dtype=np.float64)
        return Block(oi, nj, parts, components, dist, total, strength[oi], offer_named, another)

    def _explain(
        self, table: ListingTable, block: Block, r: int, c: int, phrases: bool = False
    ) -> Match:
        i, j = int(block.offers[r]), int(block.needs[c])
        needs = self.needs
        v = {k: float(m[r, c]) for k, m in block.components.items()}
        parts = {k: float(m[r, c]) for k, m in block.parts.items()}
        sector = self.model.classes[self.need_class[j]] if self.need_class[j] >= 0 else ""
        use = self._best_use(block.strength[r], j) if parts["use"] > USE_DETAIL_MIN else ""
        named = self._named_words(table, i, block.patterns, r, j) if parts["named"] > 0 else None
        material = scoring.material_detail(table, i, needs, j, parts, sector, use, named)
        read = table.read_kind[i] >= 0 or needs.read_kind[j] >= 0  # a quick test first
        if read and scoring.kinds_differ(table, np.array([i]), needs, np.array([j]))[0, 0]:
            material.append(scoring.kind_doubt_detail(table, i, needs, j))
        if scoring.carrier_fit(table, i, needs, j) < 1:
            material.append(scoring.carrier_detail(table, i, needs, j))
        if block.another[r, c]:
            material.append(
                scoring.another_detail(*self._asked_words(table, i, block.patterns, r, j))
            )
        details = {
            "material": material,
            "distance": scoring.distance_detail(table, i, needs, j, float(block.distance[r, c])),
            "quantity": scoring.quantity_detail(table, i, needs, j),
            "quality": scoring.quality_detail(table, i, needs, j),
            "time": scoring.time_detail(table, i, needs, j, v["time"]),
            "regulatory": scoring.regulatory_detail(table, i),
        }
        if phrases:  # kept for a page in another language; a bulk match keeps them small
            reasons = [  # the engine's own phrases: nothing to validate
                Reason.model_construct(component=k, score=round(v[k], 4), weight=WEIGHTS[k],
                                       detail=english(details[k]), phrases=tuple(details[k]))
                for k in WEIGHTS
            ]  # fmt: skip
        else:
            reasons = [_reason(k, round(v[k], 4), english(details[k])) for k in WEIGHTS]
        return Match(
            need_id=needs.listings[j].id,
            offer_id=table.listings[i].id,
            score=round(float(block.total[r, c]), 4),
            reasons=reasons,
        )


def read_kinds(
    model: SectorModel,
    table: ListingTable,
    idx: np.ndarray,
    sim: np.ndarray,
    wanted: Sequence[str] | None = None,
) -> None:
    """Set ``table.read_kind`` of the listings that state and imply no kind. A need's title
    (``wanted``) is read first: the kind of the documented final uses alike to it
    (``SectorModel.kinds_wanted``). Otherwise the kind of the most similar documented exchange
    (``idx`` / ``sim``: listings × look-alikes, -1 = none) where that similarity reaches
    ``INFER_MIN_SIMILARITY`` — the rule by which a need without a NACE code gets its class; a
    business receives several kinds, so its look-alikes are the weaker reading. The pair is
    still compared; differing kinds lower its material evidence (``KIND_DOUBT``), so a wrong
    reading costs rank, not the match."""
    rows = np.flatnonzero(table.open_kind)
    if not len(rows) or not idx.shape[1]:
        return
    best = np.argmax(sim[rows], axis=1)
    found, similar = idx[rows, best], sim[rows, best]
    kinds = np.where(found >= 0, model.exchange_kinds[np.maximum(found, 0)], -1)
    kinds = np.where(similar >= INFER_MIN_SIMILARITY, kinds, -1)
    if wanted is not None:
        asked = model.kinds_wanted([wanted[r] for r in rows])
        kinds = np.where(asked >= 0, asked, kinds)
    table.read_kind[rows] = kinds


@lru_cache(maxsize=4096)
def _reason(component: str, score: float, detail: str) -> Reason:
    """A reason without phrases, validated by pydantic-core (quicker than ``model_construct``,
    which is pure Python: building reasons was a fifth of a bulk match's time); one object for
    each that repeats (most pairs state no windows, no properties, the same waste status).
    Reasons are frozen, so sharing them is safe."""
    return Reason(component=component, score=score, weight=WEIGHTS[component], detail=detail)


def _renumbered(rows: np.ndarray, keep: np.ndarray, idx: np.ndarray, sim: np.ndarray) -> np.ndarray:
    """Look-alike row numbers of the kept needs, then of added needs (``idx``, ``sim``) numbered
    after them (an added need alike to a kept one gets a number of its own: scored twice)."""
    start = int(rows.max()) + 1 if len(rows) else 0
    return np.concatenate([rows[keep], start + scoring.look_alike_rows(idx, sim)])


def _wanted(needs: Sequence[Listing]) -> list[str]:
    """What each need's title says it wants: the title without the words naming the business
    by its product or premises ("Production of bricks", "our pig farm")."""
    return [without_business_names(x.title) for x in needs]


def _asked(wanted: Sequence[str], named: sparse.csr_matrix) -> list[str]:
    """What each need's title (``wanted``) asks for, its words compared with an offer's for
    the other-material check (``scoring.names_another``): a purpose both name ("Whey for pig
    feeding", "Pig manure for ...") says nothing of the material. Empty for a need that names
    no pattern (``named``), which that check never doubts: its vector costs nothing."""
    names = np.diff(named.indptr) > 0
    return [asked_part(t) if n else "" for t, n in zip(wanted, names, strict=True)]


def _named_in(named: sparse.csr_matrix, row: int) -> np.ndarray:
    """The pattern numbers row ``row`` of a listings × patterns matrix names (no row copy)."""
    return named.indices[named.indptr[row] : named.indptr[row + 1]]


def _kinds(table: ListingTable) -> list[str]:
    """The kind each listing states or implies (material when nothing says: a listing of no
    stated kind is read as physical, so a pattern for spare storage does not apply to it)."""
    return [KINDS[int(k)].value for k in table.kind]


def _stated_kinds(listings: Sequence[Listing]) -> list[str | None]:
    """The kind each listing states (``None``: not stated), which decides the patterns that
    apply to it."""
    return [Kind(x.kind).value if x.kind else None for x in listings]


#: Indices (in ``KINDS``) of the physical kinds, which a listing of no stated kind may be.
PHYSICAL = frozenset(KINDS.index(k) for k in PHYSICAL_KINDS)
_PHYSICAL = np.array(sorted(PHYSICAL))


def _meets(
    offer_kind: ArrayLike, offer_open: ArrayLike, need_kind: ArrayLike, need_open: ArrayLike
) -> np.ndarray:
    """The one blocking rule, on scalars or arrays (broadcast): offers and needs are compared
    when their kinds are equal, or when one side states no kind and both kinds are physical."""
    physical = np.isin(offer_kind, _PHYSICAL) & np.isin(need_kind, _PHYSICAL)
    return np.equal(offer_kind, need_kind) | (np.logical_or(offer_open, need_open) & physical)


def _compared(needs: ListingTable, kind: int) -> np.ndarray:
    """Mask of the needs an offer of ``kind`` (stating it) is compared with."""
    return _meets(kind, False, needs.kind, needs.open_kind)


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


def _donor_nace(offer: Listing) -> str | None:
    """The offer's NACE code, else the class its organisation's name or its description
    writes as an everyday business name ("Hansens Savværk ApS", "from our sawmill")."""
    if offer.organisation_nace:
        return offer.organisation_nace
    return written_business(offer.organisation, offer.description or "", offer.language)


def _business(need: Listing) -> str:
    """What a need's words say its business is: its description, else its title, without the
    phrases saying where something comes from ("Sawdust from a sawmill" names no sawmill)."""
    text = need.description or need.title
    for start, end in reversed(source_spans(text)):
        text = text[:start] + text[end:]
    return " ".join(text.split())
