"""What-if scenarios: apply changes to a problem, solve both, and diff them side by side."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from pydantic import TypeAdapter, ValidationError

from sidestream.errors import FieldError
from sidestream.optimize.allocation import solve_allocation
from sidestream.optimize.schemas import (
    Allocation,
    Arc,
    Change,
    ChangeFactor,
    ChangePrice,
    FlowDiff,
    MetricDiff,
    NetworkProblem,
    ProblemInputError,
    RemoveOrganisation,
    ScenarioComparison,
    ScenarioDiff,
    SetAmount,
    SetCarbonPrice,
    parse_problem,
)

_CHANGES = TypeAdapter(list[Change])
_TOL = 1e-6


def parse_changes(changes: Sequence[Change | Mapping[str, object]]) -> list[Change]:
    """Validate a list of change objects, raising ``ProblemInputError`` naming the bad one."""
    try:
        return _CHANGES.validate_python(list(changes))
    except ValidationError as exc:
        errors = [
            FieldError(("changes", *e["loc"]), e["msg"].removeprefix("Value error, "), e["type"])
            for e in exc.errors()
        ]
        raise ProblemInputError([f"{e.field}: {e.message}" for e in errors], errors) from None


def apply_changes(
    problem: NetworkProblem | dict, changes: Sequence[Change | Mapping[str, object]]
) -> NetworkProblem:
    """A new problem with ``changes`` applied in order (the input is not modified); a
    ``ProblemInputError`` names every change that cannot be applied (each is left out and
    the others checked)."""
    result = parse_problem(problem)
    refused: list[ProblemInputError] = []
    for i, change in enumerate(parse_changes(changes)):
        data = result.model_dump()
        try:
            _apply(data, change, i)
            result = _made_by(data, i)
        except ProblemInputError as exc:
            refused.append(exc)
    if refused:
        problems = [p for exc in refused for p in exc.problems]
        raise ProblemInputError(problems, [e for exc in refused for e in exc.errors])
    return result


def _made_by(data: dict, index: int) -> NetworkProblem:
    """The problem change ``index`` made, checked (a product past 1e12 names the change)."""
    try:
        return parse_problem(data)
    except ProblemInputError as exc:
        raise ProblemInputError(
            [f"changes.{index}: this change makes {p}" for p in exc.problems]
        ) from None


def _apply(data: dict, change: Change, index: int) -> None:
    if isinstance(change, SetAmount):
        parties = [p for p in data["offers"] + data["needs"] if p["id"] == change.target]
        if not parties:
            raise ProblemInputError([f"changes.{index}.target: no offer or need '{change.target}'"])
        for p in parties:
            p["amount"] = (
                change.amount if change.amount is not None else p["amount"] * (change.factor or 0.0)
            )
    elif isinstance(change, ChangePrice):
        for arc in _selected(data, change, index):
            arc["unit_benefit_eur"] = arc["unit_benefit_eur"] * change.factor + (
                change.delta_eur_per_unit
            )
            arc["supplier_unit_value_eur"] *= change.factor
            if change.supplier_side:
                arc["supplier_unit_value_eur"] += change.delta_eur_per_unit
    elif isinstance(change, ChangeFactor):
        for arc in _selected(data, change, index):
            arc["unit_co2e_t"] = arc["unit_co2e_t"] * change.factor + change.delta_t_per_unit
    elif isinstance(change, SetCarbonPrice):
        data["carbon_price_eur_per_t"] = change.value
    elif isinstance(change, RemoveOrganisation):
        _remove_organisation(data, change.organisation, index)


def _selected(data: dict, change: ChangePrice | ChangeFactor, index: int) -> list[dict]:
    """The arcs a change names; ``ProblemInputError`` on a selector naming none that exists
    (a typo would otherwise change nothing and say nothing)."""
    arcs = data["arcs"]
    keys = [Arc.model_validate(a).key for a in arcs]
    known = {"arcs": set(keys), "offers": {a["offer"] for a in arcs},
             "needs": {a["need"] for a in arcs}}  # fmt: skip
    for selector, names in known.items():
        unknown = sorted(set(getattr(change, selector) or ()) - names)
        if unknown:
            named = ", ".join(map(repr, unknown))
            what = (f"no candidate link {named}" if selector == "arcs"
                    else f"no {selector[:-1]} {named} with a candidate link")  # fmt: skip
            raise ProblemInputError([f"changes.{index}.{selector}: {what}"])
    return [
        arc
        for arc, key in zip(arcs, keys, strict=True)
        if (change.arcs is None or key in change.arcs)
        and (change.offers is None or arc["offer"] in change.offers)
        and (change.needs is None or arc["need"] in change.needs)
    ]


def _remove_organisation(data: dict, organisation: str, index: int) -> None:
    gone = {
        (side, p["id"])
        for side in ("offers", "needs")
        for p in data[side]
        if (p["organisation"] or p["id"]) == organisation
    }
    if not gone:
        raise ProblemInputError([f"changes.{index}.organisation: no '{organisation}' in input"])
    for side in ("offers", "needs"):
        data[side] = [p for p in data[side] if (side, p["id"]) not in gone]
    data["arcs"] = [
        a
        for a in data["arcs"]
        if ("offers", a["offer"]) not in gone and ("needs", a["need"]) not in gone
    ]


def compare_allocations(baseline: Allocation, scenario: Allocation) -> ScenarioDiff:
    """Totals and per-link flows of two allocations side by side, with what changed."""
    metrics = ("objective_eur", "benefit_eur", "co2e_avoided_t", "fixed_costs_eur")
    totals = [
        MetricDiff(
            metric=m,
            baseline=getattr(baseline, m),
            scenario=getattr(scenario, m),
            delta=getattr(scenario, m) - getattr(baseline, m),
        )
        for m in metrics
    ]
    units = sorted({f.unit for f in (*baseline.flows, *scenario.flows)})

    def exchanged(unit: str) -> Callable[[Allocation], float]:
        return lambda a: sum(f.amount for f in a.flows if f.unit == unit)

    counts: list[tuple[str, Callable[[Allocation], float]]] = [
        *((f"amount_exchanged_{unit}", exchanged(unit)) for unit in units),  # t, MWh, m3 apart
        ("links", lambda a: float(len(a.flows))),
    ]
    for name, fn in counts:
        b, s = fn(baseline), fn(scenario)
        totals.append(MetricDiff(metric=name, baseline=b, scenario=s, delta=s - b))
    before = {f.arc_id: f for f in baseline.flows}
    after = {f.arc_id: f for f in scenario.flows}
    flows = []
    for key in [*before, *(k for k in after if k not in before)]:
        ref = before.get(key) or after[key]
        b = before[key].amount if key in before else 0.0
        s = after[key].amount if key in after else 0.0
        if abs(s - b) > _TOL * max(1.0, abs(b)):
            flows.append(
                FlowDiff(
                    arc_id=key, offer=ref.offer, need=ref.need, baseline=b, scenario=s, delta=s - b
                )
            )
    return ScenarioDiff(
        totals=totals,
        flows=flows,
        links_added=[k for k in after if k not in before],
        links_removed=[k for k in before if k not in after],
    )


def run_scenario(
    problem: NetworkProblem | dict,
    changes: Sequence[Change | Mapping[str, object]],
    name: str = "scenario",
    baseline: Allocation | None = None,
) -> ScenarioComparison:
    """Solve the baseline (unless given) and the changed problem, and compare them."""
    problem = parse_problem(problem)
    base = baseline or solve_allocation(problem)
    alt = solve_allocation(apply_changes(problem, changes))
    return ScenarioComparison(
        name=name, baseline=base, scenario=alt, diff=compare_allocations(base, alt)
    )
