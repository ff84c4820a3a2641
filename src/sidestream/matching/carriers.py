"""The form of energy a listing is, or asks for: heat, power, fuel or cold, read from its title;
and whether a material cannot burn.

Two energy listings of different forms may not fit: heat is no feedstock for a methane
fermenter, electricity rarely what a "Process heat" need asks for (``weights.CARRIER_FIT``
says how well each form serves each other form); slag is no fuel (``weights.NOT_A_FUEL``).
"""

from __future__ import annotations

import re
from functools import lru_cache

from sidestream.matching.text import (
    normalise_text,
    normalised_offsets,
    purpose_starts,
    without_sources,
)

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
    r"|\w*dampf|chaleur|vapeur|calore|vapore|calor|vapor|\w*warmte|stoom|\w*varme|anga"
    r"|\w*lampo[a]?|hoyry|toplota|cieplo|teplo",
    "power": r"electricity|electric power|electrical energy|strom|elektrizitat|electricite"
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

#: What is left after burning (ash, slag, clinker): it names a material that does not burn
#: whatever it came from ("Coal fly ash").
_BURNT = re.compile(
    r"(?<![\w-])(?:\w*ash(?:es)?|slags?|clinker|\w*asche|\w*schlacke|cendres?|laitiers?"
    r"|ceneri|scori[ae]|cenizas?|escorias?|aske|slagge|aska|slagg|tuhka|kuona|pepel|zlindra)"
    r"(?![\w-])"
)
#: Minerals, metals, glass and inorganic chemicals: they do not burn, unless the text also
#: names something that does ("Plastic-coated steel", "Oily sand").
_MINERAL = re.compile(
    r"(?<![\w-])(?:glass|metals?|scrap|iron|steel|alumini?um|copper|zinc|concrete|bricks?"
    r"|tiles?|ceramics?|gypsum|sand|soil|stones?|gravel|rubble|lime|limestone|chalk|cement"
    r"|silica|acids?|alkali|hydroxides?|salts?|sul(?:ph|f)ates?|chlorides?|calcium|catalysts?"
    r"|glas|metall|schrott|eisen|stahl|beton|ziegel|gips|kalk|zement|verre|ferraille|acier"
    r"|platre|sable|chaux|ciment|acide|vetro|rottame|ferro|acciaio|calcestruzzo|gesso"
    r"|sabbia|calce|cemento|acido|vidrio|chatarra|hierro|acero|hormigon|yeso"
    r"|schroot|ijzer|staal|zand|zuur|skrot|jern|stal|betong|syre|syra|lasi|romu|rauta"
    r"|teras|betoni|kipsi|hiekka|kalkki|sementti|happo|steklo|zelezo|jeklo|sadra|pesek"
    r"|apno|kislina)(?!\w)"
)
#: What burns: fuels (``_WORDS["fuel"]``) and the materials burnt as fuels.
_BURNS = re.compile(
    rf"(?<!\w)(?:{_WORDS['fuel']}|coal|coke|char|charcoal|wood|sawdust|bark|paper"
    r"|cardboard|plastics?|rubber|tyres?|tires?|oil|oily|fat|grease|solvents?|biomass|straw"
    r"|husks?|shells?|kohle|koks|holz|papier|kunststoff|gummi|charbon|bois|plastique|carbone"
    r"|legno|carta|plastica|carbon|madera|papel|hout|kul|trae|hiili|puu|paperi|muovi"
    r"|premog|papir|plastika|whey|milk|food|organic|manure|animal|fish|grains?|fibres?"
    r"|fibers?|textiles?|leather|peels?|fruit|citrus|pulp|molke|lebensmittel|valle"
    r"|lactoserum|siero|suero|wei|vassle|sirotka)(?!\w)"
)
#: LoW chapters, sub-chapters and entries of inorganic matter (mining, inorganic chemistry,
#: thermal processes, metal treatment, metals, glass, minerals, construction rubble,
#: incineration residues): an offer so coded cannot burn unless its words say it does
#: ("oil-containing", "spent activated carbon").
_INORGANIC_CODES = (
    "01", "06", "10", "11", "1201", "150104", "150107", "160117", "160118", "160120", "1608",
    "1611", "1701", "170202", "1704", "1705", "170604", "1708", "1901", "191001", "191002",
    "191202", "191203", "191205", "191209", "200102", "200140", "200202",
)  # fmt: skip
#: A need asking for a fuel in so many words (a need for "biogas co-substrate" asks for what
#: a biogas plant digests, not for a fuel).
_FUEL_WANTED = re.compile(
    r"(?<![\w-])(?:\w*fuels?|\w*brennstoffe?|combustibles?|carburants?|combustibili|brandstof"
    r"|braendsel|brensel|bransle|polttoaine|gorivo|paliwo)(?!\w)"
)


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


@lru_cache(maxsize=65536)
def does_not_burn(title: str, code: str | None = None, wording: str = "") -> bool:
    """Whether a material cannot be a fuel: its ``title`` names what is left after burning
    ("Coal slag", "Bottom ash"), or, with nothing named that burns in the title or in its LoW
    entry's ``wording``, its LoW ``code`` is of inorganic matter, or (without a code) its title
    names a mineral, metal, glass or inorganic chemical ("Sodium hydroxide"; not "Plastic-coated
    steel", "Acid whey")."""
    norm = without_sources(title)
    if _BURNT.search(norm):
        return True
    if _BURNS.search(norm) or _BURNS.search(normalise_text(wording)):
        return False
    if code:
        return code.startswith(_INORGANIC_CODES)
    return bool(_MINERAL.search(norm))


@lru_cache(maxsize=65536)
def asks_for_fuel(title: str) -> bool:
    """Whether a need's ``title`` asks for a fuel in so many words ("Fuel", "Alternative fuel
    for the kiln", "Brennstoff")."""
    return bool(_FUEL_WANTED.search(without_sources(title)))
