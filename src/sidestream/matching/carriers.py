"""The form of energy a listing is, or asks for: heat, power, fuel or cold, read from its title.

Two energy listings of different forms may not fit: heat is no feedstock for a methane
fermenter, electricity rarely what a "Process heat" need asks for. ``weights.CARRIER_FIT``
says how well each form serves each other form.
"""

from __future__ import annotations

import re
from functools import lru_cache

from sidestream.matching.text import normalised_offsets, purpose_starts, without_sources

#: The forms of energy told apart, in the order of ``weights.CARRIER_FIT``'s rows and columns.
CARRIERS: tuple[str, ...] = ("heat", "power", "fuel", "cold")

#: Words for each form (normalised: lower case, no accents) in the keyword languages (en, de,
#: fr, it, es/pt, nl, da/nb, sv, fi, sl, pl). Heat words end compounds too ("Prozesswärme",
#: "spillvärme", "hukkalämpö"); flue and exhaust gas are heat carriers, not fuels; cooling water
#: leaves a cooler warm, so it is not cold. Bare "gas" and "power" say too little ("power
#: plant", "flue gas"), as do "el" and "para" (Danish electricity and Slovenian steam, but "the"
#: and "for" elsewhere).
_WORDS: dict[str, str] = {
    "heat": r"heat|steam|hot water|warm water|thermal energy|flue gas|exhaust gas|\w*warme"
    r"|\w*dampf|chaleur|vapeur|calore|vapore|calor|vapor|\w*warmte|stoom|\w*varme|damp|anga"
    r"|\w*lampo[a]?|hoyry|toplota|cieplo|teplo",
    "power": r"electricity|electric power|electrical energy|\w*strom|elektrizitat|electricite"
    r"|energie electrique|elettricita|energia elettrica|electricidad|eletricidade"
    r"|energia electrica|elektriciteit|elektricitet|elkraft|sahko|elektrika|elektricna energija"
    r"|energia elektryczna",
    "fuel": r"fuel|fuel gas|natural gas|biogas|biomethane|methane|hydrogen|syngas|off-?gas"
    r"|landfill gas|coke oven gas|blast furnace gas|lpg|\w*brennstoff|\w*erdgas|wasserstoff"
    r"|combustible|carburant|gaz naturel|biogaz|hydrogene|combustibile|metano|idrogeno"
    r"|hidrogeno|brandstof|aardgas|waterstof|braendsel|brensel|bransle|naturgas|brint|vatgas"
    r"|polttoaine|maakaasu|vety|gorivo|zemeljski plin|bioplin|vodik|paliwo",
    "cold": r"cooling(?! water)|cold|chilled|refrigeration|\w*kalte|froid|refroidissement"
    r"|raffreddamento|freddo|frio|refrigeracion|koeling|koude|kulde|kyla|jaahdytys|hlajenje|hlad",
}
_FORMS = [re.compile(rf"(?<![\w-])(?:{words})(?![\w-])") for words in _WORDS.values()]


def _forms_in(normalised: str) -> set[int]:
    return {i for i, form in enumerate(_FORMS) if form.search(normalised)}


@lru_cache(maxsize=65536)
def carrier_of(title: str) -> int:
    """Index in ``CARRIERS`` of the one form of energy ``title`` names, -1 when it names none
    or several. Not read: where it comes from ("Heat from our biogas plant" is heat) and what it
    is for ("Biogas for heat and power" is fuel); a need's title is read up to the first word of
    purpose that has a form before it ("Looking for steam for drying": steam)."""
    blanked = without_sources(title)
    at = normalised_offsets(title)
    for end in purpose_starts(title):
        forms = _forms_in(blanked[: at[end]])
        if forms:
            return forms.pop() if len(forms) == 1 else -1
    return -1
