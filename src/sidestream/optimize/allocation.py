"""Network allocation on HiGHS: maximise EUR + carbon price x CO2e over candidate arcs.

Variables: flow ``x_a >= 0`` per arc, binary ``y_a`` per arc with a fixed cost.

    max  sum_a (b_a + p c_a) x_a - sum_a F_a y_a
    s.t. sum_{a from o} x_a <= supply_o           for every offer o
         sum_{a to n}   g_a x_a <= demand_n       for every need n (g_a: the arc's gain)
         x_a <= share_a demand_n / g_a, x_a <= supply_o (bounds)
         x_a <= U_a y_a                           for arcs with F_a > 0
         sum_a c_a x_a >= epsilon                 (only in the Pareto sweep)

Arcs longer than ``max_distance_km`` are left out before the model is built.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp

from sidestream.optimize.schemas import (
    Allocation,
    Flow,
    NetworkProblem,
    SolveStats,
    Status,
    Usage,
    parse_problem,
)

_TOL = 1e-9

#: Among plans of (almost) equal value the one that also does better on the other objective:
#: CO2e when EUR leads (at carbon price 0 an arc that carries no EUR was as good as none, and a
#: plan avoiding 21 kt less CO2e for the same EUR was returned), EUR when CO2e alone is
#: maximised. The other objective counts at this share of the leading one's largest unit value,
#: so it only parts ties: it gives up at most a millionth of that value per unit carried.
TIE_BREAK = 1e-6


@dataclass
class NetworkModel:
    """The arrays of one problem: kept arcs, their coefficients and the constraint matrix."""

    problem: NetworkProblem
    arcs: list[int]  # indices into problem.arcs that survived filtering
    benefit: np.ndarray
    co2e: np.ndarray
    fixed: np.ndarray
    upper: np.ndarray
    binaries: np.ndarray  # positions (in kept arcs) of arcs with a fixed cost
    matrix: sparse.csr_matrix
    row_upper: np.ndarray
    excluded_message: str

    @property
    def n_flows(self) -> int:
        """Number of flow variables."""
        return len(self.arcs)


def build_model(problem: NetworkProblem) -> NetworkModel:
    """Filter arcs (distance, zero capacity) and assemble the sparse constraint matrix."""
    offers = {o.id: i for i, o in enumerate(problem.offers)}
    needs = {n.id: i for i, n in enumerate(problem.needs)}
    supply = np.array([o.amount for o in problem.offers], dtype=float)
    demand = np.array([n.amount for n in problem.needs], dtype=float)
    kept: list[int] = []
    too_far = no_capacity = 0
    limit = problem.max_distance_km
    for i, arc in enumerate(problem.arcs):
        if limit is not None and arc.distance_km > limit:
            too_far += 1
        elif min(supply[offers[arc.offer]], arc.max_share * demand[needs[arc.need]]) <= 0:
            no_capacity += 1
        else:
            kept.append(i)
    arcs = [problem.arcs[i] for i in kept]
    o_idx = np.array([offers[a.offer] for a in arcs], dtype=np.int64)
    n_idx = np.array([needs[a.need] for a in arcs], dtype=np.int64)
    m = len(arcs)
    gain = np.array([a.gain for a in arcs], dtype=float)
    share = np.array([a.max_share for a in arcs], dtype=float)
    upper = np.minimum(supply[o_idx], share * demand[n_idx] / gain)
    fixed = np.array([a.fixed_cost_eur for a in arcs], dtype=float)
    binaries = np.flatnonzero(fixed > 0)
    k = len(binaries)
    n_o, n_n = len(supply), len(demand)
    cols = np.arange(m)
    rows = [o_idx, n_o + n_idx, n_o + n_n + np.arange(k), n_o + n_n + np.arange(k)]
    cols_all = [cols, cols, binaries, m + np.arange(k)]
    vals = [np.ones(m), gain, np.ones(k), -upper[binaries]]
    matrix = sparse.csr_matrix(
        (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols_all))),
        shape=(n_o + n_n + k, m + k),
    )
    parts = []
    if too_far:
        parts.append(f"{too_far} arc(s) longer than max_distance_km={limit}")
    if no_capacity:
        parts.append(f"{no_capacity} arc(s) with no supply or demand")
    return NetworkModel(
        problem=problem,
        arcs=kept,
        benefit=np.array([a.unit_benefit_eur for a in arcs], dtype=float),
        co2e=np.array([a.unit_co2e_t for a in arcs], dtype=float),
        fixed=fixed,
        upper=upper,
        binaries=binaries,
        matrix=matrix,
        row_upper=np.concatenate([supply, demand, np.zeros(k)]),
        excluded_message="; ".join(parts),
    )


def solve_allocation(problem: NetworkProblem | dict) -> Allocation:
    """Best allocation of ``problem`` at its carbon price; never raises on infeasibility.

    Bad input raises :class:`~sidestream.optimize.schemas.ProblemInputError`; solver
    outcomes (no usable arc, infeasible, time limit) come back in ``status`` and ``message``.
    """
    problem = parse_problem(problem)
    model = build_model(problem)
    return solve_model(model, eur_weight=1.0, co2e_weight=problem.carbon_price_eur_per_t)


def solve_model(
    model: NetworkModel,
    *,
    eur_weight: float,
    co2e_weight: float,
    min_co2e_t: float | None = None,
) -> Allocation:
    """Maximise ``eur_weight x EUR + co2e_weight x CO2e`` (optionally with a CO2e floor)."""
    problem = model.problem
    price = problem.carbon_price_eur_per_t
    if model.n_flows == 0:
        reason = model.excluded_message or "no candidate arcs were given"
        return _empty(model, "no_feasible_link", f"no feasible link: {reason}")
    m, k = model.n_flows, len(model.binaries)
    value = eur_weight * model.benefit + co2e_weight * model.co2e
    value = value + _tie_break(value, model.co2e if eur_weight else model.benefit)
    cost = np.concatenate([-value, eur_weight * model.fixed[model.binaries]])
    constraints = [LinearConstraint(model.matrix, -np.inf, model.row_upper)]
    if min_co2e_t is not None:
        row = sparse.csr_matrix(np.concatenate([model.co2e, np.zeros(k)])[None, :])
        constraints.append(LinearConstraint(row, min_co2e_t, np.inf))
    integrality = np.concatenate([np.zeros(m), np.ones(k)])
    bounds = Bounds(np.zeros(m + k), np.concatenate([model.upper, np.ones(k)]))
    started = time.perf_counter()
    res = milp(
        cost,
        integrality=integrality,
        bounds=bounds,
        constraints=constraints,
        options={
            "time_limit": problem.time_limit_s,
            "mip_rel_gap": problem.mip_rel_gap,
            "presolve": True,
            "disp": False,
        },
    )
    elapsed = time.perf_counter() - started
    stats = SolveStats(
        variables=m + k,
        binaries=k,
        constraints=model.matrix.shape[0] + len(constraints) - 1,
        arcs_given=len(problem.arcs),
        arcs_excluded=len(problem.arcs) - m,
        solve_time_s=elapsed,
    )
    if res.x is None:
        status: Status = {2: "infeasible", 3: "unbounded"}.get(res.status, "error")
        return _empty(model, status, f"{status}: {res.message}", stats)
    x = np.clip(res.x[:m], 0.0, model.upper)
    used = np.zeros(m, dtype=bool)
    used[model.binaries] = res.x[m:] > 0.5
    x[model.binaries[~used[model.binaries]]] = 0.0  # rounding noise on closed links
    gap = float(getattr(res, "mip_gap", 0.0) or 0.0) if k else 0.0
    status = "optimal" if res.status == 0 else "feasible"
    message = "optimal" if res.status == 0 else f"stopped early ({res.message}); gap {gap:.2%}"
    if model.excluded_message:
        message += f"; left out {model.excluded_message}"
    dual = getattr(res, "mip_dual_bound", None)
    return _allocation(
        model, x, used, status, message, gap, None if dual is None else -float(dual), stats, price
    )


def _tie_break(value: np.ndarray, other: np.ndarray) -> np.ndarray:
    """The other objective's unit values scaled to ``TIE_BREAK`` of the leading ones."""
    largest = float(np.abs(other).max(initial=0.0))
    if largest == 0.0:
        return np.zeros_like(value)
    return other * (TIE_BREAK * max(float(np.abs(value).max(initial=0.0)), 1.0) / largest)


def _allocation(
    model: NetworkModel,
    x: np.ndarray,
    used: np.ndarray,
    status: Status,
    message: str,
    gap: float | None,
    dual: float | None,
    stats: SolveStats,
    price: float,
) -> Allocation:
    problem = model.problem
    units = {o.id: o.unit for o in problem.offers}
    flows: list[Flow] = []
    placed: dict[str, float] = {}
    covered: dict[str, float] = {}
    for j in np.flatnonzero((x > _TOL) | used):
        arc = problem.arcs[model.arcs[j]]
        fixed = float(model.fixed[j]) if used[j] else 0.0
        amount = float(x[j])
        flows.append(
            Flow(
                arc_id=arc.key,
                offer=arc.offer,
                need=arc.need,
                amount=amount,
                unit=units[arc.offer],
                delivered=amount * arc.gain,
                benefit_eur=arc.unit_benefit_eur * amount - fixed,
                co2e_avoided_t=arc.unit_co2e_t * amount,
                fixed_cost_eur=fixed,
                distance_km=arc.distance_km,
                material_evidence=arc.material_evidence,
            )
        )
        placed[arc.offer] = placed.get(arc.offer, 0.0) + amount
        covered[arc.need] = covered.get(arc.need, 0.0) + amount * arc.gain
    benefit = sum(f.benefit_eur for f in flows)
    co2e = sum(f.co2e_avoided_t for f in flows)
    return Allocation(
        status=status,
        message=message,
        objective_eur=benefit + price * co2e,
        benefit_eur=benefit,
        co2e_avoided_t=co2e,
        fixed_costs_eur=sum(f.fixed_cost_eur for f in flows),
        carbon_price_eur_per_t=price,
        mip_gap=gap,
        dual_bound_eur=dual,
        flows=flows,
        offers=[_usage(p.id, p.owner, p.amount, placed.get(p.id, 0.0)) for p in problem.offers],
        needs=[_usage(p.id, p.owner, p.amount, covered.get(p.id, 0.0)) for p in problem.needs],
        stats=stats,
    )


def _usage(pid: str, owner: str, amount: float, allocated: float) -> Usage:
    return Usage(
        id=pid,
        organisation=owner,
        amount=amount,
        allocated=allocated,
        share=allocated / amount if amount > 0 else 0.0,
    )


def _empty(
    model: NetworkModel, status: Status, message: str, stats: SolveStats | None = None
) -> Allocation:
    problem = model.problem
    return Allocation(
        status=status,
        message=message,
        objective_eur=0.0,
        benefit_eur=0.0,
        co2e_avoided_t=0.0,
        fixed_costs_eur=0.0,
        carbon_price_eur_per_t=problem.carbon_price_eur_per_t,
        offers=[_usage(p.id, p.owner, p.amount, 0.0) for p in problem.offers],
        needs=[_usage(p.id, p.owner, p.amount, 0.0) for p in problem.needs],
        stats=stats,
    )
