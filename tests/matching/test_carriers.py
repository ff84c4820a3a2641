"""The form of energy a listing's title names: heat, power, fuel or cold."""

from __future__ import annotations

import pytest

from sidestream.matching.carriers import CARRIERS, carrier_of


@pytest.mark.parametrize(
    ("title", "form"),
    [
        ("Steam", "heat"),
        ("Process heat", "heat"),
        ("Surplus heat 45 °C", "heat"),
        ("Überschusswärme 45 °C", "heat"),  # the end of a compound
        ("Prozessdampf", "heat"),
        ("Spillvärme från serverhall", "heat"),
        ("Hukkalämpö", "heat"),
        ("Flue gas heat", "heat"),  # flue gas carries heat; it is no fuel
        ("Heat from our biogas plant", "heat"),  # where it comes from is not read
        ("Looking for steam for drying", "heat"),  # up to the first purpose with a form
        ("Electricity", "power"),
        ("Strom aus der Photovoltaikanlage", "power"),
        ("Biogas for heat and power", "fuel"),  # what it is for is not read
        ("Methane (biomethane) as fermentation feedstock", "fuel"),
        ("Upgraded biomethane (bio natural gas)", "fuel"),
        ("Fuel gas", "fuel"),
        ("Process cooling", "cold"),
        ("Kälte für das Kühllager", "cold"),
        ("Process energy", None),  # any form
        ("Cooling water", None),  # warm from a cooler: not cold
        ("Power plant steam and electricity", None),  # two forms: none is sure
        ("Heat-treated timber", None),
        ("COG", None),
    ],
)
def test_the_form_of_energy_a_title_names(title: str, form: str | None) -> None:
    found = carrier_of(title)
    assert (CARRIERS[found] if found >= 0 else None) == form
