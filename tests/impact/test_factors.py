"""Factor sets: values read as published, provenance kept, overrides applied and checked."""

from __future__ import annotations

import csv
from importlib import resources

import pytest

from sidestream.errors import InvalidInput
from sidestream.impact.catalogue import (
    FUEL_KIND,
    categories,
    category_for,
    disposal_factor_id,
    disposal_routes,
    material_factor_id,
    receiver_substitutes,
    substitutes,
    vehicles,
)
from sidestream.impact.factors import DEFAULT_VERSION, load_factor_set
from sidestream.impact.service import OWN_MATERIAL


def _defra_row(file: str, row_id: str) -> dict[str, str]:
    path = resources.files("sidestream.impact").joinpath("data", file)
    with path.open(encoding="utf-8", newline="") as fh:
        return next(r for r in csv.DictReader(fh) if r["ID"] == row_id)


def test_material_row_is_read_as_published() -> None:
    row = _defra_row("category_material_use.csv", "19_505_5120_15_1")
    factor = load_factor_set()["material.plastics_average_plastics.primary_material_production"]
    assert row["Level 3"] == "Plastics: average plastics"
    assert factor.value == float(row["GHG Conversion Factor 2025"]) == 3172.49932
    assert factor.unit == "kg CO2e/t"
    assert factor.year == 2025 and factor.source == "DESNZ/DEFRA"
    assert "19_505_5120_15_1" in factor.citation and "Open Government Licence" in factor.citation
    assert factor.value_in("t CO2e/t") == pytest.approx(3.17249932)


def test_freight_row_and_unit_conversion() -> None:
    row = _defra_row("category_freighting_goods.csv", "27_304_3140_14_1")
    factor = load_factor_set()["freight.hgv_all_diesel.all_hgvs.average_laden"]
    assert (row["Level 2"], row["Level 3"], row["Column Text"]) == (
        "HGV (all diesel)",
        "All HGVs",
        "Average laden",
    )
    assert factor.value == float(row["GHG Conversion Factor 2025"])
    # 0.10163 kg CO2e per tonne.km = 0.10163e-3 t CO2e per t.km
    assert factor.value_in("t CO2e/(t*km)") == pytest.approx(0.10163e-3)


def test_blank_defra_cells_are_not_factors() -> None:
    fs = load_factor_set()
    assert "material.bricks.re_used" not in fs  # blank in the published table
    assert "disposal.aggregates.landfill" in fs


def test_supplementary_factors_have_provenance() -> None:
    fs = load_factor_set()
    for fid in ("combustion.natural_gas", "price.gate_fee.landfill", "price.carbon.eu_ets"):
        f = fs[fid]
        assert f.source and f.citation and f.year > 1990 and f.version
    # 56 100 kg CO2/TJ -> kg/kWh: 1 TJ = 277 777.8 kWh
    assert fs["combustion.natural_gas"].value == pytest.approx(56_100 / 277_777.78, rel=1e-5)


def test_every_mapping_row_points_at_a_real_factor() -> None:
    fs = load_factor_set()
    routes = disposal_routes()
    for cat in categories().values():
        if cat.material_category:
            assert material_factor_id(cat.material_category, "primary_material_production") in fs
        if cat.default_disposal_route:
            route = routes[cat.default_disposal_route]
            name = cat.disposal_category or "Commercial and industrial waste"
            assert disposal_factor_id(name, route) in fs, cat
        if cat.default_substitute:
            assert cat.default_substitute in substitutes()
    for sub in substitutes().values():
        ids = (sub.efficiency_factor_id, sub.price_factor_id, sub.heating_value_factor_id)
        for fid in (*sub.emission_factor_ids, *ids):
            assert fid is None or fid in fs
    for v in vehicles().values():
        assert v.emission_factor_id is None or v.emission_factor_id in fs
        assert v.cost_factor_id is None or v.cost_factor_id in fs
    for row in receiver_substitutes().values():  # "(own)": its code's category, which must exist
        name = row.material_category
        if name == OWN_MATERIAL:
            name = category_for(row.code_prefix, "material").material_category
            assert name, row
        if name in substitutes():  # a fuel it is burnt in place of
            assert substitutes()[name].kind == FUEL_KIND, row
        elif name != "none":
            assert material_factor_id(name, "primary_material_production") in fs, row


def test_overrides_replace_value_and_mark_provenance() -> None:
    fs = load_factor_set(overrides={"price.gate_fee.landfill": 140.0})
    f = fs["price.gate_fee.landfill"]
    assert f.value == 140.0 and f.overridden and f.version == "override"
    assert fs.overrides == {"price.gate_fee.landfill": 140.0}
    assert load_factor_set()["price.gate_fee.landfill"].value == 100  # base untouched


def test_override_in_another_unit_and_new_factor() -> None:
    fs = load_factor_set(
        overrides={
            "grid.electricity.eu27": {"value": 120, "unit": "g CO2e/kWh", "source": "Energinet"},
            "price.material.aggregates": {"value": 14, "unit": "EUR/t"},
        }
    )
    assert fs["grid.electricity.eu27"].value_in("kg CO2e/kWh") == pytest.approx(0.12)
    assert fs["grid.electricity.eu27"].source == "Energinet"
    assert fs["price.material.aggregates"].value == 14


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"price.gate_fee.landfill": "cheap"}, "assumptions.price.gate_fee.landfill"),
        ({"price.gate_fee.landfill": {"value": 5, "unit": "kg"}}, "unit"),
        ({"no.such.factor": 3}, "assumptions.no.such.factor"),
        ({"price.gate_fee.landfill": {"value": 5, "colour": "red"}}, "assumptions"),
    ],
)
def test_bad_overrides_name_the_assumption(overrides: dict, field: str) -> None:
    with pytest.raises(InvalidInput) as err:
        load_factor_set(overrides=overrides)
    assert field in err.value.field


def test_unknown_version_is_refused() -> None:
    assert load_factor_set().version == DEFAULT_VERSION
    with pytest.raises(InvalidInput):
        load_factor_set("1999.1")


def test_every_bad_override_is_reported_at_its_path() -> None:
    # the first bad override alone was reported; a factor id's dots are part of its name
    overrides = {
        "price.gate_fee.landfill": {"value": "cheap", "unit": "kg", "colour": "red"},
        "no.such.factor": 3,
        "price.carbon.eu_ets": {"value": 90, "year": "last year"},  # a server error before
        "grid.electricity.eu27": 0.2,  # a good one among them
    }
    with pytest.raises(InvalidInput) as err:
        load_factor_set(overrides=overrides)
    assert [(e.loc, e.message) for e in err.value.errors] == [
        (("assumptions", "price.gate_fee.landfill"), "unknown keys ['colour']"),
        (("assumptions", "price.gate_fee.landfill", "value"), "must be a finite number"),
        (("assumptions", "price.gate_fee.landfill", "unit"), "'kg' is not compatible with 'EUR/t'"),
        (("assumptions", "no.such.factor"), "is not a known factor; give its 'unit' too"),
        (("assumptions", "price.carbon.eu_ets", "year"), "must be a whole number"),
    ]
