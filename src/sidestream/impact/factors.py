"""Emission and price factors with provenance, loaded from package data; overridable per caller.

A factor set joins the shipped DESNZ/DEFRA 2025 conversion-factor tables (read as published)
with ``supplementary_factors.csv`` (heat, electricity, gas, district heat, prices). Every
factor keeps its value, unit, year, source, citation and version so a result can show them.
"""

from __future__ import annotations

import csv
import math
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from functools import lru_cache
from importlib import resources

import pint

from sidestream.errors import CheckAll, InvalidInput

#: The factor set shipped with this release.
DEFAULT_VERSION = "2025.1"

_DEFRA_VERSION = "defra-2025"
_DEFRA_CITATION = (
    "DESNZ/DEFRA (2025) Greenhouse gas reporting: conversion factors 2025, {table}, row {row}: "
    "{path} per {uom}. Contains public sector information licensed under the Open Government "
    "Licence v3.0"
)
#: DEFRA units of measure -> pint units (rows in other units are not loaded).
_DEFRA_UOM = {
    "tonnes": "t",
    "tonne.km": "t*km",
    "cubic metres": "m3",
    "kWh": "kWh",
    "kWh (Net CV)": "kWh",
    "kWh (Gross CV)": "kWh",
    "litres": "liter",
}
_SLUG = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True, slots=True)
class Factor:
    """One factor: ``value`` in ``unit``, with where it comes from."""

    id: str
    quantity: str
    value: float
    unit: str
    year: int
    source: str
    citation: str
    version: str
    note: str = ""
    overridden: bool = False

    def value_in(self, unit: str) -> float:
        """The value converted to ``unit`` (e.g. ``"t CO2e/MWh"``); ``ValueError`` if impossible."""
        return self.value * conversion(self.unit, unit)


@lru_cache
def _units() -> pint.UnitRegistry:
    ureg = pint.UnitRegistry()
    ureg.define("CO2e = [emission]")
    ureg.define("EUR = [currency]")
    ureg.define("m3 = meter ** 3")
    return ureg


@lru_cache(maxsize=1024)
def conversion(from_unit: str, to_unit: str) -> float:
    """Multiplier turning a value in ``from_unit`` into ``to_unit`` (units with CO2e and EUR)."""
    ureg = _units()
    try:
        return float(ureg.Quantity(1.0, from_unit).to(to_unit).magnitude)
    except (pint.errors.PintError, AttributeError, TypeError, ValueError, AssertionError):
        raise ValueError(f"cannot convert '{from_unit}' to '{to_unit}'") from None


def _convertible(from_unit: str, to_unit: str) -> bool:
    """Whether a value in ``from_unit`` can be read in ``to_unit`` (a unit known at all when
    they are the same)."""
    try:
        conversion(from_unit, to_unit)
    except ValueError:
        return False
    return True


def slug(text: str) -> str:
    """``'HGV (all diesel)'`` -> ``'hgv_all_diesel'``: the id fragment used for DEFRA rows."""
    return _SLUG.sub("_", text.strip().lower()).strip("_")


class FactorSet(Mapping[str, Factor]):
    """A versioned, read-only set of factors keyed by id, with the caller's overrides applied."""

    def __init__(
        self, version: str, factors: Mapping[str, Factor], overrides: Mapping[str, object]
    ) -> None:
        self.version = version
        self._factors = dict(factors)
        self.overrides = dict(overrides)

    def __getitem__(self, key: str) -> Factor:
        try:
            return self._factors[key]
        except KeyError:
            raise KeyError(f"unknown factor '{key}' in factor set {self.version}") from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._factors)

    def __len__(self) -> int:
        return len(self._factors)

    def with_overrides(self, overrides: Mapping[str, object] | None) -> FactorSet:
        """A copy with ``overrides`` applied (see :func:`load_factor_set`); every bad
        override is reported, each at ``("assumptions", id, ...)``."""
        if not overrides:
            return self
        factors = dict(self._factors)
        every = CheckAll()
        for key, spec in overrides.items():
            with every.check():
                factors[key] = _override(factors.get(key), key, spec)
        every.done()
        return FactorSet(self.version, factors, {**self.overrides, **overrides})


_OVERRIDE_KEYS = {"value", "unit", "year", "source", "citation", "quantity", "note"}


def _override(base: Factor | None, key: str, spec: object) -> Factor:
    """Apply one override: a number (in the factor's unit) or a dict with value and unit;
    every problem of a dict is reported."""
    at = ("assumptions", key)  # a factor id holds dots: one name, not a path
    if isinstance(spec, bool) or not isinstance(spec, int | float | Mapping):
        raise InvalidInput(at, "must be a number or an object with 'value'")
    fields = dict(spec) if isinstance(spec, Mapping) else {"value": spec}
    every = CheckAll()
    unknown = set(fields) - _OVERRIDE_KEYS
    if unknown:
        every.add(at, f"unknown keys {sorted(unknown)}")
    value = fields.get("value")
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        every.add((*at, "value") if isinstance(spec, Mapping) else at, "must be a finite number")
    unit = str(fields.get("unit", base.unit if base else ""))
    if base is None and "unit" not in fields:
        every.add(at, "is not a known factor; give its 'unit' too")
    elif not _convertible(unit, base.unit if base else unit):
        why = f"'{unit}' is not compatible with '{base.unit}'" if base else f"unknown unit '{unit}'"
        every.add((*at, "unit"), why)
    template = base or Factor(key, "assumption", 0.0, unit, 0, "", "", "")
    try:  # a server error before
        year = int(fields.get("year", template.year))  # type: ignore[call-overload]
    except (TypeError, ValueError, OverflowError):
        every.add((*at, "year"), "must be a whole number")
    every.done()
    assert isinstance(value, int | float)
    return replace(
        template,
        value=float(value),
        unit=unit,
        quantity=str(fields.get("quantity", template.quantity)),
        year=year,
        source=str(fields.get("source", "caller override")),
        citation=str(fields.get("citation", f"overrides {template.source or 'no'} value")),
        note=str(fields.get("note", template.note)),
        version="override",
        overridden=True,
    )


def load_factor_set(
    version: str = DEFAULT_VERSION, overrides: Mapping[str, object] | None = None
) -> FactorSet:
    """The factor set ``version`` with ``overrides`` (``{id: value}`` or ``{id: {...}}``).

    A numeric override is read in the factor's own unit; a dict may give ``value``, ``unit``,
    ``year``, ``source``, ``citation``. New ids are allowed when a ``unit`` is given.
    Raises ``InvalidInput`` naming the assumption for a bad override or unknown version.
    """
    if version != DEFAULT_VERSION:
        raise InvalidInput("factor_version", f"unknown factor set '{version}'")
    return _base_set().with_overrides(overrides)


@lru_cache
def _base_set() -> FactorSet:
    factors: dict[str, Factor] = {}
    for factor in [*_defra_factors(), *_supplementary_factors()]:
        if factor.id in factors:
            raise RuntimeError(f"duplicate factor id {factor.id}")
        factors[factor.id] = factor
    return FactorSet(DEFAULT_VERSION, factors, {})


def read_data(name: str) -> list[dict[str, str]]:
    """Rows of a CSV file shipped in ``sidestream/impact/data``."""
    path = resources.files("sidestream.impact").joinpath("data", name)
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


#: DEFRA table file -> (table title, function building the id from a row).
_DEFRA_TABLES = {
    "category_material_use.csv": (
        "Material use",
        lambda r: f"material.{slug(r['Level 3'])}.{slug(r['Column Text'])}",
    ),
    "category_waste_disposal.csv": (
        "Waste disposal",
        lambda r: f"disposal.{slug(r['Level 3'])}.{slug(r['Column Text'])}",
    ),
    "category_freighting_goods.csv": (
        "Freighting goods",
        lambda r: (
            "freight."
            + ".".join(slug(r[c]) for c in ("Level 2", "Level 3", "Level 4", "Column Text") if r[c])
        ),
    ),
    "category_water_supply.csv": ("Water supply", lambda r: "water.supply"),
    "category_water_treatment.csv": ("Water treatment", lambda r: "water.treatment"),
    "category_wtt-heat-and-steam.csv": (
        "WTT- heat and steam",
        lambda r: f"wtt_heat.{slug(r['Level 3'])}",
    ),
    "category_wtt_fuels.csv": (
        "WTT- fuels",
        lambda r: f"wtt_fuel.{slug(r['Level 3'])}.{slug(r['UOM'])}",
    ),
}


def _defra_factors() -> Iterator[Factor]:
    for name, (table, make_id) in _DEFRA_TABLES.items():
        for row in read_data(name):
            value = row["GHG Conversion Factor 2025"].strip()
            uom = _DEFRA_UOM.get(row["UOM"].strip())
            if not value or uom is None or row["GHG/Unit"].strip() != "kg CO2e":
                continue
            if name in ("category_water_supply.csv", "category_water_treatment.csv") and (
                uom != "m3"
            ):
                continue
            path = " > ".join(
                row[c].strip()
                for c in ("Level 1", "Level 2", "Level 3", "Level 4", "Column Text")
                if row[c].strip()
            )
            yield Factor(
                id=make_id(row),
                quantity=f"emission/{slug(row['Level 1'])}",
                value=float(value),
                unit=f"kg CO2e/({uom})" if "*" in uom else f"kg CO2e/{uom}",
                year=2025,
                source="DESNZ/DEFRA",
                citation=_DEFRA_CITATION.format(
                    table=table, row=row["ID"], path=path, uom=row["UOM"].strip()
                ),
                version=_DEFRA_VERSION,
            )


def _supplementary_factors() -> Iterator[Factor]:
    for row in read_data("supplementary_factors.csv"):
        yield Factor(
            id=row["id"],
            quantity=row["quantity"],
            value=float(row["value"]),
            unit=row["unit"],
            year=int(row["year"]),
            source=row["source"],
            citation=row["citation"],
            version=row["version"],
            note=row["note"],
        )
