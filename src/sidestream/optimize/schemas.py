"""Pydantic I/O schemas of network optimisation: problem in, allocation, front and diffs out."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from sidestream.errors import FieldError, InvalidInput, as_loc
from sidestream.impact.schemas import MAX_DISTANCE_KM
from sidestream.input_rules import InputRules
from sidestream.taxonomy.kinds import CANONICAL_UNIT
from sidestream.taxonomy.units import MAX_QUANTITY

#: The highest carbon price a plan takes, EUR per t CO2e: a hundred times any price policy has
#: set; at 1e12 the solver's numbers lose their precision (HiGHS answered "Solve error").
MAX_CARBON_PRICE = 1e5

#: Units a quantity may be given in: amounts are solved in the kinds' canonical units.
CANONICAL_UNITS = tuple(CANONICAL_UNIT.values())


class _Strict(InputRules):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


class Party(_Strict):
    """An offer (supply) or a need (demand) of one organisation, per year."""

    id: str = Field(min_length=1)
    organisation: str | None = Field(None, description="defaults to the id")
    amount: float = Field(ge=0, le=MAX_QUANTITY)
    unit: str = Field("t", description="converted to t, MWh or m3")

    @property
    def owner(self) -> str:
        """The participant who gains or loses: the organisation, else the id."""
        return self.organisation or self.id


class Arc(_Strict):
    """A candidate link offer -> need with per-unit values (per t, MWh or m3)."""

    id: str | None = Field(None, description="defaults to 'OFFER->NEED'")
    offer: str
    need: str
    unit_benefit_eur: float = Field(
        ge=-MAX_QUANTITY, le=MAX_QUANTITY, description="net EUR per unit, both"
    )
    unit_co2e_t: float = Field(
        0.0, ge=-MAX_QUANTITY, le=MAX_QUANTITY, description="t CO2e avoided per unit"
    )
    distance_km: float = Field(0.0, ge=0, le=MAX_DISTANCE_KM)
    max_share: float = Field(1.0, gt=0, le=1, description="largest share of the need served")
    gain: float = Field(
        1.0,
        gt=0,
        le=MAX_QUANTITY,
        description="units the need receives per unit sent; a heat pump adds its electricity "
        "to the waste heat: COP/(COP-1)",
    )
    fixed_cost_eur: float = Field(0.0, ge=0, le=MAX_QUANTITY, description="per year if used")
    supplier_unit_value_eur: float = Field(
        0.0,
        ge=-MAX_QUANTITY,
        le=MAX_QUANTITY,
        description="supplier's part of unit_benefit at zero price",
    )
    material_evidence: float | None = Field(
        None,
        ge=0,
        le=1,
        description="the matcher's material score of the pair: how sure it is the need can use "
        "the offer's material (a stored network's arcs carry it; not used by the solver)",
    )

    @property
    def key(self) -> str:
        """The arc's id, or ``OFFER->NEED``."""
        return self.id or f"{self.offer}->{self.need}"


class NetworkProblem(_Strict):
    """Offers, needs and sparse candidate arcs of a region, with solver settings."""

    offers: list[Party]
    needs: list[Party]
    arcs: list[Arc]
    carbon_price_eur_per_t: float = Field(0.0, ge=0, le=MAX_CARBON_PRICE)
    max_distance_km: float | None = Field(None, ge=0)
    mip_rel_gap: float = Field(1e-4, ge=0, le=1)
    time_limit_s: float = Field(60.0, gt=0)

    @model_validator(mode="after")
    def _consistent(self) -> NetworkProblem:
        problems: list[str] = []
        for name, parties in (("offers", self.offers), ("needs", self.needs)):
            seen: set[str] = set()
            for i, p in enumerate(parties):
                if p.id in seen:
                    problems.append(f"{name}[{i}].id: duplicate id '{p.id}'")
                seen.add(p.id)
                if p.unit not in CANONICAL_UNITS:
                    problems.append(
                        f"{name}[{i}].unit: unknown unit '{p.unit}' (use one of {CANONICAL_UNITS})"
                    )
        offers = {o.id: o for o in self.offers}
        needs = {n.id: n for n in self.needs}
        keys: set[str] = set()
        for i, a in enumerate(self.arcs):
            if a.key in keys:
                problems.append(f"arcs[{i}].id: duplicate arc '{a.key}'")
            keys.add(a.key)
            if a.offer not in offers:
                problems.append(f"arcs[{i}].offer: unknown offer '{a.offer}'")
            if a.need not in needs:
                problems.append(f"arcs[{i}].need: unknown need '{a.need}'")
            if a.offer in offers and a.need in needs and offers[a.offer].unit != needs[a.need].unit:
                problems.append(
                    f"arcs[{i}]: offer '{a.offer}' is in {offers[a.offer].unit} "
                    f"but need '{a.need}' in {needs[a.need].unit}"
                )
        if problems:
            raise ValueError("; ".join(problems))
        return self


class ProblemInputError(InvalidInput):
    """The problem could not be read: every offending field with its reason, each problem
    written ``field: reason`` (``changes.0.target: no offer or need 'x'``) or a reason alone
    (then on ``input``)."""

    def __init__(self, problems: list[str], errors: Sequence[FieldError] = ()) -> None:
        """``errors``, where given, are the ``problems`` read (a model's, with its types)."""
        self._init(tuple(errors) or tuple(map(_problem_error, problems or ["input: invalid"])))
        Exception.__init__(self, "; ".join(problems))
        self.problems = problems


def _problem_error(problem: str) -> FieldError:
    """One problem of :class:`ProblemInputError` as the field it names and its reason."""
    field, said, reason = problem.partition(": ")
    if not said or not field or " " in field:
        return FieldError(("input",), problem)
    return FieldError(as_loc(field), reason)


def parse_problem(data: Mapping[str, object] | NetworkProblem) -> NetworkProblem:
    """Validate a problem, turning pydantic errors into one ``ProblemInputError``."""
    if isinstance(data, NetworkProblem):
        return data
    try:
        return NetworkProblem.model_validate(data)
    except ValidationError as exc:
        problems = []
        for e in exc.errors():
            where = ".".join(str(p) for p in e["loc"]) or "input"
            msg = str(e["msg"]).removeprefix("Value error, ")
            problems.append(msg if not e["loc"] else f"{where}: {msg}")
        raise ProblemInputError(problems) from None


Status = Literal["optimal", "feasible", "infeasible", "unbounded", "no_feasible_link", "error"]


class Flow(BaseModel):
    """Amount sent along one arc and what it is worth."""

    arc_id: str
    offer: str
    need: str
    amount: float
    unit: str
    delivered: float = Field(description="what the need receives: amount x the arc's gain")
    benefit_eur: float = Field(description="unit benefit x amount - fixed cost")
    co2e_avoided_t: float
    fixed_cost_eur: float
    distance_km: float
    material_evidence: float | None = Field(
        None, description="the arc's material score, where the matcher gave one"
    )


class Usage(BaseModel):
    """How much of an offer is placed, or of a need covered."""

    id: str
    organisation: str
    amount: float
    allocated: float
    share: float


class SolveStats(BaseModel):
    """Model size and solver figures."""

    solver: str = "HiGHS (scipy.optimize.milp)"
    variables: int
    binaries: int
    constraints: int
    arcs_given: int
    arcs_excluded: int
    solve_time_s: float


class Allocation(BaseModel):
    """The best allocation found, its value and the solver's account of it."""

    status: Status
    message: str
    objective_eur: float = Field(description="benefit_eur + carbon price x co2e_avoided_t")
    benefit_eur: float = Field(description="net EUR per year after fixed link costs")
    co2e_avoided_t: float
    fixed_costs_eur: float
    carbon_price_eur_per_t: float
    mip_gap: float | None = Field(None, description="relative gap left; 0 for LPs")
    dual_bound_eur: float | None = None
    flows: list[Flow] = Field(default_factory=list)
    offers: list[Usage] = Field(default_factory=list)
    needs: list[Usage] = Field(default_factory=list)
    stats: SolveStats | None = None


class ParetoPoint(BaseModel):
    """One point of the EUR vs CO2e front (carbon not priced)."""

    benefit_eur: float
    co2e_avoided_t: float
    epsilon_t: float = Field(description="CO2e floor the point was solved under")
    status: Status
    mip_gap: float | None
    links: int


class ParetoFront(BaseModel):
    """Non-dominated allocations from most EUR to most CO2e avoided."""

    points: list[ParetoPoint]
    message: str


class LinkShare(BaseModel):
    """Equal split of one link's EUR surplus and the transfer price that achieves it."""

    arc_id: str
    supplier: str
    receiver: str
    amount: float
    surplus_eur: float
    transfer_price_eur_per_unit: float = Field(description="receiver pays supplier (if > 0)")
    transfer_eur: float
    supplier_gain_eur: float
    receiver_gain_eur: float


class ParticipantGain(BaseModel):
    """What one organisation gains over all its links; ``worse_off`` when below zero."""

    organisation: str
    gain_eur: float
    links: int
    worse_off: bool


class BenefitSharing(BaseModel):
    """Per-link split, per-participant gains, and flags for anyone left worse off."""

    rule: str = "equal split of each link's EUR surplus (fixed cost shared equally)"
    links: list[LinkShare]
    participants: list[ParticipantGain]
    flags: list[str]


# --- scenarios -------------------------------------------------------------------------------


class _Change(_Strict):
    note: str | None = None


class SetAmount(_Change):
    """Set (or scale) the amount of one offer or need."""

    op: Literal["set_amount"]
    target: str
    amount: float | None = Field(None, ge=0)
    factor: float | None = Field(None, ge=0)

    @model_validator(mode="after")
    def _one(self) -> SetAmount:
        if (self.amount is None) == (self.factor is None):
            raise ValueError("give exactly one of 'amount' or 'factor'")
        return self


class _ArcChange(_Change):
    arcs: list[str] | None = Field(None, description="arc ids; none = every arc")
    offers: list[str] | None = None
    needs: list[str] | None = None


class ChangePrice(_ArcChange):
    """Scale and/or shift the unit benefit of the selected arcs (price, fee, tax)."""

    op: Literal["change_price"]
    factor: float = 1.0
    delta_eur_per_unit: float = 0.0
    supplier_side: bool = Field(False, description="the shift falls on the supplier's value")


class ChangeFactor(_ArcChange):
    """Scale and/or shift the unit CO2e of the selected arcs (an emission factor)."""

    op: Literal["change_factor"]
    factor: float = 1.0
    delta_t_per_unit: float = 0.0


class SetCarbonPrice(_Change):
    """Price carbon differently."""

    op: Literal["set_carbon_price"]
    value: float = Field(ge=0, le=MAX_CARBON_PRICE)


class RemoveOrganisation(_Change):
    """Take an organisation out: its offers, needs and their arcs."""

    op: Literal["remove_organisation"]
    organisation: str


Change = Annotated[
    SetAmount | ChangePrice | ChangeFactor | SetCarbonPrice | RemoveOrganisation,
    Field(discriminator="op"),
]


class Scenario(_Strict):
    """A named list of what-if changes."""

    name: str = "scenario"
    changes: list[Change]


class MetricDiff(BaseModel):
    """One total, baseline beside scenario."""

    metric: str
    baseline: float
    scenario: float
    delta: float


class FlowDiff(BaseModel):
    """One arc whose amount changed."""

    arc_id: str
    offer: str
    need: str
    baseline: float
    scenario: float
    delta: float


class ScenarioDiff(BaseModel):
    """Side-by-side comparison of a scenario with its baseline."""

    totals: list[MetricDiff]
    flows: list[FlowDiff]
    links_added: list[str]
    links_removed: list[str]


class ScenarioComparison(BaseModel):
    """Baseline and scenario allocations and their diff."""

    name: str
    baseline: Allocation
    scenario: Allocation
    diff: ScenarioDiff
