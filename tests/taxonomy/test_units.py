"""Quantities are normalised to canonical annual amounts with pint."""

import re

import pytest

from sidestream.taxonomy.units import annualise, kind_of_unit


@pytest.mark.parametrize(
    ("quantity", "unit", "period", "kind", "expected", "canonical"),
    [
        (100, "t", "per-month", "material", 1200, "t"),
        (2, "kt", "per-year", "material", 2000, "t"),
        (500, "kg", "per-week", "material", 500 * 365.25 / 7 / 1000, "t"),
        (10, "t", "per-day", "material", 3652.5, "t"),
        (10, "t/day", None, "material", 3652.5, "t"),
        (5, "MW", "continuous", "energy", 43830, "MWh"),
        (360, "GJ", "per-year", "energy", 100, "MWh"),
        (3, "m3/h", "continuous", "water", 26298, "m3"),
        (40, "t", "one-off", "material", 40, "t"),
    ],
)
def test_annualise(quantity, unit, period, kind, expected, canonical):
    annual = annualise(quantity, unit, period, kind)
    assert annual is not None
    assert annual.amount == pytest.approx(expected)
    assert annual.unit == canonical


def test_mass_and_volume_convert_only_with_density():
    with pytest.raises(ValueError, match="density"):
        annualise(1000, "m3", "per-year", "material")
    annual = annualise(1000, "m3", "per-year", "material", density_kg_m3=1030)
    assert annual is not None and annual.amount == pytest.approx(1030)


@pytest.mark.parametrize(
    ("unit", "period", "kind", "message"),
    [
        ("bananas", None, "material", "unknown unit 'bananas'"),
        ("(", None, "material", "unknown unit '('"),  # not a tokenizer crash
        ("t/0", None, "material", "unknown unit 't/0'"),
        ("t", "continuous", "material", "needs a rate unit"),
        ("MWh", None, "water", "cannot be expressed in m3"),
    ],
)
def test_bad_quantities_are_explained(unit, period, kind, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        annualise(1, unit, period, kind)


def test_kinds_without_canonical_unit_are_not_annualised():
    assert annualise(500, "m2", None, "capacity") is None


def test_area_units_parse():
    from sidestream.taxonomy.units import parse_unit

    assert str(parse_unit("m2")) == str(parse_unit("m²"))


@pytest.mark.parametrize(
    ("unit", "kind"),
    [("MWh", "energy"), ("gj", "energy"), ("kW", "energy"), ("MWh/a", "energy"),
     ("t", None), ("m3/h", None), ("t/day", None), ("furlongs", None), (None, None),
     ("(", None), ("1/0", None)],
)  # fmt: skip
def test_a_unit_of_energy_or_power_implies_energy(unit, kind):
    assert kind_of_unit(unit) == kind


@pytest.mark.parametrize(
    ("unit", "expected"),
    [("m^2", (1.0, "m2")), ("ha", (10_000.0, "m2")), ("m3", (1.0, "m3")), ("kt", (1_000.0, "t")),
     ("t/day", (365.25, "t/year")), ("m3/day", (365.25, "m3/year")), ("tpa", (1.0, "t/year")),
     ("pallets", (1.0, "pallet")), ("Pallet places", (1.0, "pallet")), ("MWh", None),
     ("kW", None), ("crates", None)],
)  # fmt: skip
def test_capacity_is_compared_as_space_at_one_time_or_throughput_a_year(unit, expected) -> None:
    from sidestream.taxonomy.units import capacity_factor

    got = capacity_factor(unit)
    if expected is None:
        assert got is None
    else:
        assert got == (pytest.approx(expected[0]), expected[1])


def test_pallet_places_are_a_count_of_their_own() -> None:
    """Storage is let by the pallet place: a count that is no space, tonnage or energy."""
    assert kind_of_unit("pallets") is None
    with pytest.raises(ValueError, match="cannot be expressed in t"):
        annualise(200, "pallets", "one-off", "material")


@pytest.mark.parametrize(
    ("unit", "tonnes"),
    [("ton/year", 1.0), ("tons per year", 1.0), ("t per annum", 1.0), ("t/y", 1.0),
     ("tonnes/a", 1.0), ("kton", 1000.0), ("Mton/year", 1e6), ("metric tons", 1.0)],
)  # fmt: skip
def test_units_as_europe_writes_them(unit: str, tonnes: float) -> None:
    """A ton is a metric tonne (pint's is the short ton), /y and /a a year (pint's y is a yard)."""
    assert annualise(1, unit, None, "material").amount == pytest.approx(tonnes)


def test_an_offset_unit_is_no_amount() -> None:
    with pytest.raises(ValueError, match="'°C' is not an amount"):
        annualise(1, "°C", None, "material")
