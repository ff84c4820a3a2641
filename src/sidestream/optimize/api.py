"""REST endpoint of network optimisation on stored streams."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends
from pydantic import ConfigDict, Field
from sqlalchemy.orm import Session

from sidestream.access.deps import CurrentViewer
from sidestream.api.deps import get_session, reads_only
from sidestream.api.error_responses import ApiRouter
from sidestream.input_rules import InputRules
from sidestream.optimize.pareto import MAX_PARETO_POINTS
from sidestream.optimize.schemas import MAX_CARBON_PRICE
from sidestream.optimize.service import NetworkOptimisation, optimize_network
from sidestream.taxonomy.units import MAX_QUANTITY

router = ApiRouter(prefix="/api/v1/networks", tags=["optimisation"])
DB = Annotated[Session, Depends(get_session, scope="function")]


class OptimizeRequest(InputRules):
    """Settings of a network optimisation and an optional what-if scenario."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    carbon_price: float | None = Field(
        None,
        ge=0,
        le=MAX_CARBON_PRICE,
        description="EUR per t CO2e; default: the factor set's EU ETS price",
    )
    fixed_costs: float = Field(
        0.0, ge=0, le=MAX_QUANTITY, description="EUR per year per link used (MILP)"
    )
    pareto_points: int = Field(
        0, ge=0, le=MAX_PARETO_POINTS, description="0 for none, else at least 2"
    )
    top_k: int = Field(5, ge=1, le=50, description="candidate needs per offer")
    changes: list[dict[str, Any]] = Field(
        default_factory=list, description="scenario changes (set_amount, change_price, ...)"
    )
    scenario_assumptions: dict[str, Any] = Field(
        default_factory=dict, description="factor overrides of the scenario"
    )


@router.post("/{network_id}/optimize")
@reads_only
def optimize(
    db: DB, viewer: CurrentViewer, network_id: int, body: OptimizeRequest | None = None
) -> NetworkOptimisation:
    """Best allocation of the network's visible streams, per-participant gains and transfer
    prices, optional Pareto front and the scenario's diff against the baseline."""
    body = body or OptimizeRequest()
    return optimize_network(
        db,
        network_id,
        viewer=viewer,
        carbon_price=body.carbon_price,
        fixed_costs=body.fixed_costs,
        pareto_points=body.pareto_points,
        changes=body.changes,
        scenario_assumptions=body.scenario_assumptions,
        top_k=body.top_k,
    )
