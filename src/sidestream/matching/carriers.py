"""The form of energy a listing is, or asks for: heat, power, fuel or cold, read from its title;
the temperature it states; and whether a material cannot burn.

Two energy listings of different forms may not fit: heat is no feedstock for a methane
fermenter, electricity rarely what a "Process heat" need asks for (``weights.CARRIER_FIT``
says how well each form serves each other form); slag is no fuel (``weights.NOT_A_FUEL``).
"""

from __future__ import annotations

import re
from functools import lru_cache

from sidestream.matching.text import (
    normalise_text,
    purpose_starts,
    without_sources,
)

#: The forms of energy told apart, in the order of ``weights.CARRIER_FIT``'s rows and columns.
CARRIERS: tuple[str, ...] = ("heat", "power", "fuel", "cold")
HEAT, POWER, FUEL, COLD = range(len(CARRIERS))

#: Words for each form (normalised: lower case, no accents) in the keyword languages (en, de,
#: fr, it, es/pt, nl, da/nb, sv, fi, sl, pl). Heat words end compounds too ("Prozesswärme",
#: "spillvärme", "hukkalämpö"); flue and exhaust gas are heat carriers, not fuels; a heat sink
#: or heat rejection asks for cold; a heat exchanger, store or pump is equipment; a steam
#: reformer or cracker is a plant. Bare "gas" and "power" say too little ("power plant", "flue
#: gas"), as do words that are everyday words elsewhere: "el", "para", "damp", "kyla"
#: (Danish electricity, Slovenian steam, Danish steam, Swedish cold; "the", "for", "moist",
#: Finnish "village").
_WORDS: dict[str, str] = {
    "heat": r"heat(?! (?:sink|rejection|removal|dissipation|exchangers?|storage|insulation"
    r"|pumps?|pipes?|tanks?|resist\w*|proof|shrink\w*|seal\w*|transfer|transmission|carrier"
    r"|treat\w*|insulat\w*|stabili\w*|stable|meters?|press\w*|recovery (?:units?|ventilat\w*"
    r"|systems?|equipment)))|heating(?! (?:oil|boilers?|radiators?|pipes?|elements?|cables?"
    r"|installations?|systems?|equipment|services?))|steam(?! (?:reform|crack))"
    r"|(?:hot|warm)(?: (?:cooling|process|return|waste))? water"
    r"|thermal energy|energia termica|energie thermique|thermische energie|energia cieplna"
    r"|flue gas|exhaust gas|\w*warme|\w*heizung|\w*dampf|chaleur|chauffage"
    r"|vapeur|calore|riscaldamento|vapore|calor|calefaccion|aquecimento|vapor|\w*warmte"
    r"|verwarming|stoom|\w*varme|opvarmning|oppvarming|uppvarmning|anga|\w*lampo[a]?"
    r"|lammitys|hoyry|toplota|ogrevanje|cieplo|ogrzewanie|teplo",
    "power": r"electricity|electric power|electrical energy|strom|elektrizitat|electricite"
    r"|energie electrique|elettricita|energia elettrica|electricidad|eletricidade"
    r"|energia electrica|energia eletrica|elektriciteit|elektricitet|elkraft|sahko|elektrika"
    r"|elektricna energija|energia elektryczna",
    "fuel": r"fuel|fuel gas|heating oil|fuel oil|natural gas|biogas|biomethane|methane"
    r"|refinery gas|process gas|biometan|biomethan|fordonsgas|biogass"
    r"|hydrogen(?! (?:peroxide"
    r"|sulphide|sulfide|chloride))|syngas|off-?gas|tail gas|purge gas|landfill gas"
    r"|coke oven gas|blast furnace gas|lpg|\w*brennstoff|\w*erdgas|wasserstoff|combustible"
    r"|combustivel|carburant|carburante|gaz naturel|biogaz|hydrogene|combustibile|metano"
    r"|idrogeno|hidrogeno|brandstof|aardgas|waterstof|braendsel|brensel|bransle|naturgas|brint"
    r"|vatgas|polttoaine|maakaasu|vety|gorivo|zemeljski plin|bioplin|vodik|paliwo|paliwa",
    "cold": r"heat sink|heat rejection|heat removal|heat dissipation|cold|chilled|refrigeration"
    r"|(?:prozess|fern)?kalte|froid|freddo|frio|koude|kulde|hlad|chlod",
}
_FORMS = [re.compile(rf"(?<![\w-])(?:{words})(?![\w-])") for words in _WORDS.values()]
#: Words for cooling: cold, unless the title names water (cooling water leaves a cooler warm).
_COOLING = re.compile(
    r"(?<![\w-])(?:cooling|\w*kuhlung|refroidissement|raffreddamento|refrigeracion"
    r"|arrefecimento|koeling|(?:fjern|proces|process|fri|komfort)?(?:koling|kjoling|kylning)"
    r"|fjarrkyla|jaahdytys|hlajenje|chlodzenie)(?![\w-])"
)
_WATER = re.compile(
    r"(?<![\w-])(?:water|\w*wasser|eau|acqua|agua|\w*water|vand|vann|vatten|vesi|voda|woda)"
    r"(?![\w-])"
)
#: Words saying that what is named is replaced, not wanted ("Natural gas replacement").
_REPLACED = re.compile(
    r"(?<![\w-])(?:replace\w*|substitut\w*|instead|\w*ersatz|remplac\w*|sostitu\w*"
    r"|sustitu\w*|vervang\w*|erstat\w*|ersatt\w*|korvaa\w*|nadomest\w*|zamien\w*)(?!\w)"
)
#: Words that only ask ("Looking for steam for drying"): the title is read past them.
_ASKING = re.compile(
    r"^\W*(?:(?:we|are|is|urgently|currently|(?:we )?(?:are )?looking|seeking|searching|wanted"
    r"|needed|need|require[ds]?|sought|buy|buying|suchen|gesucht|suche|cherche|recherche|cerco"
    r"|cerchiamo|busco|buscamos|zoeken|gezocht|soger|soker|etsitaan|iscemo|szukamy)\W*)*$"
)

#: What is left after burning (ash, slag, clinker): it names a material that does not burn
#: whatever it came from ("Coal fly ash"). Not "slags", "laitier" or a word ending in "ash"
#: (Danish "all slags", French dairy, "slash", "trash", "mash").
_BURNT = re.compile(
    r"(?<![\w-])(?:ash|ashes|flyash|slag|clinker|(?:flug|rost|holz|kessel|kohle|bett)?asche"
    r"|\w*schlacke|cendres?|ceneri|scori[ae]|cenizas?|escorias?|aske|slagge|aska|slagg|tuhka"
    r"|kuona|pepel|zlindra|popiol|popioly|zuzel|zuzle)(?![\w-])"
)
#: Minerals, metals, glass and inorganic chemicals: they do not burn, unless the text also
#: names something that does ("Plastic-coated steel", "Oily sand", "PE film scrap").
_MINERAL = re.compile(
    r"(?<![\w-])(?:glass|metals?|scrap|iron|steel|alumini?um|copper|zinc|concrete|bricks?"
    r"|tiles?|ceramics?|gypsum|sand|soil|stones?|gravel|rubble|lime|limestone|chalk|cement"
    r"|silica|acids?|alkali|hydroxides?|salts?|sul(?:ph|f)ates?|chlorides?|calcium|catalysts?"
    r"|glas|metall|schrott|eisen|stahl|beton|ziegel|gips|kalk|zement|verre|ferraille|acier"
    r"|platre|sable|chaux|ciment|acide|vetro|rottame|ferro|acciaio|calcestruzzo|gesso"
    r"|sabbia|calce|cemento|acido|vidrio|chatarra|hierro|acero|hormigon|yeso"
    r"|schroot|ijzer|staal|zand|zuur|skrot|jern|betong|syre|syra|lasi|romu|rauta"
    r"|teras|betoni|kipsi|hiekka|kalkki|sementti|happo|steklo|zelezo|jeklo|sadra|pesek"
    r"|apno|kislina|szklo|zlom|zelazo|piasek|wapno|ammonium|ammonia|nitrates?|phosphates?"
    r"|thiosul(?:ph|f)ates?|fertili[sz]ers?)(?!\w)"
)
#: What burns: fuels (``_WORDS["fuel"]``) and the materials burnt as fuels.
_BURNS = re.compile(
    rf"(?<!\w)(?:{_WORDS['fuel']}|coal|coke|char|charcoal|wood|sawdust|bark|paper"
    r"|cardboard|plastics?|plast|rubber|tyres?|tires?|oils?|oily|fats?|fatty|greases?|wax"
    r"|waxes|tar|pitch|bitumen|anodes?|solvents?|biomass|straw|husks?|shells?|kernels?|olive"
    r"|cherry|carpets?|pe|pp|pet|ps|pvc|hdpe|ldpe|eps|poly\w+|lactic|acetic|citric|formic"
    r"|kohle|koks|holz|papier|kunststoff|gummi|charbon|bois|plastique|carbone|legno|carta"
    r"|plastica|carbon|madera|papel|hout|kul|trae|hiili|puu|paperi|muovi|premog|papir"
    r"|plastika|drewn\w*|trocin\w*|wegl\w*|tworzyw\w*|gum[ay]|olej\w*|whey|milk|food"
    r"|organic|manure|animal|fish|grains?|fibres?|fibers?|textiles?"
    r"|leather|peels?|fruit|citrus|pulp|molke|lebensmittel|valle|lactoserum|siero|suero|wei"
    r"|vassle|sirotka)(?!\w)"
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
#: A need asking for a fuel in so many words, singular, plural or definite ("Alternativa
#: bränslen", "brændslet"); a need for "biogas co-substrate" asks for what a biogas plant
#: digests, not for a fuel.
_FUEL_WANTED = re.compile(
    r"(?<![\w-])(?:\w*fuels?|\w*brennstoffe?|combustibles?|carburants?|combustibili|brandstof"
    r"|braendsel\w*|brensel\w*|bransle\w*|polttoaine\w*|goriv[oa]|paliw[oa])(?!\w)"
)
#: A boiler, whose material need is what it burns ("Wood chips for the biomass boiler", "til
#: biomassekedlen"), unless the title names water ("Boiler feed water") or what a boiler leaves
#: ("Boiler ash for road base"); the word and its inflections, not compounds it begins
#: ("kedelaske", "markedene").
_BOILER = re.compile(
    r"(?<![\w-])(?:\w*boilers?|\w*kessels?|chaudieres?|caldaias?|calderas?|\w*ketels?"
    r"|\w*kedel|\w*kedl(?:en|er|erne)|\w*kjele(?:n|r|ne)?|\w+pannan?|\w+pannor(?:na)?"
    r"|\w*kattila(?:n|an|ssa|t)?|\w*kotel|kotl(?:a|u|om|i|ov|ow)|\w*kociol)(?!\w)"
)


def heat_word(normalised_text: str) -> re.Match[str] | None:
    """The first word for heat in an already normalised text ("heat", "Prozesswärme",
    "värme"; not "heat-treated", "heat exchanger"): in a stream stated as energy that names
    nothing else, it names what "waste heat" names (``SectorModel``)."""
    return _FORMS[HEAT].search(normalised_text)


def _forms_in(normalised: str) -> set[int]:
    found = {i for i, form in enumerate(_FORMS) if form.search(normalised)}
    if _COOLING.search(normalised) and not _WATER.search(normalised):
        found.add(COLD)
    return found


@lru_cache(maxsize=65536)
def carrier_of(title: str) -> int:
    """Index in ``CARRIERS`` of the one form of energy ``title`` names, -1 when it names none
    or several. Read: what comes before the first word of purpose ("Biogas for heat and power"
    is fuel; "Renewable energy for hydrogen production" names none: what it is for names the
    user), past words that only ask ("Looking for steam for drying": steam); not read: where it
    comes from ("Heat from our biogas plant" is heat); a form said to be replaced ("Natural gas
    replacement for greenhouse heating": none)."""
    part = _wanting_part(title)
    if part is None or _REPLACED.search(part):
        return -1  # none named, or what it replaces, not what it wants
    forms = _forms_in(part)
    return forms.pop() if len(forms) == 1 else -1


def _wanting_part(title: str) -> str | None:
    """The start of ``title`` (sources blanked) that names the forms it has or wants: up to the
    first word of purpose after a form, read past words that only ask; None without one."""
    blanked = without_sources(title)
    start = 0
    for end in purpose_starts(title):
        if _forms_in(blanked[:end]):
            return blanked[:end]
        if not _ASKING.match(blanked[start:end]):
            return None
        start = end
    return None


#: Steam is water boiled: at least 100 °C (process steam is usually hotter, 120–250 °C).
STEAM_LEAST_C = 100.0
#: Words for steam (normalised), in the keyword languages: not Danish "damp" or Slovenian
#: "para" alone, everyday words elsewhere ("moist", "for"); their compounds are
#: ("procesdamp", "Prozessdampf").
_STEAM = re.compile(
    r"(?<![\w-])(?:steam(?! (?:reform|crack))|\w*dampf|\w+damp|vapeur|vapore|vapor|stoom"
    r"|anga|angan|process?anga|\w*hoyry|\w+para|parowy|pary)(?![\w-])"
)


@lru_cache(maxsize=65536)
def names_steam(title: str) -> bool:
    """Whether ``title`` asks for or has steam: the heat it names, read as :func:`carrier_of`
    reads forms, is steam ("Process steam for sterilisation", "Looking for steam for drying";
    not "Heat for steam production")."""
    part = _wanting_part(title)
    return carrier_of(title) == HEAT and part is not None and bool(_STEAM.search(part))


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
    for the kiln", "Brennstoff") or for what a boiler burns ("Wood chips for the boiler")."""
    norm = without_sources(title)
    burner = _BOILER.search(norm) and not _WATER.search(norm) and not _BURNT.search(norm)
    return bool(_FUEL_WANTED.search(norm) or burner)


#: A number written with thousands separators: 1,200 or 1.200 (never 3 decimals of a °C).
_THOUSANDS = re.compile(r"-?\d{1,3}(?:[,.]\d{3})+")
#: A temperature: a number, then °C as written by hand and keyboard ("45 °C", "45°C", "45 ºC",
#: "45 ℃", "45 C", "45 degC", "45 degrees C", "45 Celsius") or the word for degrees in the
#: keyword languages ("60 Grad", "60 grader", "60 graden", "60 gradi", "60 grados", "60 degrés",
#: "60 astetta", "60 stopinj", "60 stopni"); or Fahrenheit ("140 °F", "140 degrees F"),
#: converted. A bare "C" counts only as :func:`_bare_degrees` says ("Heat 45 C"; not "Grade 3
#: C-rated", "45 Cu", "Industrivej 12C" or "hall 3 C").
_TEMPERATURE = re.compile(
    r"((?:(?<!\d)[-−])?\d+(?:[.,]\d+)?)\s*(?:(?:[°º˚]\s*C|℃|degrees? c(?:elsius)?|deg\.? ?c"
    r"|celsius|(?P<bare>(?-i:C))(?!-)|grad(?:er|en|i|os)?|degr[eé]s|astetta|stopinj|stopni)"
    r"(?!\w)(?![.,]\d)|(?P<f>[°º˚]\s*F|℉|degrees? f(?:ahrenheit)?|deg\.? ?f)(?!\w))",
    re.IGNORECASE,
)
#: A difference, not a temperature: "ΔT 10 °C", "delta T 10 °C", "dT = 10 °C".
_DIFFERENCE = re.compile(r"(?:δ|delta|\bd)\s*t\s*[=:]?\s*$", re.IGNORECASE)
#: The first end of a range written before a temperature ("25-35 °C", "25 to 35 °C", "85/55 °C":
#: flow and return).
_RANGE_START = re.compile(
    r"(\d+(?:[.,]\d+)?)\s*(?:[°º˚]\s*C\s*)?(?P<sep>[-–—/]|to|bis|til|till|à)\s*$", re.IGNORECASE
)
#: The other end written after a temperature ("45 °C - 60 °C", "45°C to 60°C").
_RANGE_END = re.compile(
    r"\s*(?:[-–—]|to|bis|til|till|à)\s*(\d+(?:[.,]\d+)?)\s*(?:[°º˚]\s*C|℃)", re.IGNORECASE
)


def _number(written: str) -> float:
    if _THOUSANDS.fullmatch(written):
        return float(written.replace(",", "").replace(".", ""))
    return float(written.replace(",", ".").replace("−", "-"))


def _bare_degrees(text: str, found: re.Match[str]) -> bool:
    """Whether a bare "C" after a number means °C: the number stands alone, has two digits or
    more, and a space parts it from the "C" ("Heat 45 C"; not "12C", "hall 3 C", "A12 C")."""
    start, number = found.start(1), found.group(1).lstrip("-−")
    alone = not start or text[start - 1].isspace()
    return alone and len(number) >= 2 and text[found.start("bare") - 1].isspace()


def temperature_in(text: str, lowest: bool = False) -> float | None:
    """The first temperature written in ``text``, in °C ("60 °C", "85°C", "90 degrees C", "45 C",
    "60 Grad", "28,5 °C", "140 °F"; "1,200 °C" and "1.200 °C" are thousands; not a difference,
    "ΔT 10 °C"). Of a range ("25-35 °C", "45 °C to 60 °C") the upper end, the most a stream
    reaches, or with ``lowest`` the lower end, the least a need takes; of flow and return
    ("85/55 °C") the flow."""
    text = text or ""
    for found in _TEMPERATURE.finditer(text):
        start = found.start(1)
        if _DIFFERENCE.search(text[:start]):
            continue
        if found.group("bare") and not _bare_degrees(text, found):
            continue
        value = _number(found.group(1))
        first = _RANGE_START.search(text[:start])
        after = None if first else _RANGE_END.match(text, found.end())
        if first and first.group("sep") == "/":
            value = _number(first.group(1))
        elif first or after:
            other = _number(first.group(1) if first else after.group(1))
            value = min(value, other) if lowest else max(value, other)
        return round((value - 32) * 5 / 9, 1) if found.group("f") else value
    return None
