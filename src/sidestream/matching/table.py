"""Columnar (NumPy) view of listings, so that components score thousands of pairs at once."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, fields, replace
from datetime import date
from functools import lru_cache
from hashlib import blake2b
from typing import Any

import numpy as np

from sidestream.matching.carriers import (
    FUEL,
    HEAT,
    POWER,
    STEAM_LEAST_C,
    asks_for_fuel,
    carrier_of,
    does_not_burn,
    names_steam,
    temperature_in,
)
from sidestream.matching.knowledge import nace_classes_in
from sidestream.matching.schemas import Listing
from sidestream.matching.text import normalise_text
from sidestream.matching.weights import MIN_WRITTEN_HEAT_C
from sidestream.registry.properties import WATER_QUALITIES
from sidestream.taxonomy.kinds import Kind, kind_of_product
from sidestream.taxonomy.units import annualise, capacity_factor, density_of, kind_of_unit
from sidestream.taxonomy.waste_codes import waste_codes

KINDS: tuple[Kind, ...] = tuple(Kind)
UNITS = ("t", "MWh", "m3", "m2", "pallet", "t/year", "m3/year")
#: Words that mark animal by-products (Regulation (EC) 1069/2009) in a description.
ABP_WORDS = (
    "offal", "carcass", "slaughter", "blood", "bones", "feathers", "manure", "whey", "fish waste",
    "animal by-product", "animal fat", "tallow", "fleshings", "dejections", "catering waste",
)  # fmt: skip
#: LoW sub-chapters / codes whose materials are animal by-products.
ABP_CODES = ("020102", "020106", "0202", "0205", "040101", "200108", "200125")
#: LoW codes of materials the law keeps out of animal feed: faeces, urine and manure, tanned
#: hides and their waste, wood treated with preservatives, waste from waste-water treatment
#: and mixed municipal waste (Regulation (EC) No 767/2009, Annex III), catering and kitchen
#: waste (Regulation (EC) No 1069/2009, Art. 11(1)(b)), digestate and compost made from them,
#: and packaging (767/2009, Annex III). Not "not otherwise specified" entries (19 06 99: a
#: development case codes distillers' grains so).
FEED_BANNED_CODES = (
    "020106", "040108", "040109", "030104", "170204", "191206",
    "190603", "190604", "190605", "190606", "190501", "190502", "190503",
    "190801", "190802", "190805", "190809", "190812", "190814", "200108", "200301", "1501",
)  # fmt: skip
#: NACE classes that make feed (compound feed, pet food): every need of theirs is for feed.
FEED_CLASSES = frozenset({"1091", "1092"})
#: A need whose title names feed or feeding, in the interface languages and those of the
#: keyword translations ("Whey for pig liquid feeding", "Flüssigfutter", "Fütterung",
#: "svinefoder", "utfodring", "veevoeder", "krma za prašiče", "krmljenje prašičev"); not feed
#: crops, boiler feed water, an electricity feed-in or a digester's feedstock.
FEED_WORDS = re.compile(
    r"\b(?:feed(?:s|ing|stuffs?)?(?![\s-]+(?:crops?|maize|grass|water|in)\b)"
    r"|fodder(?!\s+crops?\b)|\w*foder|\w*fodring|fôr|\w*futter\w*|\w*fütter\w*|\w*voer"
    r"|\w*voeder|pienso|mangime|krm[aeiou]\w*|krmljenj\w*|rehu\w*|pasz[aey]"
    r"|alimentation animale|aliments? pour animaux)\b",
    re.IGNORECASE,
)


def implied_kind(listing: Listing) -> Kind | None:
    """The kind a listing states, or implies by its CPA product code, a List of Waste code
    (material) or an energy unit; None when nothing says."""
    if listing.kind:
        return Kind(listing.kind)
    if product := kind_of_product(listing.product_code):
        return product
    if unit := kind_of_unit(listing.unit):
        return unit
    return Kind.material if listing.waste_family else None


@lru_cache(maxsize=4096)
def _annual_factor(unit: str, period: str | None, kind: Kind) -> tuple[float, str] | None:
    try:
        annual = annualise(1.0, unit, period, kind)
    except ValueError:
        return None
    return (annual.amount, annual.unit) if annual else None


def annual_amount(listing: Listing, kind: Kind) -> tuple[float, str] | None:
    """Canonical amount per year (t, MWh, m3) or None when it cannot be worked out; for a
    capacity, the space, tonnage or pallet places free at one time (m2, m3, t, pallet) or the
    throughput free per year (t/year, m3/year; ``capacity_factor``)."""
    if listing.quantity is None or not listing.unit:
        return None
    if kind is Kind.capacity:
        factor = capacity_factor(listing.unit)
        return (listing.quantity * factor[0], factor[1]) if factor else None
    try:
        density = density_of(listing.properties)
    except ValueError:
        density = None
    if density:
        try:
            annual = annualise(listing.quantity, listing.unit, listing.period, kind, density)
        except ValueError:
            return None
        return (annual.amount, annual.unit) if annual else None
    factor = _annual_factor(listing.unit, listing.period, kind)
    return (listing.quantity * factor[0], factor[1]) if factor else None


def amount_of(listing: Listing, kind: Kind | None) -> tuple[float, str] | None:
    """The amount the engine compares (``annual_amount`` for ``kind``, the kind the listing
    states or implies, ``implied_kind``; else material); a listing of no kind whose volume gives
    no tonnes without a density is read as water (m3), so two such listings in m3 are still
    compared."""
    amount = annual_amount(listing, kind or Kind.material)
    return amount if amount or kind else annual_amount(listing, Kind.water)


def _carrier(listing: Listing, kind: Kind | None) -> int:
    if kind in (None, Kind.energy):
        return carrier_of(listing.title)
    if kind is not Kind.material or listing.direction != "need":
        return -1
    # a material wanted for heat or power is burnt: a fuel ("Fuel", "Process heat")
    burnt = carrier_of(listing.title) in (HEAT, POWER) or asks_for_fuel(listing.title)
    return FUEL if burnt else -1


def heat_temperature(stream: Any) -> float:
    """The temperature of a stream's heat as matching compares it: ``properties.temperature_c``,
    else what its title or description writes (steam named: at least 100 °C); NaN where none.
    ``stream`` is a listing or a stored stream; the valuation's heat pump reads the same
    (``impact.service.lift_cop``: it read only the stated temperature, so a need for process
    steam took 90 °C heat with no heat pump charged)."""
    stated = number_or_nan((stream.properties or {}).get("temperature_c"))
    if not np.isnan(stated):
        return stated
    return _written_temperature(stream, Kind.energy, carrier_of(stream.title))


def _written_temperature(listing: Listing, kind: Kind | None, carrier: int) -> float:
    """For heat stated or implied as energy, the temperature its title writes ("Surplus heat
    45 °C", "Process steam 180 C"; a need's range at its lower end; none below
    ``MIN_WRITTEN_HEAT_C``: "from our cold store (-25 °C)" names the source), else the first
    its description writes ("2,000 MWh a year of cooling water at 60 °C"); else NaN."""
    if kind is not Kind.energy or carrier != HEAT:
        return np.nan
    for text in (listing.title, listing.description or ""):
        written = temperature_in(text, lowest=listing.direction == "need")
        if written is not None and written >= MIN_WRITTEN_HEAT_C:
            return written
    # steam named without a temperature is at least boiling water (55 °C heat was proposed for
    # a process steam need as if it were hot enough)
    return STEAM_LEAST_C if names_steam(listing.title) else np.nan


def _does_not_burn(listing: Listing, kind: Kind | None) -> bool:
    if kind not in (None, Kind.material) or listing.direction != "offer":
        return False
    if carrier_of(listing.title) >= 0:  # it carries energy itself: "Exhaust gas", "Hot water"
        return False
    entry = waste_codes().get(listing.waste_code or "")
    return does_not_burn(listing.title, listing.waste_code, entry.description if entry else "")


def moisture_of(properties: dict) -> float:
    """``properties.moisture_pct``, else 100 less ``dry_matter_pct``; NaN when neither is a
    number (an offer's: what it holds; a need's: the most it takes)."""
    moisture = number_or_nan(properties.get("moisture_pct"))
    if np.isnan(moisture):
        moisture = 100.0 - number_or_nan(properties.get("dry_matter_pct"))
    return moisture


def _water_quality(properties: dict) -> int:
    value = str(properties.get("water_quality") or "").strip().lower()
    return WATER_QUALITIES.index(value) if value in WATER_QUALITIES else -1


def _code_number(code: str | None) -> int:
    """LoW code as an integer; a sub-chapter/chapter hint is padded with zeros (``1001`` ->
    ``100100``), which no real entry ends with, so it matches its family but no code exactly."""
    return int(code.ljust(6, "0")) if code and code.isdigit() else 0


def _day(d: date | None, missing: float) -> float:
    return float(d.toordinal()) if d else missing


def number_or_nan(value: object) -> float:
    """``value`` as a float, NaN when it is missing or not a number."""
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return float("nan")


@dataclass
class ListingTable:
    """Listings as parallel arrays (missing values are NaN / 0 / -1)."""

    listings: list[Listing]
    kind: np.ndarray
    #: Nothing states or implies the kind (read as material): such a listing is compared with
    #: those of every physical kind, so a kind given on one side only does not part a pair.
    open_kind: np.ndarray
    code: np.ndarray
    nace: list[tuple[str, ...]]
    lat: np.ndarray
    lon: np.ndarray
    amount: np.ndarray
    unit: np.ndarray
    temperature: np.ndarray
    #: Whether the temperature is stated (``properties.temperature_c``), not read from a title.
    temperature_stated: np.ndarray
    #: ``properties.water_quality`` as its index in ``WATER_QUALITIES`` (cleanest first); -1
    #: where not stated or not one of them.
    water_quality: np.ndarray
    #: Moisture in percent (``moisture_of``), NaN where not stated.
    moisture: np.ndarray
    start: np.ndarray
    end: np.ndarray
    dated: np.ndarray
    hazardous: np.ndarray
    animal_by_product: np.ndarray
    accepts_hazardous: np.ndarray
    #: A material offer the law keeps out of feed (``FEED_BANNED_CODES``) ...
    feed_banned: np.ndarray
    #: ... and a material need for feed (``FEED_CLASSES``, ``FEED_WORDS`` in its title).
    wants_feed: np.ndarray
    text: list[str]
    #: For a listing that states and implies no kind, the kind of the most similar documented
    #: exchange (``engine.read_kinds``); -1 where none was read.
    read_kind: np.ndarray
    #: The form of energy the title of an energy listing (or one of no kind, which may be read
    #: as energy) names: index in ``carriers.CARRIERS``, -1 for none; fuel for a material need
    #: that asks for one in so many words ("Fuel") or for heat or power ("Process heat").
    carrier: np.ndarray
    #: A material offer (or one of no kind) whose title or LoW code says it cannot burn.
    does_not_burn: np.ndarray
    #: Its organisation's name as a number (``organisation_key``); 0 where none is named.
    organisation: np.ndarray

    def __len__(self) -> int:
        return len(self.listings)


def build_table(listings: Sequence[Listing]) -> ListingTable:
    """Columnar view of ``listings``."""
    entries = waste_codes()
    implied = [implied_kind(x) for x in listings]
    kinds = [k or Kind.material for k in implied]
    amounts = [amount_of(x, k) for x, k in zip(listings, implied, strict=True)]
    texts = [x.text for x in listings]
    norm = [normalise_text(t) for t in texts]
    hazardous = [
        bool(x.waste_code and entries[x.waste_code].hazardous)
        or bool(x.properties.get("hazardous"))
        for x in listings
    ]
    abp = [
        bool(x.waste_code and x.waste_code.startswith(ABP_CODES)) or any(w in t for w in ABP_WORDS)
        for x, t in zip(listings, norm, strict=True)
    ]
    carriers = [_carrier(x, k) for x, k in zip(listings, implied, strict=True)]
    stated = np.array([number_or_nan(x.properties.get("temperature_c")) for x in listings], float)
    written = [
        _written_temperature(x, k, c) for x, k, c in zip(listings, implied, carriers, strict=True)
    ]
    return ListingTable(
        listings=list(listings),
        kind=np.array([KINDS.index(k) for k in kinds], dtype=np.int8),
        open_kind=np.array([k is None for k in implied], bool),
        code=np.array([_code_number(x.waste_family) for x in listings], np.int64),
        nace=[nace_classes_in(x.organisation_nace or "") for x in listings],
        lat=np.array([x.lat if x.lat is not None else np.nan for x in listings], float),
        lon=np.array([x.lon if x.lon is not None else np.nan for x in listings], float),
        amount=np.array([a[0] if a else np.nan for a in amounts], float),
        unit=np.array([UNITS.index(a[1]) if a else -1 for a in amounts], np.int8),
        temperature=np.where(np.isnan(stated), np.array(written, float), stated),
        temperature_stated=~np.isnan(stated),
        water_quality=np.array([_water_quality(x.properties) for x in listings], np.int8),
        moisture=np.array([moisture_of(x.properties) for x in listings], float),
        start=np.array([_day(x.available_from, -np.inf) for x in listings], float),
        end=np.array([_day(x.available_to, np.inf) for x in listings], float),
        dated=np.array([bool(x.available_from or x.available_to) for x in listings], bool),
        hazardous=np.array(hazardous, bool),
        animal_by_product=np.array(abp, bool),
        accepts_hazardous=np.array(
            [x.properties.get("accepts_hazardous", True) is not False for x in listings], bool
        ),
        feed_banned=np.array(
            [bool(x.waste_code and x.waste_code.startswith(FEED_BANNED_CODES)) for x in listings],
            bool,
        ),
        wants_feed=np.array(
            [
                k in (None, Kind.material) and wants_feed(x)
                for x, k in zip(listings, implied, strict=True)
            ],
            bool,
        ),
        text=texts,
        read_kind=np.full(len(listings), -1, np.int8),
        carrier=np.array(carriers, np.int8),
        does_not_burn=np.array(
            [_does_not_burn(x, k) for x, k in zip(listings, implied, strict=True)], bool
        ),
        organisation=np.array([organisation_key(x.organisation) for x in listings], np.int64),
    )


#: Names a file writes for an organisation it does not name (MAESTRI writes "ND" for every
#: undisclosed company), as ``organisation_key`` folds them: listings so named share none.
UNDISCLOSED_NAMES = frozenset({
    "", "nd", "n d", "na", "n a", "nn", "n n", "x", "xx", "xxx", "tbd", "none", "unknown",
    "not known", "unnamed", "anonymous", "anonymised", "anonymized", "undisclosed",
    "not disclosed", "confidential", "withheld", "private", "various", "not stated",
    "ukendt", "anonym", "fortrolig", "unbekannt", "vertraulich", "desconocido", "anonimo",
    "anónimo", "confidencial", "tuntematon", "inconnu", "inconnue", "anonyme", "sconosciuto",
    "riservato", "onbekend", "anoniem", "vertrouwelijk", "nieznany", "poufne", "desconhecido",
    "okänd", "konfidentiell", "ukjent", "neznano", "zaupno",
})  # fmt: skip


def organisation_key(name: str | None) -> int:
    """A number for the organisation ``name`` names, read without case, punctuation or spacing
    ("Borealis AB", "BOREALIS  AB."), for the rule that an organisation is no partner of its own
    listings; 0 where no name is given or it says the name is not disclosed
    (``UNDISCLOSED_NAMES``)."""
    folded = " ".join(re.findall(r"\w+", (name or "").casefold()))
    if folded in UNDISCLOSED_NAMES:
        return 0
    return int.from_bytes(blake2b(folded.encode(), digest_size=8).digest(), "little") >> 1 or 1


def wants_feed(listing: Listing) -> bool:
    """Whether a need is for animal feed: its organisation makes feed, or its title says so
    (the same rule values what it replaces: ``impact.service.pair_terms``)."""
    makes_feed = FEED_CLASSES & set(nace_classes_in(listing.organisation_nace or ""))
    return listing.direction == "need" and bool(makes_feed or FEED_WORDS.search(listing.title))


def take_rows(table: ListingTable, keep: np.ndarray) -> ListingTable:
    """The rows of ``table`` where the boolean mask ``keep`` is true, in order."""
    rows = np.flatnonzero(keep)
    changes = {}
    for f in fields(table):
        value = getattr(table, f.name)
        changes[f.name] = value[rows] if isinstance(value, np.ndarray) else [value[i] for i in rows]
    return replace(table, **changes)


def concat_tables(a: ListingTable, b: ListingTable) -> ListingTable:
    """The rows of ``a`` followed by those of ``b``."""
    changes = {}
    for f in fields(a):
        x, y = getattr(a, f.name), getattr(b, f.name)
        changes[f.name] = np.concatenate([x, y]) if isinstance(x, np.ndarray) else [*x, *y]
    return replace(a, **changes)
