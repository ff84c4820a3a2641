"""Quantities with pint: parse units, annualise by period, convert to the canonical unit."""

from __future__ import annotations

import math
import re
import tokenize
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import pint

from sidestream.taxonomy.kinds import CANONICAL_UNIT, Kind, Period

#: The largest quantity or price (in absolute value) a stream, a delivery or agreed terms may
#: state, in any unit: a trillion (the world's waste is a few billion tonnes a year); larger
#: figures are typing errors and would swamp every total they enter.
MAX_QUANTITY = 1e12

#: The time a period's quantity flows in: "10 t per day" is the rate 10 t/day, annualised over
#: pint's year as a rate unit is (365.25 days; a month is a twelfth of it). A one-off amount
#: and an amount per year count once.
PERIOD_UNITS: dict[Period, str] = {
    Period.per_month: "month",
    Period.per_week: "week",
    Period.per_day: "day",
}

_ALIASES = {
    "tonne": "t",
    "kt": "kilotonne",
    "tonnes": "t",
    "ton": "t",
    "tons": "t",
    "tpa": "t/year",
    "t/yr": "t/year",
    "m³": "m3",
    "m²": "m2",
    "m^3": "m3",
    "cbm": "m3",
    "l": "liter",
    "litre": "liter",
    "litres": "liter",
    "mwh/yr": "MWh/year",
    "kwh/yr": "kWh/year",
    "gj": "GJ",
    "mwh": "MWh",
    "kwh": "kWh",
    "gwh": "GWh",
    "mw": "MW",
    "kw": "kW",
    "t/a": "t/year",
    "m3/a": "m3/year",
    "mwh/a": "MWh/year",
    "pallets": "pallet",
    "pallet places": "pallet",
    "pallet spaces": "pallet",
    "pallet positions": "pallet",
}


@lru_cache
def registry() -> pint.UnitRegistry:
    """The shared pint registry, with ``t`` as metric tonne, ``m3`` as cubic metre and
    ``pallet`` (pallet places) as a count."""
    ureg = pint.UnitRegistry()
    ureg.define("m3 = meter ** 3")
    ureg.define("m2 = meter ** 2")
    ureg.define("Nm3 = meter ** 3")
    # a count of its own dimension: storage is let by the pallet place, not only by m2
    ureg.define("pallet = [pallet] = pallet_place = pallet_space = pallet_position")
    return ureg


#: Words inside a compound unit read as Europe writes them: a ton is a metric tonne (pint's
#: ``ton`` is the short ton; also kton, Mton), ``/y`` and ``/a`` are per year (pint's ``y`` is
#: a yard), "per" is a slash.
_UNIT_WORDS = (
    (re.compile(r"\s+per\s+", re.IGNORECASE), "/"),
    (
        re.compile(r"\b(?:metric\s+)?([kM]?)(?:tonnes?|tons?)\b", re.IGNORECASE),
        lambda m: {"k": "kilometric_ton", "M": "megametric_ton"}.get(m.group(1), "t"),
    ),
    (re.compile(r"/\s*(?:y|yr|a|annum)\b", re.IGNORECASE), "/year"),
)


def parse_unit(text: str) -> pint.Unit:
    """Parse a unit string, raising ``ValueError`` naming it when pint does not know it."""
    raw = text.strip()
    key = _ALIASES.get(raw.lower())
    if key is None:
        key = raw
        for pattern, replacement in _UNIT_WORDS:
            key = pattern.sub(replacement, key)
    try:
        unit = registry().parse_units(key)
    except (
        pint.UndefinedUnitError,
        pint.errors.DefinitionSyntaxError,
        AttributeError,
        TypeError,
        ValueError,
        AssertionError,
        ZeroDivisionError,  # '1/0'
        tokenize.TokenError,  # '('
    ):
        raise ValueError(f"unknown unit '{text}'") from None
    return unit


def _one(unit: str | None) -> pint.Quantity | None:
    """One of ``unit`` as a pint quantity; None for no unit or one pint does not know."""
    if not unit:
        return None
    try:
        return registry().Quantity(1, parse_unit(unit))
    except ValueError:
        return None


@lru_cache(maxsize=1024)
def kind_of_unit(unit: str | None) -> Kind | None:
    """Energy for a unit of energy or power (``MWh``, ``GJ``, ``kW``, ``MWh/year``), else None:
    other units (tonnes, cubic metres) fit several kinds. An unknown unit implies nothing."""
    one = _one(unit)
    energy = registry().joule.dimensionality
    per_second = registry().second.dimensionality
    return (
        Kind.energy
        if one is not None and one.dimensionality in (energy, energy / per_second)
        else None
    )


@lru_cache(maxsize=1024)
def measures_amount(unit: str) -> bool:
    """Whether ``unit`` measures an amount of matter, water or energy (a mass, volume or
    energy): what a delivery or an agreed price is counted in; not a rate (``t/day``: how
    often is the agreed period's part, and a delivery happens once), a count of pallets, an
    area or a temperature."""
    one = _one(unit)
    ureg = registry()
    amounts = [ureg.kg.dimensionality, ureg.m3.dimensionality, ureg.joule.dimensionality]
    return one is not None and one.dimensionality in amounts


#: Units a capacity is compared in: space or tonnage free at one time (m2, m3, t, pallet
#: places), or a throughput free per year (spare treatment or processing capacity: t/year,
#: m3/year).
CAPACITY_UNITS = ("m2", "m3", "t", "pallet", "t/year", "m3/year")
#: Units the stream form offers for a capacity (per-day throughputs read as per year).
CAPACITY_FORM_UNITS = ("m2", "m3", "pallet", "t", "t/day", "t/year", "m3/day")


@lru_cache(maxsize=1024)
def capacity_factor(unit: str) -> tuple[float, str] | None:
    """How many of which ``CAPACITY_UNITS`` one ``unit`` is (``m^2`` -> 1 m2, ``ha`` -> 10,000
    m2, ``kt`` -> 1,000 t, ``t/day`` -> 365.25 t/year, as ``annualise`` reads a rate). The unit
    alone says whether a capacity is space at one time or a throughput: a period is not read
    ("3,000 m3 per month" may be a month's rent of space). Pallet places are a count of their
    own (``pallet places`` -> 1 pallet), compared only with pallet places. None for an energy,
    another count or an unknown unit."""
    one = _one(unit)
    if one is None:
        return None
    for name in CAPACITY_UNITS:
        if one.dimensionality == registry().Quantity(1, name).dimensionality:
            return float(one.to(name).magnitude), name
    return None


@dataclass(frozen=True, slots=True)
class Annual:
    """A quantity normalised to a canonical amount per year."""

    amount: float
    unit: str


def annualise(
    quantity: float,
    unit: str,
    period: Period | str | None,
    kind: Kind | str,
    density_kg_m3: float | None = None,
) -> Annual | None:
    """Normalise ``quantity unit`` per ``period`` to the canonical annual amount of ``kind``.

    Rate units (``t/day``, ``m3/h``, ``kW``) are annualised over a full year of continuous
    operation. Mass and volume convert into each other only when ``density_kg_m3`` is given.
    Kinds without a canonical unit (capacity, service, knowledge) return ``None``.
    Raises ``ValueError`` naming the problem for unknown units or impossible conversions.
    """
    kind = Kind(kind)
    target_name = CANONICAL_UNIT.get(kind)
    if target_name is None:
        return None
    if quantity < 0:
        raise ValueError("quantity must not be negative")
    per = Period(period) if period else None
    factor = _annual_factor(unit, per, target_name, density_kg_m3)
    return Annual(amount=quantity * factor, unit=target_name)


@lru_cache(maxsize=4096)
def _annual_factor(
    unit: str, per: Period | None, target_name: str, density_kg_m3: float | None
) -> float:
    """The canonical yearly amount of one ``unit`` per ``per``: every conversion here is a
    factor (offset units are refused), so one pint conversion serves every quantity (an
    import reads the same few units thousands of times)."""
    try:
        return _annualised(1.0, unit, per, target_name, density_kg_m3).amount
    except pint.errors.PintTypeError:  # an offset unit ('°C') is no amount
        raise ValueError(f"'{unit}' is not an amount") from None


def _annualised(
    quantity: float, unit: str, per: Period | None, target_name: str, density_kg_m3: float | None
) -> Annual:
    ureg = registry()
    q = ureg.Quantity(quantity, parse_unit(unit))
    if q.dimensionality == ureg.kelvin.dimensionality:
        raise ValueError(f"'{unit}' is not an amount")
    year = ureg.Quantity(1, "year")
    target = ureg.Quantity(1, target_name)

    if q.dimensionality == (target / year).dimensionality or _is_rate(q, target):
        # a rate: annualise over one year, whatever the period says
        q = q * year
    elif per is Period.continuous:
        raise ValueError(
            f"period 'continuous' needs a rate unit such as {target_name}/h or kW, not '{unit}'"
        )
    elif per in PERIOD_UNITS:
        q = q / ureg.Quantity(1, PERIOD_UNITS[per]) * year

    if q.dimensionality != target.dimensionality:
        q = _convert_with_density(q, target, density_kg_m3, unit, target_name)
    return Annual(amount=float(q.to(target_name).magnitude), unit=target_name)


def _is_rate(q: pint.Quantity, target: pint.Quantity) -> bool:
    """True when ``q`` is a flow of mass or volume (e.g. t/day against m3)."""
    dims = q.dimensionality
    ureg = registry()
    mass_rate = (ureg.kg / ureg.s).dimensionality
    vol_rate = (ureg.m3 / ureg.s).dimensionality
    return dims in (mass_rate, vol_rate)


def _convert_with_density(
    q: pint.Quantity, target: pint.Quantity, density: float | None, unit: str, target_name: str
) -> pint.Quantity:
    ureg = registry()
    mass = ureg.kg.dimensionality
    volume = ureg.m3.dimensionality
    pair = {q.dimensionality, target.dimensionality}
    if pair != {mass, volume}:
        raise ValueError(f"'{unit}' cannot be expressed in {target_name}")
    if not density or density <= 0:
        raise ValueError(
            f"'{unit}' converts to {target_name} only with a density (properties.density_kg_m3)"
        )
    rho = ureg.Quantity(density, "kg/m3")
    return q * rho if q.dimensionality == volume else q / rho


def density_of(properties: dict[str, Any] | None) -> float | None:
    """``properties.density_kg_m3`` as a number, ``None`` when absent.

    Raises ``ValueError`` naming the property when it is not a positive finite number.
    """
    raw = (properties or {}).get("density_kg_m3")
    if raw in (None, ""):
        return None
    try:
        value = float(raw)
    except (TypeError, ValueError, OverflowError):  # an integer of 309 digits or more
        value = math.nan
    if isinstance(raw, bool) or not math.isfinite(value) or value <= 0:
        raise ValueError(f"properties.density_kg_m3 must be a positive number, not {raw!r}")
    return value
