"""Receiving-sector recommender: which NACE classes could use a material, and why."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import lru_cache

import numpy as np
from scipy import sparse

from sidestream.impact.heat_pump import MAX_LIFT_K, heat_pump_cop
from sidestream.matching.carriers import HEAT, carrier_of, heat_word, temperature_in
from sidestream.matching.knowledge import (
    COMPOUND_LINKS,
    COMPOUND_TAILS,
    HEAD_MIN_LETTERS,
    Exchange,
    KnowledgeBase,
    Pattern,
    nace_classes_in,
    platform_knowledge_base,
)
from sidestream.matching.schemas import (
    ExchangeEvidence,
    HeatPumpLift,
    PatternEvidence,
    SectorRecommendation,
    code_wording,
    parse_waste_code,
)
from sidestream.matching.semantic import encoder, knowledge_vectors
from sidestream.matching.table import KINDS
from sidestream.matching.text import (
    TfidfIndex,
    cosine,
    normalise_text,
    original_words,
    purpose_starts,
    whole_words,
    without_sources,
)
from sidestream.matching.weights import (
    CODE_LEVELS,
    EVIDENCE_MIN_SIMILARITY,
    GROUP_CREDIT,
    HEAT_PUMP_FIT,
    NO_HEAT_PUMP_CLASSES,
    PATTERN_STRENGTH,
    SAME_SECTOR,
    SECTOR_WEIGHTS,
    SEMANTIC_PATTERN_MARGIN,
    SUBSTITUTE_USE_SIMILARITY,
    WANTED_KIND_MIN_SHARE,
    WANTED_KIND_MIN_SIMILARITY,
)
from sidestream.taxonomy.kinds import PHYSICAL_KINDS, Kind, kind_of_product
from sidestream.taxonomy.nace import code_scope, format_nace, nace_title, padded_group
from sidestream.taxonomy.waste_codes import normalise_waste_code, waste_codes

#: Kinds told apart by their topic (ABP rules, biogas permits), not by the kind's name.
TOPIC_KINDS = frozenset({Kind.knowledge.value, Kind.service.value})

#: Components read off the documented exchanges, which are all of material, energy or water:
#: for a capacity, service or knowledge stream only the patterns naming its kind count.
CASE_COMPONENTS = frozenset({"text", "donor", "popularity", "semantic"})


@dataclass(frozen=True, slots=True)
class SectorQuery:
    """A material to place: free text, optional LoW code, the donor's NACE code, for heat its
    temperature (else read from the text, e.g. "surplus heat at 45 °C") and, when known, the
    stream's kind (patterns for other kinds are skipped: no water uses for a heat stream; a
    capacity, service or knowledge stream gets only patterns naming its kind)."""

    description: str
    waste_code: str | None = None
    donor_nace: str | None = None
    temperature_c: float | None = None
    kind: str | None = None


#: A word as the keyword regexes' ``\b`` sees it.
_WORD = re.compile(r"\w+")


def _exchange_kind(product_code: str) -> int:
    """Index in ``Kind`` of the kind a documented exchange's CPA code implies, -1 without one."""
    kind = kind_of_product(product_code) or (Kind.material if product_code.strip() else None)
    return KINDS.index(kind) if kind else -1


def query_temperature(query: SectorQuery) -> float | None:
    """The query's temperature: the one given, else the one written in its description."""
    if query.temperature_c is not None:
        return query.temperature_c
    return temperature_in(query.description)


def heat_pump_fit(lift_k: np.ndarray | float) -> np.ndarray:
    """How well heat lifted by ``lift_k`` kelvin through a heat pump serves a use (0–1, per
    ``HEAT_PUMP_FIT``); 1 without lift (hot enough), 0 beyond a heat pump's reach."""
    lift = np.asarray(lift_k, dtype=float)
    high, low = HEAT_PUMP_FIT
    scaled = high - (high - low) * lift / MAX_LIFT_K
    return np.where(lift <= 0, 1.0, np.where(lift <= MAX_LIFT_K, scaled, 0.0))


@dataclass(frozen=True, slots=True)
class PatternHit:
    """A pattern that names a class for a material: what matched and how strongly (0–1)."""

    pattern: Pattern
    matched: str
    strength: float
    heat_pump: HeatPumpLift | None = None


def clean_code(raw: str | None) -> str | None:
    """The first valid six-digit LoW code in ``raw`` (tolerates ``'200108/200125'``), else None."""
    if not raw:
        return None
    digits = normalise_waste_code(str(raw).replace("/", " ").split()[0] if raw else "")
    entries = waste_codes()
    if digits in entries:
        return digits
    for part in str(raw).replace("/", " ").replace(",", " ").split():
        code = normalise_waste_code(part)
        if code in entries:
            return code
    return None


def code_similarity(a: str | None, b: str | None) -> float:
    """Exact / same sub-chapter / same chapter similarity of two LoW codes."""
    if not a or not b:
        return 0.0
    if a == b:
        return CODE_LEVELS["exact"]
    if a[:4] == b[:4]:
        return CODE_LEVELS["sub_chapter"]
    if a[:2] == b[:2]:
        return CODE_LEVELS["chapter"]
    return 0.0


def query_code(raw: str | None) -> str | None:
    """The usable LoW code of a query: a six-digit code, or a sub-chapter/chapter hint."""
    return parse_waste_code(raw)[0]


def query_text(query: SectorQuery, code: str | None) -> str:
    """Description enriched with the LoW wording of its code (or of its sub-chapter/chapter),
    unless the description already says it in whole words (a title copied from the code's
    entry; "Fibreglass hulls" still gets "Glass")."""
    wording = code_wording(code)
    description = query.description or ""
    if not wording or whole_words(normalise_text(description), normalise_text(wording)):
        return description
    return f"{description}\n{wording}"  # a clause of its own (a line break reads as a space)


def _modifier_ends(word: str) -> list[tuple[str, int]]:
    """(language, where a material's name may end) in ``word`` when it ends in a word for waste
    or leftovers of that language, with or without a joining letter ("siedlungsabfalle":
    German 9 and 8)."""
    ends = []
    for language, tails in COMPOUND_TAILS.items():
        for tail in tails:
            if word.endswith(tail) and len(word) > len(tail):
                end = len(word) - len(tail)
                ends.append((language, end))
                ends += [(language, end - len(x)) for x in COMPOUND_LINKS if word[:end].endswith(x)]
    return ends


@dataclass
class SectorScores:
    """Component matrices (queries × classes) and the similarities behind them."""

    total: np.ndarray
    components: dict[str, np.ndarray]
    text_sim: np.ndarray  # queries × exchanges (TF-IDF, or semantic where higher)
    codes: list[str | None]
    pattern_hits: list[dict[str, list[PatternHit]]]

    def total_without(self, left_out: frozenset[str]) -> np.ndarray:
        """The total of the components but ``left_out`` (their weighted mean, as ``total``)."""
        return weighted_total({k: v for k, v in self.components.items() if k not in left_out})


def _near_the_nearest(similar: np.ndarray, named: np.ndarray) -> np.ndarray:
    """Keyword similarities (queries × classes) for ranking classes: a class no pattern names
    for the query counts by how near its keyword comes to the query's nearest keyword (less
    ``SEMANTIC_PATTERN_MARGIN`` times its shortfall, never below 0); a named class keeps its
    similarity (which of its keywords carries a foreign spelling is chance)."""
    if not similar.size:  # a knowledge base without patterns
        return similar
    shortfall = similar.max(axis=1, keepdims=True) - similar
    near = np.maximum(similar - SEMANTIC_PATTERN_MARGIN * shortfall, 0.0)
    return np.where(named, similar, near)


def weighted_total(components: dict[str, np.ndarray]) -> np.ndarray:
    """Components (queries × classes) combined with ``SECTOR_WEIGHTS``: their weighted mean."""
    weights = {k: SECTOR_WEIGHTS[k] for k in components}
    return np.asarray(sum(w * components[k] for k, w in weights.items()) / sum(weights.values()))


#: What a receiver does with a material, by the words its typical use writes: two materials
#: one class takes for the same function take each other's place (tyres and RDF are both
#: "fuel" in a cement kiln; fly ash and GGBS both replace clinker; whey and spent grain are
#: both pig "feed"; manure and whey both "digestion" substrates).
SUBSTITUTE_FUNCTIONS: dict[str, re.Pattern[str]] = {
    name: re.compile(rf"\b(?:{words})", re.IGNORECASE)
    for name, words in {
        "fuel": r"fuels?\b|co-?incineration|co-?processing|combustion",
        "feed": r"feed|fodder",
        "clinker": r"clinker|raw meal|cement constituent|cementitious|pozzolan",
        "fertiliser": r"fertili[sz]|liming|soil (?:improver|amendment|conditioner)",
        "digestion": r"(?:anaerobic |co-)?digest|biogas|co-substrate",
        "bedding": r"bedding|litter",
        "aggregate": r"aggregate|fill\b|filler",
        "growing": r"compost|growing media|substrate for",
    }.items()
}


def substitutes(patterns: Sequence[Pattern]) -> sparse.csr_matrix:
    """Patterns × patterns, 1 where two patterns name materials one receiver takes in each
    other's place: the same pattern, or two naming the same class for typical uses at least
    ``SUBSTITUTE_USE_SIMILARITY`` alike in words ("alternative fuel in cement kilns" of RDF and
    of tank sludge; not RDF's and gypsum's "cement set retarder") or for the same function
    (``SUBSTITUTE_FUNCTIONS``: tyre-derived fuel and RDF in cement kilns)."""
    uses = [p.typical_use for p in patterns]
    vectors = TfidfIndex(uses).transform(uses)
    alike = cosine(vectors, vectors) >= SUBSTITUTE_USE_SIMILARITY
    functions = np.array(
        [[bool(f.search(use)) for f in SUBSTITUTE_FUNCTIONS.values()] for use in uses], bool
    ).reshape(len(uses), len(SUBSTITUTE_FUNCTIONS))
    alike |= (functions.astype(np.int32) @ functions.T.astype(np.int32)) > 0
    classes = np.array([p.receiver_nace for p in patterns])
    same = (classes[:, None] == classes[None, :]) & alike
    np.fill_diagonal(same, True)
    return sparse.csr_matrix(same, dtype=np.float32)


class SectorModel:
    """Scores every known receiving class for a batch of materials from a knowledge base."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        self.exchanges: list[Exchange] = [e for e in kb.exchanges if e.receiver_classes]
        classes = {c for e in self.exchanges for c in e.receiver_classes}
        classes |= {p.receiver_nace for p in kb.patterns}
        self.classes: list[str] = sorted(classes)
        self.col = {c: i for i, c in enumerate(self.classes)}
        corpus = [e.text for e in self.exchanges]
        self.tfidf = TfidfIndex([*corpus, *(w.description for w in waste_codes().values())])
        self.matrix = self.tfidf.transform(corpus)
        #: Per class, the exchanges received by it (``members``) and those whose receiver the
        #: source recorded only as a division or group holding it (``within``,
        #: ``Exchange.received_within``: they corroborate a known use of it).
        self.members, self.within = self._receipts()
        counts = Counter(c for e in self.exchanges for c in e.receiver_classes)
        pop = np.array([np.log1p(counts.get(c, 0)) for c in self.classes])
        self.popularity = pop / pop.max() if pop.size and pop.max() > 0 else pop
        #: What each documented receiver does with the material (business + final use).
        self.receiver_text: list[str] = [f"{e.receiver} {e.final_use}" for e in self.exchanges]
        #: What the patterns' receivers do with the materials (distinct typical uses).
        self.use_text: list[str] = kb.typical_uses()
        use_row = {u: i for i, u in enumerate(self.use_text)}
        self._pattern_use = {p.id: use_row[p.typical_use] for p in kb.patterns}
        self._names_streams = [not (p.kinds and p.kinds <= TOPIC_KINDS) for p in kb.patterns]
        #: The uses "waste heat" names: a bare word for heat names them in an energy stream.
        self._heat_uses = {i for i, p in enumerate(kb.patterns) if "waste heat" in p.keywords}
        codes = sorted({c for e in self.exchanges for c in e.waste_codes})
        self._code_col = {c: i for i, c in enumerate(codes)}
        #: Each documented exchange's kind from its CPA product code (a product code other than
        #: energy or water: material; -1 where the source gives none).
        self.exchange_kinds = np.array(
            [_exchange_kind(e.product_code) for e in self.exchanges], np.int8
        )
        final_uses = [e.final_use for e in self.exchanges]
        self._final_use_tfidf = TfidfIndex(final_uses)
        self._final_use_vectors = self._final_use_tfidf.transform(final_uses)
        known = np.flatnonzero(self.exchange_kinds >= 0)
        #: Exchanges × kinds, 1 for the kind of each exchange's CPA code (votes of its use).
        self._final_use_ballot = sparse.csr_matrix(
            (np.ones(len(known)), (known, self.exchange_kinds[known])),
            shape=(len(self.exchanges), len(KINDS)),
        )
        self._exchange_codes = np.zeros((len(codes), len(self.exchanges)), bool)
        for i, e in enumerate(self.exchanges):
            for c in e.waste_codes:
                self._exchange_codes[self._code_col[c], i] = True
        self.encoder = encoder()
        self.vectors = (
            knowledge_vectors(kb, self.exchanges, self.encoder.model) if self.encoder else None
        )
        self._patterns_by_prefix: dict[str, list[int]] = {}
        self._patterns_by_word: dict[str, set[int]] = {}
        self._patterns_any_text: set[int] = set()  # a keyword that does not start with a word
        self._patterns_by_head: dict[str, set[int]] = {}  # ends of compound words
        #: (language, first part of a compound before a word for waste) -> patterns
        self._patterns_by_modifier: dict[tuple[str, str], set[int]] = {}
        for i, p in enumerate(kb.patterns):
            for prefix in p.waste_codes:
                self._patterns_by_prefix.setdefault(prefix, []).append(i)
            for keyword in (*p.keywords, *p.translations):
                first = _WORD.match(keyword)
                if first is None:
                    self._patterns_any_text.add(i)
                else:
                    self._patterns_by_word.setdefault(first.group(0), set()).add(i)
            for head in p.heads:
                self._patterns_by_head.setdefault(head, set()).add(i)
            for modifier in p.modifiers:
                self._patterns_by_modifier.setdefault(modifier, set()).add(i)
        self._longest_head = max(map(len, self._patterns_by_head), default=0)
        self.pattern_cols = np.array([self.col[p.receiver_nace] for p in kb.patterns], np.int64)
        #: Patterns × patterns, 1 where one receiver takes either material in the other's place
        #: (:func:`substitutes`).
        self.substitutes = substitutes(kb.patterns)
        #: Class -> the padded group code ('0110') of documented receivers it belongs to.
        groups = {g: c for c in self.classes if (g := padded_group(c))}
        self.group_of = {
            c: groups[c[:3]] for c in self.classes if c[:3] in groups and c != groups[c[:3]]
        }
        self.donor_counts: Counter[tuple[str, str]] = Counter()
        for e in self.exchanges:
            for d in e.donor_classes:
                for r in e.receiver_classes:
                    self.donor_counts[(d, r)] += 1
                    self.donor_counts[(d[:2], r)] += 1
        # per-model caches of the per-code rows (freed with the model, unlike a method cache)
        self._code_row = lru_cache(maxsize=4096)(self._code_row_uncached)
        self._donor_row = lru_cache(maxsize=4096)(self._donor_row_uncached)
        self._code_similarity_row = lru_cache(maxsize=4096)(self._code_similarity_row_uncached)
        self._pattern_prefixes = lru_cache(maxsize=4096)(self._pattern_prefixes_uncached)

    def _code_row_uncached(self, code: str | None) -> np.ndarray:
        row = np.zeros(len(self.classes))
        if code:
            for e in self.exchanges:
                s = max((code_similarity(code, c) for c in e.waste_codes), default=0.0)
                for c in e.receiver_classes:
                    row[self.col[c]] = max(row[self.col[c]], s)
        return row

    def _donor_row_uncached(self, donor: str | None) -> np.ndarray:
        row = np.zeros(len(self.classes))
        for d in nace_classes_in(donor or ""):
            exact = np.array([self.donor_counts.get((d, c), 0) for c in self.classes], float)
            division = np.array([self.donor_counts.get((d[:2], c), 0) for c in self.classes], float)
            row = np.maximum(row, exact / exact.max() if exact.max() else exact)
            row = np.maximum(row, 0.5 * division / division.max() if division.max() else division)
            if d in self.col:  # by-products are often reused within the same industry
                row[self.col[d]] = max(row[self.col[d]], SAME_SECTOR)
        return row

    def _code_similarity_row_uncached(self, code: str | None) -> np.ndarray:
        """LoW similarity of ``code`` to each documented exchange's best code."""
        row = np.zeros(len(self.exchanges), np.float32)
        if code:
            for c, k in self._code_col.items():
                s = code_similarity(code, c)
                if s:
                    row[self._exchange_codes[k]] = np.maximum(row[self._exchange_codes[k]], s)
        return row

    def _receipts(self) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """Per class, its documented receipts and those recorded only as a division or group
        holding it: one pass over the exchanges (a facilitator's file may hold thousands)."""
        holding: dict[str, list[int]] = defaultdict(list)  # a code's prefix -> classes under it
        for j, c in enumerate(self.classes):
            for k in range(1, len(c) + 1):
                holding[c[:k]].append(j)
        members: list[list[int]] = [[] for _ in self.classes]
        within: list[list[int]] = [[] for _ in self.classes]
        for i, e in enumerate(self.exchanges):
            own = {self.col[c] for c in e.receiver_classes if c in self.col}
            scopes = {code_scope(scope) for scope in e.receiver_scopes}
            for j in own:
                members[j].append(i)
            for j in {j for scope in scopes for j in holding.get(scope, ())} - own:
                within[j].append(i)
        return [np.array(m, int) for m in members], [np.array(w, int) for w in within]

    def exchange_similarity(self, scores: SectorScores) -> np.ndarray:
        """How alike each query's material is to each documented one (queries × exchanges):
        the larger of description similarity and LoW code similarity."""
        code = (
            np.vstack([self._code_similarity_row(c) for c in scores.codes])
            if scores.codes
            else (np.zeros((0, len(self.exchanges)), np.float32))
        )
        return np.maximum(scores.text_sim, code)

    def kinds_wanted(self, titles: Sequence[str]) -> np.ndarray:
        """The kind (index in ``KINDS``) each need's title asks for, read from the documented
        final uses alike to it ("Process heat", "Fuel", "Water"): the kind of their CPA codes,
        each voting with its TF-IDF similarity from ``WANTED_KIND_MIN_SIMILARITY``, where one
        kind holds ``WANTED_KIND_MIN_SHARE`` of the votes; -1 where none is alike or they
        disagree."""
        if not len(titles) or not self.exchanges:
            return np.full(len(titles), -1, np.int8)
        distinct, row_of = np.unique(np.asarray(titles, dtype=object), return_inverse=True)
        similar = self._final_use_tfidf.transform(list(distinct)) @ self._final_use_vectors.T
        similar.data[similar.data < WANTED_KIND_MIN_SIMILARITY] = 0.0
        similar.eliminate_zeros()
        votes = (similar @ self._final_use_ballot).toarray()  # distinct titles × kinds
        total = votes.sum(axis=1)
        clear = (total > 0) & (votes.max(axis=1) >= WANTED_KIND_MIN_SHARE * total)
        read = np.where(clear, np.argmax(votes, axis=1), -1).astype(np.int8)
        return read[row_of.ravel()]

    def use_strength(self, scores: SectorScores) -> np.ndarray:
        """How strongly a pattern with each typical use names each query's material (queries ×
        ``use_text``; the strongest such pattern, 0 where none does)."""
        out = np.zeros((len(scores.pattern_hits), len(self.use_text)), np.float32)
        for i, hits in enumerate(scores.pattern_hits):
            for found in hits.values():
                for hit in found:
                    col = self._pattern_use[hit.pattern.id]
                    out[i, col] = max(out[i, col], hit.strength)
        return out

    def named_patterns(
        self,
        titles: Sequence[str],
        kinds: Sequence[str | None],
        codes: Sequence[str | None] | None = None,
        descriptions: Sequence[str | None] | None = None,
    ) -> sparse.csr_matrix:
        """The curated patterns that each listing names (listings × patterns, 1 = named): by a
        keyword in its own words, in any language the keywords cover, or by a LoW code the
        pattern lists in full (``codes``; a chapter or sub-chapter a pattern lists spans other
        materials). A title names what a keyword starting before the word that says what the
        listing is for names ("Coal fly ash" of "Coal fly ash for cement and concrete": fly
        ash, not concrete; "olje za cvrtje" whole), or, when nothing starts there, before the
        next such word ("Looking for fly ash for cement"), else the whole title; a description
        (``descriptions``) names what any of its keywords names. Skipped: patterns for other
        kinds, and those only for know-how and services, whose keywords name the kind
        ("know-how"), not the topic that tells two such listings apart."""
        found: dict[tuple[str, str | None, str | None, str | None], list[int]] = {}
        rows: list[int] = []
        cols: list[int] = []
        for i, (title, kind) in enumerate(zip(titles, kinds, strict=True)):
            code = codes[i] if codes is not None else None
            description = descriptions[i] if descriptions is not None else None
            key = (title, kind, code, description)
            if key not in found:
                prefixes = self._pattern_prefixes(code).items()
                coded = {
                    j for j, prefix in prefixes
                    if len(prefix) == 6 and self.kb.patterns[j].applies_to(kind)
                }  # fmt: skip
                named = set(self._named_first(title, kind))
                if description:
                    named |= set(self._named_first(description, kind, purpose=False))
                found[key] = sorted(j for j in named | coded if self._names_streams[j])
            rows += [i] * len(found[key])
            cols += found[key]
        shape = (len(titles), len(self.kb.patterns))
        ones = np.ones(len(rows), np.float32)
        return sparse.csr_matrix((ones, (rows, cols)), shape=shape, dtype=np.float32)

    def _keywords_at(self, norm: str, kind: str | None) -> dict[int, tuple[int, str]]:
        """The patterns for ``kind`` that a normalised text names, each with where its earliest
        keyword starts and that keyword; in a stream stated as energy that no keyword names, a
        bare word for heat names what "waste heat" names ("Heat 70 °C")."""
        patterns = self.kb.patterns
        found = {
            j: at
            for j in self._keyword_candidates(norm)
            if patterns[j].applies_to(kind) and (at := patterns[j].keyword_at(norm))
        }
        heat = heat_word(norm) if kind == Kind.energy and not found else None
        if heat:
            found = dict.fromkeys(self._heat_uses, (heat.start(), heat.group(0)))
        return found

    def _named_first(
        self, text: str, kind: str | None, purpose: bool = True
    ) -> dict[int, tuple[int, str]]:
        """What ``text`` names (:meth:`_keywords_at`): for heat, power or water, outside the
        phrases saying where it comes from ("Heat" of "Heat from our biogas plant"; all of it
        when only those name something; a material's source says what it is: "Sludge from a
        paper mill"), and with ``purpose`` before the first word saying what it is for that
        has a keyword before it ("Coal fly ash" of "Coal fly ash for cement"; the whole text
        when none has)."""
        norm = normalise_text(text)
        blanked = without_sources(text) if kind in (Kind.energy, Kind.water) else norm
        found = self._keywords_at(blanked, kind)
        if not found and blanked != norm:  # only where it comes from names something
            found = self._keywords_at(norm, kind)
        starts = purpose_starts(text) if purpose else []
        if len(starts) < 2:  # no word of purpose: the whole text
            return found
        for end in starts:
            first = {j: hit for j, hit in found.items() if hit[0] < end}
            if first:
                return first
        return {}

    def _pattern_hits(
        self,
        text: str,
        code: str | None,
        temperature: float | None = None,
        kind: str | None = None,
    ) -> dict[str, list[PatternHit]]:
        prefixes = self._pattern_prefixes(code)
        worded = self._named_first(text, kind, purpose=False)  # its use names its users
        hits: dict[str, list[PatternHit]] = {}
        for i in sorted(prefixes.keys() | worded.keys()):
            p = self.kb.patterns[i]
            if not p.applies_to(kind):
                continue
            prefix = prefixes.get(i)
            keyword = None if prefix else worded[i][1]
            if prefix:
                matched, strength = f"code {prefix}", PATTERN_STRENGTH[f"code{len(prefix)}"]
            elif keyword:
                matched = f"'{original_words(text, keyword)}'"  # as the stream writes it
                strength = PATTERN_STRENGTH["keyword"]
            else:
                continue
            needs, lift = p.min_temperature_c, None
            if needs is not None and temperature is not None and temperature < needs:
                cop = heat_pump_cop(temperature, needs)
                if cop is None or p.receiver_nace in NO_HEAT_PUMP_CLASSES:
                    continue  # the use needs hotter heat than this stream has
                lift = HeatPumpLift(source_c=temperature, sink_c=needs, cop=round(cop, 1))
                matched += f" with a heat pump ({temperature:.0f} → {needs:.0f} °C, COP {cop:.1f})"
                strength *= float(heat_pump_fit(needs - temperature))
            hits.setdefault(p.receiver_nace, []).append(PatternHit(p, matched, strength, lift))
            # a material's use carries over to the class's group (fertiliser for crop growing);
            # a use of heat or water is tied to one installation (a greenhouse, a pig house)
            material = kind in (None, Kind.material) and p.applies_to(Kind.material)
            if material and (group := self.group_of.get(p.receiver_nace)):
                via = f"{matched}, for class {format_nace(p.receiver_nace)} of this group"
                hit = PatternHit(p, via, strength * GROUP_CREDIT, lift)
                hits.setdefault(group, []).append(hit)
        return hits

    def _pattern_prefixes_uncached(self, code: str | None) -> dict[int, str]:
        """Pattern number -> the longest of its LoW prefixes that ``code`` starts with."""
        out: dict[int, str] = {}
        digits = code or ""
        for length in range(len(digits), 0, -1):
            prefix = digits[:length]
            for i in self._patterns_by_prefix.get(prefix, ()):
                out.setdefault(i, prefix)
        return out

    def _keyword_candidates(self, normalised_text: str) -> set[int]:
        """Patterns that may have a keyword in the text: a keyword's first word is one of the
        text's words (a single-word keyword may carry the plural 's'/'es'). A superset of the
        patterns whose keyword regex matches, found by word lookups instead of one regex each."""
        out: set[int] = set(self._patterns_any_text)
        heads = self._patterns_by_head
        for word in set(_WORD.findall(normalised_text)):
            for stem in (word, word[:-1] if word.endswith("s") else "", word[:-2]):
                out.update(self._patterns_by_word.get(stem, ()))
                if heads:  # every ending of the word that may be a head (none is longer than
                    # the longest: a word of 100,000 letters is not 100,000 lookups of its ends)
                    first = max(0, len(stem) - self._longest_head)
                    for start in range(first, len(stem) - HEAD_MIN_LETTERS + 1):
                        out.update(heads.get(stem[start:], ()))
            for language, end in _modifier_ends(word):
                out.update(self._patterns_by_modifier.get((language, word[:end]), ()))
        return out

    def reads(self, text: str) -> bool:
        """Whether a keyword of some pattern occurs in ``text`` (the knowledge base reads it)."""
        norm = normalise_text(text)
        patterns = self.kb.patterns
        return any(patterns[i].keyword_in(norm) for i in self._keyword_candidates(norm))

    def _pattern_row(self, hits: dict[str, list[PatternHit]]) -> np.ndarray:
        row = np.zeros(len(self.classes))
        for cls, found in hits.items():
            row[self.col[cls]] = max(hit.strength for hit in found)
        return row

    def score(self, queries: Sequence[SectorQuery], *, ranking: bool = True) -> SectorScores:
        """Component and total scores (0–1) of every class for every query (one that is heat
        by its words alone is read as energy: :meth:`_heat_alone`). ``ranking``: the scores
        rank the classes against each other, and a keyword's similarity counts by how near it
        comes to the nearest keyword (``SEMANTIC_PATTERN_MARGIN``); without, each class's
        score stands on its own, as a listing's evidence that the need's class could use the
        material, which must not vanish because another class is nearer."""
        queries = [replace(q, kind=Kind.energy) if self._heat_alone(q) else q for q in queries]
        cases_apply = np.array([not q.kind or q.kind in PHYSICAL_KINDS for q in queries], bool)
        codes = [
            query_code(q.waste_code) if applies else None  # wastes are matter
            for q, applies in zip(queries, cases_apply, strict=True)
        ]
        texts = [query_text(q, c) for q, c in zip(queries, codes, strict=True)]
        sim = (
            cosine(self.tfidf.transform(texts), self.matrix)
            if self.exchanges
            else np.zeros((len(queries), 0), np.float32)
        )
        lexical, semantic = sim, None
        text = self._class_max(sim)
        hits = [
            self._pattern_hits(t, c, query_temperature(q), q.kind)
            for q, t, c in zip(queries, texts, codes, strict=True)
        ]

        def stack(rows: list[np.ndarray]) -> np.ndarray:
            return np.vstack(rows) if rows else np.zeros((0, len(self.classes)))

        components = {
            "text": text,
            "code": stack([self._code_row(c) for c in codes]),
            "pattern": stack([self._pattern_row(h) for h in hits]),
            "donor": stack([self._donor_row(q.donor_nace) for q in queries]),
            "popularity": np.broadcast_to(self.popularity, text.shape),
        }
        named = components["pattern"] > 0  # classes a pattern names for each query
        if self.encoder is not None and self.vectors is not None:
            vectors = self.encoder.encode(texts)
            semantic = self.encoder.similarity(vectors, self.vectors.materials)
            components["semantic"] = self._class_max(semantic)
            similar = self._pattern_semantic(vectors, [q.kind for q in queries])
            components["semantic_pattern"] = (
                _near_the_nearest(similar, named) if ranking else similar
            )
            sim = np.maximum(sim, semantic)
        self._corroborate(components, named, lexical, semantic)
        if not cases_apply.all():  # the documented exchanges neither rank nor support these
            keep = cases_apply[:, None]
            for name in CASE_COMPONENTS & components.keys():
                components[name] = np.where(keep, components[name], 0.0)
            sim = np.where(keep, sim, 0.0)
        return SectorScores(weighted_total(components), components, sim, codes, hits)

    def _heat_alone(self, query: SectorQuery) -> bool:
        """Whether a query stating no kind and no LoW code names heat as what it is and no
        keyword of any pattern ("Heat 45 C"): then a bare word for heat names the heat uses as
        in a stream stated as energy ("Surplus heat and waste water" names both by keywords)."""
        return (
            not query.kind
            and not query_code(query.waste_code)
            and carrier_of(query.description) == HEAT
            and not self._named_first(query.description, None, purpose=False)
        )

    def _corroborate(
        self,
        components: dict[str, np.ndarray],
        named: np.ndarray,
        lexical: np.ndarray,
        semantic: np.ndarray | None,
    ) -> None:
        """A class a pattern names for a query takes, at ``GROUP_CREDIT``, the description
        similarity of the documented exchanges whose receiver is recorded only as a division
        or group holding it ("Pharmaceutical, 21" took steam: a known use of steam by 21.10 is
        corroborated). It names no class on its own: every class of the division would be.
        ``named``: queries × classes a pattern names."""
        if not named.any():
            return
        for name, sim in (("text", lexical), ("semantic", semantic)):
            if sim is not None:
                within = GROUP_CREDIT * self._class_max(sim, self.within)
                components[name] = np.where(
                    named, np.maximum(components[name], within), components[name]
                )

    def _class_max(self, sim: np.ndarray, members: list[np.ndarray] | None = None) -> np.ndarray:
        """Queries × exchanges -> queries × classes: best exchange received by each class (or
        by ``members``: exchanges per class)."""
        out = np.zeros((sim.shape[0], len(self.classes)), np.float32)
        for j, idx in enumerate(self.members if members is None else members):
            if len(idx):
                out[:, j] = sim[:, idx].max(axis=1)
        return out

    def _pattern_semantic(self, vectors: np.ndarray, kinds: Sequence[str | None]) -> np.ndarray:
        """Queries × classes: best semantic similarity to a keyword of a pattern naming it (of
        a pattern that applies to the query's kind, when it states one)."""
        assert self.encoder is not None and self.vectors is not None
        out = np.zeros((len(vectors), len(self.classes)), np.float32)
        cols = self.pattern_cols[self.vectors.keyword_pattern]
        if not len(cols):
            return out
        order = np.argsort(cols, kind="stable")
        groups, starts = np.unique(cols[order], return_index=True)
        sim = self.encoder.similarity(vectors, self.vectors.keywords[order])
        keyword_pattern = self.vectors.keyword_pattern[order]
        for kind in {k for k in kinds if k}:
            applies = np.array([p.applies_to(kind) for p in self.kb.patterns])
            rows = np.flatnonzero([k == kind for k in kinds])
            sim[np.ix_(rows, np.flatnonzero(~applies[keyword_pattern]))] = 0.0
        out[:, groups] = np.maximum.reduceat(sim, starts, axis=1)
        return out

    def recommend(self, query: SectorQuery, top: int = 10) -> list[SectorRecommendation]:
        """The ``top`` receiving classes for one material, best first, with reasons."""
        scores = self.score([query])
        return self.explain(scores, 0, top)

    def explain(self, scores: SectorScores, row: int, top: int) -> list[SectorRecommendation]:
        """Recommendations for row ``row`` of a batch, with evidence and a written reason: at
        most ``top``, fewer where fewer classes score above 0 (nothing suggests the others)."""
        total = scores.total[row]
        order = np.argsort(-total, kind="stable")[:top]
        return [self._recommendation(scores, row, int(j)) for j in order if total[j] > 0]

    def _recommendation(self, scores: SectorScores, row: int, j: int) -> SectorRecommendation:
        cls = self.classes[j]
        code = scores.codes[row]
        sims = scores.text_sim[row]
        hits = sorted(scores.pattern_hits[row].get(cls, []), key=lambda h: -h.strength)
        found = [  # (what it counts, how alike, exchange): its own by description or LoW code
            (s, s, i) for i in self.members[j]
            for s in [max(float(sims[i]), max(
                (code_similarity(code, c) for c in self.exchanges[i].waste_codes), default=0.0))]
        ]  # fmt: skip
        if hits:  # a known use corroborated by receivers recorded as its division or group
            found += [(GROUP_CREDIT * float(sims[i]), float(sims[i]), i) for i in self.within[j]]
        evidence: list[ExchangeEvidence | PatternEvidence] = []
        for _, similarity, i in sorted(found, key=lambda x: -x[0])[:3]:
            e = self.exchanges[i]
            if similarity < EVIDENCE_MIN_SIMILARITY["semantic" if self.encoder else "lexical"]:
                break
            scope = e.received_within(cls)
            evidence.append(ExchangeEvidence(
                case=e.case_id, exchange_id=e.exchange_id, donor=e.donor, receiver=e.receiver,
                country=e.country, material=e.material, final_use=e.final_use,
                similarity=round(similarity, 3), receiver_recorded_as=scope and format_nace(scope),
            ))  # fmt: skip
        evidence += [
            PatternEvidence(
                pattern=h.pattern.id,
                matched=h.matched,
                typical_use=h.pattern.typical_use,
                source=h.pattern.source,
                heat_pump=h.heat_pump,
            )
            for h in hits
        ]
        documented = [e.final_use for e in evidence if isinstance(e, ExchangeEvidence)]
        uses = list(dict.fromkeys([h.pattern.typical_use for h in hits] + documented))
        return SectorRecommendation(
            nace=cls,
            label=nace_title(cls),
            score=round(float(scores.total[row, j]), 4),
            why=self._why(scores, row, j, evidence),
            typical_uses=uses[:4],
            evidence=evidence,
        )

    def _why(
        self,
        scores: SectorScores,
        row: int,
        j: int,
        evidence: list[ExchangeEvidence | PatternEvidence],
    ) -> str:
        parts: list[str] = []
        exchanges = [e for e in evidence if isinstance(e, ExchangeEvidence)]
        if exchanges:
            e = exchanges[0]
            more = f" and {len(exchanges) - 1} more" if len(exchanges) > 1 else ""
            recorded = f" (recorded only as NACE {e.receiver_recorded_as})"
            parts.append(
                f"documented: '{e.material}' from {e.donor} to {e.receiver}"
                f"{recorded if e.receiver_recorded_as else ''} for {e.final_use.lower()}"
                f" (case {e.case}{', ' + e.country if e.country else ''}){more}"
            )
        patterns = [e for e in evidence if isinstance(e, PatternEvidence)]
        if patterns:
            p = patterns[0]
            parts.append(f"known use: {p.typical_use} (matched {p.matched}; {p.source})")
        if scores.components["donor"][row, j] > 0.3:
            parts.append("sector often receives from the donor's industry")
        if not parts:
            parts.append(
                "frequent receiving sector in documented symbiosis cases"
                if scores.components["popularity"][row, j] > 0
                else "words alike those of a known use"
                if scores.total[row, j] > 0
                else "no known use for this kind of stream"
            )
        return f"{nace_title(self.classes[j])}: " + "; ".join(parts)


def sector_model(kb: KnowledgeBase | None = None) -> SectorModel:
    """The (cached) model of a knowledge base; by default the platform's: the bundled base plus
    a facilitator's configured files (``knowledge.platform_knowledge_base``)."""
    return _sector_model(kb or platform_knowledge_base())


@lru_cache(maxsize=4)
def _sector_model(kb: KnowledgeBase) -> SectorModel:
    return SectorModel(kb)


def with_inferred_code(query: SectorQuery, model: SectorModel) -> SectorQuery:
    """A query the knowledge base cannot read gets the classifier's sub-chapter as a code hint.

    Only when the query has no LoW code, no pattern keyword occurs in its text and the
    classifier is confident: this is what lets "sågspån" or "Pivske tropine" reach the
    code-based evidence, while a description the patterns read keeps its keyword evidence. The
    hint is the sub-chapter (a family), weaker than a code the user gave. Used for single
    recommendations and the contract command (one classification per query); the bulk listing
    matcher relies on the codes stored with streams.
    """
    if query.waste_code or not query.description.strip() or model.reads(query.description):
        return query
    from sidestream.classify.service import confident_code

    best = confident_code(query.description)
    return replace(query, waste_code=best.code[:4]) if best else query


def recommend_sectors(
    description: str,
    waste_code: str | None = None,
    donor_nace: str | None = None,
    top: int = 10,
    kb: KnowledgeBase | None = None,
    temperature_c: float | None = None,
    kind: str | None = None,
) -> list[SectorRecommendation]:
    """Receiving NACE classes that could use a material, best first, with reasons and evidence.

    ``temperature_c`` (else a temperature written in the description) rules out uses that need
    a hotter stream, e.g. power generation from 45 °C water, or reaches them through a heat
    pump; ``kind`` (material, energy, water, ...) skips patterns written for other kinds."""
    model = sector_model(kb)
    query = SectorQuery(description, waste_code, donor_nace, temperature_c, kind)
    return model.recommend(with_inferred_code(query, model), top)
