"""Synthetic network problems (seeded) for tests, benchmarks and demos."""

from __future__ import annotations

import numpy as np


def random_problem(
    offers: int,
    needs: int,
    arcs: int,
    *,
    seed: int = 0,
    integral: bool = False,
    fixed_cost_share: float = 0.0,
    max_amount: int = 100,
) -> dict:
    """Offers, needs and ``arcs`` distinct random arcs (benefits may be negative)."""
    rng = np.random.default_rng(seed)
    pairs = rng.choice(offers * needs, size=min(arcs, offers * needs), replace=False)
    if integral:
        supply = rng.integers(0, max_amount + 1, offers).astype(float)
        demand = 2 * rng.integers(0, max_amount // 2 + 1, needs).astype(float)
        shares = rng.choice([0.5, 1.0], len(pairs))
    else:
        supply = rng.uniform(0, max_amount, offers).round(3)
        demand = rng.uniform(0, max_amount, needs).round(3)
        shares = rng.choice([0.25, 0.5, 1.0], len(pairs))
    arc_list = []
    for k, p in enumerate(pairs):
        arc = {
            "offer": f"o{p // needs}",
            "need": f"n{p % needs}",
            "unit_benefit_eur": round(float(rng.normal(10, 8)), 2),
            "unit_co2e_t": round(float(rng.uniform(-0.2, 2.0)), 3),
            "distance_km": round(float(rng.uniform(0, 150)), 1),
            "max_share": float(shares[k]),
            "supplier_unit_value_eur": round(float(rng.normal(3, 3)), 2),
        }
        if rng.random() < fixed_cost_share:
            arc["fixed_cost_eur"] = round(float(rng.uniform(0.5, 6.0) * max_amount), 2)
        arc_list.append(arc)
    return {
        "offers": [
            {"id": f"o{i}", "organisation": f"org{i % max(1, offers // 2)}", "amount": float(s)}
            for i, s in enumerate(supply)
        ],
        "needs": [
            {"id": f"n{j}", "organisation": f"buyer{j}", "amount": float(d)}
            for j, d in enumerate(demand)
        ],
        "arcs": arc_list,
    }
