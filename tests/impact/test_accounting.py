"""Avoided-burden accounting: hand-computed answers from the published factor rows."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from sidestream.errors import InvalidInput
from sidestream.impact.accounting import account_exchange, unit_values

# Published values (kg CO2e per unit) of the DEFRA 2025 rows used below.
PLASTICS_PRIMARY = 3172.49932  # Material use > Plastics: average plastics > primary
PLASTICS_INCINERATION = 4.68568  # Waste disposal > Plastics: average plastics > incineration
HGV_AVERAGE = 0.10163  # Freighting goods > HGV (all diesel) > All HGVs > Average laden
PLASTICS_CLOSED_LOOP = 1575.39106  # Material use > Plastics: average plastics > closed-loop
CONCRETE_PRIMARY = 118.79306
CONCRETE_LANDFILL = 1.26338
WATER_SUPPLY = 0.1913
WATER_TREATMENT = 0.17088


def test_plastic_packaging_known_answer() -> None:
    r = account_exchange(
        {
            "kind": "material",
            "amount": 100,
            "waste_code": "15 01 02",
            "distance_km": 50,
            "virgin_price_eur_per_unit": 900,
        }
    )
    sub = 100 * PLASTICS_PRIMARY / 1000
    disp = 100 * PLASTICS_INCINERATION / 1000
    transport = 100 * 50 * HGV_AVERAGE / 1000
    assert r.carbon.substitution_t == pytest.approx(sub)
    assert r.carbon.avoided_disposal_t == pytest.approx(disp)
    assert r.carbon.transport_t == pytest.approx(transport)
    assert r.indicators.co2e_avoided_t == pytest.approx(sub + disp - transport)
    assert r.indicators.virgin_resources_saved_t == 100
    assert r.indicators.waste_diverted_t == 100
    # economics: 900 EUR/t avoided purchase, 100 EUR/t incineration fee, 0.08 EUR/t.km haulage
    e = r.economics
    assert e.avoided_purchase_eur == pytest.approx(90_000)
    assert e.avoided_disposal_fee_eur == pytest.approx(10_000)
    assert e.transport_cost_eur == pytest.approx(400)
    assert e.supplier_net_eur == pytest.approx(10_000)
    assert e.receiver_net_eur == pytest.approx(89_600)
    assert e.total_net_eur == pytest.approx(e.supplier_net_eur + e.receiver_net_eur)
    ids = {f.id for f in r.factors}
    assert "material.plastics_average_plastics.primary_material_production" in ids
    assert "freight.hgv_all_diesel.all_hgvs.average_laden" in ids
    assert all(f.source and f.unit and f.year for f in r.factors)
    assert r.assumptions["avoided_disposal"] == "incineration"
    assert r.assumptions["mapping"]["code_prefix"] == "150102"


def test_secondary_processing_burden_keeps_sign() -> None:
    r = account_exchange(
        {
            "kind": "material",
            "amount": 10,
            "waste_code": "150102",
            "secondary_route": "closed_loop_source",
            "processing_co2e_kg_per_unit": -20,
            "virgin_price_eur_per_unit": 0,
        }
    )
    assert r.carbon.processing_t == pytest.approx(10 * (PLASTICS_CLOSED_LOOP - 20) / 1000)


def test_concrete_by_lorry_with_payment_by_supplier() -> None:
    r = account_exchange(
        {
            "kind": "material",
            "amount": 1000,
            "waste_code": "170101",
            "distance_km": 20,
            "virgin_price_eur_per_unit": 12,
            "transfer_price_eur_per_unit": -5,
            "transport_paid_by": "supplier",
        }
    )
    co2 = 1000 * (CONCRETE_PRIMARY + CONCRETE_LANDFILL - 20 * HGV_AVERAGE) / 1000
    assert r.indicators.co2e_avoided_t == pytest.approx(co2)
    # supplier: +100 EUR/t landfill fee avoided, pays 5 EUR/t to the receiver and the lorry
    assert r.economics.supplier_net_eur == pytest.approx(1000 * (100 - 5) - 1000 * 20 * 0.08)
    assert r.economics.receiver_net_eur == pytest.approx(1000 * (12 + 5))


def test_surplus_heat_replaces_gas_boiler() -> None:
    r = account_exchange({"kind": "energy", "amount": 920})
    fuel = 920 / 0.92  # MWh of gas at the 92 % reference efficiency
    assert r.indicators.energy_saved_mwh == pytest.approx(fuel)
    assert r.indicators.co2e_avoided_t == pytest.approx(fuel * (0.20196 + 0.03347))
    assert r.economics.avoided_purchase_eur == pytest.approx(fuel * 55)
    assert r.indicators.waste_diverted_t == 0


def test_heat_pump_adds_its_electricity() -> None:
    """1000 MWh of 35 °C heat lifted at COP 5: 250 MWh of grid power, 1250 MWh delivered."""
    r = account_exchange({"kind": "energy", "amount": 1000, "heat_pump_cop": 5})
    fuel = 1250 / 0.92  # gas no longer burnt for the heat delivered
    assert r.assumptions["heat_pump"] == {
        "cop": 5, "electricity_mwh": 250, "delivered_mwh": 1250,
    }  # fmt: skip
    assert r.carbon.substitution_t == pytest.approx(fuel * (0.20196 + 0.03347))
    assert r.carbon.processing_t == pytest.approx(250 * 0.251)  # EEA EU-27 grid 2022
    assert r.indicators.energy_saved_mwh == pytest.approx(fuel - 250)
    assert r.economics.processing_cost_eur == pytest.approx(250 * 190)
    assert r.economics.avoided_purchase_eur == pytest.approx(fuel * 55)
    assert {f.role for f in r.factors} >= {"heat pump electricity"}
    assert unit_values({"kind": "energy", "amount": 1000, "heat_pump_cop": 5}).co2e_t * 1000 == (
        pytest.approx(r.indicators.co2e_avoided_t)
    )


def test_heat_in_gj_is_converted() -> None:
    a = account_exchange({"kind": "energy", "amount": 3600, "unit": "GJ"})
    b = account_exchange({"kind": "energy", "amount": 1000})
    assert a.indicators.co2e_avoided_t == pytest.approx(b.indicators.co2e_avoided_t)


def test_water_reuse_and_override() -> None:
    r = account_exchange({"kind": "water", "amount": 10_000})
    assert r.indicators.water_saved_m3 == 10_000
    assert r.indicators.co2e_avoided_t == pytest.approx(10 * (WATER_SUPPLY + WATER_TREATMENT))
    assert r.economics.avoided_purchase_eur == pytest.approx(20_000)
    cheap = account_exchange(
        {"kind": "water", "amount": 10_000}, assumptions={"price.water.supply": 1}
    )
    assert cheap.economics.avoided_purchase_eur == pytest.approx(10_000)
    assert cheap.assumptions["overrides"] == {"price.water.supply": 1}
    assert any(f.overridden for f in cheap.factors)


def test_unit_values_are_linear() -> None:
    ex = {
        "kind": "material",
        "amount": 250,
        "waste_code": "170101",
        "distance_km": 30,
        "virgin_price_eur_per_unit": 12,
        "transfer_price_eur_per_unit": 3,
    }
    u = unit_values(ex)
    total = account_exchange({**ex, "transfer_price_eur_per_unit": 0})
    assert u.co2e_t * 250 == pytest.approx(total.indicators.co2e_avoided_t)
    assert u.supplier_eur * 250 == pytest.approx(total.economics.supplier_net_eur)
    assert u.benefit_eur * 250 == pytest.approx(total.economics.total_net_eur)


def test_missing_substitute_and_price_warn() -> None:
    r = account_exchange({"kind": "material", "amount": 5})
    assert r.carbon.substitution_t == 0
    assert len(r.warnings) == 3  # no substitute, no virgin price, no waste code


def test_a_material_without_a_waste_code_avoids_no_disposal() -> None:
    """Any uncoded material (a fertiliser sold at a price) was credited as commercial waste
    kept out of landfill: 0.52 t CO2e, 100 EUR and 1 t of waste diverted per tonne."""
    product = account_exchange({"kind": "material", "amount": 100, "substitutes": "Wood"})
    assert product.carbon.avoided_disposal_t == 0 and product.indicators.waste_diverted_t == 0
    assert product.economics.avoided_disposal_fee_eur == 0
    assert any("no waste code" in w for w in product.warnings)
    said = account_exchange({"kind": "material", "amount": 100, "substitutes": "Wood",
                             "avoided_disposal": "landfill"})  # fmt: skip
    assert said.indicators.waste_diverted_t == 100 and said.carbon.avoided_disposal_t > 0
    coded = account_exchange({"kind": "material", "amount": 100, "waste_code": "050116"})
    assert coded.carbon.avoided_disposal_t > 0  # a code without a row of its own: a waste


@pytest.mark.parametrize(
    ("code", "route", "co2e_per_t"),
    [
        ("070599", "incineration", 0.0047),
        ("190606", "composting", 0.009),
        ("050116", "landfill", 0.52),
    ],
    ids=["fermentation-biomass", "digestate", "no-row-of-its-own"],
)
def test_organic_and_liquid_wastes_are_not_counted_as_kept_out_of_landfill(
    code: str, route: str, co2e_per_t: float
) -> None:
    """Fermentation biomass (07) and digestate (19 06) cannot be landfilled in the EU: the
    landfill default credited them 0.52 t CO2e and 100 EUR a tonne (the demo's Kalundborg
    biogas plant and its digestate: 351 kt CO2e of the network's 352 realised)."""
    r = account_exchange({"kind": "material", "amount": 100, "waste_code": code})
    assert r.assumptions["avoided_disposal"] == route
    assert r.carbon.avoided_disposal_t == pytest.approx(100 * co2e_per_t, rel=0.02)


@pytest.mark.parametrize(
    ("exchange", "field"),
    [
        ({"kind": "material", "amount": 1, "unit": "furlong"}, "unit"),
        ({"kind": "material", "amount": 1, "unit": "MWh"}, "unit"),
        ({"kind": "material", "amount": 1, "substitutes": "Unobtainium"}, "substitutes"),
        ({"kind": "energy", "amount": 1, "substitutes": "Wood"}, "substitutes"),
        ({"kind": "material", "amount": 1, "avoided_disposal": "moon"}, "avoided_disposal"),
        ({"kind": "material", "amount": 1, "vehicle": "rocket", "distance_km": 1}, "vehicle"),
        ({"kind": "energy", "amount": 1, "vehicle": "hgv", "distance_km": 5}, "vehicle"),
        ({"kind": "water", "amount": 1, "heat_pump_cop": 4}, "heat_pump_cop"),
    ],
)
def test_bad_input_names_the_field(exchange: dict, field: str) -> None:
    with pytest.raises(InvalidInput) as err:
        account_exchange(exchange)
    assert err.value.field == field


def test_negative_amount_is_rejected() -> None:
    with pytest.raises(ValidationError):
        account_exchange({"kind": "material", "amount": -1})


@pytest.mark.parametrize(("unit", "tonnes"), [("ton", 100.0), ("t/year", 100.0), ("kg", 0.1)])
def test_an_exchange_unit_is_read_as_the_registry_reads_it(unit: str, tonnes: float) -> None:
    """A 'ton' was pint's short ton here (90.7 t) while the registry stores it as a tonne."""
    result = account_exchange({"kind": "material", "amount": 100, "unit": unit,
                               "waste_code": "150102"})  # fmt: skip
    assert result.indicators.virgin_resources_saved_t == pytest.approx(tonnes)


def test_a_stated_material_category_also_decides_the_disposal_avoided() -> None:
    """The code's row won over the caller's material_category for disposal (not substitution)."""
    wood = account_exchange({"kind": "material", "amount": 100, "waste_code": "200301",
                             "material_category": "Wood"})  # fmt: skip
    assert wood.assumptions["disposal_category"] == "Wood"
    food = account_exchange({"kind": "material", "amount": 100, "waste_code": "020304",
                             "material_category": "Food and drink"})  # fmt: skip
    assert food.carbon.avoided_disposal_t > 0  # no DEFRA row for that name and route: the code's


def test_every_broken_rule_of_an_exchange_is_reported() -> None:
    # the accounting stopped at the first: the unit, then (once corrected) the disposal route...
    exchange = {
        "kind": "material",
        "amount": 1,
        "unit": "MWh",
        "avoided_disposal": "dump",
        "vehicle": "rocket",
        "distance_km": 1,
    }
    with pytest.raises(InvalidInput) as err:
        account_exchange(exchange, assumptions={"price.carbon.eu_ets": "dear"})
    fields = [e.loc for e in err.value.errors]
    assert fields == [
        ("assumptions", "price.carbon.eu_ets"),
        ("unit",),
        ("avoided_disposal",),
        ("vehicle",),
    ]
    assert all(e.type == "value_error" for e in err.value.errors)
