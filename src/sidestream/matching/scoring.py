"""Scoring components of an offer–need pair, vectorised over blocks of pairs.

Each component returns scores in 0–1 (``UNKNOWN`` where its inputs are missing) for an
(offers × needs) block; ``detail`` functions write what one pair's component saw, as
phrases the web pages translate (:mod:`sidestream.messages`). Weights and
limits live in :mod:`sidestream.matching.weights`.
"""

from __future__ import annotations

import numpy as np
from scipy import sparse

from sidestream.impact.heat_pump import MAX_LIFT_K, electricity_per_heat, heat_pump_cop
from sidestream.matching.carriers import CARRIERS, FUEL
from sidestream.matching.schemas import (
    LOCATION_MISSING,
    NO_CONSTRAINTS,
    NO_WINDOWS,
    QUANTITY_MISSING,
    QUANTITY_UNREADABLE,
    UNITS_DIFFER,
)
from sidestream.matching.sectors import heat_pump_fit
from sidestream.matching.table import KINDS, UNITS, ListingTable
from sidestream.matching.weights import (
    CARRIER_FIT,
    CODE_LEVELS,
    COMPONENT_FLOOR,
    ENERGY_MAX_KM,
    ENERGY_REFERENCE_MWH,
    KIND_DOUBT,
    MATERIAL_SOURCES,
    MAX_DISTANCE_KM,
    MIXED_LOW_GROUPS,
    MOISTURE_STEP_FIT,
    NAMES_ANOTHER,
    NAMES_ANOTHER_MAX_TEXT,
    NAMES_ANOTHER_MAX_USE,
    NOT_A_FUEL,
    REGULATORY,
    STORE_COLDER_K,
    TRANSPORT_EUR_PER_TKM,
    UNKNOWN,
    WATER_STEP_FIT,
)
from sidestream.messages import N_, Phrase
from sidestream.registry.properties import WATER_QUALITIES
from sidestream.taxonomy.kinds import Kind

EARTH_RADIUS_KM = 6371.0
ENERGY = KINDS.index(Kind.energy)
MATERIAL = KINDS.index(Kind.material)
CAPACITY = KINDS.index(Kind.capacity)
COOLING_WATER = WATER_QUALITIES.index("cooling")


def haversine_km(
    lat1: np.ndarray, lon1: np.ndarray, lat2: np.ndarray, lon2: np.ndarray
) -> np.ndarray:
    """Great-circle distance in km (broadcasting; NaN where a coordinate is missing)."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dphi = p2 - p1
    dlmb = np.radians(lon2) - np.radians(lon1)
    a = np.sin(dphi / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def place_distance_km(a: object | None, b: object | None) -> float | None:
    """Great-circle km between two things with ``lat``/``lon``; ``None`` if a place is unknown."""
    coords = [getattr(x, k, None) for x in (a, b) for k in ("lat", "lon")]
    if None in coords:
        return None
    return round(float(haversine_km(*(np.array(c, dtype=float) for c in coords))), 2)


def max_distances(
    offers: ListingTable, oi: np.ndarray, needs: ListingTable, nj: np.ndarray
) -> np.ndarray:
    """Each pair's maximum transport distance in km (infinite when unlimited): the offer
    kind's, and for heat and other energy measured on both sides the distance its amount pays
    for (``ENERGY_REFERENCE_MWH``)."""
    kind = KINDS[int(offers.kind[oi[0]])]  # a block holds offers of one kind
    base = MAX_DISTANCE_KM[kind]
    limit = np.broadcast_to(np.inf if base is None else base, (len(oi), len(nj)))  # no copy
    if kind is Kind.energy and base is not None:
        mwh = UNITS.index("MWh")
        amount = np.minimum(
            np.where(offers.unit[oi] == mwh, offers.amount[oi], np.nan)[:, None],
            np.where(needs.unit[nj] == mwh, needs.amount[nj], np.nan)[None, :],
        )
        with np.errstate(invalid="ignore"):  # whole km, as the reasons state them
            grown = np.floor(
                np.clip(base * np.sqrt(amount / ENERGY_REFERENCE_MWH), base, ENERGY_MAX_KM)
            )
        limit = np.where(np.isnan(amount), limit, grown)
    return limit


def combine(components: dict[str, np.ndarray], weights: dict[str, float]) -> np.ndarray:
    """Total score of pairs: the weighted geometric mean of the components (each 0–1).

    Every condition must hold: a pair that fits on distance and quantity but not on material
    stays low, which a weighted sum would not ensure. Components are floored at
    ``COMPONENT_FLOOR`` so that one zero ranks a pair last instead of removing it.
    """
    total_weight = sum(weights.values())
    log_total = sum(
        (weights[k] / total_weight) * np.log(np.maximum(v, COMPONENT_FLOOR))
        for k, v in components.items()
    )
    return np.exp(log_total)


def code_scores(offer_codes: np.ndarray, need_codes: np.ndarray) -> np.ndarray:
    """Same LoW code / sub-chapter / chapter of an offer and the material a need asks for (0
    where either side has no code, and for a group that lists unlike materials:
    ``MIXED_LOW_GROUPS``)."""
    o, n = offer_codes[:, None], need_codes[None, :]
    known = (o > 0) & (n > 0)
    chapter = (o // 10000 == n // 10000) & ~np.isin(o // 10000, _MIXED_CHAPTERS)
    sub_chapter = (o // 100 == n // 100) & ~np.isin(o // 100, _MIXED_SUB_CHAPTERS)
    out = np.where(chapter, CODE_LEVELS["chapter"], 0.0)
    out = np.where(sub_chapter, CODE_LEVELS["sub_chapter"], out)
    out = np.where(o == n, CODE_LEVELS["exact"], out)
    return np.where(known, out, 0.0)


_MIXED_CHAPTERS = np.array([int(g) for g in MIXED_LOW_GROUPS if len(g) == 2])
_MIXED_SUB_CHAPTERS = np.array([int(g) for g in MIXED_LOW_GROUPS if len(g) == 4])


def material_scores(parts: dict[str, np.ndarray]) -> np.ndarray:
    """Noisy-or of the weighted material evidences (``MATERIAL_SOURCES``): 1 − Π(1 − w·s).

    Independent pieces of evidence add up (a need that is both a known receiving industry and
    resembles a documented receiver beats one with either), the result stays in 0–1, and a
    single piece of evidence keeps its own weighted score.
    """
    miss = np.ones_like(parts["code"], dtype=np.float32)
    for k, w in MATERIAL_SOURCES.items():
        miss *= 1.0 - w * np.clip(parts[k], 0.0, 1.0)
    return 1.0 - miss


def look_alike_rows(analogue_idx: np.ndarray, analogue_sim: np.ndarray) -> np.ndarray:
    """A number per need, equal for needs with the same look-alikes (same indices and
    similarities: needs of the same text), so that :func:`analogue_scores` scores each once."""
    if not analogue_idx.shape[0]:
        return np.zeros(0, np.int64)
    keys = np.hstack([analogue_idx.astype(np.float64), analogue_sim.astype(np.float64)])
    return np.unique(keys, axis=0, return_inverse=True)[1].ravel().astype(np.int64)


def kinds_differ(
    offers: ListingTable, oi: np.ndarray, needs: ListingTable, nj: np.ndarray
) -> np.ndarray:
    """Pairs (offers ``oi`` × needs ``nj``) whose kinds differ once a side that states and
    implies none is given the kind read for it (``ListingTable.read_kind``); a side with no kind
    known differs from nothing."""
    o, n = _known_kinds(offers, oi)[:, None], _known_kinds(needs, nj)[None, :]
    return (o >= 0) & (n >= 0) & (o != n)


def _known_kinds(table: ListingTable, rows: np.ndarray | int) -> np.ndarray:
    """The kind (index in ``KINDS``) each row states, implies or was read as; -1 if none."""
    read = table.read_kind[rows]
    return np.where(read >= 0, read, np.where(table.open_kind[rows], -1, table.kind[rows]))


_CARRIER_FIT = np.vstack([np.asarray(CARRIER_FIT), np.ones(len(CARRIERS))])
_CARRIER_FIT = np.hstack([_CARRIER_FIT, np.ones((len(CARRIERS) + 1, 1))])  # row/column -1: none


def carrier_fits(
    offers: ListingTable, oi: np.ndarray, needs: ListingTable, nj: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """How well each energy offer's form serves each energy need's (``CARRIER_FIT``), and a
    material that cannot burn a need asking for fuel (``NOT_A_FUEL``): the rows and columns of
    the block where either may apply, and their fits (1 where neither does); the rest fit."""
    o = np.where(_known_kinds(offers, oi) == ENERGY, offers.carrier[oi], -1)
    n = np.where(_known_kinds(needs, nj) == ENERGY, needs.carrier[nj], -1)
    burnt, fuel = offers.does_not_burn[oi], needs.carrier[nj] == FUEL
    rows = np.flatnonzero((o >= 0) | burnt)
    cols = np.flatnonzero((n >= 0) | fuel)
    fits = np.where(
        burnt[rows][:, None] & fuel[cols][None, :],
        NOT_A_FUEL,
        _CARRIER_FIT[o[rows][:, None], n[cols][None, :]],
    )
    return rows, cols, fits


def carrier_fit(offers: ListingTable, i: int, needs: ListingTable, j: int) -> float:
    """:func:`carrier_fits` of one pair (offer ``i``, need ``j``), with a quick way out for the
    many pairs where no form is read."""
    if needs.carrier[j] < 0 or (offers.carrier[i] < 0 and not offers.does_not_burn[i]):
        return 1.0
    _, _, fits = carrier_fits(offers, np.array([i]), needs, np.array([j]))
    return float(fits.min()) if fits.size else 1.0


def carrier_detail(offers: ListingTable, i: int, needs: ListingTable, j: int) -> Phrase:
    """Why a pair's material evidence was lowered: the forms of energy its titles name, or a
    need for fuel and an offer that cannot burn."""
    if offers.does_not_burn[i] and needs.carrier[j] == FUEL:
        return Phrase(
            N_("the need asks for fuel, and the offer cannot burn: material evidence ×"
               " {factor:.1f}"),
            {"factor": NOT_A_FUEL},
        )  # fmt: skip
    o, n = int(offers.carrier[i]), int(needs.carrier[j])
    return Phrase(
        N_("the offer is {offer}, the need asks for {need}: material evidence × {factor:.1f}"),
        {"offer": _CARRIER_NAMES[o], "need": _CARRIER_NAMES[n], "factor": CARRIER_FIT[o][n]},
        ("offer", "need"),
    )


def kind_doubt_detail(offers: ListingTable, i: int, needs: ListingTable, j: int) -> Phrase:
    """Why a pair's material evidence was lowered: the kinds, one of them read."""
    kinds = {
        side: _KIND_NAMES[KINDS[int(_known_kinds(t, r))]]
        for side, t, r in (("offer", offers, i), ("need", needs, j))
    }
    return Phrase(
        N_("kinds differ: the offer is {offer}, the need {need} (a listing that states and implies"
           " no kind is read from what its title asks for or from its most similar documented"
           " exchange); material evidence × {factor:.1f}"),
        {**kinds, "factor": KIND_DOUBT}, ("offer", "need"),
    )  # fmt: skip


def names_another(
    offers: ListingTable,
    oi: np.ndarray,
    needs: ListingTable,
    nj: np.ndarray,
    named: tuple[sparse.csr_matrix, sparse.csr_matrix, sparse.csr_matrix],
    parts: dict[str, np.ndarray],
    words: np.ndarray,
) -> np.ndarray:
    """Pairs (offers ``oi`` × needs ``nj``) where the need asks for a material the offer is not
    (``NAMES_ANOTHER``): neither is known as another kind than material, the need's title
    names curated patterns and the offer names others, none a substitute for one the need
    names. Exempt: pairs whose offer shares words with what the need's title asks for
    (``words``: TF-IDF similarity, ``text.asked_part``), whose LoW codes are the same, or whose
    need reads like a known use of the offer's material (its words name what the material becomes:
    "Protein feed for dairy cows" of brewers' yeast, which the protein row names); ``parts``:
    the pair's material evidences. ``named``: the patterns the offers name, those the needs
    name (listings × patterns) and the substitutes (``SectorModel.substitutes``)."""
    offer_named, need_named, substitutes = named
    material = (
        np.isin(_known_kinds(offers, oi), (MATERIAL, -1))[:, None]
        & np.isin(_known_kinds(needs, nj), (MATERIAL, -1))[None, :]
    )
    both = (np.diff(offer_named.indptr) > 0)[:, None] & (np.diff(need_named.indptr) > 0)[None, :]
    reach = ((offer_named @ substitutes) @ need_named.T).toarray() > 0
    same_code = parts["code"] >= CODE_LEVELS["exact"]  # a sub-chapter spans materials
    exempt = same_code | (words >= NAMES_ANOTHER_MAX_TEXT) | (parts["use"] >= NAMES_ANOTHER_MAX_USE)
    return material & both & ~reach & ~exempt


def another_detail(need_words: str, offer_words: str) -> Phrase:
    """Why a pair's material evidence was lowered: the need asks for another material."""
    return Phrase(
        N_("the need asks for '{need}', the offer is '{offer}' (no known substitute): material"
           " evidence × {factor:.1f}"),
        {"need": need_words, "offer": offer_words, "factor": NAMES_ANOTHER},
    )  # fmt: skip


def analogue_scores(
    similar: np.ndarray,
    analogue_idx: np.ndarray,
    analogue_sim: np.ndarray,
    rows: np.ndarray | None = None,
) -> np.ndarray:
    """Documented analogous exchange: max over a need's look-alike documented receivers of
    (offer material ~ material that receiver took) × (need ~ that receiver and its final use).

    ``similar``: offers × documented exchanges; ``analogue_idx`` / ``analogue_sim``: needs × k;
    ``rows``: the needs' :func:`look_alike_rows` (worked out here when not given). Needs that
    share their look-alikes are scored once.
    """
    if not similar.shape[1] or not analogue_idx.shape[0]:
        return np.zeros((similar.shape[0], analogue_idx.shape[0]), np.float32)
    rows = look_alike_rows(analogue_idx, analogue_sim) if rows is None else rows
    one = np.full(int(rows.max()) + 1, -1, np.int64)  # a need of each row number present
    one[rows] = np.arange(len(rows))
    present = np.flatnonzero(one >= 0)
    column = np.zeros(len(one), np.int64)
    column[present] = np.arange(len(present))
    idx, sim = analogue_idx[one[present]], analogue_sim[one[present]]
    out = np.zeros((similar.shape[0], len(present)), np.float32)
    for slot in range(idx.shape[1]):
        got = similar[:, np.maximum(idx[:, slot], 0)] * sim[None, :, slot]
        np.maximum(out, np.where(idx[None, :, slot] >= 0, got, 0.0), out=out)
    return out[:, column[rows]]


def named_scores(offers: sparse.csr_matrix, needs: sparse.csr_matrix) -> np.ndarray:
    """1 where an offer and a need name a curated pattern in common (``offers``, ``needs``:
    listings × patterns, 1 = named), else 0."""
    return np.asarray((offers @ needs.T).toarray() > 0, dtype=np.float32)


def distance_scores(dist: np.ndarray, limit: np.ndarray) -> np.ndarray:
    """1 at the door, falling linearly to 0 at the pair's limit; ``UNKNOWN`` without location."""
    return np.where(np.isnan(dist), UNKNOWN, np.clip(1.0 - dist / limit, 0.0, 1.0))


def quantity_scores(
    offer_amount: np.ndarray, need_amount: np.ndarray, same_unit: np.ndarray
) -> np.ndarray:
    """0.7 × share of the need covered + 0.3 × share of the offer used."""
    o, n = offer_amount[:, None], need_amount[None, :]
    known = same_unit & ~np.isnan(o) & ~np.isnan(n) & (o > 0) & (n > 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        both = np.minimum(o, n)
        score = 0.7 * both / n + 0.3 * both / o
    return np.where(known, score, UNKNOWN)


def quality_scores(
    offers: ListingTable, oi: np.ndarray, needs: ListingTable, nj: np.ndarray
) -> np.ndarray:
    """The property constraints both sides state, the lowest fit counting; ``UNKNOWN`` where
    neither a temperature nor a water quality is stated on both sides; 0 for a hazardous offer
    to a need that does not accept hazardous materials (``ruled_out``).

    Temperature, by what it means for the offer's kind: heat (energy) colder than the need
    scores by how far a heat pump must lift it (``heat_pump_fit``; beyond its lift the pair is
    ``ruled_out``); a store (capacity) keeps goods at its temperature, so it must be no warmer
    than the need's and at most ``STORE_COLDER_K`` colder; water for cooling (the need's
    ``water_quality`` is cooling) must be no warmer than the need's temperature; anything else
    at least as warm. A misfit other than heat scores 0 but stays a (weak) candidate.
    Water quality: 1 when the offer is as clean as the need asks, less ``WATER_STEP_FIT`` for
    each step it falls short (potable, process, cooling, grey, waste: it needs treatment).
    """
    refused = _refused(offers, oi, needs, nj)
    wo, wn = offers.water_quality[oi][:, None], needs.water_quality[nj][None, :]
    to, tn = offers.temperature[oi][:, None], needs.temperature[nj][None, :]
    mo, mn = offers.moisture[oi][:, None], needs.moisture[nj][None, :]
    if (
        (np.isnan(to).all() or np.isnan(tn).all())
        and ((wo < 0).all() or (wn < 0).all())
        and (np.isnan(mo).all() or np.isnan(mn).all())
    ):
        return np.where(refused, 0.0, UNKNOWN)  # nothing stated on both sides: the usual case
    temp_known = ~np.isnan(to) & ~np.isnan(tn)
    kind = offers.kind[oi][:, None]
    lift = np.where(temp_known, tn - to, 0.0)
    cooling = (needs.water_quality[nj] == COOLING_WATER)[None, :]
    fit = np.select(
        [kind == ENERGY, kind == CAPACITY, cooling],
        [heat_pump_fit(lift), ((lift >= 0) & (lift <= STORE_COLDER_K)).astype(float),
         (lift >= 0).astype(float)],
        (lift <= 0).astype(float),
    )  # fmt: skip
    water_known = (wo >= 0) & (wn >= 0)
    water = np.maximum(1.0 - WATER_STEP_FIT * np.maximum(wo - wn, 0), WATER_STEP_FIT)
    score = np.where(
        temp_known & water_known,
        np.minimum(fit, water),
        np.where(temp_known, fit, np.where(water_known, water, UNKNOWN)),
    )
    moisture_known = ~np.isnan(mo) & ~np.isnan(mn)
    with np.errstate(invalid="ignore"):
        dry_enough = np.clip(1.0 - MOISTURE_STEP_FIT * np.maximum(mo - mn, 0.0), 0.0, 1.0)
    stated = temp_known | water_known
    score = np.where(
        moisture_known, np.where(stated, np.minimum(score, dry_enough), dry_enough), score
    )
    return np.where(refused, 0.0, score)


def ruled_out(
    offers: ListingTable, oi: np.ndarray, needs: ListingTable, nj: np.ndarray
) -> np.ndarray:
    """Pairs that cannot work whatever else fits: heat colder than the need by more than a heat
    pump lifts (both temperatures stated, not read from titles: a misread title costs rank, not
    the match), a hazardous offer to a need that does not accept hazardous materials, a
    material the law keeps out of feed (manure, digestate, sewage sludge, catering waste) to a
    need for feed, or an offer and a need of the same named organisation (its own reuse is no
    symbiosis partner)."""
    lift = needs.temperature[nj][None, :] - offers.temperature[oi][:, None]
    stated = offers.temperature_stated[oi][:, None] & needs.temperature_stated[nj][None, :]
    mo, mn = offers.moisture[oi], needs.moisture[nj]
    own = offers.organisation[oi]
    with np.errstate(invalid="ignore"):
        too_cold = (offers.kind[oi] == ENERGY)[:, None] & (lift > MAX_LIFT_K) & stated
        out = too_cold | _refused(offers, oi, needs, nj)
        out |= (own != 0)[:, None] & (own[:, None] == needs.organisation[nj][None, :])
        if not (np.isnan(mo).all() or np.isnan(mn).all()):  # stated on both sides somewhere
            out |= (mo[:, None] - mn[None, :]) * MOISTURE_STEP_FIT >= 1.0  # NaN compares false
    return out


def _refused(
    offers: ListingTable, oi: np.ndarray, needs: ListingTable, nj: np.ndarray
) -> np.ndarray:
    hazardous = offers.hazardous[oi][:, None] & ~needs.accepts_hazardous[nj][None, :]
    return hazardous | (offers.feed_banned[oi][:, None] & needs.wants_feed[nj][None, :])


def time_scores(
    offers: ListingTable, oi: np.ndarray, needs: ListingTable, nj: np.ndarray
) -> np.ndarray:
    """Overlap of availability windows relative to the shorter one; NaN marks disjoint windows."""
    s = np.maximum(offers.start[oi][:, None], needs.start[nj][None, :])
    e = np.minimum(offers.end[oi][:, None], needs.end[nj][None, :])
    with np.errstate(invalid="ignore"):
        shorter = np.minimum(
            (offers.end - offers.start)[oi][:, None], (needs.end - needs.start)[nj][None, :]
        )
        frac = np.where(np.isinf(shorter), 1.0, (e - s + 1) / (shorter + 1))
    dated = offers.dated[oi][:, None] | needs.dated[nj][None, :]
    score = np.where(dated, np.clip(frac, 0.0, 1.0), UNKNOWN)
    return np.where(dated & (e < s), np.nan, score)


def regulatory_scores(offers: ListingTable, oi: np.ndarray) -> np.ndarray:
    """Per offer: the lowest applicable flag score (hazardous < animal by-product < waste)."""
    score = np.where(offers.code[oi] > 0, REGULATORY["waste"], REGULATORY["none"])
    score = np.where(offers.animal_by_product[oi], REGULATORY["animal_by_product"], score)
    return np.where(offers.hazardous[oi], REGULATORY["hazardous"], score)


def _fmt_code(code: int) -> str:
    text = f"{code:06d}"
    return f"{text[:2]} {text[2:4]} {text[4:]}"


#: How the LoW codes of a pair agree, by code similarity.
_CODE_AGREEMENT = {
    CODE_LEVELS["exact"]: N_("same LoW code ({offer_code} / {need_code})"),
    CODE_LEVELS["sub_chapter"]: N_("same LoW sub-chapter ({offer_code} / {need_code})"),
    CODE_LEVELS["chapter"]: N_("same LoW chapter ({offer_code} / {need_code})"),
}
#: A form of energy's name inside a phrase, in ``CARRIERS`` order.
_CARRIER_NAMES = (N_("heat"), N_("power"), N_("fuel"), N_("cold"))
#: A kind's name inside a phrase ("limit 10 km for energy").
_KIND_NAMES = {
    Kind.material: N_("material"), Kind.energy: N_("energy"), Kind.water: N_("water"),
    Kind.capacity: N_("capacity"), Kind.service: N_("service"), Kind.knowledge: N_("knowledge"),
}  # fmt: skip


def material_detail(
    offers: ListingTable,
    i: int,
    needs: ListingTable,
    j: int,
    parts: dict[str, float],
    sector: str,
    use: str = "",
    named: tuple[str, str | None] | None = None,
) -> list[Phrase]:
    """Which material evidence decided the score (``use``: the known use of the material
    that the need's text resembles; ``named``: the words by which the need names the offer's
    material, and the offer's words, ``None`` when its LoW code names it)."""
    found: list[Phrase] = []
    if parts["code"] > 0:
        codes = {
            "offer_code": _fmt_code(int(offers.code[i])),
            "need_code": _fmt_code(int(needs.code[j])),
        }
        level = min(_CODE_AGREEMENT, key=lambda v: abs(v - parts["code"]))  # float32 scores
        found.append(Phrase(_CODE_AGREEMENT[level], codes))
    if parts["kb_use"] > 0.05 and sector:
        found.append(Phrase(
            N_("industry {sector} ({label}) is a known receiver of this material"
               " (evidence {evidence:.2f})")
            if needs.nace[j] else  # the class is read from the need's words
            N_("industry {sector} ({label}), read from the need's words, is a known receiver"
               " of this material (evidence {evidence:.2f})"),
            {"sector": sector, "label": sector, "evidence": parts["kb_use"]}, titled=("label",),
        ))  # fmt: skip
    if parts["text"] > 0.05:
        found.append(
            Phrase(N_("description similarity {similarity:.2f}"), {"similarity": parts["text"]})
        )
    if parts.get("analogue", 0.0) > 0.05:
        found.append(Phrase(
            N_("resembles a documented exchange of a similar material to a similar receiver"
               " (evidence {evidence:.2f})"),
            {"evidence": parts["analogue"]},
        ))  # fmt: skip
    if use:
        found.append(Phrase(
            N_("the need reads like a known use of this material: {use} (evidence {evidence:.2f})"),
            {"use": use, "evidence": parts["use"]}, uses=("use",),
        ))  # fmt: skip
    if named:  # only given where the pair shares a named pattern
        need_words, offer_words = named
        found.append(
            Phrase(N_("the need names what the offer is: '{need}', as the offer says '{offer}'"
                      " (evidence {evidence:.2f})"),
                   {"need": need_words, "offer": offer_words, "evidence": parts["named"]})
            if offer_words
            else Phrase(N_("the need names what the offer's LoW code covers: '{need}'"
                           " (evidence {evidence:.2f})"),
                        {"need": need_words, "evidence": parts["named"]})
        )  # fmt: skip
    return found or [Phrase(N_("no material evidence"))]


def distance_detail(
    offers: ListingTable, i: int, needs: ListingTable, j: int, dist: float
) -> list[Phrase]:
    """Distance, the kind's limit and (for materials) the haulage cost."""
    if np.isnan(dist):
        return [LOCATION_MISSING]
    kind = KINDS[int(offers.kind[i])]
    limit = MAX_DISTANCE_KM[kind] or np.inf
    if kind is Kind.energy:  # the pair's own limit (only energy's depends on the amounts)
        limit = float(max_distances(offers, np.array([i]), needs, np.array([j]))[0, 0])
    out = [
        Phrase(N_("{distance:.1f} km (limit {limit:.0f} km for {kind})"),
               {"distance": dist, "limit": limit, "kind": _KIND_NAMES[kind]}, ("kind",))
        if np.isfinite(limit)
        else Phrase(N_("{distance:.1f} km"), {"distance": dist})
    ]  # fmt: skip
    if kind is Kind.material:
        per_t = dist * TRANSPORT_EUR_PER_TKM
        tonnes = min(offers.amount[i], needs.amount[j])
        if offers.unit[i] == 0 and needs.unit[j] == 0 and not np.isnan(tonnes):
            out.append(Phrase(
                N_("haulage about {per_t:.1f} EUR/t, {per_year:,.0f} EUR/year"),
                {"per_t": per_t, "per_year": per_t * tonnes},
            ))  # fmt: skip
        else:
            out.append(Phrase(N_("haulage about {per_t:.1f} EUR/t"), {"per_t": per_t}))
    return out


def quantity_detail(offers: ListingTable, i: int, needs: ListingTable, j: int) -> list[Phrase]:
    """Annual amounts on both sides, or why they cannot be compared."""
    o, n = float(offers.amount[i]), float(needs.amount[j])
    if not (o > 0 and n > 0):  # missing (NaN) or nothing: no fit to score (``quantity_scores``)
        stated = [t.listings[k].quantity for t, k in ((offers, i), (needs, j))]
        return [QUANTITY_UNREADABLE if all(q and q > 0 for q in stated) else QUANTITY_MISSING]
    if offers.unit[i] != needs.unit[j]:
        return [UNITS_DIFFER]
    unit = UNITS[int(offers.unit[i])]
    amounts = {"offer": o, "need": n, "unit": unit.removesuffix("/year"), "share": min(o / n, 1.0)}
    if unit == "pallet":  # a count (only a capacity has it), its name translated
        text = N_(
            "offer {offer:,.0f} pallet places, need {need:,.0f} pallet places (covers {share:.0%})"
        )
    elif KINDS[int(offers.kind[i])] is Kind.capacity and not unit.endswith("/year"):
        # space or tonnage free at one time (a capacity's throughput is per year, as others)
        text = N_("offer {offer:,.0f} {unit}, need {need:,.0f} {unit} (covers {share:.0%})")
    else:
        text = N_(
            "offer {offer:,.0f} {unit}/year, need {need:,.0f} {unit}/year (covers {share:.0%})"
        )
    return [Phrase(text, amounts)]


def quality_detail(offers: ListingTable, i: int, needs: ListingTable, j: int) -> list[Phrase]:
    """The property constraints that were checked."""
    notes: list[Phrase] = []
    to, tn = float(offers.temperature[i]), float(needs.temperature[j])
    if not np.isnan(to) and not np.isnan(tn):
        notes.append(_temperature_detail(int(offers.kind[i]), int(needs.water_quality[j]), to, tn))
    wo, wn = int(offers.water_quality[i]), int(needs.water_quality[j])
    if wo >= 0 and wn >= 0:
        names = {
            "offer": _WATER_NAMES[WATER_QUALITIES[wo]],
            "need": _WATER_NAMES[WATER_QUALITIES[wn]],
        }
        if wo <= wn:
            text = N_("water quality: the offer is {offer}, the need asks for {need}: as clean")
        else:
            text = N_("water quality: the offer is {offer}, the need asks for {need}: it needs"
                      " treatment first")  # fmt: skip
        notes.append(Phrase(text, names, ("offer", "need")))
    mo, mn = float(offers.moisture[i]), float(needs.moisture[j])
    if not np.isnan(mo) and not np.isnan(mn):
        wet = {"offer": mo, "need": mn}
        if mo <= mn:
            text = N_("moisture {offer:.0f} %, the need takes up to {need:.0f} %")
        else:
            text = N_("moisture {offer:.0f} %, more than the {need:.0f} % the need takes")
        notes.append(Phrase(text, wet))
    if offers.hazardous[i] and not needs.accepts_hazardous[j]:
        notes.append(Phrase(N_("hazardous offer, need does not accept hazardous materials")))
    return notes or [NO_CONSTRAINTS]


def _temperature_detail(kind: int, need_water: int, to: float, tn: float) -> Phrase:
    """What the two temperatures mean for the offer's kind (``quality_scores``)."""
    heat = {"supply": to, "required": tn}
    if kind == CAPACITY:
        if to > tn:
            return Phrase(
                N_("store at {supply:.0f} °C, warmer than the {required:.0f} °C needed"), heat
            )
        if tn - to > STORE_COLDER_K:
            return Phrase(
                N_("store at {supply:.0f} °C, more than {band:.0f} K colder than the"
                   " {required:.0f} °C needed"),
                heat | {"band": STORE_COLDER_K},
            )  # fmt: skip
        return Phrase(N_("store at {supply:.0f} °C keeps the {required:.0f} °C needed"), heat)
    if kind != ENERGY and need_water == COOLING_WATER:
        if to > tn:
            return Phrase(
                N_(
                    "water at {supply:.0f} °C, warmer than the {required:.0f} °C needed for cooling"
                ),
                heat,
            )
        return Phrase(
            N_("water at {supply:.0f} °C, cool enough for the {required:.0f} °C needed"), heat
        )
    if to >= tn:
        return Phrase(N_("supply {supply:.0f} °C meets required {required:.0f} °C"), heat)
    cop = heat_pump_cop(to, tn) if kind == ENERGY else None
    if cop:
        return Phrase(
            N_("supply {supply:.0f} °C below required {required:.0f} °C: a heat pump can lift"
               " it ({lift:.0f} K, COP about {cop:.1f}, {electricity:.2f} MWh of electricity"
               " per MWh of this heat)"),
            heat | {"lift": tn - to, "cop": cop, "electricity": electricity_per_heat(cop)},
        )  # fmt: skip
    if kind == ENERGY:
        return Phrase(
            N_("supply {supply:.0f} °C below required {required:.0f} °C: more than a heat"
               " pump's {max_lift:.0f} K lift"),
            heat | {"max_lift": MAX_LIFT_K},
        )  # fmt: skip
    return Phrase(N_("supply {supply:.0f} °C below required {required:.0f} °C"), heat)


#: Water qualities as a match reason names them.
_WATER_NAMES = {
    "potable": N_("drinking water"), "process": N_("process water"),
    "cooling": N_("cooling water"), "grey": N_("grey water"), "waste": N_("waste water"),
}  # fmt: skip


def time_detail(
    offers: ListingTable, i: int, needs: ListingTable, j: int, score: float
) -> list[Phrase]:
    """Availability overlap."""
    if not (offers.dated[i] or needs.dated[j]):
        return [NO_WINDOWS]
    return [
        Phrase(N_("availability windows overlap {share:.0%} of the shorter one"), {"share": score})
    ]


def regulatory_detail(offers: ListingTable, i: int) -> list[Phrase]:
    """Regulatory flags of the offer."""
    flags: list[Phrase] = []
    if offers.hazardous[i]:
        flags.append(Phrase(N_("hazardous waste: permit and consignment note required")))
    if offers.animal_by_product[i]:
        flags.append(Phrase(N_("animal by-product: Regulation (EC) 1069/2009 applies")))
    if offers.code[i] > 0 and not flags:
        flags.append(
            Phrase(N_("waste status: receiver needs a permit unless by-product status applies"))
        )
    return flags or [Phrase(N_("no flags"))]
