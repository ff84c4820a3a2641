"""The form of energy a listing's title names: heat, power, fuel or cold."""

from __future__ import annotations

import pytest

from sidestream.matching.carriers import CARRIERS, asks_for_fuel, carrier_of, does_not_burn
from sidestream.taxonomy.waste_codes import waste_codes


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
        ("Abwasserstrom", None),  # a stream of waste water, not electricity
        ("Biogas for heat and power", "fuel"),  # what it is for is not read
        ("Methane (biomethane) as fermentation feedstock", "fuel"),
        ("Upgraded biomethane (bio natural gas)", "fuel"),
        ("Fuel gas", "fuel"),
        ("Process cooling", "cold"),
        ("Kälte für das Kühllager", "cold"),
        ("Process energy", None),  # any form
        ("Cooling water", None),  # warm from a cooler: not cold
        ("Warm cooling water", "heat"),  # said warm: its heat is what an energy listing offers
        ("Hot process water", "heat"),
        ("Power plant steam and electricity", None),  # two forms: none is sure
        ("Heating for our biogas plant", "heat"),
        ("Renewable energy for hydrogen production", None),  # its purpose names the user
        ("Natural gas replacement for greenhouse heating", None),  # replaced, not wanted
        ("Biogas digester heating", None),
        ("Cooling tower water 35 °C", None),
        ("Eau de refroidissement tiède (35 °C)", None),
        ("Chilled water", "cold"),
        ("Kühlung für das Rechenzentrum", "cold"),
        ("Heat sink for our condensers", "cold"),
        ("Steam reformer tail gas", "fuel"),  # a plant's name
        ("Hydrogen peroxide", None),
        ("Sand for heat storage", None),
        ("Heat exchanger plates", None),
        ("Ciepło odpadowe", "heat"),
        ("Cieplo odpadowe", "heat"),  # written without its Polish letters
        ("Energia térmica residual", "heat"),
        ("Fjernkøling til kontorer", "cold"),  # Danish district cooling
        ("Proceskøling", "cold"),
        ("Heat-treated timber", None),
        ("COG", None),
    ],
)
def test_the_form_of_energy_a_title_names(title: str, form: str | None) -> None:
    found = carrier_of(title)
    assert (CARRIERS[found] if found >= 0 else None) == form


@pytest.mark.parametrize(
    ("title", "code", "inert"),
    [
        ("Coal slag", None, True),  # what is left after burning, whatever burnt
        ("Bottom ash from the biomass boiler", None, True),
        ("Sodium hydroxide", None, True),
        ("Scrubber sludge", "100107", True),  # an inorganic chapter's code
        ("Ammonium sulfate", None, True),
        ("Plastic-coated steel", None, False),  # the plastic burns
        ("Acid whey from yoghurt production", None, False),
        ("Acid whey", "020501", False),
        ("Bio-char", "190199", False),  # charcoal burns, though coded as incineration waste
        ("Forestry slash", None, False),  # not a word ending in "ash"
        ("Alle slags træaffald", None, False),  # Danish "all kinds of"
        ("Déchets laitiers", None, False),  # French dairy
        ("PE film scrap", None, False),
        ("Olive stones", None, False),
        ("Fatty acids", None, False),
        ("Spent machining oils", "120107", False),
        ("Sewage sludge", "190805", False),
        ("Wood chips", "030105", False),
        ("Used cooking oil", "200125", False),
        ("Popiół lotny z kotła", None, True),  # Polish fly ash
        ("Żużel stalowniczy", None, True),
        ("Złom stalowy", None, True),
        ("Trociny drzewne", None, False),
        ("Ammonium thiosulphate liquid fertiliser (ATS)", None, True),
        ("Organic-certified liquid fertiliser", None, False),  # organic matter burns
    ],
)
def test_a_material_that_cannot_burn(title: str, code: str | None, inert: bool) -> None:
    wording = waste_codes()[code].description if code else ""
    assert does_not_burn(title, code, wording) is inert


@pytest.mark.parametrize(
    ("title", "asks"),
    [
        ("Fuel", True),
        ("Alternative fuels for the kiln", True),
        ("Ersatzbrennstoff", True),
        ("Whey as biogas co-substrate", False),  # what a digester takes, not a fuel
        ("Raw material", False),
        ("Alternativa bränslen (SRF)", True),  # plural and definite forms
        ("Træflis og savværksrester til biomassekedlen", True),  # what a boiler burns
        ("Wood chips for the biomass boiler", True),
        ("Flis till barkpannan", True),
        ("Boiler feed water", False),  # water for a boiler, not its fuel
        ("Panna cotta ingredients", False),  # Italian cream, not a Swedish boiler
        ("Pork kotlet trimmings", False),  # a cutlet, not a Slovene boiler
        ("Boiler ash for road base", False),  # what a boiler leaves, not what it burns
        ("Kedelaske til vejfyld", False),
        ("Kjeleaske", False),
        ("Produkter til markedene", False),  # Norwegian "the markets"
        ("Brensel til kjelen", True),
    ],
)
def test_a_need_asking_for_fuel(title: str, asks: bool) -> None:
    assert asks_for_fuel(title) is asks
