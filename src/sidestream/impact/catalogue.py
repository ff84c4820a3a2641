"""The data tables that tie streams to factors: LoW -> categories, substitutes, routes, vehicles.

All of them are CSV files in ``impact/data`` so a reviewer can read (and change) each
mapping and its rationale without touching code.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from sidestream.impact.factors import read_data, slug
from sidestream.taxonomy.waste_codes import normalise_waste_code


@dataclass(frozen=True, slots=True)
class Category:
    """What a stream is for the factors: DEFRA material and waste categories and default route."""

    code_prefix: str
    kind: str
    material_category: str | None
    default_substitute: str | None
    disposal_category: str | None
    default_disposal_route: str | None
    rationale: str


@dataclass(frozen=True, slots=True)
class Substitute:
    """A supply the receiver stops buying: heat, electricity, mains water, or (kind
    :data:`FUEL_KIND`) a fuel a material is burnt in place of."""

    key: str
    kind: str
    emission_factor_ids: tuple[str, ...]
    efficiency_factor_id: str | None
    price_factor_id: str | None
    #: A fuel's net heating value (GJ/t): the tonnes of it a waste fuel's energy replaces.
    heating_value_factor_id: str | None
    description: str


#: ``Substitute.kind`` of a fuel a material replaces by its energy (coal in a cement kiln).
FUEL_KIND = "fuel"


@dataclass(frozen=True, slots=True)
class DisposalRoute:
    """A disposal or recovery route the supplier stops paying for."""

    route: str
    defra_column: str | None
    emission_factor_id: str | None
    gate_fee_factor_id: str | None
    diverts_waste: bool
    description: str


@dataclass(frozen=True, slots=True)
class Vehicle:
    """A transport mode with its emission and cost factor ids (none for pipes)."""

    vehicle: str
    emission_factor_id: str | None
    cost_factor_id: str | None
    description: str


@lru_cache
def categories() -> dict[tuple[str, str], Category]:
    """Rows of ``low_categories.csv`` keyed by (code prefix, kind)."""
    return {
        (r["code_prefix"], r["kind"]): Category(
            code_prefix=r["code_prefix"],
            kind=r["kind"],
            material_category=r["material_category"] or None,
            default_substitute=r["default_substitute"] or None,
            disposal_category=r["disposal_category"] or None,
            default_disposal_route=r["default_disposal_route"] or None,
            rationale=r["rationale"],
        )
        for r in read_data("low_categories.csv")
    }


def category_for(waste_code: str | None, kind: str) -> Category:
    """The most specific mapping row for a LoW code (6, 4, then 2 digits), else the kind's row."""
    table = categories()
    code = normalise_waste_code(waste_code) if waste_code else ""
    for length in (6, 4, 2):
        if len(code) >= length and (code[:length], kind) in table:
            return table[(code[:length], kind)]
    return table[("", kind)]


@dataclass(frozen=True, slots=True)
class ReceiverSubstitute:
    """What a material replaces in one receiving industry (fly ash in a cement works: clinker)."""

    code_prefix: str
    receiver_nace: str
    material_category: str
    substitution_ratio: float
    rationale: str


@lru_cache
def receiver_substitutes() -> dict[tuple[str, str], ReceiverSubstitute]:
    """Rows of ``receiver_substitutes.csv`` keyed by (LoW code prefix, receiving NACE class)."""
    return {
        (r["code_prefix"], r["receiver_nace"]): ReceiverSubstitute(
            code_prefix=r["code_prefix"],
            receiver_nace=r["receiver_nace"],
            material_category=r["material_category"],
            substitution_ratio=float(r["substitution_ratio"]),
            rationale=r["rationale"],
        )
        for r in read_data("receiver_substitutes.csv")
    }


def receiver_substitute(
    waste_code: str | None, receiver_nace: str | None
) -> ReceiverSubstitute | None:
    """What a material of ``waste_code`` replaces at a receiver of class ``receiver_nace``
    when that industry is known to use it in place of one input: the row of the most specific
    code prefix (6, 4, 2 digits; a row without one holds for any), then of the most specific
    class, group or division."""
    table = receiver_substitutes()
    code = normalise_waste_code(waste_code) if waste_code else ""
    nace = (receiver_nace or "").replace(".", "")  # "23.51" as stored: "2351"
    for length in (6, 4, 2, 0):
        for digits in (4, 3, 2):
            key = (code[:length], nace[:digits])
            if len(code) >= length and len(nace) >= digits and key in table:
                return table[key]
    return None


@lru_cache
def substitutes() -> dict[str, Substitute]:
    """Rows of ``substitutes.csv`` keyed by substitute key."""
    return {
        r["key"]: Substitute(
            key=r["key"],
            kind=r["kind"],
            emission_factor_ids=tuple(i for i in r["emission_factor_ids"].split(";") if i),
            efficiency_factor_id=r["efficiency_factor_id"] or None,
            price_factor_id=r["price_factor_id"] or None,
            heating_value_factor_id=r["heating_value_factor_id"] or None,
            description=r["description"],
        )
        for r in read_data("substitutes.csv")
    }


def fuel_substitute(key: str | None) -> Substitute | None:
    """The fuel ``key`` names (a material burnt in its place: coal in a cement kiln), else
    ``None``."""
    found = substitutes().get(key or "")
    return found if found is not None and found.kind == FUEL_KIND else None


@lru_cache
def disposal_routes() -> dict[str, DisposalRoute]:
    """Rows of ``disposal_routes.csv`` keyed by route."""
    return {
        r["route"]: DisposalRoute(
            route=r["route"],
            defra_column=r["defra_column"] or None,
            emission_factor_id=r["emission_factor_id"] or None,
            gate_fee_factor_id=r["gate_fee_factor_id"] or None,
            diverts_waste=r["diverts_waste"] == "true",
            description=r["description"],
        )
        for r in read_data("disposal_routes.csv")
    }


@lru_cache
def vehicles() -> dict[str, Vehicle]:
    """Rows of ``vehicles.csv`` keyed by vehicle."""
    return {
        r["vehicle"]: Vehicle(
            vehicle=r["vehicle"],
            emission_factor_id=r["emission_factor_id"] or None,
            cost_factor_id=r["cost_factor_id"] or None,
            description=r["description"],
        )
        for r in read_data("vehicles.csv")
    }


def material_factor_id(category: str, column: str) -> str:
    """Id of a DEFRA material-use factor, e.g. (``'Wood'``, ``'primary_material_production'``)."""
    return f"material.{slug(category)}.{column}"


def disposal_factor_id(category: str, route: DisposalRoute) -> str | None:
    """Id of the DEFRA waste-disposal factor of ``category`` by ``route``, or the route's own."""
    if route.defra_column is None:
        return route.emission_factor_id
    return f"disposal.{slug(category)}.{slug(route.defra_column)}"
