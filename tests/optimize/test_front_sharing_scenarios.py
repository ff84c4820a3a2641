"""Pareto front, benefit sharing, scenarios and the ``sidestream optimize`` command."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sidestream.cli import app
from sidestream.optimize.allocation import solve_allocation
from sidestream.optimize.pareto import pareto_front
from sidestream.optimize.scenarios import apply_changes, run_scenario
from sidestream.optimize.schemas import MAX_CARBON_PRICE, ProblemInputError
from sidestream.optimize.sharing import share_benefits
from sidestream.optimize.synthetic import random_problem

# A: 10 t, B: 5 t; C and D need 8 t each. B -> D loses EUR but saves most CO2e.
SMALL = {
    "offers": [
        {"id": "o1", "organisation": "A", "amount": 10},
        {"id": "o2", "organisation": "B", "amount": 5},
    ],
    "needs": [
        {"id": "n1", "organisation": "C", "amount": 8},
        {"id": "n2", "organisation": "D", "amount": 8},
    ],
    "arcs": [
        {"offer": "o1", "need": "n1", "unit_benefit_eur": 3, "unit_co2e_t": 0.1},
        {
            "offer": "o1",
            "need": "n2",
            "unit_benefit_eur": 2,
            "unit_co2e_t": 0.5,
            "fixed_cost_eur": 5,
            "supplier_unit_value_eur": 1.5,
        },
        {"offer": "o2", "need": "n2", "unit_benefit_eur": -1, "unit_co2e_t": 1},
    ],
}


def test_front_ends_match_single_objective_optima() -> None:
    front = pareto_front(SMALL, points=6)
    eur_best = solve_allocation(SMALL)  # carbon unpriced
    co2_best = solve_allocation({**SMALL, "carbon_price_eur_per_t": MAX_CARBON_PRICE})
    first, last = front.points[0], front.points[-1]
    assert first.benefit_eur == pytest.approx(eur_best.benefit_eur, rel=1e-6)
    assert last.co2e_avoided_t == pytest.approx(co2_best.co2e_avoided_t, rel=1e-6)
    for a, b in zip(front.points, front.points[1:], strict=False):
        assert a.benefit_eur >= b.benefit_eur - 1e-6
        assert a.co2e_avoided_t < b.co2e_avoided_t
    assert all(p.co2e_avoided_t >= p.epsilon_t - 1e-5 for p in front.points)


# Two needs worth the same EUR a tonne: only CO2e tells them apart.
TIE = {
    "offers": [{"id": "o", "amount": 10}],
    "needs": [{"id": "n1", "amount": 8}, {"id": "n2", "amount": 8}],
    "arcs": [
        {"offer": "o", "need": "n1", "unit_benefit_eur": 3, "unit_co2e_t": 0.5},
        {"offer": "o", "need": "n2", "unit_benefit_eur": 3, "unit_co2e_t": 0.1},
    ],
}


def test_a_plan_of_equal_eur_avoids_the_most_co2e() -> None:
    plan = solve_allocation(TIE)  # carbon unpriced: 30 EUR whichever need comes first
    assert plan.benefit_eur == pytest.approx(30)
    assert plan.co2e_avoided_t == pytest.approx(8 * 0.5 + 2 * 0.1)
    front = pareto_front(TIE, points=4)
    assert [(p.benefit_eur, p.co2e_avoided_t) for p in front.points] == [
        (pytest.approx(30), pytest.approx(4.2))
    ]


def test_front_reports_progress_and_handles_larger_milp() -> None:
    calls: list[tuple[int, int]] = []
    problem = random_problem(15, 15, 80, seed=2, fixed_cost_share=0.3)
    front = pareto_front(problem, points=5, progress=lambda d, t: calls.append((d, t)))
    assert calls[-1] == (7, 7)
    assert len(front.points) >= 2
    assert all(p.status == "optimal" and p.mip_gap is not None for p in front.points)


def test_equal_split_and_transfer_price() -> None:
    alloc = solve_allocation({**SMALL, "carbon_price_eur_per_t": 10})
    sharing = share_benefits(SMALL, alloc)
    link = next(s for s in sharing.links if s.arc_id == "o1->n2")
    x = link.amount
    # surplus = 2 x - 5; supplier value 1.5/unit, receiver 0.5/unit -> price (0.5 - 1.5)/2
    assert link.surplus_eur == pytest.approx(2 * x - 5)
    assert link.transfer_price_eur_per_unit == pytest.approx(-0.5)
    supplier_net = 1.5 * x - 2.5 + link.transfer_eur
    receiver_net = 0.5 * x - 2.5 - link.transfer_eur
    assert supplier_net == pytest.approx(link.supplier_gain_eur)
    assert receiver_net == pytest.approx(link.receiver_gain_eur)
    assert sum(p.gain_eur for p in sharing.participants) == pytest.approx(
        sum(s.surplus_eur for s in sharing.links)
    )
    # B -> D is carried for its carbon value at a loss: B and its link are flagged
    assert any("o2->n2" in f for f in sharing.flags)
    assert next(p for p in sharing.participants if p.organisation == "B").worse_off


def test_scenario_remove_organisation_and_diff() -> None:
    problem = {**SMALL, "carbon_price_eur_per_t": 10}
    result = run_scenario(problem, [{"op": "remove_organisation", "organisation": "B"}])
    assert all(f.offer != "o2" for f in result.scenario.flows)
    assert "o2->n2" in result.diff.links_removed
    totals = {m.metric: m for m in result.diff.totals}
    assert totals["co2e_avoided_t"].delta == pytest.approx(
        result.scenario.co2e_avoided_t - result.baseline.co2e_avoided_t
    )
    assert result.scenario.objective_eur <= result.baseline.objective_eur + 1e-9


def test_scenario_changes_apply_without_touching_the_input() -> None:
    changed = apply_changes(
        SMALL,
        [
            {"op": "set_amount", "target": "o1", "factor": 0.5},
            {"op": "change_price", "needs": ["n1"], "delta_eur_per_unit": 2},
            {"op": "change_factor", "factor": 2},
            {"op": "set_carbon_price", "value": 80},
        ],
    )
    assert changed.offers[0].amount == 5
    assert changed.arcs[0].unit_benefit_eur == 5 and changed.arcs[1].unit_benefit_eur == 2
    assert [a.unit_co2e_t for a in changed.arcs] == [0.2, 1.0, 2]
    assert changed.carbon_price_eur_per_t == 80
    assert SMALL["offers"][0]["amount"] == 10


def test_the_diff_counts_amounts_per_unit() -> None:
    """Tonnes, MWh and m3 flowing were added into one amount_exchanged."""
    mixed = json.loads(json.dumps(SMALL))
    mixed["offers"][1]["unit"] = mixed["needs"][1]["unit"] = "MWh"
    mixed["arcs"] = [a for a in mixed["arcs"] if a["offer"] == "o2" or a["need"] == "n1"]
    mixed["arcs"][-1]["unit_benefit_eur"] = 1  # o2 -> n2 pays
    diff = run_scenario(mixed, [{"op": "set_amount", "target": "o1", "amount": 4}]).diff
    totals = {t.metric: (t.baseline, t.scenario) for t in diff.totals}
    assert totals["amount_exchanged_t"] == (8, 4) and totals["amount_exchanged_MWh"] == (5, 5)
    assert "amount_exchanged" not in totals


def test_price_rise_moves_flow_in_the_diff() -> None:
    result = run_scenario(
        SMALL, [{"op": "change_price", "arcs": ["o1->n2"], "delta_eur_per_unit": 5}]
    )
    moved = {f.arc_id: f.delta for f in result.diff.flows}
    assert moved["o1->n2"] > 0 and moved["o1->n1"] < 0


@pytest.mark.parametrize(
    "change",
    [
        {"op": "set_amount", "target": "nobody", "amount": 1},
        {"op": "set_amount", "target": "o1", "amount": 1, "factor": 2},
        {"op": "remove_organisation", "organisation": "Z"},
        {"op": "teleport"},
        {"op": "change_price", "arcs": ["o1->n9"], "factor": 2},  # a typo changed nothing
        {"op": "change_factor", "offers": ["o7"], "factor": 2},
        {"op": "set_carbon_price", "value": 1e12},  # HiGHS: "Solve error"
    ],
)
def test_bad_scenario_change_is_named(change: dict) -> None:
    with pytest.raises(ProblemInputError) as err:
        apply_changes(SMALL, [change])
    assert "changes" in str(err.value)


@pytest.mark.parametrize("op", ["change_price", "change_factor"])
def test_a_change_that_overflows_is_named(op: str) -> None:
    # the first change alone makes the values too large; the second read them (a 500 before)
    changes = [{"op": op, "factor": 1e308}, {"op": "change_price", "factor": 2}]
    with pytest.raises(ProblemInputError) as err:
        apply_changes(SMALL, changes)
    message = str(err.value)
    assert message.startswith("changes.0: this change makes arcs") and "unit_" in message


@pytest.fixture
def small_file(tmp_path: Path) -> Path:
    path = tmp_path / "network.json"
    path.write_text(json.dumps(SMALL), encoding="utf-8")
    return path


def test_cli_json_with_pareto(small_file: Path) -> None:
    result = CliRunner().invoke(
        app, ["optimize", str(small_file), "--carbon-price", "10", "--pareto", "4"]
    )
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["allocation"]["status"] == "optimal"
    assert out["allocation"]["carbon_price_eur_per_t"] == 10
    assert len(out["pareto"]["points"]) >= 2
    assert {"links", "participants", "flags"} <= set(out["sharing"])


def test_cli_csv(small_file: Path) -> None:
    result = CliRunner().invoke(app, ["optimize", str(small_file), "--format", "csv"])
    assert result.exit_code == 0
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert rows and {"arc_id", "amount", "transfer_price_eur_per_unit"} <= set(rows[0])


def test_cli_bad_input_is_a_message_not_a_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"offers": [{"id": "o", "amount": -3}], "needs": [], "arcs": []}')
    result = CliRunner().invoke(app, ["optimize", str(bad)])
    assert result.exit_code == 2
    assert "offers.0.amount" in result.stderr and "Traceback" not in result.output
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    result = CliRunner().invoke(app, ["optimize", str(broken)])
    assert result.exit_code == 2 and "is not JSON" in result.stderr


def test_every_bad_change_is_named() -> None:
    # the first bad change alone was named
    changes = [
        {"op": "set_amount", "target": "nobody", "amount": 1},
        {"op": "set_carbon_price", "value": 10},
        {"op": "remove_organisation", "organisation": "Z"},
    ]
    with pytest.raises(ProblemInputError) as err:
        apply_changes(SMALL, changes)
    assert [e.loc for e in err.value.errors] == [
        ("changes", 0, "target"),
        ("changes", 2, "organisation"),
    ]
    malformed = [{"op": "set_amount"}, {"op": "teleport"}]
    with pytest.raises(ProblemInputError) as err:
        apply_changes(SMALL, malformed)
    assert [(e.loc, e.type) for e in err.value.errors] == [
        (("changes", 0, "set_amount", "target"), "missing"),
        (("changes", 1), "union_tag_invalid"),
    ]
