"""Impact of a pair of listings (what a match would be worth) and the factor catalogue."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, Protocol

from pydantic import BaseModel, ValidationError

from sidestream.access.policy import quantity_class_top
from sidestream.errors import CheckAll, FieldError, InvalidInput
from sidestream.impact.accounting import UNKNOWN_USE, account_exchange
from sidestream.impact.catalogue import (
    ReceiverSubstitute,
    category_for,
    fuel_substitute,
    receiver_substitute,
)
from sidestream.impact.factors import DEFAULT_VERSION, load_factor_set
from sidestream.impact.heat_pump import MAX_LIFT_K, delivered_per_heat, heat_pump_cop
from sidestream.impact.schemas import Exchange, ImpactResult
from sidestream.matching.carriers import FUEL, carrier_of
from sidestream.matching.schemas import Listing
from sidestream.matching.table import (
    annual_amount,
    heat_temperature,
    number_or_nan,
    wants_feed,
)
from sidestream.taxonomy.kinds import CANONICAL_UNIT, PHYSICAL_KINDS, Kind
from sidestream.taxonomy.waste_codes import normalise_waste_code

#: ``receiver_substitutes.csv``'s material of an industry that recycles a material as itself
#: (scrap in a steelworks, recovered paper in a paper mill): the virgin material of its category.
OWN_MATERIAL = "(own)"
#: What an offered fuel (biogas, biomethane, a process gas) replaces: natural gas, fuel for
#: fuel (``substitutes.csv``); heat is the default of energy.
FUEL_SUBSTITUTE = "natural_gas"


class FactorOut(BaseModel):
    """One factor of a factor set with its provenance."""

    id: str
    quantity: str
    value: float
    unit: str
    year: int
    source: str
    citation: str
    version: str
    note: str


class FactorCatalogue(BaseModel):
    """A factor set as published: version and every factor."""

    version: str
    total: int
    factors: list[FactorOut]


class PairImpact(BaseModel):
    """What an exchange between an offer and a need would be worth, and what it assumed."""

    offer_id: str
    need_id: str
    exchange: Exchange
    basis: str
    result: ImpactResult


def factor_catalogue(version: str = DEFAULT_VERSION, prefix: str | None = None) -> FactorCatalogue:
    """The factors of ``version`` (optionally those whose id starts with ``prefix``)."""
    fs = load_factor_set(version)
    factors = [
        FactorOut(
            id=f.id,
            quantity=f.quantity,
            value=f.value,
            unit=f.unit,
            year=f.year,
            source=f.source,
            citation=f.citation,
            version=f.version,
            note=f.note,
        )
        for f in fs.values()
        if not prefix or f.id.startswith(prefix)
    ]
    return FactorCatalogue(version=fs.version, total=len(factors), factors=factors)


class Side(Protocol):
    """What the value of a link reads of each side: a listing or a stored stream."""

    kind: Any
    direction: Any
    title: str
    description: str | None
    waste_code: str | None
    properties: Any
    organisation_nace: str | None


def pair_terms(offer: Side, need: Side | None) -> dict[str, Any]:
    """What decides the value of one unit sent from ``offer`` to ``need``, the same for a
    match, a network plan, its report and realised deliveries: the offer's kind and code, what
    the receiver stops buying (what its industry uses the material in place of, as fly ash
    replaces clinker in a cement works and scrap virgin steel in a steelworks; else, where the
    need asks for that very material, its virgin production; else nothing known),
    the disposal the supplier avoids where its offer says (``properties.avoided_disposal``;
    else the default of its code), natural gas for an offered fuel (by energy content, not as
    boiler heat), the offer's heating value where it is burnt in place of a fuel (refuse-derived
    fuel for a cement kiln's coal) and the heat pump that lifts the offer's heat to the need's
    temperature (``need`` ``None``: deleted)."""
    kind = str(offer.kind or "material")
    needed, ratio, disposal = None, 1.0, None
    if kind in ("material", "water") and need is not None:
        if instead := _receiver_row(offer, need, kind):
            needed, ratio = instead.material_category, instead.substitution_ratio
            if needed == OWN_MATERIAL:  # recycled as itself: scrap in a steelworks
                needed = _same_material(offer, need, asked=False)
                ratio = ratio if needed != UNKNOWN_USE else 0.0
        elif kind == "material":
            needed = _same_material(offer, need)
            ratio = 1.0 if needed != UNKNOWN_USE else 0.0
        if kind == "material" and needed not in (None, UNKNOWN_USE) and wants_feed(need):
            needed = "none"  # feed ingredients, which the factor set cannot value: not food
    if kind == "water":  # water the sites draw and return themselves is neither bought...
        if needed is None and _water_network(need) == "own":
            needed = "none"
        if _water_network(offer) == "own":  # ...nor treated by the utility
            disposal = "none"
    if kind in ("material", "water"):  # where the supplier says it goes today, if anywhere
        disposal = _property(offer, "avoided_disposal") or disposal
    if kind == "energy" and carrier_of(offer.title) == FUEL:  # a gas burnt in place of gas
        needed = FUEL_SUBSTITUTE
    return {
        "kind": kind,
        "waste_code": offer.waste_code,
        "substitutes": needed,
        "substitution_ratio": ratio,
        "avoided_disposal": disposal,
        "heat_pump_cop": lift_cop(offer, need) if kind == "energy" and need is not None else None,
        "lower_heating_value_mj_kg": _heating_value(offer) if fuel_substitute(needed) else None,
    }


def _receiver_row(offer: Side, need: Side, kind: str) -> ReceiverSubstitute | None:
    """The receiving industry's row for what it takes (coded rows are for materials): found
    through the need's code where it states one (what it asks for), else the offer's. A row
    found through the need's code holds only for an offer of that material (no code stated,
    the same code or category) or, between fuels, for another fuel it burns in place of the
    same one (tyres for a kiln asking for refuse-derived fuel): refuse-derived fuel sent to a
    cement works' need for fly ash had counted 15,000 t CO2e of clinker (stop 34)."""
    if kind != "material":
        return receiver_substitute(None, need.organisation_nace)
    row = receiver_substitute(need.waste_code or offer.waste_code, need.organisation_nace)
    if row is None or not (need.waste_code and offer.waste_code) or _same_kind(offer, need):
        return row
    own = receiver_substitute(offer.waste_code, need.organisation_nace)
    if own and fuel_substitute(own.material_category) and fuel_substitute(row.material_category):
        return own
    return None


def _same_kind(offer: Side, need: Side) -> bool:
    """Whether two coded sides are of one material: the same code, or the same category."""
    if normalise_waste_code(offer.waste_code) == normalise_waste_code(need.waste_code):
        return True
    offered = category_for(offer.waste_code, "material").material_category
    return (
        offered is not None
        and offered == category_for(need.waste_code, "material").material_category
    )


def _heating_value(offer: Side) -> float | None:
    """The offer's ``properties.lower_heating_value_mj_kg`` where it is a positive number."""
    props = offer.properties if isinstance(offer.properties, Mapping) else {}
    value = number_or_nan(props.get("lower_heating_value_mj_kg"))
    return value if value > 0 else None


def _same_material(offer: Side, need: Side, asked: bool = True) -> str:
    """The virgin material of the category both sides are of: where the need asks for that very
    material (its code is of the offer's category, or the offer states no code) or, with
    ``asked=False``, where a receiving industry recycles the offer's material as itself (the
    need states no code, or one of the same category); else ``UNKNOWN_USE``, as what an
    undocumented use replaces is not known. The offer's own category was taken before stop 31:
    chrome-tanned leather shavings sent to a need for fleshings counted as new clothing not
    produced (55,780 t CO2e a year), refuse-derived fuel sent to a need for textile cut-offs as
    clothing too; and one side's category is never the other's (tomato stalks sent to a
    pellet maker's sawdust need are no wood)."""
    wanted = category_for(need.waste_code, "material").material_category
    own = category_for(offer.waste_code, "material").material_category
    if need.waste_code and wanted and (own == wanted or not offer.waste_code):
        return wanted
    if not asked and own and not need.waste_code:
        return own
    return UNKNOWN_USE


def _water_network(side: Side | None) -> str | None:
    """``properties.water_network`` of a side: ``own`` where a need draws its water from a
    river, lake, the sea or a well (it buys none: nothing bought is replaced, the water still
    counts as saved) or an offer's water goes back there (no treatment charge is avoided);
    ``public`` or unstated: mains water bought, and the sewer's charge."""
    return _property(side, "water_network")


def _property(side: Side | None, key: str) -> str | None:
    """A choice property of a side as the registry reads it (trimmed, lower case), or ``None``
    where not stated."""
    props = (side.properties or {}) if side is not None else {}
    value = props.get(key) if isinstance(props, Mapping) else None
    return str(value).strip().lower() if value else None


def pair_exchange(
    offer: Listing, need: Listing, distance_km: float | None
) -> tuple[Exchange, str] | None:
    """The yearly exchange a matched offer and need would make, from what the caller sees.

    The amount is the smaller of the two canonical annual amounts (the one known when the
    other is missing or hidden); the offer's price, when in the canonical unit, is the transfer
    price. ``None`` for kinds without indicators or when no amount is known.
    """
    terms = pair_terms(offer, need)
    kind, cop = terms["kind"], terms["heat_pump_cop"]
    if kind not in PHYSICAL_KINDS:
        return None
    unit = CANONICAL_UNIT[kind]
    amounts, tops = {}, {}
    for side, listing in (("offer", offer), ("need", need)):
        annual = annual_amount(listing, Kind(kind))
        # an amount of 0 is none stated (as the quantity reason reads it); the need's heat is
        # met partly by the pump's power
        share = 1.0 / delivered_per_heat(cop) if cop and side == "need" else 1.0
        if annual and annual[0] > 0 and annual[1] == unit:
            amounts[side] = annual[0] * share
        elif (top := quantity_class_top((listing.properties or {}).get("quantity_class"))) and (
            top[1] == unit
        ):  # an anonymous stream shows only its amount's decade
            tops[side] = top[0] * share
    if not amounts:
        return None
    side = min(amounts, key=amounts.__getitem__)
    basis = (
        f"smaller of the two annual amounts (the {side}'s)"
        if len(amounts) == 2
        else f"the {side}'s annual amount (the other side's is not known to you)"
    )
    other = "need" if side == "offer" else "offer"
    if len(amounts) == 1 and other in tops and tops[other] < amounts[side]:
        amounts[side] = tops[other]
        basis = (
            f"the most the {other}'s amount class allows ({tops[other]:,.0f} {unit} a "
            "year; its exact amount is not known to you)"
        )
    if cop:
        basis += f"; a heat pump lifts the heat to the need's temperature (COP {cop:.1f})"
    price = offer.price_eur_per_unit if offer.unit == unit else None
    exchange = Exchange(
        **terms,
        amount=amounts[side],
        unit=unit,
        distance_km=distance_km or 0.0,
        transfer_price_eur_per_unit=price or 0.0,
    )
    return exchange, basis


def lift_cop(offer: Side, need: Side) -> float | None:
    """COP of the heat pump that lifts the offer's heat to the need's temperature; ``None``
    when either temperature is unknown, the offer is hot enough or no heat pump can lift it."""
    source, sink = _temperatures(offer, need)
    if math.isnan(source) or math.isnan(sink):
        return None
    return heat_pump_cop(source, sink)


def _temperatures(offer: Side, need: Side) -> tuple[float, float]:
    """The offer's and the need's temperatures as matching reads them (stated, else written in
    the title or description; NaN where neither)."""
    return heat_temperature(offer), heat_temperature(need)


def account_pair(
    offer: Listing,
    need: Listing,
    distance_km: float | None,
    changes: Mapping[str, object] | None = None,
    assumptions: Mapping[str, object] | None = None,
) -> PairImpact:
    """Impact of the exchange of :func:`pair_exchange`, with the caller's edits applied.

    ``changes`` overrides fields of the exchange (``amount``, ``distance_km``, ``vehicle``,
    prices ...); ``assumptions`` overrides factors by id. Raises ``InvalidInput`` with every
    broken rule when the pair cannot be accounted: each malformed or unknown edit at its name
    in the exchange, each bad override at ``("assumptions", id, ...)``.
    """
    found = pair_exchange(offer, need, distance_km)
    kind = offer.kind or "material"
    if kind not in PHYSICAL_KINDS:
        raise InvalidInput("kind", f"no impact indicators for '{kind}' streams")
    every = CheckAll()  # every broken rule of the edits and the overrides, in one answer
    if found is None and not (changes or {}).get("amount"):
        every.add("amount", "neither stream states an annual amount; give 'amount'")
    base, basis = found or (Exchange(**pair_terms(offer, need), amount=0.0), "")
    edits = dict(changes or {})
    if "substitutes" in edits:  # the receiver's ratio was for what it replaces by default
        edits.setdefault("substitution_ratio", 1.0)
    exchange = _edited(base, edits, every)
    result = None
    with every.check():  # the accounting's rules (a vehicle, a substitute) and the overrides
        result = account_exchange(exchange, assumptions=assumptions)
    every.done()
    assert result is not None
    if edits:
        basis = f"{basis}; edited: {', '.join(sorted(edits))}".lstrip("; ")
    lift = _beyond_a_heat_pump(offer, need) if kind == "energy" else None
    if lift:
        result.warnings.append(lift)
    return PairImpact(
        offer_id=offer.id, need_id=need.id, exchange=exchange, basis=basis, result=result
    )


def _edited(base: Exchange, edits: Mapping[str, object], every: CheckAll) -> Exchange:
    """``base`` with ``edits`` applied. Each malformed edit is added to ``every`` at its name
    in the exchange (``amount``; ``changes`` for a rule of the whole), and the exchange with
    the other edits is returned, for the accounting to check them too."""
    try:
        return Exchange.model_validate({**base.model_dump(exclude_none=True), **edits})
    except ValidationError as exc:
        errors = exc.errors()
    every.errors += [
        FieldError(
            tuple(e["loc"]) or ("changes",), e["msg"].removeprefix("Value error, "), e["type"]
        )
        for e in errors
    ]
    bad = {e["loc"][0] for e in errors if e["loc"]}
    kept = {k: v for k, v in edits.items() if k not in bad}
    try:
        return Exchange.model_validate({**base.model_dump(exclude_none=True), **kept})
    except ValidationError:  # a rule of the whole exchange: the stored pair's alone
        return base


def _beyond_a_heat_pump(offer: Listing, need: Listing) -> str | None:
    """A warning when the offer's heat is colder than the need's by more than a heat pump
    lifts (the estimate then credits heat the need could not use)."""
    source, sink = _temperatures(offer, need)
    if sink - source > MAX_LIFT_K:  # False when either is NaN
        return (
            f"the offer's {source:.0f} °C is more than a heat pump's {MAX_LIFT_K:.0f} K below"
            f" the need's {sink:.0f} °C: this heat cannot serve it"
        )
    return None
