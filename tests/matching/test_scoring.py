"""Scoring components: distance limits by kind, temperature, quantity fit, missing data."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
from tests.matching.conftest import listing

from sidestream.matching import scoring
from sidestream.matching.engine import match_listings
from sidestream.matching.table import build_table
from sidestream.matching.weights import COMPONENT_FLOOR, UNKNOWN, WEIGHTS
from sidestream.messages import english
from sidestream.taxonomy.kinds import Kind


def test_haversine_helsinki_tampere() -> None:
    d = scoring.haversine_km(np.array(60.17), np.array(24.94), np.array(61.50), np.array(23.76))
    assert 155 < float(d) < 165


def test_distance_limits_depend_on_kind() -> None:
    offers = build_table([listing("h", "offer", "Heat", kind="energy"),
                          listing("m", "offer", "Ash", kind="material")])  # fmt: skip
    needs = build_table([listing("n", "need", "Anything")])
    one = np.array([0])
    assert scoring.max_distances(offers, one, needs, one)[0, 0] == 10
    assert scoring.max_distances(offers, np.array([1]), needs, one)[0, 0] >= 200
    heat = scoring.distance_scores(np.array([5.0, 12.0, np.nan]), np.array(10.0))
    assert heat[0] == 0.5 and heat[1] == 0.0 and heat[2] == UNKNOWN


def test_larger_heat_flows_travel_further() -> None:
    """The energy limit grows with the square root of the heat exchanged, within bounds."""
    offers = build_table([
        listing(f"h{gwh}", "offer", "Surplus heat", kind="energy", quantity=gwh, unit="GWh")
        for gwh in (5, 20, 80, 2000)
    ])  # fmt: skip
    needs = build_table([
        listing("big", "need", "District heating", kind="energy", quantity=500, unit="GWh"),
        listing("none", "need", "District heating", kind="energy"),
    ])  # fmt: skip
    limits = scoring.max_distances(offers, np.arange(4), needs, np.arange(2))
    assert limits[:, 0].tolist() == [10.0, 10.0, 20.0, 30.0]  # floor, reference, sqrt(4), cap
    assert (limits[:, 1] == 10.0).all()  # the need states no amount: the kind's limit


def test_heat_beyond_ten_km_is_not_a_candidate(heat_offer) -> None:
    near = listing("near", "need", "Greenhouse heating", kind="energy", lat=60.25, lon=24.95)
    far = listing("far", "need", "Greenhouse heating", kind="energy", lat=60.35, lon=24.90)
    [matches] = match_listings([heat_offer], [near, far])
    assert [m.need_id for m in matches] == ["near"]
    # 16.7 km: beyond 10 km for 20 GWh a year, within the 20 km that 80 GWh pays for
    big = heat_offer.model_copy(update={"quantity": 80.0})
    town = far.model_copy(update={"quantity": 100.0, "unit": "GWh"})
    [matches] = match_listings([big], [town])
    assert [m.need_id for m in matches] == ["far"]
    distance = {r.component: r.detail for r in matches[0].reasons}["distance"]
    assert distance == "16.7 km (limit 20 km for energy)"


def test_material_travels_further(ash_offer) -> None:
    cement = listing("cem", "need", "Cement raw materials", organisation_nace="2351",
                     lat=60.60, lon=24.90)  # fmt: skip
    [matches] = match_listings([ash_offer], [cement])
    assert matches and matches[0].need_id == "cem"


def test_temperature_constraint(heat_offer) -> None:
    warm = listing("warm", "need", "Greenhouse heating", kind="energy",
                   properties={"temperature_c": 50}, lat=60.21, lon=24.91)  # fmt: skip
    hot = listing("hot", "need", "Greenhouse heating", kind="energy",
                  properties={"temperature_c": 90}, lat=60.21, lon=24.91)  # fmt: skip
    steam = listing("steam", "need", "Greenhouse heating", kind="energy",
                    properties={"temperature_c": 130}, lat=60.21, lon=24.91)  # fmt: skip
    [matches] = match_listings([heat_offer], [steam, hot, warm])
    by_id = {m.need_id: {r.component: r for r in m.reasons} for m in matches}
    assert by_id["warm"]["quality"].score == 1.0
    # 60 -> 90 °C: a heat pump can lift it, at a cost in score and in electricity
    assert 0.4 < by_id["hot"]["quality"].score < 0.7
    assert "below required 90 °C: a heat pump can lift it (30 K" in by_id["hot"]["quality"].detail
    assert [m.need_id for m in matches] == ["warm", "hot"]  # 70 K: beyond one heat pump
    assert english(scoring.quality_detail(*_tables(heat_offer, steam))).endswith(
        "below required 130 °C: more than a heat pump's 50 K lift"
    )


def _tables(offer, need):
    from sidestream.matching.table import build_table

    return build_table([offer]), 0, build_table([need]), 0


def test_a_hazardous_offer_is_no_candidate_for_a_need_that_refuses_it(ash_offer) -> None:
    base = {"organisation_nace": "2351", "lat": 60.21, "lon": 24.91}
    takes = listing("takes", "need", "Cement raw materials", **base)
    refuses = listing("refuses", "need", "Cement raw materials",
                      properties={"accepts_hazardous": False}, **base)  # fmt: skip
    hazardous = ash_offer.model_copy(update={"properties": {"hazardous": True}})
    [matches] = match_listings([hazardous], [takes, refuses])
    assert [m.need_id for m in matches] == ["takes"]


def test_water_colder_than_asked_scores_low_but_stays_a_candidate() -> None:
    """Only heat is lifted by heat pumps; cool water for a warm-water need just fits poorly."""
    place = {"lat": 60.21, "lon": 24.91}
    offer = listing("cool", "offer", "Cooling water", kind="water",
                    properties={"temperature_c": 15}, **place)  # fmt: skip
    warm = listing("warm", "need", "Cooling water for fish ponds", kind="water",
                   properties={"temperature_c": 20}, **place)  # fmt: skip
    hot = listing("hot", "need", "Cooling water for a laundry", kind="water",
                  properties={"temperature_c": 70}, **place)  # fmt: skip
    [matches] = match_listings([offer], [warm, hot])
    by_id = {m.need_id: {r.component: r for r in m.reasons} for m in matches}
    assert set(by_id) == {"warm", "hot"}
    assert by_id["warm"]["quality"].score == by_id["hot"]["quality"].score == 0.0
    assert by_id["warm"]["quality"].detail == "supply 15 °C below required 20 °C"


def test_a_store_keeps_goods_at_its_temperature() -> None:
    """A cold store must be no warmer than the goods need and not so much colder that it would
    freeze them: a +4 °C store is no place for frozen salmon, a -25 °C freezer none for salad."""
    place = {"lat": 58.4, "lon": 11.3}

    def store(id_: str, title: str, temperature: float, direction: str = "offer"):
        return listing(id_, direction, title, kind="capacity",
                       properties={"temperature_c": temperature}, **place)  # fmt: skip

    chilled, freezer = (
        store("chilled", "Spare cold storage", 4),
        store("freezer", "Spare frozen storage", -25),
    )
    salmon = store("salmon", "Frozen storage for salmon", -18, "need")
    salad = store("salad", "Cold storage for salad", 4, "need")
    found = match_listings([chilled, freezer], [salmon, salad])
    quality = {(m.offer_id, m.need_id): next(r for r in m.reasons if r.component == "quality")
               for ms in found for m in ms}  # fmt: skip
    assert quality["freezer", "salmon"].score == quality["chilled", "salad"].score == 1.0
    assert quality["chilled", "salmon"].score == quality["freezer", "salad"].score == 0.0
    assert quality["freezer", "salmon"].detail == "store at -25 °C keeps the -18 °C needed"
    assert quality["chilled", "salmon"].detail == "store at 4 °C, warmer than the -18 °C needed"
    assert quality["freezer", "salad"].detail == (
        "store at -25 °C, more than 10 K colder than the 4 °C needed"
    )
    assert found[0][0].need_id == "salad" and found[1][0].need_id == "salmon"


def test_water_quality_and_cooling_temperature_are_compared() -> None:
    """A need for cooling water wants water no warmer than it says; a need's water quality is
    met by water as clean, and dirtier water needs treatment first (a lower fit)."""
    place = {"lat": 55.6, "lon": 12.5}

    def water(id_: str, direction: str, quality: str, temperature: float | None = None):
        props = {"water_quality": quality} | ({"temperature_c": temperature} if temperature else {})
        return listing(id_, direction, f"{quality} water", kind="water", properties=props, **place)

    used = water("used", "offer", "Cooling", 30)
    grey = water("grey", "offer", "grey")
    cool = water("cool", "need", "cooling", 20)
    process = water("process", "need", "process")
    found = match_listings([used, grey], [cool, process])
    quality = {(m.offer_id, m.need_id): next(r for r in m.reasons if r.component == "quality")
               for ms in found for m in ms}  # fmt: skip
    assert quality["used", "cool"].score == 0.0
    assert quality["used", "cool"].detail == (
        "water at 30 °C, warmer than the 20 °C needed for cooling; water quality: the offer is"
        " cooling water, the need asks for cooling water: as clean"
    )
    assert quality["grey", "cool"].score == pytest.approx(0.8)
    assert quality["grey", "process"].score == pytest.approx(0.6)
    assert quality["grey", "process"].detail.endswith("it needs treatment first")
    assert (
        quality["used", "process"].score == pytest.approx(0.8) and quality["used", "process"].stated
    )


def test_a_need_takes_what_is_dry_enough() -> None:
    """A need's moisture is the most it takes, an offer's what it holds (or 100 less its dry
    matter): a slurry of 4 % dry matter is no fuel for a boiler that takes wood chips up to
    45 % moisture (the demo's plan sent 280,000 t of digestate there, credited as wood)."""
    place = {"lat": 55.66, "lon": 11.09}
    boiler = listing("boiler", "need", "Wood chips for the biomass boiler", waste_code="030105",
                     properties={"moisture_pct": 45}, **place)  # fmt: skip
    chips = listing("chips", "offer", "Wood chips", waste_code="030105",
                    properties={"moisture_pct": 40}, **place)  # fmt: skip
    damp = listing("damp", "offer", "Wood chips", waste_code="030105",
                   properties={"moisture_pct": 50}, **place)  # fmt: skip
    slurry = listing("slurry", "offer", "Wood chips", waste_code="030105",
                     properties={"dry_matter_pct": 4}, **place)  # fmt: skip
    unsaid = listing("unsaid", "offer", "Wood chips", waste_code="030105", **place)
    found = match_listings([chips, damp, slurry, unsaid], [boiler])
    quality = {ms[0].offer_id: next(r for r in ms[0].reasons if r.component == "quality")
               for ms in found if ms}  # fmt: skip
    assert "slurry" not in quality  # 96 % against 45 %: ruled out
    assert quality["chips"].score == 1.0
    assert quality["chips"].detail == "moisture 40 %, the need takes up to 45 %"
    assert quality["damp"].score == pytest.approx(0.5)  # 5 points wetter: a weaker fit
    assert quality["damp"].detail == "moisture 50 %, more than the 45 % the need takes"
    assert quality["unsaid"].score == 0.5 and not quality["unsaid"].stated


def test_heat_pump_fit_falls_with_the_lift() -> None:
    from sidestream.impact.heat_pump import heat_pump_cop
    from sidestream.matching.sectors import heat_pump_fit

    fit = heat_pump_fit(np.array([-5.0, 0.0, 1.0, 25.0, 50.0, 51.0]))
    assert fit[0] == fit[1] == 1.0 and fit[5] == 0.0
    assert 0.7 > fit[2] > fit[3] > fit[4] == pytest.approx(0.4)
    cops = [heat_pump_cop(30.0, sink) for sink in (40.0, 55.0, 80.0)]
    assert all(c is not None for c in cops) and cops[0] > cops[1] > cops[2] > 2.5  # type: ignore[operator]
    assert heat_pump_cop(60.0, 55.0) is None and heat_pump_cop(20.0, 90.0) is None


def test_quantity_fit() -> None:
    q = scoring.quantity_scores(np.array([100.0]), np.array([100.0, 50.0, 400.0, np.nan]),
                                np.array([[True, True, True, True]]))  # fmt: skip
    assert q[0, 0] == 1.0
    assert q[0, 1] == 0.7 + 0.3 * 0.5  # need fully covered, half the offer used
    assert q[0, 2] == 0.7 * 0.25 + 0.3  # a quarter of the need covered
    assert q[0, 3] == UNKNOWN


def test_reasons_are_the_weighted_components(ash_offer) -> None:
    cement = listing("cem", "need", "Cement raw materials", organisation_nace="2351")
    [[match]] = match_listings([ash_offer], [cement])
    assert [r.component for r in match.reasons] == list(WEIGHTS)
    shares = {r.component: r.weight / sum(WEIGHTS.values()) for r in match.reasons}
    total = math.prod(max(r.score, COMPONENT_FLOOR) ** shares[r.component] for r in match.reasons)
    assert abs(total - match.score) < 1e-3
    assert {r.component: r.detail for r in match.reasons}["distance"].startswith("location missing")


def test_a_poor_material_fit_is_not_rescued_by_logistics() -> None:
    offer = listing("o", "offer", "Sawdust and wood shavings", waste_code="030105",
                    lat=55.7, lon=11.7, quantity=800, unit="t", period="per-year")  # fmt: skip
    near = listing("n1", "need", "Ammonia as nitrogen source", lat=55.71, lon=11.71,
                   quantity=800, unit="t", period="per-year")  # fmt: skip
    far = listing("n2", "need", "Sawdust for pellets", waste_code="030105", lat=56.9,
                  lon=11.7, quantity=50000, unit="t", period="per-year")  # fmt: skip
    [matches] = match_listings([offer], [near, far])
    assert matches[0].need_id == "n2"
    assert all(m.score < 0.5 for m in matches if m.need_id == "n1")


def test_missing_everything_is_not_fatal() -> None:
    offer = listing("o", "offer", "Some leftovers")
    need = listing("n", "need", "Some leftovers wanted")
    [matches] = match_listings([offer], [need])
    assert matches[0].need_id == "n"
    unstated = {r.component for r in matches[0].reasons if not r.stated}
    assert unstated == {"distance", "quantity", "quality", "time"}
    assert all(r.score == UNKNOWN for r in matches[0].reasons if not r.stated)


def test_a_component_with_its_inputs_on_both_sides_is_stated() -> None:
    where = {"lat": 55.7, "lon": 11.7, "quantity": 100, "unit": "t", "period": "per-year"}
    offer = listing("o", "offer", "Sawdust", waste_code="030105", **where)
    need = listing("n", "need", "Sawdust for pellets", waste_code="030105",
                   **where | {"unit": "m3"})  # fmt: skip
    [[match]] = match_listings([offer], [need])
    stated = {r.component: r.stated for r in match.reasons}
    assert stated["distance"] and stated["material"] and stated["regulatory"]
    assert not stated["quantity"]  # tonnes against cubic metres: not comparable
    assert match.model_dump()["reasons"][0]["stated"] is True  # part of the JSON


def test_disjoint_availability_excluded() -> None:
    offer = listing("o", "offer", "Wood chips", available_from="2025-01-01",
                    available_to="2025-03-01")  # fmt: skip
    need = listing("n", "need", "Wood chips", available_from="2025-06-01")
    assert match_listings([offer], [need]) == [[]]


def test_regulatory_flags() -> None:
    offer = listing("o", "offer", "Slaughterhouse offal", waste_code="020202")
    need = listing("n", "need", "Pet food raw material", organisation_nace="1092")
    [[match]] = match_listings([offer], [need])
    regulatory = next(r for r in match.reasons if r.component == "regulatory")
    assert "animal by-product" in regulatory.detail and regulatory.score < 1


def test_analogue_scores_take_the_best_documented_lookalike() -> None:
    from sidestream.matching.scoring import analogue_scores

    similar = np.array([[0.9, 0.1, 0.0]], np.float32)  # offer ~ documented exchanges 0, 1, 2
    idx = np.array([[0, 1], [2, -1]])  # need 0 looks like receivers 0, 1; need 1 like 2
    sim = np.array([[0.5, 1.0], [1.0, 0.0]], np.float32)
    got = analogue_scores(similar, idx, sim)
    assert got.shape == (1, 2)
    assert np.allclose(got, [[0.45, 0.0]])


def test_analogue_scores_of_repeated_needs_follow_each_need() -> None:
    """Needs sharing look-alikes are scored once: every need still gets its own row's value."""
    from sidestream.matching.scoring import analogue_scores

    rng = np.random.default_rng(7)
    similar = rng.random((4, 6)).astype(np.float32)
    distinct_idx = np.array([[0, 3], [5, -1], [2, 1]])
    distinct_sim = rng.random((3, 2)).astype(np.float32)
    order = np.array([2, 0, 2, 1, 0, 2])  # needs in any order, with repeats
    idx, sim = distinct_idx[order], distinct_sim[order]
    expected = np.zeros((4, len(order)), np.float32)
    for n in range(len(order)):
        for slot in range(2):
            if idx[n, slot] >= 0:
                got = similar[:, idx[n, slot]] * sim[n, slot]
                expected[:, n] = np.maximum(expected[:, n], got)
    assert np.allclose(analogue_scores(similar, idx, sim), expected)
    numbered = 3 * order + 5  # numbers as an updated index leaves them: gaps, not from 0
    assert np.allclose(analogue_scores(similar, idx, sim, numbered), expected)


def test_material_noisy_or_stays_in_unit_range() -> None:
    from sidestream.matching.scoring import material_scores
    from sidestream.matching.weights import MATERIAL_SOURCES

    ones = np.ones((2, 2), np.float32)
    parts = {k: ones for k in MATERIAL_SOURCES}
    assert np.allclose(material_scores(parts), 1.0)
    zeros = {k: 0 * v for k, v in parts.items()}
    assert np.allclose(material_scores(zeros), 0.0)
    one = {**zeros, "kb_use": 0.5 * ones}
    assert np.allclose(material_scores(one), 0.45)


def test_need_class_backoff_and_inference() -> None:
    from sidestream.matching.engine import MatchIndex
    from sidestream.matching.weights import NACE_BACKOFF

    needs = [
        listing("exact", "need", "Cement works", organisation_nace="2351"),
        listing("group", "need", "Plaster works", organisation_nace="2353"),  # not in the KB
        listing("none", "need", "Cement plant raw material"),  # no NACE: inferred
    ]
    index = MatchIndex(needs)
    classes = [index.model.classes[c] if c >= 0 else None for c in index.need_class]
    assert classes[0] == "2351" and index.need_class_weight[0] == 1.0
    assert classes[1] is not None and classes[1].startswith("235")
    assert index.need_class_weight[1] == NACE_BACKOFF["group"]
    assert classes[2] == "2351" and 0 < index.need_class_weight[2] <= NACE_BACKOFF["inferred"]


def test_a_need_without_nace_takes_the_class_its_business_reads_as() -> None:
    """The class title nearest the need's business ("Manufacture of ready-mixed concrete"),
    not the documented receiver nearest "Raw material" and the business (concrete products)."""
    from sidestream.matching.engine import MatchIndex

    need = listing("rmc", "need", "Raw material", description="Ready-mixed concrete plant")
    fly_ash = listing("ash", "offer", "Fly ash", waste_code="100102")
    index = MatchIndex([need])
    assert index.model.classes[index.need_class[0]] == "2363"
    [match] = index.match([fly_ash], top=1)[0]
    material = {r.component: r.detail for r in match.reasons}["material"]
    assert "industry 2363 (Manufacture of ready-mixed concrete), read from the need's words" in (
        material
    )
    # a business read as a class of another division overrules the documented receiver alike
    # to "Raw material" (a fertiliser works), though the knowledge base knows no shoe maker
    shoes = MatchIndex([listing("s", "need", "Raw material", description="Shoe manufacturer")])
    assert shoes.need_class[0] == -1 or shoes.model.classes[shoes.need_class[0]].startswith("15")


def test_a_need_naming_its_business_as_people_do_reads_as_that_class() -> None:
    """Names such as "Pig farm", "Sawmill", "Zementwerk" resemble no official class title
    ("Raising of swine/pigs"): read as Mixed farming, a feed mill, or nothing before."""
    from sidestream.matching.business_names import business_names, named_business
    from sidestream.matching.engine import MatchIndex
    from sidestream.matching.weights import NACE_BACKOFF

    written = {"Pig farm": "0146", "Sawmill Ltd": "1610", "Zementwerk Lägerdorf": "2351",
               "Cementownia Ożarów": "2351", "Fjernvarmeværk": "3530",
               "Raw material": None}  # fmt: skip
    assert {text: named_business(text) for text in written} == written
    assert named_business("A bakery near the cement works") == "1071"  # the first it writes
    assert named_business("Pig feed, delivered to the port of Aarhus") is None  # a place
    assert named_business("Vi behöver ett stort parti träflis", "sv") is None  # no acronym
    assert named_business("Cementownia Ożarów", "en") is None  # a stated language's names
    needs = [listing(str(i), "need", "Raw material", description=text)
             for i, text in enumerate(written)]  # fmt: skip
    for semantic in (True, False):  # the names are read without the embeddings too
        index = MatchIndex(needs)
        if not semantic:
            index.semantic = False
            index.need_class, index.need_class_weight = index._need_classes(
                index.needs.nace, index.analogue_idx, index.analogue_sim,
                index._business_classes(needs, index.needs.nace),
            )  # fmt: skip
        read = [index.model.classes[c] for c in index.need_class[:5]]
        assert read == [code for code in written.values() if code]
        assert index.need_class_weight[:5] == pytest.approx([NACE_BACKOFF["inferred"]] * 5)
    from sidestream.matching.engine import _donor_nace

    sawdust = listing("s", "offer", "Sawdust", organisation="Hansens Savværk ApS")
    assert _donor_nace(sawdust) == "1610"  # an offer's donor class for the known uses
    assert _donor_nace(sawdust.model_copy(update={"organisation_nace": "1623"})) == "1623"
    named = listing("o", "need", "Raw material", organisation="Holcim Zementwerk Lägerdorf")
    index = MatchIndex([named])
    assert index.model.classes[index.need_class[0]] == "2351"  # its company's name says it
    [match] = MatchIndex(needs[2:3]).match([listing("a", "offer", "Fly ash")], top=1)[0]
    material = {r.component: r.detail for r in match.reasons}["material"]
    assert "industry 2351 (Manufacture of cement), read from the need's words" in material
    assert len(business_names()) >= 150  # the receiving classes of the knowledge base


def test_a_heat_listing_without_properties_states_its_temperature_in_its_title() -> None:
    offer = listing("h", "offer", "Surplus heat 45 C", kind="energy")
    greenhouse = listing("g", "need", "Greenhouse heating 40 °C", kind="energy")
    steam = listing("s", "need", "Process steam 180 °C", kind="energy")
    stated = listing("p", "need", "Process heat 180 °C", kind="energy",
                     properties={"temperature_c": 60})  # fmt: skip
    ranged = listing("r", "need", "Process heat 40-120 °C", kind="energy")
    assert build_table([offer, greenhouse, steam, ranged]).temperature.tolist() == [
        45.0, 40.0, 180.0, 40.0  # a need's range: the least it takes
    ]  # fmt: skip
    assert build_table([stated]).temperature.tolist() == [60.0]  # what is stated counts
    described = [  # a title without one: the description's, as the form's example writes it
        listing("d", "offer", "Surplus heat from compressors", kind="energy",
                description="2,000 MWh a year of cooling water at 60 °C from our compressors"),
        listing("t", "offer", "Surplus heat 45 °C", kind="energy", description="up to 90 °C"),
        listing("f", "offer", "Waste heat", kind="energy", description="from a freezer, -25 °C"),
    ]  # fmt: skip
    assert build_table(described).temperature.tolist()[:2] == [60.0, 45.0]  # the title first
    assert np.isnan(build_table(described).temperature[2])
    # steam named without a temperature is at least boiling water: 55 °C heat was proposed for
    # a process steam need as if hot enough (stop 30 review)
    unwritten = [listing("n", "need", "Process steam for sterilisation and heating",
                         kind="energy"),
                 listing("o", "offer", "Heat for steam production", kind="energy")]  # fmt: skip
    assert build_table(unwritten).temperature[0] == 100.0
    assert np.isnan(build_table(unwritten).temperature[1])  # what it is for is no steam
    not_read = [
        listing("a", "offer", "Slag at 1,200 °C"),  # not heat
        listing("k", "offer", "Surplus heat 45 °C"),  # no kind: maybe a material; not read
        listing("c", "offer", "Waste heat from our cold store (-25 °C)", kind="energy"),  # source
    ]
    assert np.isnan(build_table(not_read).temperature).all()
    [matches] = match_listings([offer], [greenhouse, steam])
    quality = {m.need_id: {r.component: r.detail for r in m.reasons}["quality"] for m in matches}
    assert quality["g"] == "supply 45 °C meets required 40 °C"
    assert matches[0].need_id == "g"  # 135 K is beyond a heat pump's lift: steam ranks last
    assert quality["s"].startswith("supply 45 °C below required 180 °C")  # but a title may
    # misread: only stated temperatures rule a pair out
    cold = offer.model_copy(update={"properties": {"temperature_c": 45}})
    hot = steam.model_copy(update={"properties": {"temperature_c": 180}})
    assert match_listings([cold], [hot]) == [[]]


def test_offers_for_need_scores_as_the_offer_direction(ash_offer) -> None:
    from sidestream.matching.engine import MatchIndex

    needs = [
        listing("cement", "need", "Raw material for clinker", organisation_nace="23.51",
                lat=60.3, lon=24.8),
        listing("bakery", "need", "Flour", organisation_nace="10.71", lat=60.3, lon=24.8),
    ]  # fmt: skip
    offers = [ash_offer, listing("slag", "offer", "Blast furnace slag", waste_code="100202")]
    index = MatchIndex(needs)
    forward = {(m.offer_id, m.need_id): m.score for ms in index.match(offers, 5) for m in ms}
    reverse = index.offers_for_need(index.prepare(offers), 0, top=5)
    assert [m.offer_id for m in reverse] == sorted(
        (o for o, n in forward if n == "cement"), key=lambda o: -forward[(o, "cement")]
    )
    assert all(m.score == forward[(m.offer_id, "cement")] for m in reverse)
    keep = np.array([False, True])
    assert [m.offer_id for m in index.offers_for_need(index.prepare(offers), 0, 5, keep)] == [
        "slag"
    ]


def test_an_updated_index_scores_as_a_full_build_over_the_same_texts() -> None:
    """Needs dropped and read again (none new, none left out) give the full build's scores."""
    from sidestream.matching.engine import MatchIndex

    needs = [
        listing("ash", "need", "Fly ash for cement", waste_code="100102", lat=60.2, lon=24.9),
        listing("heat", "need", "Heat for greenhouses", kind="energy", lat=60.2, lon=24.95),
        listing("pulp", "need", "Recovered paper for pulp", waste_code="191201"),
        listing("feed", "need", "Brewers' grains for cattle feed", lat=61.0, lon=25.0),
    ]
    offers = [
        listing("o1", "offer", "Coal fly ash", waste_code="100102", lat=60.3, lon=24.9),
        listing("o2", "offer", "Surplus heat 70 °C", kind="energy", lat=60.21, lon=24.95),
        listing("o3", "offer", "Spent grain from brewing", lat=60.9, lon=25.1),
    ]
    full = MatchIndex(needs)
    keep = np.array([True, False, True, False])
    index = full.updated(keep, [needs[3], needs[1]])
    assert [x.id for x in index.needs.listings] == ["ash", "pulp", "feed", "heat"]
    order = [0, 2, 3, 1]
    rtol = 1e-6  # float32 sums in another order
    np.testing.assert_allclose(
        index.score_matrix(offers), full.score_matrix(offers)[:, order], rtol=rtol
    )
    same = full.updated(np.ones(4, bool), [])  # nothing added
    np.testing.assert_allclose(same.score_matrix(offers), full.score_matrix(offers), rtol=rtol)
    prepared = full.prepare(offers)
    patched = full.updated_offers(prepared, np.array([True, False, True]), [offers[1]])
    need = 3  # "heat" in the updated index
    got = {m.offer_id: m.score for m in index.offers_for_need(patched, need, top=3)}
    want = {m.offer_id: m.score for m in full.offers_for_need(full.prepare(offers), 1, top=3)}
    assert got == want and "o2" in got
    unchanged = full.updated_offers(prepared, np.ones(3, bool), [])  # no offer read again
    assert len(unchanged.table) == 3 and unchanged.affinity[0].shape == prepared.affinity[0].shape


def test_a_need_that_reads_like_a_known_use_of_the_material_is_preferred() -> None:
    """Needs say what they do ("raw material for clinker"), not which material they take: the
    typical uses of the patterns that name the offer's material are matched with that text."""
    from sidestream.matching.engine import MatchIndex

    needs = [  # no NACE codes: the evidence does not depend on the need's industry
        listing("raw", "need", "Raw material for clinker"),
        listing("feed", "need", "Protein for animal feed"),
    ]
    offer = listing("lime", "offer", "Lime sludge from water softening")
    [found] = MatchIndex(needs).match([offer], top=2)
    assert [m.need_id for m in found] == ["raw", "feed"]
    material = next(r.detail for r in found[0].reasons if r.component == "material")
    assert "the need reads like a known use of this material: calcium source in clinker" in material
    other = next(r.detail for r in found[1].reasons if r.component == "material")
    assert "known use of this material" not in other
    [wordless] = MatchIndex([listing("dash", "need", "-")]).match([offer])
    assert wordless == []  # no words, nothing alike: not from embedding noise


def test_an_empty_knowledge_base_recommends_nothing_and_still_matches_by_description() -> None:
    from sidestream.matching.engine import MatchIndex
    from sidestream.matching.knowledge import KnowledgeBase
    from sidestream.matching.sectors import SectorModel, SectorQuery

    empty = KnowledgeBase(exchanges=(), patterns=())
    assert SectorModel(empty).recommend(SectorQuery("fly ash")) == []
    [found] = MatchIndex([listing("n", "need", "Fly ash")], empty).match(
        [listing("o", "offer", "Coal fly ash")]
    )
    assert [m.need_id for m in found] == ["n"]


def test_a_needs_class_counts_for_what_it_takes_not_for_how_often_it_receives() -> None:
    """Two needs alike in all but their class, and a pattern naming both classes for fly ash:
    the cement works' class receives six documented exchanges and the brick works' one, yet
    they are equal candidates (the sector list still ranks cement first by that frequency)."""
    from sidestream.matching.engine import MatchIndex
    from sidestream.matching.knowledge import Exchange, KnowledgeBase, Pattern
    from sidestream.matching.sectors import SectorModel, SectorQuery

    def received(n: int, nace: str) -> Exchange:
        return Exchange(case_id=str(n), exchange_id=f"{n},1", country="", donor="Quarry",
                        donor_classes=("0812",), receiver="Works", receiver_classes=(nace,),
                        material="clay", waste_codes=(), product_code="",
                        final_use="Raw material")  # fmt: skip

    def names(nace: str) -> Pattern:
        return Pattern(id=f"ash-{nace}", waste_codes=(), keywords=("fly ash",),
                       receiver_nace=nace, typical_use="raw material", source="test")  # fmt: skip

    kb = KnowledgeBase(
        exchanges=(*(received(n, "2351") for n in range(6)), received(6, "2332")),
        patterns=(names("2351"), names("2332")),
    )
    cement, bricks = (listing(nace, "need", "Raw material", description="Works",
                              organisation_nace=nace) for nace in ("2351", "2332"))  # fmt: skip
    [found] = MatchIndex([cement, bricks], kb).match([listing("ash", "offer", "Fly ash")])
    assert {m.need_id: m.score for m in found} == {"2351": found[0].score, "2332": found[0].score}
    ranked = SectorModel(kb).recommend(SectorQuery("fly ash"))
    assert [r.nace for r in ranked][:2] == ["2351", "2332"]


def test_a_need_of_nothing_is_explained_not_a_crash(ash_offer) -> None:
    offer = ash_offer.model_copy(update={"quantity": 500.0, "unit": "t", "period": "per-year"})
    none = listing("zero", "need", "Cement raw materials", organisation_nace="2351",
                   quantity=0, unit="t", period="per-year")  # fmt: skip
    [[match]] = match_listings([offer], [none])
    quantity = {r.component: r for r in match.reasons}["quantity"]
    assert quantity.detail == "quantity missing on one side" and not quantity.stated
    assert quantity.score == UNKNOWN  # nothing to fit, as the score says
    assert match.reasons[0].phrases == ()  # phrases only when a page asks for them


def test_a_kind_given_on_one_side_only_does_not_part_a_pair(heat_offer) -> None:
    """A need that states no kind is compared with offers of every physical kind; a CPA product
    code, a List of Waste code or an energy unit says the kind when the listing does not."""
    from sidestream.matching.engine import MatchIndex
    from sidestream.matching.table import implied_kind

    assert implied_kind(listing("a", "offer", "Steam", product_code="35.30.11")) is Kind.energy
    assert implied_kind(listing("b", "offer", "Cooling water", product_code="360011")) is Kind.water
    assert implied_kind(listing("c", "offer", "Ash", waste_code="100102")) is Kind.material
    assert implied_kind(listing("d", "need", "Heat", quantity=5, unit="MWh")) is Kind.energy
    assert implied_kind(listing("e", "need", "Heat for our greenhouse")) is None
    open_need = listing("open", "need", "Heat for our greenhouse", lat=60.21, lon=24.91)
    wood = listing("wood", "need", "Wood chips for our boiler", kind="material",
                   lat=60.21, lon=24.91)  # fmt: skip
    cpa_heat = listing("cpa", "offer", "Surplus steam", product_code="35.30", lat=60.2, lon=24.9)
    ash = listing("ash", "offer", "Coal fly ash", waste_code="100102", lat=60.2, lon=24.9)
    index = MatchIndex([open_need, wood])
    found = index.match([heat_offer, cpa_heat, ash], top=5)
    assert [m.need_id for m in found[0]] == ["open"]  # not the stated material need
    assert [m.need_id for m in found[1]] == ["open"]  # energy by its CPA code
    assert "open" in [m.need_id for m in found[2]]  # and materials still reach it
    prepared = index.prepare([heat_offer, cpa_heat, ash])
    assert {m.offer_id for m in index.offers_for_need(prepared, 0, top=5)} >= {"heat", "cpa"}
    assert "heat" not in {m.offer_id for m in index.offers_for_need(prepared, 1, top=5)}
    open_offer = listing("warm", "offer", "Surplus heat 60 °C", lat=60.2, lon=24.9)
    stated = MatchIndex([listing("dh", "need", "District heating", kind="energy",
                                 lat=60.21, lon=24.91), wood])  # fmt: skip
    assert {m.need_id for m in stated.match([open_offer], top=5)[0]} >= {"dh"}  # and back
    assert "warm" in {m.offer_id for m in stated.offers_for_need(stated.prepare([open_offer]), 0)}
    again = index.updated(np.array([False, True]), [open_need])  # dropped, read in again
    np.testing.assert_allclose(
        again.score_matrix([heat_offer, ash]),
        index.score_matrix([heat_offer, ash])[:, [1, 0]],
        rtol=1e-6,
    )


def test_a_reason_read_back_from_json_equals_the_page_one(ash_offer) -> None:
    from sidestream.matching.engine import MatchIndex
    from sidestream.matching.schemas import Match

    cement = listing("cem", "need", "Cement raw materials", organisation_nace="2351")
    [[match]] = MatchIndex([cement]).match([ash_offer], phrases=True)
    assert match.reasons[0].phrases  # kept for the page
    assert Match.model_validate_json(match.model_dump_json()) == match


def test_reasons_that_repeat_are_shared_and_cannot_be_changed(ash_offer) -> None:
    """A bulk match shares one reason object between pairs that give the same reason (most
    state no windows); it is frozen, so changing one cannot change another pair's."""
    from pydantic import ValidationError

    needs = [listing(f"cem{i}", "need", "Cement raw materials", organisation_nace="2351")
             for i in range(2)]  # fmt: skip
    [[first, second]] = match_listings([ash_offer], needs)
    assert first.reasons[-2] is second.reasons[-2]  # time: "no availability windows given"
    with pytest.raises(ValidationError, match="frozen"):
        first.reasons[-2].detail = "changed"


def test_an_empty_index_takes_needs_added_later(ash_offer) -> None:
    from sidestream.matching.engine import MatchIndex

    cement = listing("cem", "need", "Cement raw materials", organisation_nace="2351")
    index = MatchIndex([]).updated(np.zeros(0, bool), [cement])
    [[match]] = index.match([ash_offer])
    assert match.need_id == "cem"
    again = index.updated(np.ones(1, bool), [])
    assert again.score_matrix([ash_offer])[0, 0] == index.score_matrix([ash_offer])[0, 0] > 0


def test_offers_for_a_need_compare_only_that_needs_text() -> None:
    """The need -> offers direction scores as the offer -> needs one (semantic evidence too)."""
    from sidestream.matching.engine import MatchIndex

    needs = [listing("a", "need", "Sawdust for pellets"), listing("b", "need", "Fly ash")]
    offers = [listing(f"o{i}", "offer", text) for i, text in
              enumerate(["Sawdust and shavings", "Coal fly ash", "Wood chips"])]  # fmt: skip
    index = MatchIndex(needs)
    full = index.score_matrix(offers)
    for j in range(2):
        got = {m.offer_id: m.score for m in index.offers_for_need(index.prepare(offers), j, 3)}
        want = {o.id: round(float(full[i, j]), 4) for i, o in enumerate(offers) if full[i, j] > 0}
        assert got == want


def test_named_scores_say_whether_offer_and_need_name_a_pattern_in_common() -> None:
    from scipy import sparse

    offers = sparse.csr_matrix(np.array([[1, 0, 1], [0, 1, 0]], np.float32))
    needs = sparse.csr_matrix(np.array([[1, 0, 1], [0, 0, 1], [0, 0, 0]], np.float32))
    got = scoring.named_scores(offers, needs)
    assert got.tolist() == [[1.0, 1.0, 0.0], [0.0, 0.0, 0.0]]


def test_a_need_that_names_the_offer_in_another_language_meets_it() -> None:
    # Slovenian offer, English need: no shared word, and the bundled embedding reads
    # Slovenian poorly; the curated keywords of spare storage name both
    offer = listing("cold", "offer", "Prosta hladilniška kapaciteta (+4 °C)", kind="capacity")
    need = listing("store", "need", "Temporary cold storage for seasonal products",
                   kind="capacity")  # fmt: skip
    lab = listing("lab", "need", "Laboratory analyses of samples", kind="capacity")
    [matches] = match_listings([offer], [need, lab], top=5)
    assert [m.need_id for m in matches] == ["store"]
    material = matches[0].reasons[0]
    assert "'cold storage', as the offer says 'hladilniška kapaciteta'" in material.detail


def test_only_the_needs_title_names_what_it_wants() -> None:
    from sidestream.matching.engine import MatchIndex

    # the description says who wants it (a brick works), not that it wants bricks
    works = listing("works", "need", "Raw material", description="Production of bricks")
    bricks = listing("bricks", "need", "Crushed bricks for our road base")
    index = MatchIndex([works, bricks])
    assert index.named[0].nnz == 0 and index.named[1].nnz > 0
    offer = listing("rubble", "offer", "Brick rubble", waste_code="170102")
    block = next(index._blocks(index.prepare([offer])))
    assert block.parts["named"][0].tolist() == [0.0, pytest.approx(1.0)]


def test_a_title_naming_the_business_by_its_product_names_no_wanted_material() -> None:
    """ "Production of bricks" or "Brick works" as a need's title says who wants something, not
    that it wants bricks; the words before "for our ... plant" still say what is wanted."""
    from sidestream.matching.engine import MatchIndex
    from sidestream.matching.text import without_business_names

    kept = without_business_names("Wood chips for our boiler plant").split()
    assert kept == ["Wood", "chips", "for", "our"]
    assert without_business_names("Steam for production").split() == ["Steam", "for"]
    assert without_business_names("Herstellung von Ziegeln").strip() == ""
    index = MatchIndex([
        listing("works", "need", "Production of bricks"),
        listing("plant", "need", "Brick works"),
        listing("road", "need", "Crushed bricks for our road building company"),
    ])  # fmt: skip
    assert index.named[0].nnz == 0 and index.named[1].nnz == 0 and index.named[2].nnz > 0
    [[match]] = index.match([listing("rubble", "offer", "Brick rubble", waste_code="170102")], 1)
    assert match.need_id == "road"
    assert "the need names what the offer is: 'bricks'" in next(
        r.detail for r in match.reasons if r.component == "material"
    )


def test_a_title_names_what_the_listing_is_before_what_it_is_for() -> None:
    """ "Coal fly ash for cement and concrete" is fly ash: "concrete" names its use, and had
    made a need for recycled gypsum from construction waste ("byggeaffald", a keyword of the
    construction-waste family with "concrete") name it; a title whose words before "for" name
    nothing ("Looking for wood chips") is read whole."""
    from sidestream.matching.engine import MatchIndex
    from sidestream.matching.text import purpose_starts, without_sources

    assert purpose_starts("Coal fly ash for cement and concrete") == [12, 36]
    assert purpose_starts("Überschusswärme für Gewächshäuser") == [15, 33]
    assert purpose_starts("For sale: sawdust") == [17]  # no word before "for": the end only
    assert purpose_starts("Straßenkehricht für Kompost") == [16, 28]  # in the normalised text
    # where it comes from, to the end of its clause or the next word of purpose
    sources = {
        "Wärme aus der Biogasanlage, 60 °C": ["warme", ",", "60", "°c"],
        "Heat from cooling for greenhouses": ["heat", "for", "greenhouses"],
        "Straßenwärme (aus Kühlung)": ["strassenwarme", "(", ")"],
        "From our plant: heat": [":", "heat"],
    }
    for text, kept in sources.items():
        assert without_sources(text).split() == kept, text
    index = MatchIndex([
        listing("gypsum", "need", "Genbrugsgips fra byggeaffald"),
        listing("cement", "need", "Fly ash for cement and concrete"),
        listing("chips", "need", "Looking for wood chips"),
    ])  # fmt: skip
    assert index.named[2].nnz > 0  # nothing before "for" names a material: the whole title
    later = MatchIndex([listing("ash", "need", "Looking for fly ash for cement and concrete")])
    assert set(later.named[0].indices) == set(index.named[1].indices)  # fly ash, not concrete
    pet = listing("pet", "offer", "Plastics for recycling", description="Clean PET bottle flakes")
    said = set(index.model.named_patterns(["Clean PET bottle flakes"], [None]).indices)
    assert said and said <= set(index.prepare([pet]).patterns.indices)  # an offer's description
    oil = MatchIndex([listing("oil", "need", "Rabljeno olje za cvrtje")])  # "za" in a keyword
    assert {index.model.kb.patterns[j].id for j in oil.named[0].indices} >= {"uco-biodiesel"}
    ash = listing("ash", "offer", "Coal fly ash for cement and concrete", waste_code="100102")
    block = next(index._blocks(index.prepare([ash])))
    assert block.parts["named"][0].tolist() == [0.0, pytest.approx(1.0), 0.0]
    [matches] = index.match([ash], 3)
    cement = next(m for m in matches if m.need_id == "cement")
    assert "the need names what the offer is: 'Fly ash', as the offer says 'fly ash'" in next(
        r.detail for r in cement.reasons if r.component == "material"
    )


def test_know_how_names_its_kind_not_a_topic() -> None:
    from sidestream.matching.engine import MatchIndex

    # every know-how listing says "know-how": the word tells no two of them apart
    index = MatchIndex([
        listing("whey", "need", "Know-how on whey valorisation", kind="knowledge"),
        listing("store", "need", "Cold storage for a season", kind="capacity"),
    ])  # fmt: skip
    assert index.named[0].nnz == 0 and index.named[1].nnz == 1
    # a listing that states no kind is read as physical: spare storage is no use of it
    unkinded = MatchIndex([listing("cold", "need", "Cold storage for a season")])
    yoghurt = listing("yoghurt", "offer", "Expired yoghurt from our cold store")
    assert unkinded.named.nnz == 0 and unkinded.prepare([yoghurt]).patterns.nnz == 0


def test_spare_space_is_compared_as_it_stands_not_per_year() -> None:
    store = listing("store", "offer", "Spare storage space", kind="capacity", quantity=800,
                    unit="m^2", period="one-off")  # fmt: skip
    need = listing("need", "need", "Storage space for pallets", kind="capacity", quantity=0.05,
                   unit="ha")  # fmt: skip
    [[match]] = match_listings([store], [need])
    quantity = next(r for r in match.reasons if r.component == "quantity")
    assert quantity.detail == "offer 800 m2, need 500 m2 (covers 100%)" and quantity.stated
    assert quantity.score == pytest.approx(0.7 + 0.3 * 500 / 800, abs=1e-4)


def test_spare_treatment_capacity_is_compared_as_throughput_a_year() -> None:
    """A line's free throughput (a rate unit) meets a need's yearly tonnage; a store's tonnage
    at one time is not a throughput and is not compared with it, whatever period it states."""
    line = listing("line", "offer", "Spare composting capacity", kind="capacity", quantity=20,
                   unit="t/day")  # fmt: skip
    need = listing("need", "need", "Composting capacity for garden waste", kind="capacity",
                   quantity=5200, unit="t/year")  # fmt: skip
    store = listing("store", "need", "Composting capacity, bunker", kind="capacity", quantity=100,
                    unit="t", period="per-week")  # fmt: skip
    [found] = match_listings([line], [need, store])
    quantity = {m.need_id: next(r for r in m.reasons if r.component == "quantity") for m in found}
    assert quantity["need"].detail == "offer 7,305 t/year, need 5,200 t/year (covers 100%)"
    assert quantity["need"].score == pytest.approx(0.7 + 0.3 * 5200 / 7305, abs=1e-4)
    assert quantity["store"].detail == "quantities in different units"


def test_spare_pallet_places_are_compared_as_pallet_places() -> None:
    """A warehouse lets pallet places: they meet a need counted in pallets, however written,
    and are not compared with space in m2."""
    store = listing("store", "offer", "Spare pallet storage in our warehouse", kind="capacity",
                    quantity=300, unit="pallet places")  # fmt: skip
    need = listing("need", "need", "Storage for pallets over the summer", kind="capacity",
                   quantity=120, unit="pallets")  # fmt: skip
    floor = listing("floor", "need", "Storage for pallets, floor space", kind="capacity",
                    quantity=400, unit="m2")  # fmt: skip
    [found] = match_listings([store], [need, floor])
    quantity = {m.need_id: next(r for r in m.reasons if r.component == "quantity") for m in found}
    said = "offer 300 pallet places, need 120 pallet places (covers 100%)"
    assert quantity["need"].detail == said
    assert quantity["need"].score == pytest.approx(0.7 + 0.3 * 120 / 300, abs=1e-4)
    assert quantity["floor"].detail == "quantities in different units"
    ash = listing("ash", "offer", "Fly ash", waste_code="100102", quantity=20, unit="pallets")
    works = listing("works", "need", "Fly ash for cement", quantity=500, unit="t")
    [[match]] = match_listings([ash], [works])
    quantity = next(r for r in match.reasons if r.component == "quantity")
    assert quantity.detail == "a quantity's unit gives no amount to compare" and not quantity.stated


def test_a_need_stating_no_kind_is_read_from_its_most_similar_documented_exchange() -> None:
    """ "Process heat" for a greenhouse states no kind: it is read as energy (documented heat
    exchanges to greenhouses), so a heat offer outranks wood chips there, and the chips' match
    says why its material evidence was halved; the pair is still compared."""
    from sidestream.matching.engine import MatchIndex
    from sidestream.matching.table import KINDS

    heat_need = listing("heat-need", "need", "Process heat", description="Greenhouse")
    index = MatchIndex([heat_need])
    assert KINDS[index.needs.read_kind[0]] is Kind.energy and index.needs.open_kind[0]
    heat = listing("heat", "offer", "Surplus heat, 60 °C", kind="energy")
    chips = listing("chips", "offer", "Wood chips", waste_code="030105")
    [[for_heat], [for_chips]] = index.match([heat, chips], 5)
    assert for_heat.score > for_chips.score
    material = next(r for r in for_chips.reasons if r.component == "material")
    assert "kinds differ: the offer is material, the need energy" in material.detail
    assert "material evidence × 0.5" in material.detail
    plain = next(r for r in for_heat.reasons if r.component == "material")
    assert "kinds differ" not in plain.detail


def test_a_need_is_read_from_what_its_title_asks_for_before_its_business() -> None:
    """A refinery receives water, heat and materials, so its look-alike documented receivers
    do not tell which one "Process heat" is; the documented final uses alike to the title do
    (heat: energy; cooling water: water). A title the final uses disagree on, or none
    resembles, leaves the reading to the business's look-alikes."""
    from sidestream.matching.engine import MatchIndex
    from sidestream.matching.table import KINDS

    index = MatchIndex([
        listing("heat", "need", "Process heat", description="Refinery"),
        listing("cool", "need", "Cooling water", description="Steelworks"),
        listing("fuel", "need", "Fuel", description="Organic basic chemicals production"),
    ])  # fmt: skip
    assert [KINDS[k] for k in index.needs.read_kind] == [Kind.energy, Kind.water, Kind.material]
    # the documented "Process material": water once, material twice
    asked = ["Process heat", "Cooling water", "Process material", "Wood chips for boiler", ""]
    wanted = [int(k) for k in index.model.kinds_wanted(asked)]
    assert wanted == [KINDS.index(Kind.energy), KINDS.index(Kind.water), -1, -1, -1]


def test_a_listing_that_states_its_kind_is_never_read_otherwise() -> None:
    from sidestream.matching.engine import MatchIndex

    stated = listing("w", "need", "Process heat", description="Greenhouse", kind="material")
    coded = listing("c", "need", "Process heat", waste_code="030105")
    index = MatchIndex([stated, coded])
    assert list(index.needs.read_kind) == [-1, -1]


def test_an_offer_stating_no_kind_is_read_and_kept_through_updates() -> None:
    """ "Steam" alone is read as energy from the documented steam exchanges; an updated index
    and updated prepared offers carry the readings of the listings they read again."""
    from sidestream.matching.engine import MatchIndex
    from sidestream.matching.table import KINDS

    need = listing("n", "need", "Process heat", description="Greenhouse")
    index = MatchIndex([listing("w", "need", "Wood chips for our boiler", kind="material")])
    steam = listing("steam", "offer", "Steam")
    prepared = index.prepare([steam])
    assert KINDS[prepared.table.read_kind[0]] is Kind.energy
    grown = index.updated(np.ones(1, bool), [need])
    assert [int(k) for k in grown.needs.read_kind] == [-1, KINDS.index(Kind.energy)]
    again = index.updated_offers(prepared, np.zeros(1, bool), [steam])
    assert list(again.table.read_kind) == list(prepared.table.read_kind)


def test_a_doubt_about_kinds_costs_rank_not_the_match_without_embeddings() -> None:
    """With TF-IDF alone the candidate threshold sees the material evidence before the
    halving, as with embeddings: a pair of differing read kinds is still listed."""
    from sidestream.matching.engine import MatchIndex

    needs = [listing("fuel", "need", "Fuel for kiln", description="Cement plant"),
             listing("heat", "need", "Process heat", description="Greenhouse")]  # fmt: skip
    offers = [listing("steam", "offer", "Steam", kind="energy")]
    semantic = MatchIndex(needs)
    lexical = MatchIndex(needs)
    lexical.semantic, lexical.need_embeddings = False, None
    for index in (semantic, lexical):
        found = {m.need_id for m in index.match(offers, 5)[0]}
        doubted = index.needs.read_kind >= 0
        assert doubted.all() and found == {"fuel", "heat"}, found


def test_energy_of_one_form_is_not_proposed_for_a_need_of_another() -> None:
    """Heat is no feedstock for a methane fermenter: that pair keeps a fifth of its material
    evidence (words can be misread) and says why, while biogas meets it in full. Electricity
    can heat, but a "Process heat" need asks for heat: its material evidence is halved and the
    reason says why, so a need for any energy ranks above it."""
    heat = listing("heat", "offer", "Surplus heat from our biogas plant", kind="energy")
    biogas = listing("biogas", "offer", "Biogas for heat and power", kind="energy")
    methane = listing("methane", "need", "Methane as fermentation feedstock", kind="energy")
    [[for_heat], [for_biogas]] = match_listings([heat, biogas], [methane])
    doubted = next(r for r in for_heat.reasons if r.component == "material")
    said = "the offer is heat, the need asks for fuel: material evidence × 0.2"
    assert said in doubted.detail and for_heat.score < for_biogas.score
    plain = next(r for r in for_biogas.reasons if r.component == "material")
    assert "asks for" not in plain.detail

    power = listing("power", "offer", "Electricity", kind="energy")
    process_heat = listing("process-heat", "need", "Process heat", kind="energy")
    process_energy = listing("process-energy", "need", "Process energy", kind="energy")
    [found] = match_listings([power], [process_heat, process_energy])
    assert [m.need_id for m in found] == ["process-energy", "process-heat"]
    material = {m.need_id: next(r for r in m.reasons if r.component == "material") for m in found}
    said = "the offer is power, the need asks for heat: material evidence × 0.5"
    assert said in material["process-heat"].detail
    assert "asks for" not in material["process-energy"].detail
    assert material["process-heat"].score < material["process-energy"].score


def test_a_need_for_fuel_doubts_a_material_that_cannot_burn() -> None:
    """Slag is no fuel: a power plant's "Fuel" need keeps the slag offer as a candidate (words
    can mislead) with its material evidence halved, and the reason says why; wood chips for the
    same need are not doubted."""
    slag = listing("slag", "offer", "Coal slag", waste_code="100101", organisation_nace="3511")
    chips = listing("chips", "offer", "Wood chips", waste_code="030105")
    fuel = listing("fuel", "need", "Fuel", kind="material", organisation_nace="3511")
    [for_slag, for_chips] = match_listings([slag, chips], [fuel])
    doubted = next(r for r in for_slag[0].reasons if r.component == "material")
    said = "the need asks for fuel, and the offer cannot burn: material evidence × 0.5"
    assert said in doubted.detail
    plain = next(r for r in for_chips[0].reasons if r.component == "material")
    assert "cannot burn" not in plain.detail


def test_a_material_wanted_for_heat_is_a_fuel() -> None:
    """A need for a material that gives "Process heat" asks for something to burn: slag is
    doubted there, and exhaust gas, which carries heat itself, is not."""
    slag = listing("slag", "offer", "Coal slag", waste_code="100101")
    gas = listing("gas", "offer", "Exhaust gas", waste_code="100299")
    heat = listing("heat", "need", "Process heat", kind="material", organisation_nace="2410")
    [for_slag, for_gas] = match_listings([slag, gas], [heat])
    doubted = next(r for r in for_slag[0].reasons if r.component == "material")
    assert "the offer cannot burn" in doubted.detail
    plain = next(r for r in for_gas[0].reasons if r.component == "material")
    assert "cannot burn" not in plain.detail


def test_a_need_naming_the_offer_by_its_kind_is_quoted_whole() -> None:
    """A need that names heat through its kind ("Varme", an energy stream) was quoted as ''."""
    place = {"lat": 55.6, "lon": 11.1}
    offer = listing("o", "offer", "Surplus heat", kind="energy", **place)
    need = listing("n", "need", "Varme til fjernvarmenettet", kind="energy", **place)
    [[match]] = match_listings([offer], [need])
    material = next(r.detail for r in match.reasons if r.component == "material")
    assert "names what the offer is: 'Varme til fjernvarmenettet'" in material
    assert "''" not in material


def test_a_need_that_names_another_material_doubts_the_offer() -> None:
    """A cement works asking for "Gypsum as set retarder" asks for gypsum: refuse-derived fuel,
    which cement works are known to burn, keeps the need as a candidate with its material
    evidence halved and the reason saying why; the same works' need for alternative fuels and
    FGD gypsum for the set retarder are not doubted."""
    rdf = listing("rdf", "offer", "Refuse-derived fuel from sorted commercial waste",
                  waste_code="191210")  # fmt: skip
    fgd = listing("fgd", "offer", "FGD gypsum", waste_code="100105")
    gypsum = listing("gypsum", "need", "Gypsum as set retarder", organisation_nace="2351")
    fuels = listing("fuels", "need", "Alternative fuels (RDF/SRF)", organisation_nace="2351")
    [for_rdf, for_fgd] = match_listings([rdf, fgd], [gypsum, fuels])
    assert [m.need_id for m in for_rdf] == ["fuels", "gypsum"]
    material = {m.need_id: next(r for r in m.reasons if r.component == "material") for m in for_rdf}
    said = "the need asks for 'Gypsum', the offer is 'Refuse-derived fuel' (no known substitute)"
    assert said in material["gypsum"].detail and "× 0.5" in material["gypsum"].detail
    assert "asks for" not in material["fuels"].detail
    fgd_material = {m.need_id: next(r for r in m.reasons if r.component == "material")
                    for m in for_fgd}  # fmt: skip
    assert for_fgd[0].need_id == "gypsum" and "asks for" not in fgd_material["gypsum"].detail
    assert "the need asks for 'RDF', the offer is 'FGD gypsum'" in fgd_material["fuels"].detail


def test_what_a_need_names_is_not_doubted_where_it_is_a_use_or_a_substitute() -> None:
    """A need's words may name what the material becomes ("Protein feed for dairy cows" is
    what brewers' yeast is used as) or a material the receiver takes in the offer's place (a
    cement kiln burns tyres as it burns RDF): neither lowers the evidence."""
    yeast = listing("yeast", "offer", "Surplus brewer's yeast")
    feed = listing("feed", "need", "Protein feed for dairy cows", organisation_nace="0141")
    tyres = listing("tyres", "offer", "Shredded end-of-life tyres", waste_code="160103")
    kiln = listing("kiln", "need", "Refuse-derived fuel for the kiln", organisation_nace="2351")
    for offer, need in ((yeast, feed), (tyres, kiln)):
        [[found]] = match_listings([offer], [need])
        assert all("asks for" not in r.detail for r in found.reasons), (offer.id, found.reasons)


def test_waste_oil_and_waste_wood_are_kiln_fuels() -> None:
    """A cement kiln burns waste oil and waste wood as it burns RDF (cement BREF): they had no
    kiln row, so a kiln's need for RDF doubted waste oil and knew cement works as a receiver
    of neither (evidence 0.13)."""
    oil = listing("oil", "offer", "Waste engine oil from our bus depot", waste_code="130205")
    wood = listing("wood", "offer", "Waste wood from demolition", waste_code="170201")
    kiln = listing("kiln", "need", "Alternative fuels (RDF/SRF) for the kiln",
                   organisation_nace="2351")  # fmt: skip
    for found in match_listings([oil, wood], [kiln]):
        material = next(r.detail for r in found[0].reasons if r.component == "material")
        assert "asks for" not in material, material
        known = re.search(
            r"2351 \(Manufacture of cement\) is a known receiver .*?([\d.]+)\)", material
        )
        assert known and float(known.group(1)) >= 0.5, material


def test_french_dairy_words_are_no_slag() -> None:
    """French "laitier" is slag and the adjective of dairy: only the slag phrases ("laitier de
    haut fourneau", "laitier d'aciérie") name slag, so a dairy farm's effluent names none."""
    from sidestream.matching.engine import MatchIndex

    model = MatchIndex([listing("n", "need", "Anything")]).model

    def named(text: str) -> set[str]:
        found = model.named_patterns([text], [None]).indices
        return {model.kb.patterns[j].id for j in found}

    assert not any("slag" in p for p in named("Effluents d'élevage laitier"))
    assert {"slag-bf-cement", "slag-roads"} <= named("Laitier de haut fourneau")
    assert "steel-slag-cement" in named("Laitier d'aciérie de conversion")


def test_words_a_need_and_an_offer_share_about_a_purpose_do_not_make_them_one_material() -> None:
    """ "Straw for cattle bedding" asks for straw: cattle manure shares the need's word for
    the animal, not its material, so it is doubted; wheat straw is not."""
    need = listing("bedding", "need", "Straw for cattle bedding", organisation_nace="0141")
    manure = listing("manure", "offer", "Cattle manure")
    straw = listing("straw", "offer", "Wheat straw bales")
    [[for_manure], [for_straw]] = match_listings([manure, straw], [need])
    doubted = next(r for r in for_manure.reasons if r.component == "material")
    assert "the need asks for 'Straw', the offer is" in doubted.detail
    plain = next(r for r in for_straw.reasons if r.component == "material")
    assert "asks for" not in plain.detail and for_straw.score > for_manure.score


@pytest.mark.parametrize(
    ("a", "b", "level"),
    [
        ("100102", "100102", 1.0),
        ("100102", "100105", 0.6),  # fly ash and FGD gypsum: one combustion process
        ("020204", "020501", 0.25),  # agri-food sludge and dairy waste: organic
        ("191210", "190805", 0.0),  # refuse-derived fuel and sewage sludge
        ("191210", "191204", 0.0),  # the mechanical-treatment fractions are unlike materials
        ("200139", "200140", 0.0),  # plastics and metals collected separately
        ("150101", "150102", 0.0),  # paper and plastic packaging
        ("170405", "170407", 0.6),  # mixed metals and iron and steel
    ],
)
def test_a_low_group_of_unlike_materials_says_nothing_of_what_a_need_asks(a, b, level) -> None:
    """A need's code names the material it asks for: a LoW chapter or sub-chapter that lists
    unlike materials by where they arise gives an offer no credit but for the same code
    (refuse-derived fuel met a digester's need for sewage sludge as "same LoW chapter")."""
    assert scoring.code_scores(np.array([int(a)]), np.array([int(b)]))[0, 0] == level


def test_scrap_of_another_material_is_no_metal_scrap() -> None:
    """A bare "scrap" named the metal rows, so PVC scrap met a steelworks' need for metal
    scrap with full evidence (0.65, as high as steel scrap); metal scrap still meets it."""
    pvc = listing("pvc", "offer", "PVC window profiles scrap")
    steel = listing("steel", "offer", "Steel scrap from our press shop", waste_code="120101")
    needs = [
        listing("furnace", "need", "Metal scrap for the electric arc furnace",
                organisation_nace="2410"),
        listing("foundry", "need", "Cast iron scrap", organisation_nace="2451"),
        listing("regrind", "need", "PVC regrind for window profiles", organisation_nace="2223"),
        listing("kiln", "need", "Tyre-derived fuel", organisation_nace="2351"),
    ]  # fmt: skip
    for_pvc, for_steel = (
        {m.need_id: m for m in found} for found in match_listings([pvc, steel], needs, top=4)
    )
    doubted = next(r for r in for_pvc["furnace"].reasons if r.component == "material")
    assert "the need asks for" in doubted.detail and for_pvc["furnace"].score < 0.45
    assert for_pvc["regrind"].score > 0.6 and for_steel["furnace"].score > 0.6


def test_what_the_law_keeps_out_of_feed_is_never_proposed_for_feed() -> None:
    """Catering waste, manure, digestate and sewage sludge may not be fed to farmed animals
    (Regulations (EC) 1069/2009 and 767/2009): a need for feed does not get them, whatever
    else fits; a biogas plant or a field still does. A demo plan had sent a biogas plant's
    digestate to a feed maker's need for brewer's yeast."""
    place = {"lat": 46.1, "lon": 14.5}
    canteen = listing("canteen", "offer", "Food waste from our canteen", waste_code="200108",
                      **place)  # fmt: skip
    digestate = listing("digestate", "offer", "Digestate", waste_code="190606", **place)
    pigs = listing("pigs", "need", "Whey or food leftovers for liquid feed",
                   organisation_nace="0146", **place)  # fmt: skip
    yeast = listing("yeast", "need", "Brewer's yeast", organisation_nace="1091", **place)
    biogas = listing("biogas", "need", "Co-substrate for the digester", organisation_nace="3521",
                     **place)  # fmt: skip
    field = listing("field", "need", "Digestate for feed crops", organisation_nace="0111",
                    **place)  # fmt: skip
    shavings = listing("shavings", "offer", "Chrome-tanned shavings", waste_code="040108",
                       **place)  # fmt: skip
    found = match_listings([canteen, digestate, shavings], [pigs, yeast, biogas, field], top=4)
    partners = [{m.need_id for m in matches} for matches in found]
    assert not partners[0] & {"pigs", "yeast"} and "biogas" in partners[0]
    assert not partners[1] & {"pigs", "yeast"} and "field" in partners[1]
    assert not partners[2] & {"pigs", "yeast"}
    whey = listing("whey", "offer", "Acid whey", waste_code="020501", **place)
    [matches] = match_listings([whey], [pigs])
    assert [m.need_id for m in matches] == ["pigs"]  # a feed material still goes to feed


@pytest.mark.parametrize(
    ("title", "for_feed"),
    [("Whey for pig liquid feeding", True), ("Sirotka za tekoče krmljenje prašičev", True),
     ("Fütterung der Mastschweine", True), ("Utfodring av grisar", True), ("Veevoeder", True),
     ("Animal feedstuffs", True), ("Krma za prašiče", True), ("Protein feed", True),
     ("Feedstock for the digester", False), ("Digestate for feed crops", False),
     ("Boiler feed water", False), ("Co-substrate for the digester", False)],
)  # fmt: skip
def test_a_need_for_feed_or_feeding_is_read_in_its_title(title: str, for_feed: bool) -> None:
    """A demo plan sent digestate to "Whey for pig liquid feeding" (0.74): "feeding" and the
    Slovenian "krmljenje" were not read as feed."""
    from sidestream.matching.table import wants_feed

    assert wants_feed(listing("n", "need", title)) is for_feed


def test_an_organisation_is_no_partner_of_its_own_listings() -> None:
    """A company's file of its own offers and needs, or a region's file, does not propose a
    company to itself (the registry's rule, here by name: case, punctuation and spacing aside);
    names that say a company is not disclosed ("ND", as MAESTRI writes) tie nobody."""
    place = {"lat": 55.6, "lon": 11.1}
    ash = listing("ash", "offer", "Fly ash", waste_code="100102", organisation="Asnæs Power A/S",
                  **place)  # fmt: skip
    own = listing("own", "need", "Fly ash for our landfill cover", waste_code="100102",
                  organisation="ASNÆS  POWER A/S.", organisation_nace="3511", **place)  # fmt: skip
    cement = listing("cement", "need", "Fly ash for cement", organisation="Aalborg Portland",
                     organisation_nace="2351", **place)  # fmt: skip
    [matches] = match_listings([ash], [own, cement])
    assert [m.need_id for m in matches] == ["cement"]
    unnamed = [x.model_copy(update={"organisation": "ND"}) for x in (ash, own)]
    [matches] = match_listings(unnamed[:1], [unnamed[1], cement])
    assert {m.need_id for m in matches} == {"own", "cement"}
