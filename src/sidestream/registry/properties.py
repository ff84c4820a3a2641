"""The stream properties the platform reads, and what makes them valid.

One rule for every boundary: the API, file imports and the web form all check a stream's
``properties`` here (through ``StreamFields``); the form takes its ranges and choices from
these constants. Other keys (composition, colour, ...) are kept as given.
"""

from __future__ import annotations

import math
from typing import Any

from sidestream.impact.catalogue import disposal_routes
from sidestream.input_rules import located_errors
from sidestream.taxonomy.units import density_of

#: Numeric properties and their valid closed ranges.
NUMERIC_RANGES: dict[str, tuple[float, float]] = {
    "temperature_c": (-50.0, 1500.0),  # heat carriers from chilled water to slag and flue gas
    "moisture_pct": (0.0, 100.0),  # an offer's: what it holds; a need's: the most it takes
    "dry_matter_pct": (0.0, 100.0),  # 100 less the moisture (slurries, digestate, sludge)
    # a fuel's energy as delivered, MJ/kg: what it replaces in a kiln (hydrogen: 120)
    "lower_heating_value_mj_kg": (0.0, 120.0),
}

#: Allowed values of ``water_quality``.
WATER_QUALITIES: tuple[str, ...] = ("potable", "process", "cooling", "grey", "waste")
#: Allowed values of ``water_network``: what a water stream is connected to today. A need's
#: water is ``public`` (bought from the utility) or ``own`` (drawn from a river, lake, the sea
#: or a well); an offer's goes to the ``public`` sewer or back to nature (``own`` discharge).
WATER_NETWORKS: tuple[str, ...] = ("public", "own")
#: Allowed values of ``avoided_disposal``: where an offer goes today if nobody takes it (a
#: route of ``impact/data/disposal_routes.csv``), ``none`` when it is used or sold today. The
#: impact figures count that route's cost and emissions as avoided instead of the default for
#: the offer's waste code (``impact.service.pair_terms``).
AVOIDED_DISPOSAL_ROUTES: tuple[str, ...] = (*disposal_routes(), "none")
#: Choice properties and their allowed values.
CHOICES: dict[str, tuple[str, ...]] = {
    "water_quality": WATER_QUALITIES,
    "water_network": WATER_NETWORKS,
    "avoided_disposal": AVOIDED_DISPOSAL_ROUTES,
}

#: The properties the platform reads (all others are the owner's own keys, kept as given).
KNOWN_PROPERTIES: frozenset[str] = frozenset({*NUMERIC_RANGES, "density_kg_m3", *CHOICES})


def check_properties(properties: dict[str, Any] | None) -> None:
    """Raise a ``ValidationError`` with an error on each invalid known property, at its key (a
    validator of a ``properties`` field calls it: pydantic places the errors under the field)."""
    if errors := property_errors(properties):
        raise located_errors("properties", {(k,): m for k, m in errors.items()})


def property_errors(properties: dict[str, Any] | None) -> dict[str, str]:
    """Each invalid known property -> its message (``properties.<key> must be ...``)."""
    props = properties or {}
    errors: dict[str, str] = {}
    try:
        density_of(props)
    except ValueError as exc:
        errors["density_kg_m3"] = str(exc)
    for key, (low, high) in NUMERIC_RANGES.items():
        raw = props.get(key)
        if raw in (None, ""):
            continue
        try:
            value = float(raw)
        except (TypeError, ValueError, OverflowError):  # an integer of 309 digits or more
            value = math.nan
        if isinstance(raw, bool) or not math.isfinite(value) or not low <= value <= high:
            errors[key] = f"properties.{key} must be a number from {low:g} to {high:g}, not {raw!r}"
    for key, allowed in CHOICES.items():  # as written in any case ("Cooling"), as read
        value = props.get(key)
        if value not in (None, "") and str(value).strip().lower() not in allowed:
            errors[key] = f"properties.{key} must be one of {', '.join(allowed)}, not {value!r}"
    return errors
