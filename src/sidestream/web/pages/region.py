"""Facilitator pages: the region or network view and the optimiser's network plan."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from sidestream.access.policy import ANONYMOUS, sees_identity
from sidestream.api.deps import get_session
from sidestream.optimize.schemas import Allocation
from sidestream.registry import service as registry
from sidestream.registry.models import Network, Stream
from sidestream.web import engines, region_view
from sidestream.web.pages.common import gettext_for
from sidestream.web.region_network import optimise
from sidestream.web.registry_matching import Candidate, active_streams, region_candidates
from sidestream.web.stream_form import KIND_FORMS
from sidestream.web.templating import render

router = APIRouter()
SessionDep = Annotated[Session, Depends(get_session)]


@dataclass(frozen=True, slots=True)
class RegionState:
    """The streams, candidates and best plan of a region or one network."""

    network: Network | None
    networks: list[Network]
    streams: list[Stream]
    candidates: list[Candidate]
    allocation: Allocation


def _state(session: Session, network_id: int | None) -> RegionState:
    networks = list(registry.list_networks(session, limit=100)[0])
    network = next((n for n in networks if n.id == network_id), None)
    streams = active_streams(session, ANONYMOUS)
    candidates = region_candidates(session, ANONYMOUS)
    if network is not None:
        members = set(registry.network_member_ids(session, network.id))
        streams = [s for s in streams if s.organisation_id in members]
        candidates = [
            c
            for c in candidates
            if c.offer.organisation_id in members and c.need.organisation_id in members
        ]
    return RegionState(network, networks, streams, candidates, optimise(candidates))


@router.get("/region", response_class=HTMLResponse)
def region(request: Request, session: SessionDep, network: int | None = None) -> HTMLResponse:
    """Map, flows, Sankey, opportunity pipeline and the five indicators."""
    state = _state(session, network)
    by_id = {s.id: s for s in state.streams}
    gettext = gettext_for(request)
    indicators = region_view.indicators(state.allocation, by_id)
    chart = {
        "labels": [gettext(label) for label, _ in region_view.INDICATORS.values()],
        "kinds": {k: gettext(KIND_FORMS[k].label) for k in engines.IMPACT_KINDS},
        "series": {
            k: [indicators[n].get(k, 0.0) for n in region_view.INDICATORS]
            for k in engines.IMPACT_KINDS
        },
    }
    context = {
        "state": state,
        "chart": chart,
        "kinds": KIND_FORMS,
        "points": region_view.map_points(state.streams, ANONYMOUS),
        "lines": region_view.flow_lines(state.allocation, by_id, ANONYMOUS),
        "sankeys": region_view.sankeys(state.allocation, by_id),
        "pipeline": region_view.pipeline(state.streams, state.candidates, state.allocation),
        "indicators": indicators,
        "indicator_labels": region_view.INDICATORS,
    }
    return render(request, "region/index.html", context)


@router.get("/region/optimise", response_class=HTMLResponse)
def optimiser(
    request: Request,
    session: SessionDep,
    network: int | None = None,
    carbon_price: Annotated[float, Query(ge=0, le=1000)] = 0.0,
) -> HTMLResponse:
    """The optimiser's best network plan, with a carbon-price scenario beside the baseline."""
    state = _state(session, network)
    scenario = optimise(state.candidates, carbon_price) if carbon_price else None
    by_id = {s.id: s for s in state.streams}
    context = {
        "state": state,
        "baseline": state.allocation,
        "scenario": scenario,
        "carbon_price": carbon_price,
        "streams": by_id,
        "kinds": KIND_FORMS,
        "shows_identity": lambda stream: sees_identity(ANONYMOUS, stream),
    }
    return render(request, "region/optimise.html", context)
