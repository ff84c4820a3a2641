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
    total = points + 2
    done = 0

    def step(alloc: Allocation) -> Allocation:
        nonlocal done
        done += 1
        if progress:
            progress(done, total)
        return alloc

    # Ends: EUR first and CO2e first (each solve parts ties on the other, TIE_BREAK)
    eur_end = step(solve_model(model, eur_weight=1.0, co2e_weight=0.0))
    if eur_end.status not in ("optimal", "feasible"):
        return ParetoFront(points=[], message=eur_end.message)
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
    """Drop points another point beats (or equals) on both EUR and CO2e, sorted by EUR desc;
    figures within a millionth are equal (two solves of one plan differ in their last digits)."""
    ordered = sorted(results, key=lambda r: (-r[1].benefit_eur, -r[1].co2e_avoided_t))
    kept: list[tuple[float, Allocation]] = []
    for i, (eps, alloc) in enumerate(ordered):
        # beaten by a later point (as much EUR within a millionth, more CO2e) or equal to, or
        # beaten by, one already kept
        later = (b for _, b in ordered[i + 1 :])
        if any(_same(b.benefit_eur, alloc.benefit_eur) and _more(b, alloc) for b in later):
            continue
        if kept and not _more(alloc, kept[-1][1]):
            continue
        kept.append((eps, alloc))
    return kept


def _same(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-6 * max(1.0, abs(b))


def _more(a: Allocation, b: Allocation) -> bool:
    """Whether ``a`` avoids more CO2e than ``b`` by more than a millionth."""
    return a.co2e_avoided_t > b.co2e_avoided_t + 1e-6 * max(1.0, abs(b.co2e_avoided_t))
