"""Network optimisation on stored streams: a ``NetworkProblem`` built from the registry.

Offers and needs are a network's (or a bounding box's) visible active material, energy and
water streams with a canonical annual amount; candidate arcs are the matching engine's top-k
needs of each offer (other organisations only); arc values come from impact accounting.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from pydantic import BaseModel, ValidationError
from sqlalchemy.orm import Session, selectinload

from sidestream.access.policy import SYSTEM, Viewer
from sidestream.errors import CheckAll, FieldError, InvalidInput
from sidestream.impact.accounting import unit_values
from sidestream.impact.factors import load_factor_set
from sidestream.impact.heat_pump import delivered_per_heat
from sidestream.impact.service import pair_terms
from sidestream.matching.engine import MatchIndex
from sidestream.matching.schemas import Listing, Match
from sidestream.matching.scoring import place_distance_km
from sidestream.matching.service import stream_listing
from sidestream.matching.table import annual_amount
from sidestream.optimize.allocation import solve_allocation
from sidestream.optimize.pareto import pareto_front
from sidestream.optimize.scenarios import apply_changes, run_scenario
from sidestream.optimize.schemas import (
    MAX_CARBON_PRICE,
    Allocation,
    Arc,
    BenefitSharing,
    NetworkProblem,
    ParetoFront,
    Party,
    ScenarioComparison,
)
from sidestream.optimize.sharing import share_benefits
from sidestream.registry import service as registry
from sidestream.registry.models import Stream
from sidestream.taxonomy.kinds import CANONICAL_UNIT, Kind

Progress = Callable[[int, int], None]
BBox = tuple[float, float, float, float]


class ProblemSummary(BaseModel):
    """What went into the problem and what was left out, and why."""

    network_id: int | None
    streams: int
    offers: int
    needs: int
    arcs: int
    left_out: dict[str, int]
    carbon_price_eur_per_t: float
    factor_set_version: str


class NetworkOptimisation(BaseModel):
    """The best allocation of a network, its benefit sharing, and optional front and scenario."""

    summary: ProblemSummary
    allocation: Allocation
    sharing: BenefitSharing
    pareto: ParetoFront | None = None
    scenario: ScenarioComparison | None = None


def _streams(
    session: Session, network_id: int | None, bbox: BBox | None, viewer: Viewer
) -> list[Stream]:
    if network_id is None and bbox is None:
        raise InvalidInput("network_id", "give a network or a bounding box")
    if network_id is not None:
        registry.get_network(session, network_id)
    filters = registry.StreamFilter(network_id=network_id, bbox=bbox, status="active")
    stmt = registry.stream_query(filters, viewer).options(selectinload(Stream.organisation))
    return list(session.scalars(stmt.order_by(Stream.id)))


def _party(stream: Stream, listing: Listing, left_out: dict[str, int]) -> Party | None:
    kind = listing.kind or "material"
    reason = None
    annual = annual_amount(listing, Kind(kind)) if kind in CANONICAL_UNIT else None
    if kind not in CANONICAL_UNIT:
        reason = f"{kind} (no indicators)"
    elif annual is None or annual[0] <= 0:
        reason = "no annual amount known"
    if reason:
        left_out[reason] = left_out.get(reason, 0) + 1
        return None
    assert annual is not None
    return Party(
        id=str(stream.id), organisation=listing.organisation, amount=annual[0], unit=annual[1]
    )


def build_network_problem(
    session: Session,
    network_id: int | None = None,
    *,
    bbox: BBox | None = None,
    viewer: Viewer = SYSTEM,
    carbon_price: float | None = None,
    fixed_costs: float = 0.0,
    top_k: int = 5,
    assumptions: Mapping[str, object] | None = None,
    progress: Progress | None = None,
) -> tuple[NetworkProblem, ProblemSummary]:
    """The allocation problem of a network's (or ``bbox``'s) streams that ``viewer`` may see.

    Parties are named by the organisation the viewer may see (an anonymous stream stays
    ``anon-<id>``). ``fixed_costs`` (EUR per year per link used) makes it a MILP. Raises
    ``NotFound`` for an unknown network and ``InvalidInput`` when there is no feasible link.
    """
    if carbon_price is not None and carbon_price < 0:
        raise InvalidInput("carbon_price", "must not be negative")
    if fixed_costs < 0:
        raise InvalidInput("fixed_costs", "must not be negative")
    if top_k < 1:
        raise InvalidInput("top_k", "must be at least 1")
    factors = load_factor_set(overrides=assumptions)
    streams = _streams(session, network_id, bbox, viewer)
    left_out: dict[str, int] = {}
    offers: list[tuple[Stream, Listing, Party]] = []
    needs: list[tuple[Stream, Listing, Party]] = []
    for stream in streams:
        listing = stream_listing(viewer, stream)
        party = _party(stream, listing, left_out) if listing else None
        if listing and party:
            (offers if stream.direction == "offer" else needs).append((stream, listing, party))
    where = f"network {network_id}" if network_id is not None else "the bounding box"
    if not offers or not needs:
        raise InvalidInput(
            "network_id",
            f"no feasible link: {where} has {len(offers)} offers and {len(needs)} needs "
            "of material, energy or water with an annual amount",
        )
    found = MatchIndex([n[1] for n in needs]).match([o[1] for o in offers], top_k)
    need_at = {n[2].id: n for n in needs}
    arcs: list[Arc] = []
    candidates = [
        (o, need_at[m.need_id], _material(m))
        for o, ms in zip(offers, found, strict=True)
        for m in ms
    ]
    for done, ((so, lo, po), (sn, ln, pn), material) in enumerate(candidates, start=1):
        if progress:
            progress(done, len(candidates))
        if so.organisation_id is not None and so.organisation_id == sn.organisation_id:
            key = "pairs within one organisation"
            left_out[key] = left_out.get(key, 0) + 1
            continue
        if po.unit != pn.unit:
            continue
        distance = place_distance_km(lo, ln) or 0.0
        terms = pair_terms(lo, ln)
        cop = terms["heat_pump_cop"]
        values = unit_values({**terms, "amount": 1.0, "distance_km": distance}, factors)
        try:
            arc = Arc(
                offer=po.id,
                need=pn.id,
                unit_benefit_eur=values.benefit_eur,
                unit_co2e_t=values.co2e_t,
                distance_km=distance,
                gain=delivered_per_heat(cop) if cop else 1.0,
                fixed_cost_eur=fixed_costs,
                supplier_unit_value_eur=values.supplier_eur,
                material_evidence=material,
            )
        except ValidationError as exc:  # factors overridden far beyond any real value
            first = exc.errors()[0]
            raise InvalidInput(
                "assumptions",
                f"the factors given value the link {po.id} -> {pn.id} out of range "
                f"({first['loc'][0]}: {first['msg']})",
            ) from None
        arcs.append(arc)
    if not arcs:
        raise InvalidInput(
            "network_id", f"no feasible link: the matcher found no partner pair in {where}"
        )
    price = carbon_price if carbon_price is not None else factors["price.carbon.eu_ets"].value
    if not 0 <= price <= MAX_CARBON_PRICE:
        raise InvalidInput(
            ("assumptions", "price.carbon.eu_ets"),
            f"a carbon price is from 0 to {MAX_CARBON_PRICE:g} EUR per t CO2e, not {price:g}",
        )
    problem = NetworkProblem(
        offers=[o[2] for o in offers],
        needs=[n[2] for n in needs],
        arcs=arcs,
        carbon_price_eur_per_t=price,
    )
    summary = ProblemSummary(
        network_id=network_id,
        streams=len(streams),
        offers=len(offers),
        needs=len(needs),
        arcs=len(arcs),
        left_out=left_out,
        carbon_price_eur_per_t=price,
        factor_set_version=factors.version,
    )
    return problem, summary


def _material(match: Match) -> float | None:
    """A match's material score (its ``material`` reason), if it has one."""
    return next((r.score for r in match.reasons if r.component == "material"), None)


def optimize_network(
    session: Session,
    network_id: int | None = None,
    *,
    bbox: BBox | None = None,
    viewer: Viewer = SYSTEM,
    carbon_price: float | None = None,
    fixed_costs: float = 0.0,
    pareto_points: int = 0,
    changes: Sequence[Mapping[str, object]] | None = None,
    scenario_assumptions: Mapping[str, object] | None = None,
    top_k: int = 5,
    progress: Progress | None = None,
) -> NetworkOptimisation:
    """Best allocation of a network with benefit sharing; optionally the EUR vs CO2e front
    (``pareto_points`` >= 2) and a what-if (``changes`` and/or factor ``scenario_assumptions``)
    compared with the baseline."""
    if pareto_points < 0 or pareto_points == 1:
        raise InvalidInput("pareto_points", "0 for none, or at least 2")
    build = {
        "bbox": bbox,
        "viewer": viewer,
        "carbon_price": carbon_price,
        "fixed_costs": fixed_costs,
        "top_k": top_k,
    }
    problem, summary = build_network_problem(session, network_id, progress=progress, **build)
    allocation = solve_allocation(problem)
    if allocation.status == "no_feasible_link":
        raise InvalidInput("network_id", f"no feasible link: {allocation.message}")
    result = NetworkOptimisation(
        summary=summary, allocation=allocation, sharing=share_benefits(problem, allocation)
    )
    if pareto_points:
        result.pareto = pareto_front(problem, pareto_points)
    if changes or scenario_assumptions:
        alt = problem
        if scenario_assumptions:
            try:
                alt, _ = build_network_problem(
                    session, network_id, assumptions=scenario_assumptions, **build
                )
            except InvalidInput as exc:  # named as the request names them, with the changes'
                every = CheckAll()  # errors beside (the parties are the baseline's)
                every.errors += map(_scenario_named, exc.errors)
                with every.check():
                    apply_changes(problem, list(changes or []))
                every.done()
        result.scenario = run_scenario(alt, list(changes or []), baseline=allocation)
    return result


def _scenario_named(error: FieldError) -> FieldError:
    """An error of the scenario's factor overrides, named as the request names them
    (``scenario_assumptions``, not ``assumptions``)."""
    if error.loc[:1] != ("assumptions",):
        return error
    return FieldError(("scenario_assumptions", *error.loc[1:]), error.message, error.type)
