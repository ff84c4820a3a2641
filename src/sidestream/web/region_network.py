"""Adapter: the region's candidate matches as an optimisation problem for ``sidestream.optimize``.

Parties are the visible active streams with an annual amount in t, MWh or m3; arcs are the
matching engine's candidates, valued per unit by ``sidestream.impact.accounting.unit_values``.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from sidestream.errors import InvalidInput
from sidestream.impact.accounting import UnitValues, unit_values
from sidestream.optimize.allocation import solve_allocation
from sidestream.optimize.schemas import CANONICAL_UNITS, Allocation, Arc, NetworkProblem, Party
from sidestream.registry.models import Stream
from sidestream.web.registry_matching import Candidate

#: Candidates weaker than this are not offered to the optimiser.
MIN_SCORE = 0.5


def _party(stream: Stream) -> Party:
    org = stream.organisation
    return Party(
        id=str(stream.id),
        organisation=org.name if org else None,
        amount=stream.annual_amount or 0.0,
        unit=stream.annual_unit or "t",
    )


@lru_cache(maxsize=4096)
def _values(kind: str, waste_code: str | None, distance_km: float) -> UnitValues | None:
    try:
        return unit_values({"kind": kind, "amount": 1.0, "waste_code": waste_code,
                            "distance_km": distance_km})  # fmt: skip
    except (InvalidInput, ValueError):
        return None


def build_problem(candidates: Sequence[Candidate], carbon_price: float = 0.0) -> NetworkProblem:
    """The optimisation problem of the region's candidate exchanges."""
    arcs: list[Arc] = []
    offers: dict[int, Stream] = {}
    needs: dict[int, Stream] = {}
    for c in candidates:
        unit = c.offer.annual_unit
        if c.score < MIN_SCORE or unit not in CANONICAL_UNITS or c.need.annual_unit != unit:
            continue
        if not (c.offer.annual_amount and c.need.annual_amount):
            continue
        values = _values(c.offer.kind, c.offer.waste_code, round(c.distance_km or 0.0, 1))
        if values is None:
            continue
        offers[c.offer.id], needs[c.need.id] = c.offer, c.need
        arcs.append(
            Arc(
                offer=str(c.offer.id),
                need=str(c.need.id),
                unit_benefit_eur=values.benefit_eur,
                unit_co2e_t=values.co2e_t,
                distance_km=c.distance_km or 0.0,
                supplier_unit_value_eur=values.supplier_eur,
            )
        )
    return NetworkProblem(
        offers=[_party(s) for s in offers.values()],
        needs=[_party(s) for s in needs.values()],
        arcs=arcs,
        carbon_price_eur_per_t=carbon_price,
        time_limit_s=20.0,
    )


def optimise(candidates: Sequence[Candidate], carbon_price: float = 0.0) -> Allocation:
    """The best allocation of the region's offers to its needs."""
    return solve_allocation(build_problem(candidates, carbon_price))
