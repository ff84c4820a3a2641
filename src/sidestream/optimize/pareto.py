"""EUR vs CO2e Pareto front by the epsilon-constraint method."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from sidestream.optimize.allocation import build_model, solve_model
from sidestream.optimize.schemas import (
    Allocation,
    NetworkProblem,
    ParetoFront,
    ParetoPoint,
    parse_problem,
)

Progress = Callable[[int, int], None]

#: The most points a sweep computes (one optimisation each), for the API and the CLI alike.
MAX_PARETO_POINTS = 50


def pareto_front(
    problem: NetworkProblem | dict, points: int = 10, progress: Progress | None = None
) -> ParetoFront:
    """Up to ``points`` non-dominated (EUR, CO2e) allocations, carbon left unpriced.

    The two ends come from maximising EUR alone (lexicographically then CO2e) and CO2e alone
    (then EUR); in between, EUR is maximised subject to ``CO2e >= epsilon`` for evenly spaced
    epsilons. ``progress(done, total)`` is called after each solve.
    """
    problem = parse_problem(problem)
    if points < 2:
        raise ValueError("a front needs at least 2 points")
    model = build_model(problem)
    total = points + 3
    done = 0

    def step(alloc: Allocation) -> Allocation:
        nonlocal done
        done += 1
        if progress:
            progress(done, total)
        return alloc

    # Ends: EUR first (tiny CO2e tie-break), then CO2e first (EUR fixed up after).
    eur_end = step(solve_model(model, eur_weight=1.0, co2e_weight=0.0))
    if eur_end.status not in ("optimal", "feasible"):
        return ParetoFront(points=[], message=eur_end.message)
    eur_end = step(
        solve_model(
            model, eur_weight=1.0, co2e_weight=0.0, min_co2e_t=_floor(eur_end.co2e_avoided_t)
        )
    )
    co2_end = step(solve_model(model, eur_weight=0.0, co2e_weight=1.0))
    low, high = eur_end.co2e_avoided_t, co2_end.co2e_avoided_t
    results: list[tuple[float, Allocation]] = []
    for eps in np.linspace(low, high, points):
        alloc = step(
            solve_model(model, eur_weight=1.0, co2e_weight=0.0, min_co2e_t=_floor(float(eps)))
        )
        if alloc.status in ("optimal", "feasible"):
            results.append((float(eps), alloc))
    front = _non_dominated(results)
    return ParetoFront(
        points=[
            ParetoPoint(
                benefit_eur=a.benefit_eur,
                co2e_avoided_t=a.co2e_avoided_t,
                epsilon_t=eps,
                status=a.status,
                mip_gap=a.mip_gap,
                links=len(a.flows),
            )
            for eps, a in front
        ],
        message=f"{len(front)} non-dominated point(s) from {len(results)} epsilon solves",
    )


def _floor(value: float) -> float:
    """A CO2e floor loosened by a hair so the solver's tolerance cannot make it infeasible."""
    return value - 1e-7 * max(1.0, abs(value))


def _non_dominated(results: list[tuple[float, Allocation]]) -> list[tuple[float, Allocation]]:
    """Drop points another point beats (or equals) on both EUR and CO2e, sorted by EUR desc."""
    ordered = sorted(results, key=lambda r: (-r[1].benefit_eur, -r[1].co2e_avoided_t))
    kept: list[tuple[float, Allocation]] = []
    for eps, alloc in ordered:
        best_co2 = kept[-1][1].co2e_avoided_t if kept else -np.inf
        if not kept or alloc.co2e_avoided_t > best_co2 + 1e-6 * max(1.0, abs(best_co2)):
            kept.append((eps, alloc))
    return kept
