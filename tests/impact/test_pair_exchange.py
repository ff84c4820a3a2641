"""A matched pair is valued by what the receiver stops buying."""

import pytest

from sidestream.impact.catalogue import category_for
from sidestream.impact.service import pair_exchange
from sidestream.matching.schemas import Listing


def _listing(**kw):
    base = {
        "id": "x",
        "title": "t",
        "kind": "material",
        "quantity": 1000,
        "unit": "t",
        "period": "per-year",
    }
    return Listing(**(base | kw))


def test_a_need_asking_for_the_offers_material_replaces_that_material():
    gypsum = category_for("100105", "material").material_category
    need = _listing(direction="need", waste_code="100105", title="Gypsum", quantity=500)
    for offer in (
        _listing(direction="offer", waste_code="100105", title="FGD gypsum"),
        _listing(direction="offer", title="Gypsum from our scrubber"),  # states no code
    ):
        exchange, basis = pair_exchange(offer, need, 10.0)
        assert exchange.amount == 500 and "need" in basis
        assert exchange.substitutes == gypsum and exchange.substitution_ratio == 1.0


def test_an_undocumented_use_of_another_material_replaces_nothing_known():
    # a liquid fertiliser sent to a gypsum need counted as gypsum not produced, textiles sent
    # to a need without a code (ammonia for a fermenter) as new clothing
    from sidestream.impact.accounting import NO_SUBSTITUTE, account_exchange

    fertiliser = _listing(direction="offer", waste_code="061099", title="Liquid fertiliser")
    textiles = _listing(direction="offer", waste_code="200111", title="Discarded textiles")
    gypsum = _listing(direction="need", waste_code="100105", title="Gypsum")
    ammonia = _listing(direction="need", title="Ammonia as nitrogen source")
    for offer, need in ((fertiliser, gypsum), (textiles, ammonia), (textiles, gypsum)):
        exchange, _ = pair_exchange(offer, need, None)
        assert (exchange.substitutes, exchange.substitution_ratio) == ("unknown", 0.0)
        result = account_exchange(exchange)
        assert result.carbon.substitution_t == 0 and NO_SUBSTITUTE in result.warnings
        assert result.indicators.virgin_resources_saved_t == 0
        assert result.indicators.waste_diverted_t == exchange.amount  # the disposal still counts


def test_colder_heat_is_lifted_by_a_heat_pump():
    heat = {"kind": "energy", "unit": "MWh", "quantity": 1000}
    offer = _listing(direction="offer", properties={"temperature_c": 35}, **heat)
    need = _listing(direction="need", properties={"temperature_c": 55}, **heat)
    exchange, basis = pair_exchange(offer, need, 1.0)
    cop = exchange.heat_pump_cop
    assert cop is not None and 4 < cop < 6 and f"temperature (COP {cop:.1f})" in basis
    # the need's 1000 MWh are met by (COP - 1) / COP of it in waste heat plus the pump's power
    assert exchange.amount == pytest.approx(1000 * (cop - 1) / cop)
    hot = _listing(direction="offer", properties={"temperature_c": 90}, **heat)
    too_cold = _listing(direction="offer", properties={"temperature_c": 0}, **heat)
    unknown = _listing(direction="offer", **heat)
    for other in (hot, too_cold, unknown):
        found, basis = pair_exchange(other, need, 1.0)
        assert found.heat_pump_cop is None and found.amount == 1000 and "heat pump" not in basis


def test_an_edited_amount_keeps_the_heat_pump_and_a_hopeless_lift_is_flagged():
    from sidestream.impact.service import account_pair

    heat = {"kind": "energy", "quantity": None, "unit": None, "period": None}
    offer = _listing(direction="offer", properties={"temperature_c": 35}, **heat)
    need = _listing(direction="need", properties={"temperature_c": 55}, **heat)
    edited = account_pair(offer, need, 1.0, changes={"amount": 1000})
    assert edited.exchange.heat_pump_cop is not None
    assert "heat_pump" in edited.result.assumptions and not edited.result.warnings
    steam = _listing(direction="need", properties={"temperature_c": 180}, **heat)
    hopeless = account_pair(offer, steam, 1.0, changes={"amount": 1000})
    assert hopeless.exchange.heat_pump_cop is None
    assert any("more than a heat pump's 50 K below the need's 180 °C" in w
               for w in hopeless.result.warnings)  # fmt: skip


def test_fly_ash_in_a_cement_works_replaces_clinker():
    """A cement works grinds fly ash in place of clinker (EN 197-1): the credit is the
    clinker's, not aggregates' (which a 168 km haul had turned into a net loss)."""
    from sidestream.impact.service import account_pair

    offer = _listing(direction="offer", waste_code="100102", title="Coal fly ash", quantity=60000)
    cement, concrete, roads = (
        _listing(direction="need", waste_code="100102", title="Fly ash", quantity=60000,
                 organisation_nace=nace)
        for nace in ("2351", "2363", "4211")
    )  # fmt: skip
    exchange, _ = pair_exchange(offer, cement, 168.0)
    assert exchange.substitutes == "Cement clinker" and exchange.substitution_ratio == 1.0
    assert pair_exchange(offer, concrete, 168.0)[0].substitution_ratio == 0.4  # EN 206 k-value
    assert pair_exchange(offer, roads, 168.0)[0].substitutes == "Aggregates"  # the need's code
    gypsum = _listing(direction="need", waste_code="100105", organisation_nace="2351")
    assert pair_exchange(offer, gypsum, 1.0)[0].substitutes != "Cement clinker"  # set retarder
    result = account_pair(offer, cement, 168.0).result
    clinker = next(f for f in result.factors if f.role == "substituted virgin production")
    assert clinker.id == "material.cement_clinker.primary_material_production"
    assert "2011/278/EU" in clinker.citation
    assert result.carbon.substitution_t == pytest.approx(60000 * 0.766)
    assert (
        result.indicators.co2e_avoided_t
        > 0
        > account_pair(offer, roads, 168.0).result.indicators.co2e_avoided_t
    )


def test_whey_fed_to_pigs_is_not_counted_as_food_not_produced():
    """Agri-food by-products taken by farms, feed makers or biogas plants replace feed,
    fertiliser or energy, which the factor set cannot value: no substitution is counted (it
    had been 3.7 t CO2e a tonne, DEFRA's food and drink)."""
    from sidestream.impact.service import account_pair

    whey = _listing(direction="offer", waste_code="020501", title="Whey", quantity=30000)
    farm, biogas, dairy = (
        _listing(direction="need", title="Whey", quantity=30000, organisation_nace=nace)
        for nace in ("0146", "3521", "1051")
    )  # fmt: skip
    for need in (farm, biogas):
        result = account_pair(whey, need, 20.0).result
        assert result.assumptions["substitutes"] == "none" and result.carbon.substitution_t == 0
        assert any("has no factor here" in w for w in result.warnings)
    food = account_pair(whey, dairy, 20.0).result  # a food maker: food it need not make
    assert food.assumptions["substitutes"] == "Food and drink" and food.carbon.substitution_t > 0


def test_water_sent_to_a_sewage_works_saves_no_mains_water():
    from sidestream.impact.service import account_pair

    water = {"kind": "water", "unit": "m3", "quantity": 300000}
    offer = _listing(direction="offer", title="Process water from herring", **water)
    works = _listing(direction="need", title="Process water", organisation_nace="3700", **water)
    mill = _listing(direction="need", title="Process water", organisation_nace="1712", **water)
    treated = account_pair(offer, works, 1.0).result
    assert treated.assumptions["substitutes"] == "none"
    assert treated.carbon.substitution_t == 0 and treated.indicators.water_saved_m3 == 0
    assert treated.economics.avoided_disposal_fee_eur > 0  # the supplier's treatment bill
    reused = account_pair(offer, mill, 1.0).result  # a paper mill stops drawing mains water
    assert reused.assumptions["substitutes"] == "water_supply"
    assert reused.indicators.water_saved_m3 == 300000


def test_water_a_site_draws_or_returns_itself_is_not_valued_as_mains_water_or_sewage():
    from sidestream.impact.service import account_pair

    water = {"kind": "water", "unit": "m3", "quantity": 13_000_000}
    own = {"water_network": "own"}
    offer = _listing(direction="offer", title="Warm cooling water (salt)",
                     properties={"water_quality": "cooling", **own}, **water)  # fmt: skip
    ponds = _listing(direction="need", title="Warm salt water for fish ponds", properties=own,
                     **water)  # fmt: skip
    fish = account_pair(offer, ponds, 1.0).result  # the farm pumps its sea water itself
    assert fish.assumptions["substitutes"] == "none"
    assert fish.assumptions["avoided_disposal"] == "none"  # it would go back to the fjord
    assert fish.economics.avoided_purchase_eur == 0 and fish.carbon.substitution_t == 0
    assert fish.economics.avoided_disposal_fee_eur == 0
    assert fish.indicators.water_saved_m3 == 13_000_000  # still not drawn from the sea
    priced = account_pair(offer, ponds, 1.0, changes={"virgin_price_eur_per_unit": 0.02})
    assert priced.result.economics.avoided_purchase_eur == pytest.approx(260_000)  # pumping
    cooling = _listing(direction="need", title="Cooling tower make-up water",
                       properties={"water_quality": "cooling"}, **water)  # fmt: skip
    bought = account_pair(offer, cooling, 1.0).result  # a need that buys its water: mains
    assert bought.assumptions["substitutes"] == "water_supply"
    assert bought.economics.avoided_purchase_eur > 0
    assert bought.economics.avoided_disposal_fee_eur == 0
    effluent = _listing(direction="offer", title="Treated waste water",
                        properties={"water_network": "public"}, **water)  # fmt: skip
    reused = account_pair(effluent, ponds, 1.0).result  # nothing bought is replaced...
    assert reused.assumptions["substitutes"] == "none"
    assert reused.economics.avoided_disposal_fee_eur > 0  # ...but the sewer's charge is saved


def test_the_offer_says_where_it_goes_if_nobody_takes_it():
    from sidestream.impact.service import account_pair

    need = _listing(direction="need", title="Substrate", organisation_nace="3521")
    broth = {"direction": "offer", "waste_code": "070799", "title": "Fermentation biomass"}
    default = account_pair(_listing(**broth), need, 5.0).result  # chapter 07: incineration
    assert default.assumptions["avoided_disposal"] == "incineration"
    assert default.economics.avoided_disposal_fee_eur > 0
    spread = _listing(**broth, properties={"avoided_disposal": " None "})  # spread on fields
    used = account_pair(spread, need, 5.0).result
    assert used.assumptions["avoided_disposal"] == "none"
    assert used.economics.avoided_disposal_fee_eur == 0 and used.carbon.avoided_disposal_t == 0
    landfilled = _listing(**broth, properties={"avoided_disposal": "landfill"})
    dumped = account_pair(landfilled, need, 5.0).result
    assert dumped.assumptions["avoided_disposal"] == "landfill"
    assert dumped.carbon.avoided_disposal_t > default.carbon.avoided_disposal_t
    uncoded = _listing(direction="offer", title="Wood offcuts",
                       properties={"avoided_disposal": "incineration"})  # fmt: skip
    burnt = account_pair(uncoded, need, 5.0).result  # no code, but the company says it is waste
    assert burnt.economics.avoided_disposal_fee_eur > 0
    water = {"kind": "water", "unit": "m3", "quantity": 1000}
    returned = _listing(direction="offer", title="Cooling water", properties={"water_network":
                        "own", "avoided_disposal": "wastewater_treatment"}, **water)  # fmt: skip
    stated = account_pair(returned, _listing(direction="need", **water), 1.0).result
    assert stated.assumptions["avoided_disposal"] == "wastewater_treatment"  # said outright
    heat = {"kind": "energy", "unit": "MWh", "quantity": 1000}
    warm = _listing(direction="offer", properties={"avoided_disposal": "landfill"}, **heat)
    assert pair_exchange(warm, _listing(direction="need", **heat), 1.0)[0].avoided_disposal is None


def test_receiver_rules_for_kitchen_waste_coded_water_and_treatment():
    from sidestream.impact.service import account_pair

    kitchen = _listing(direction="offer", waste_code="200108", title="Canteen waste")
    biogas = _listing(direction="need", title="Substrate", organisation_nace="3521")
    assert account_pair(kitchen, biogas, 5.0).result.assumptions["substitutes"] == "none"
    works = _listing(direction="need", title="Sludge", organisation_nace="3700")
    treated = account_pair(kitchen, works, 5.0).result  # treated, not used: nothing saved
    assert treated.indicators.virgin_resources_saved_t == 0
    water = {"kind": "water", "unit": "m3", "quantity": 1000}
    coded = _listing(direction="offer", title="Vegetable wash water", waste_code="020399", **water)
    crops = _listing(direction="need", title="Irrigation water", organisation_nace="0111", **water)
    irrigated = account_pair(coded, crops, 1.0).result  # coded rows are for materials
    assert irrigated.assumptions["substitutes"] == "water_supply"
    assert irrigated.indicators.water_saved_m3 == 1000


def test_a_receiver_rule_reads_a_dotted_class_and_yields_to_an_edited_substitute():
    from sidestream.impact.catalogue import receiver_substitute
    from sidestream.impact.service import account_pair

    assert receiver_substitute("10 01 02", "23.51") == receiver_substitute("100102", "2351")
    offer = _listing(direction="offer", waste_code="100102", title="Fly ash")
    concrete = _listing(direction="need", title="Fly ash", organisation_nace="2363")
    assert account_pair(offer, concrete, 1.0).exchange.substitution_ratio == 0.4
    edited = account_pair(offer, concrete, 1.0, changes={"substitutes": "Aggregates"})
    assert edited.exchange.substitution_ratio == 1.0  # the row's 0.4 was for clinker


def test_an_amount_of_zero_is_none_stated():
    """The quantity reason reads 0 as missing; the benefit valued the pair at 0 t."""
    offer = _listing(direction="offer", waste_code="030105", title="Wood chips", quantity=0)
    need = _listing(direction="need", waste_code="030105", title="Wood chips", quantity=600)
    exchange, basis = pair_exchange(offer, need, 10.0)
    assert exchange.amount == 600 and "the need's annual amount" in basis


@pytest.mark.parametrize(
    ("shown", "expected"),
    [("100–1,000 t/yr", 1000), ("< 1 t/yr", 1), ("1,000,000–10,000,000 t/yr", 600_000)],
)
def test_an_anonymous_sides_amount_class_caps_the_other_sides_amount(shown, expected):
    # an outsider saw 600,000 t a year valued for an anonymous offer of 120 t (its amount is
    # shown only as a decade)
    offer = _listing(direction="offer", quantity=None, properties={"quantity_class": shown})
    need = _listing(direction="need", quantity=600_000)
    exchange, basis = pair_exchange(offer, need, None)
    assert exchange.amount == expected
    assert ("amount class" in basis) is (expected != 600_000)


def test_temperatures_written_in_titles_are_read_as_matching_reads_them():
    # matching read "Process steam" as 100 °C and proposed a heat pump; the valuation read only
    # stated temperatures: no electricity charged, and 30 °C heat credited in full unflagged
    from sidestream.impact.service import account_pair

    heat = {"kind": "energy", "unit": "MWh", "quantity": 1000}
    steam = _listing(direction="need", title="Process steam for sterilisation", **heat)
    warm = _listing(direction="offer", title="Surplus heat 90 °C", **heat)
    exchange, basis = pair_exchange(warm, steam, 1.0)
    assert exchange.heat_pump_cop is not None and "heat pump" in basis
    cold = _listing(direction="offer", title="Waste heat 30 °C", **heat)
    result = account_pair(cold, steam, 1.0).result
    assert any("cannot serve it" in w for w in result.warnings), result.warnings


def test_an_offered_fuel_replaces_natural_gas_fuel_for_fuel():
    # biomethane and refinery fuel gas were valued as heat from a gas boiler: 1/0.92 of the gas,
    # 8.7 % too much energy and CO2e
    from sidestream.impact.service import account_pair

    energy = {"kind": "energy", "unit": "MWh", "quantity": 1000}
    need = _listing(direction="need", title="Fuel for our boilers", **energy)
    gas = account_pair(_listing(direction="offer", title="Biomethane", **energy), need, 1.0)
    heat = account_pair(_listing(direction="offer", title="Surplus heat", **energy), need, 1.0)
    assert gas.exchange.substitutes == "natural_gas"
    assert gas.result.indicators.energy_saved_mwh == pytest.approx(1000)
    assert heat.result.indicators.energy_saved_mwh == pytest.approx(1000 / 0.92)
    ratio = heat.result.carbon.substitution_t / gas.result.carbon.substitution_t
    assert ratio == pytest.approx(1 / 0.92)


def test_an_industry_that_recycles_a_material_as_itself_replaces_its_virgin_production():
    # scrap to a steelworks, recovered paper to a paper mill: documented rows, not the offer's
    # category taken for any receiver (docs/impact.md, stop 31)
    from sidestream.impact.service import pair_terms

    for code, nace in (("170405", "2410"), ("150101", "1712"), ("150107", "2313")):
        offer = _listing(direction="offer", waste_code=code)
        works = _listing(direction="need", title="Raw material", organisation_nace=nace)
        other = _listing(direction="need", title="Raw material", organisation_nace="0111")
        assert (
            pair_terms(offer, works)["substitutes"]
            == category_for(code, "material").material_category
        )
        assert pair_terms(offer, other)["substitutes"] == "unknown"
    # the row is found through the need's code; it never makes another material the need's
    # (food waste sent to a steelworks' scrap need counted 3,824 t CO2e of virgin metal)
    scrap_need = _listing(direction="need", waste_code="170405", organisation_nace="2410")
    for code in ("020304", "200101", "120105", "120109"):
        terms = pair_terms(_listing(direction="offer", waste_code=code), scrap_need)
        assert (terms["substitutes"], terms["substitution_ratio"]) == ("unknown", 0.0), code
    works = _listing(direction="need", title="Raw material", organisation_nace="2410")
    shavings = pair_terms(_listing(direction="offer", waste_code="120105"), works)
    assert shavings["substitutes"] == "unknown"  # plastic shavings are no metal


def test_a_waste_fuel_in_a_kiln_replaces_coal_by_its_energy():
    # refuse-derived fuel sent to a cement works was valued at no substitution, so the demo's
    # exchange avoided -316 t CO2e a year (its haulage); now the coal its energy replaces
    from sidestream.impact.accounting import NO_HEATING_VALUE
    from sidestream.impact.service import account_pair

    kiln = _listing(direction="need", title="Alternative fuels", organisation_nace="2351")
    stated = {"lower_heating_value_mj_kg": 18}
    rdf = _listing(direction="offer", waste_code="191210", title="RDF", properties=stated)
    valued = account_pair(rdf, kiln, 10.0)
    assert valued.exchange.substitutes == "coal_industrial"
    indicators = valued.result.indicators
    assert indicators.energy_saved_mwh == pytest.approx(1000 * 18 / 3.6)  # 5,000 MWh
    assert indicators.virgin_resources_saved_t == pytest.approx(1000 * 18 / 25.8)  # of coal
    # IPCC combustion 0.34056 plus DEFRA well-to-tank 0.05925 kg CO2e a kWh of coal
    assert valued.result.carbon.substitution_t == pytest.approx(5000 * (0.34056 + 0.05925))
    assert indicators.co2e_avoided_t > 0
    # no heating value stated: nothing counted, and the valuation says what to give
    unstated = account_pair(rdf.model_copy(update={"properties": {}}), kiln, 10.0)
    assert unstated.result.carbon.substitution_t == 0
    assert NO_HEATING_VALUE in unstated.result.warnings
    # the same fuel sent to another industry (a digester) replaces nothing known
    digester = _listing(direction="need", title="Co-substrate", organisation_nace="3821")
    assert account_pair(rdf, digester, 10.0).exchange.substitutes == "unknown"
    # a wood stream of the same code to a board mill is still recycled as itself (wood)
    wood = _listing(direction="offer", waste_code="030105", properties=stated)
    board = _listing(direction="need", title="Raw material", organisation_nace="1621")
    assert pair_exchange(wood, board, 1.0)[0].lower_heating_value_mj_kg is None


def test_a_row_found_through_the_needs_code_holds_only_for_that_material():
    # refuse-derived fuel sent to a cement works' need for fly ash was valued as the clinker
    # fly ash replaces (15,000 t CO2e a year in the demo); another fuel for a fuel still counts
    from sidestream.impact.service import pair_terms

    def need(code: str) -> Listing:
        return _listing(direction="need", waste_code=code, organisation_nace="2351")

    rdf = _listing(direction="offer", waste_code="191210")
    tyres = _listing(direction="offer", waste_code="16 01 03")
    fly_ash = _listing(direction="offer", waste_code="100117")
    assert pair_terms(rdf, need("100102"))["substitutes"] == "unknown"
    assert pair_terms(tyres, need("191210"))["substitutes"] == "coal_industrial"
    assert pair_terms(fly_ash, need("100102"))["substitutes"] == "Cement clinker"  # same kind
    assert pair_terms(fly_ash, need("191210"))["substitutes"] == "unknown"
    uncoded = _listing(direction="offer", title="Fly ash")
    assert pair_terms(uncoded, need("100102"))["substitutes"] == "Cement clinker"


def test_food_sent_to_a_need_for_feed_replaces_feed_not_food():
    # a demo plan valued returned bread sent to an oils-and-fats maker's need for brewer's
    # yeast "for feed/pet-food ingredients" as food not produced: 7,420 t CO2e of the
    # Ljubljana network's 8,000
    from sidestream.impact.service import pair_terms

    bread = _listing(direction="offer", waste_code="020601", title="Returned bread")
    for_feed = _listing(direction="need", waste_code="020799", organisation_nace="1041",
                        title="Brewer's yeast for feed/pet-food ingredients")  # fmt: skip
    as_food = _listing(direction="need", waste_code="020799", organisation_nace="1041",
                       title="Brewer's yeast as an ingredient")  # fmt: skip
    assert pair_terms(bread, for_feed)["substitutes"] == "none"
    assert pair_terms(bread, as_food)["substitutes"] == "Food and drink"


def test_fgd_gypsum_in_a_cement_works_replaces_natural_gypsum_not_aggregates():
    from sidestream.impact.accounting import NOT_VALUED
    from sidestream.impact.service import account_pair

    fgd = _listing(direction="offer", waste_code="100105", title="FGD gypsum")
    retarder = _listing(direction="need", waste_code="100105", organisation_nace="2351",
                        title="Gypsum as set retarder")  # fmt: skip
    valued = account_pair(fgd, retarder, 10.0)
    assert valued.exchange.substitutes == "none"
    assert NOT_VALUED in valued.result.warnings
    assert valued.result.indicators.virgin_resources_saved_t == valued.exchange.amount
