"""Benefit sharing: split each link's EUR surplus equally and price the transfer that does it.

For a link carrying ``x`` with supplier value ``v_s``, receiver value ``v_r`` (per unit, at
zero price) and fixed cost ``F`` (borne half each), the surplus is ``S = (v_s + v_r) x - F``.
Each side gets ``S / 2`` when the receiver pays the supplier ``T = (v_r - v_s) x / 2``, i.e.
a transfer price of ``(v_r - v_s) / 2`` per unit. The carbon value is not cash and is not split.
"""

from __future__ import annotations

from sidestream.optimize.schemas import (
    Allocation,
    BenefitSharing,
    LinkShare,
    NetworkProblem,
    ParticipantGain,
    parse_problem,
)

_EPS = 1e-9


def share_benefits(problem: NetworkProblem | dict, allocation: Allocation) -> BenefitSharing:
    """Per-link equal split, per-participant gains, and flags for anyone left worse off."""
    problem = parse_problem(problem)
    arcs = {a.key: a for a in problem.arcs}
    owner = {p.id: p.owner for p in problem.offers} | {
        f"need:{p.id}": p.owner for p in problem.needs
    }
    links: list[LinkShare] = []
    gains: dict[str, list[float]] = {}
    flags: list[str] = []
    for flow in allocation.flows:
        arc = arcs[flow.arc_id]
        x = flow.amount
        v_s = arc.supplier_unit_value_eur
        v_r = arc.unit_benefit_eur - v_s
        surplus = arc.unit_benefit_eur * x - flow.fixed_cost_eur
        transfer = (v_r - v_s) * x / 2
        supplier, receiver = owner[arc.offer], owner[f"need:{arc.need}"]
        links.append(
            LinkShare(
                arc_id=flow.arc_id,
                supplier=supplier,
                receiver=receiver,
                amount=x,
                surplus_eur=surplus,
                transfer_price_eur_per_unit=(v_r - v_s) / 2,
                transfer_eur=transfer,
                supplier_gain_eur=surplus / 2,
                receiver_gain_eur=surplus / 2,
            )
        )
        for who in (supplier, receiver):
            gains.setdefault(who, []).append(surplus / 2)
        if surplus < -_EPS:
            flags.append(
                f"link {flow.arc_id} loses {-surplus:.2f} EUR a year: it is chosen for its CO2e "
                "at the carbon price; both sides are worse off without a subsidy"
            )
    participants = [
        ParticipantGain(organisation=who, gain_eur=sum(g), links=len(g), worse_off=sum(g) < -_EPS)
        for who, g in sorted(gains.items())
    ]
    flags += [
        f"{p.organisation} is worse off by {-p.gain_eur:.2f} EUR a year"
        for p in participants
        if p.worse_off
    ]
    return BenefitSharing(links=links, participants=participants, flags=flags)
