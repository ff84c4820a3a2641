"""The allocation model: brute force, greedy, bounds, a transport check, gaps and bad input."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from scipy.optimize import linprog

from sidestream.optimize.allocation import solve_allocation
from sidestream.optimize.schemas import ProblemInputError, parse_problem
from sidestream.optimize.synthetic import random_problem

BOUND_TOL = 1e-6


def _value(problem: dict, x: dict[str, float]) -> float:
    """EUR + carbon price x CO2e of flows ``x``, paying each used link's fixed cost."""
    p = problem.get("carbon_price_eur_per_t", 0.0)
    total = 0.0
    for arc in parse_problem(problem).arcs:
        amount = x.get(arc.key, 0.0)
        total += (arc.unit_benefit_eur + p * arc.unit_co2e_t) * amount
        if amount > 1e-9:
            total -= arc.fixed_cost_eur
    return total


def _brute_force(problem: dict) -> float:
    """Best value over every integral flow vector (exact: the constraints are unimodular)."""
    prob = parse_problem(problem)
    supply = {o.id: o.amount for o in prob.offers}
    demand = {n.id: n.amount for n in prob.needs}
    ranges = [range(int(min(supply[a.offer], a.max_share * demand[a.need])) + 1) for a in prob.arcs]
    best = 0.0
    for combo in itertools.product(*ranges):
        used_s: dict[str, float] = {}
        used_d: dict[str, float] = {}
        for a, q in zip(prob.arcs, combo, strict=True):
            used_s[a.offer] = used_s.get(a.offer, 0) + q
            used_d[a.need] = used_d.get(a.need, 0) + q
        if all(used_s[k] <= supply[k] for k in used_s) and all(
            used_d[k] <= demand[k] for k in used_d
        ):
            best = max(
                best, _value(problem, {a.key: q for a, q in zip(prob.arcs, combo, strict=True)})
            )
    return best


def _greedy(problem: dict) -> float:
    """Arcs by unit value, each filled as far as it goes when it pays its fixed cost."""
    prob = parse_problem(problem)
    price = prob.carbon_price_eur_per_t
    supply = {o.id: o.amount for o in prob.offers}
    demand = {n.id: n.amount for n in prob.needs}
    cap = {n.id: n.amount for n in prob.needs}
    x: dict[str, float] = {}
    for arc in sorted(prob.arcs, key=lambda a: -(a.unit_benefit_eur + price * a.unit_co2e_t)):
        unit = arc.unit_benefit_eur + price * arc.unit_co2e_t
        q = min(supply[arc.offer], demand[arc.need], arc.max_share * cap[arc.need])
        if unit > 0 and q > 0 and unit * q > arc.fixed_cost_eur:
            x[arc.key] = q
            supply[arc.offer] -= q
            demand[arc.need] -= q
    return _value(problem, x)


def _assert_within_bounds(problem: dict, alloc) -> None:
    prob = parse_problem(problem)
    arcs = {a.key: a for a in prob.arcs}
    supply = {o.id: o.amount for o in prob.offers}
    demand = {n.id: n.amount for n in prob.needs}
    placed: dict[str, float] = {}
    covered: dict[str, float] = {}
    for f in alloc.flows:
        arc = arcs[f.arc_id]
        assert f.amount >= -BOUND_TOL
        assert f.amount <= arc.max_share * demand[f.need] + BOUND_TOL
        if prob.max_distance_km is not None:
            assert arc.distance_km <= prob.max_distance_km
        placed[f.offer] = placed.get(f.offer, 0) + f.amount
        covered[f.need] = covered.get(f.need, 0) + f.amount
    assert all(placed[k] <= supply[k] + BOUND_TOL for k in placed)
    assert all(covered[k] <= demand[k] + BOUND_TOL for k in covered)


@pytest.mark.parametrize("seed", range(20))
def test_equals_brute_force_on_tiny_instances(seed: int) -> None:
    problem = random_problem(
        3, 3, 5, seed=seed, integral=True, max_amount=4, fixed_cost_share=0.5 if seed % 2 else 0
    )
    problem["carbon_price_eur_per_t"] = 5.0 * (seed % 3)
    alloc = solve_allocation(problem)
    assert alloc.status in ("optimal", "no_feasible_link")  # all-zero amounts leave no link
    assert alloc.objective_eur == pytest.approx(_brute_force(problem), abs=1e-6)


@pytest.mark.parametrize("seed", range(8))
def test_never_worse_than_greedy_and_within_bounds(seed: int) -> None:
    problem = random_problem(25, 25, 150, seed=seed, fixed_cost_share=0.2 * (seed % 2))
    problem["carbon_price_eur_per_t"] = 20.0
    problem["max_distance_km"] = 120.0
    alloc = solve_allocation(problem)
    assert alloc.status == "optimal"
    assert (
        alloc.objective_eur
        >= _greedy({**problem, "arcs": [a for a in problem["arcs"] if a["distance_km"] <= 120]})
        - 1e-6
    )
    _assert_within_bounds(problem, alloc)
    assert alloc.objective_eur == pytest.approx(
        _value(problem, {f.arc_id: f.amount for f in alloc.flows}), rel=1e-9
    )


def test_pure_transport_equals_independent_transportation_lp() -> None:
    """A balanced transport problem: max (M - cost) x ships everything at least cost."""
    rng = np.random.default_rng(7)
    n_o, n_n = 6, 5
    supply = rng.integers(5, 30, n_o).astype(float)
    demand = rng.multinomial(int(supply.sum()), np.ones(n_n) / n_n).astype(float)
    cost = rng.uniform(1, 20, (n_o, n_n)).round(2)
    big = 1000.0
    problem = {
        "offers": [{"id": f"o{i}", "amount": s} for i, s in enumerate(supply)],
        "needs": [{"id": f"n{j}", "amount": d} for j, d in enumerate(demand)],
        "arcs": [
            {"offer": f"o{i}", "need": f"n{j}", "unit_benefit_eur": big - cost[i, j]}
            for i in range(n_o)
            for j in range(n_n)
        ],
    }
    alloc = solve_allocation(problem)
    shipped = sum(f.amount for f in alloc.flows)
    min_cost = big * shipped - alloc.benefit_eur
    # independent formulation: min c.x, rows sum to supply, columns to demand, x >= 0
    a_eq = np.vstack([np.kron(np.eye(n_o), np.ones(n_n)), np.kron(np.ones(n_o), np.eye(n_n))])
    ref = linprog(cost.ravel(), A_eq=a_eq, b_eq=np.concatenate([supply, demand]), method="highs")
    assert ref.status == 0
    assert shipped == pytest.approx(supply.sum())
    assert min_cost == pytest.approx(ref.fun, rel=1e-9)


def test_fixed_cost_link_opens_only_when_it_pays() -> None:
    base = {
        "offers": [{"id": "o", "amount": 10}],
        "needs": [{"id": "n", "amount": 10}],
        "arcs": [{"offer": "o", "need": "n", "unit_benefit_eur": 5, "fixed_cost_eur": 49}],
    }
    opened = solve_allocation(base)
    assert opened.benefit_eur == pytest.approx(1) and opened.mip_gap == pytest.approx(0)
    base["arcs"][0]["fixed_cost_eur"] = 51
    closed = solve_allocation(base)
    assert closed.flows == [] and closed.status == "optimal"


def test_max_share_limits_substitution() -> None:
    problem = {
        "offers": [{"id": "o", "amount": 100}],
        "needs": [{"id": "n", "amount": 40}],
        "arcs": [{"offer": "o", "need": "n", "unit_benefit_eur": 1, "max_share": 0.25}],
    }
    assert solve_allocation(problem).flows[0].amount == pytest.approx(10)


def test_an_arc_with_gain_delivers_more_than_it_takes() -> None:
    """Heat lifted by a heat pump at COP 5: 800 MWh of waste heat give the need its 1000 MWh."""
    problem = {
        "offers": [{"id": "heat", "amount": 5000}],
        "needs": [{"id": "dh", "amount": 1000}, {"id": "other", "amount": 1000}],
        "arcs": [
            {"offer": "heat", "need": "dh", "unit_benefit_eur": 2, "gain": 1.25},
            {"offer": "heat", "need": "other", "unit_benefit_eur": 1},
        ],
    }
    result = solve_allocation(problem)
    flows = {f.need: f for f in result.flows}
    assert flows["dh"].amount == pytest.approx(800) and flows["dh"].delivered == pytest.approx(1000)
    assert flows["other"].delivered == flows["other"].amount == pytest.approx(1000)
    dh = next(u for u in result.needs if u.id == "dh")
    assert dh.allocated == pytest.approx(1000) and dh.share == pytest.approx(1)


def test_milp_reports_gap_and_status() -> None:
    problem = random_problem(40, 40, 400, seed=3, fixed_cost_share=0.5)
    problem["mip_rel_gap"] = 0.01
    alloc = solve_allocation(problem)
    assert alloc.status == "optimal"
    assert alloc.mip_gap is not None and 0 <= alloc.mip_gap <= 0.01 + 1e-9
    assert alloc.stats is not None and alloc.stats.binaries > 0
    assert alloc.dual_bound_eur is not None
    assert alloc.dual_bound_eur >= alloc.objective_eur - 1e-6 * abs(alloc.objective_eur)


def test_no_feasible_link_is_a_result_not_an_error() -> None:
    problem = {
        "offers": [{"id": "o", "amount": 1}],
        "needs": [{"id": "n", "amount": 1}],
        "arcs": [{"offer": "o", "need": "n", "unit_benefit_eur": 1, "distance_km": 300}],
        "max_distance_km": 50,
    }
    alloc = solve_allocation(problem)
    assert alloc.status == "no_feasible_link"
    assert "max_distance_km" in alloc.message
    assert solve_allocation({**problem, "arcs": []}).status == "no_feasible_link"


@pytest.mark.parametrize(
    ("change", "needle"),
    [
        ({"offers": [{"id": "o", "amount": -1}]}, "offers.0.amount"),
        ({"offers": [{"id": "o", "amount": 1, "unit": "bananas"}]}, "unknown unit 'bananas'"),
        ({"needs": [{"id": "n", "amount": 1, "unit": "MWh"}]}, "is in t but need 'n' in MWh"),
        ({"arcs": [{"offer": "x", "need": "n", "unit_benefit_eur": 1}]}, "unknown offer 'x'"),
        ({"arcs": [{"offer": "o", "need": "n", "unit_benefit_eur": "a lot"}]}, "unit_benefit"),
        ({"offers": [{"id": "o", "amount": 1}, {"id": "o", "amount": 2}]}, "duplicate id 'o'"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_input_is_named(change: dict, needle: str) -> None:
    problem = {
        "offers": [{"id": "o", "amount": 1}],
        "needs": [{"id": "n", "amount": 1}],
        "arcs": [{"offer": "o", "need": "n", "unit_benefit_eur": 1}],
        **change,
    }
    with pytest.raises(ProblemInputError) as err:
        solve_allocation(problem)
    assert needle in str(err.value)
