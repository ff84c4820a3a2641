"""Facilitator pages: the region or network view, the network plan and the pipeline."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BeforeValidator, ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from sidestream.access import policy
from sidestream.access.errors import Forbidden
from sidestream.access.policy import Viewer, sees_identity
from sidestream.errors import Conflict, InvalidInput, NotFound
from sidestream.exchanges import service as exchanges
from sidestream.exchanges.models import Introduction
from sidestream.exchanges.schemas import FacilitatorIntroductionCreate
from sidestream.matching.weights import WEAK_MATERIAL
from sidestream.messages import N_
from sidestream.optimize.schemas import Allocation
from sidestream.optimize.service import NetworkOptimisation
from sidestream.registry import service as registry
from sidestream.registry.models import Network, NetworkMember, Stream
from sidestream.taxonomy.kinds import PHYSICAL_KINDS
from sidestream.web import region_view
from sidestream.web.forms import field_errors, read_number
from sidestream.web.i18n import choose_language
from sidestream.web.pages.common import (
    PAGE,
    PageViewer,
    SessionDep,
    allowed,
    forbidden,
    form_id,
    gettext_for,
    not_found,
    see_other,
    to_login,
)
from sidestream.web.pages.exchanges import (
    BARRIER_LABELS,
    INTRO_LABELS,
    STAGE_LABELS,
    exchange_rows,
    introduction_rows,
)
from sidestream.web.plans import impact_report, network_plan
from sidestream.web.stream_form import KIND_FORMS
from sidestream.web.templating import render

router = APIRouter()

#: The highest carbon price (EUR per tonne CO2) the scenario field takes: twenty times today's
#: EU ETS price (the API and the optimiser take up to ``optimize.schemas.MAX_CARBON_PRICE``).
MAX_CARBON_PRICE = 1000.0


#: The optimiser's status of a plan, as the network plan page names it.
SOLVER_STATUS = {
    "optimal": N_("optimal"),
    "feasible": N_("feasible, not proven the best"),
    "infeasible": N_("infeasible"),
    "unbounded": N_("unbounded"),
    "no_feasible_link": N_("no feasible link"),
    "error": N_("the solver failed"),
}


def _blank_is_none(value: object) -> object:
    return None if value == "" else value


#: The ``network`` choice of the region pages: an id, or none (the "whole region" option sends
#: an empty value).
NetworkChoice = Annotated[int | None, BeforeValidator(_blank_is_none)]

EMPTY = Allocation(
    status="no_feasible_link",
    message="no feasible exchange",
    objective_eur=0.0,
    benefit_eur=0.0,
    co2e_avoided_t=0.0,
    fixed_costs_eur=0.0,
    carbon_price_eur_per_t=0.0,
)


@dataclass(frozen=True, slots=True)
class RegionState:
    """The visible streams and best plan of a region or one network."""

    network: Network | None
    networks: list[Network]
    streams: list[Stream]
    plan: NetworkOptimisation | None

    @property
    def allocation(self) -> Allocation:
        """The plan's allocation (empty when no exchange is feasible)."""
        return self.plan.allocation if self.plan else EMPTY

    @property
    def by_id(self) -> dict[int, Stream]:
        """The streams by id."""
        return {s.id: s for s in self.streams}


def _state(session: SessionDep, viewer: Viewer, network_id: int | None) -> RegionState | None:
    """What the region pages show of the region, or of ``network_id``; None when no network
    has that id (the whole region was shown in its place, unsaid)."""
    networks = list(registry.list_networks(session, limit=100)[0])
    network = session.get(Network, network_id) if network_id is not None else None
    if network_id is not None and network is None:
        return None
    filters = registry.StreamFilter(
        status="active", network_id=network.id if network is not None else None
    )
    query = registry.stream_query(filters, viewer).options(selectinload(Stream.organisation))
    streams = list(session.scalars(query.order_by(Stream.id)))
    plan = network_plan(session, viewer, network.id if network is not None else None)
    return RegionState(network, networks, streams, plan)


def _progress(
    session: SessionDep, viewer: Viewer, network: Network | None
) -> region_view.ExchangeCounts | None:
    """Introductions and exchanges the viewer may follow in the region or network."""
    if network is not None and (viewer.superuser or network.id in viewer.facilitated_networks):
        counts = exchanges.pipeline(session, viewer, network.id)
        intros, states = counts.introductions, counts.exchanges
    elif network is None and viewer.authenticated:
        intros = Counter(i.status for i in exchanges.list_introductions(session, viewer))
        states = Counter(e.status for e in exchanges.list_exchanges(session, viewer))
    else:
        return None
    return region_view.ExchangeCounts(
        introductions=sum(intros.values()),
        accepted=intros.get("accepted", 0),
        running=states.get("active", 0),
    )


@router.get("/region", response_class=HTMLResponse)
def region(
    request: Request, session: SessionDep, viewer: PageViewer, network: NetworkChoice = None
) -> HTMLResponse:
    """Map, flows, Sankey, opportunity pipeline and the five indicators."""
    state = _state(session, viewer, network)
    if state is None:
        return not_found(request, PAGE)
    by_id = state.by_id
    gettext = gettext_for(request)
    indicators = region_view.indicators(state.allocation, by_id)
    chart = {
        "labels": [gettext(label) for label, _ in region_view.INDICATORS.values()],
        "kinds": {k: gettext(KIND_FORMS[k].label) for k in PHYSICAL_KINDS},
        "series": {
            k: [indicators[n].get(k, 0.0) for n in region_view.INDICATORS] for k in PHYSICAL_KINDS
        },
    }
    facilitates = state.network is not None and (
        viewer.superuser or state.network.id in viewer.facilitated_networks
    )
    report = impact_report(session, viewer, state.network.id) if facilitates else None
    context = {
        "state": state,
        "chart": chart,
        "kinds": KIND_FORMS,
        "points": region_view.map_points(state.streams, viewer),
        "lines": region_view.flow_lines(state.allocation, by_id, viewer),
        "sankeys": region_view.sankeys(state.allocation, by_id, viewer, choose_language(request)),
        "pipeline": region_view.pipeline(
            len(state.streams),
            state.plan.summary.arcs if state.plan else 0,
            len(state.allocation.flows),
            _progress(session, viewer, state.network),
        ),
        "indicators": indicators,
        "indicator_labels": region_view.INDICATORS,
        "report": report,
        "facilitates": facilitates,
    }
    return render(request, "region/index.html", context)


@router.get("/region/optimise", response_class=HTMLResponse)
def optimiser(
    request: Request,
    session: SessionDep,
    viewer: PageViewer,
    network: NetworkChoice = None,
    carbon_price: str = "",
) -> HTMLResponse:
    """The optimiser's best network plan, with a carbon-price scenario beside the baseline
    (the price typed in the page's language; a wrong one is named beside the field)."""
    state = _state(session, viewer, network)
    if state is None:
        return not_found(request, PAGE)
    scenario, price, error = None, None, None
    if carbon_price.strip():
        price, error = read_number(
            carbon_price, choose_language(request), 0, MAX_CARBON_PRICE, gettext_for(request)
        )
    if price:
        alt = network_plan(session, viewer, state.network.id if state.network else None, price)
        scenario = alt.allocation if alt else EMPTY
    introduces = (
        state.network is not None
        and viewer.can_write
        and allowed(policy.require_facilitator, viewer, state.network.id)
    )
    context = {
        "state": state,
        "baseline": state.allocation,
        "scenario": scenario,
        "carbon_price": price,
        "typed_price": carbon_price,
        "errors": {"carbon_price": error} if error else {},
        "streams": state.by_id,
        "solver_status": SOLVER_STATUS,
        "kinds": KIND_FORMS,
        "shows_identity": lambda stream: sees_identity(viewer, stream),
        "introduces": introduces,
        "introduced": _introduced_pairs(session, state) if introduces else {},
        "intro_labels": INTRO_LABELS,
        "weak_material": WEAK_MATERIAL,  # a link to check before introducing
    }
    return render(request, "region/optimise.html", context)


def _introduced_pairs(session: Session, state: RegionState) -> dict[tuple[int, int], str]:
    """(offer, need) -> status of the open (pending or accepted) introduction of each pair of
    the page's streams: a pair already introduced is not offered again."""
    ids = list(state.by_id)
    rows = session.execute(
        select(Introduction.offer_stream_id, Introduction.need_stream_id, Introduction.status)
        .where(
            Introduction.offer_stream_id.in_(ids),
            Introduction.need_stream_id.in_(ids),
            Introduction.status.in_(("pending", "accepted")),
        )
        .order_by(Introduction.id)
    ).all()
    return {(o, n): status for o, n, status in rows if o is not None and n is not None}


@router.get("/region/pipeline", response_class=HTMLResponse)
def pipeline_page(
    request: Request, session: SessionDep, viewer: PageViewer, network: NetworkChoice = None
) -> Response:
    """The facilitator's pipeline: introductions and exchanges among a network's members."""
    if not viewer.authenticated:
        return to_login(request)
    mine = [
        n
        for n in registry.list_networks(session, limit=100)[0]
        if allowed(policy.require_facilitator, viewer, n.id)
    ]
    if not mine:
        return forbidden(request, N_("Only a network's facilitator sees its pipeline."))
    chosen = next((n for n in mine if n.id == network), None if network else mine[0])
    if chosen is None:  # not a network, or not one this facilitator runs
        return not_found(request, PAGE)
    members = set(registry.network_member_ids(session, chosen.id))
    intros = [
        i
        for i in exchanges.list_introductions(session, viewer)
        if {i.requester_org_id, i.responder_org_id} & members
    ]
    deals = [
        e
        for e in exchanges.list_exchanges(session, viewer)
        if {e.offer_org_id, e.need_org_id} & members
    ]
    context = {
        "networks": mine,
        "network": chosen,
        "counts": exchanges.pipeline(session, viewer, chosen.id),
        "introductions": introduction_rows(session, viewer, intros),
        "exchanges": exchange_rows(session, viewer, deals),
        "stages": STAGE_LABELS,
        "intro_labels": INTRO_LABELS,
        "barriers": BARRIER_LABELS,
        "kinds": KIND_FORMS,
        "notice": request.query_params.get("notice"),
    }
    return render(request, "region/pipeline.html", context)


#: What a visitor who is not the network's facilitator is told on the introduction form.
NOT_THE_FACILITATOR = N_("Only the network's facilitator introduces its members to each other.")
INTRODUCTION_FIELDS = ("offer_stream_id", "need_stream_id", "message")


def _introduction_form(
    request: Request,
    session: Session,
    viewer: Viewer,
    network_id: int | None,
    offer_id: int | None,
    need_id: int | None,
    message: str = "",
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    """The confirmation form of an introduction: both streams in full (the facilitator knows
    them), what each company will see, and an optional message."""
    if not viewer.authenticated:
        return to_login(request)
    network = session.get(Network, network_id) if network_id is not None else None
    if network is None:
        return not_found(request, N_("network"))
    if not viewer.can_write or not allowed(policy.require_facilitator, viewer, network.id):
        return forbidden(request, NOT_THE_FACILITATOR)
    offer = session.get(Stream, offer_id) if offer_id is not None else None
    need = session.get(Stream, need_id) if need_id is not None else None
    members = set(
        session.scalars(
            select(NetworkMember.organisation_id).where(NetworkMember.network_id == network.id)
        )
    )
    # only its members' streams, which the facilitator sees in full: the form names both
    # companies (an outsider's anonymous stream named its owner)
    streams = (offer, need)
    if any(s is None or s.organisation_id not in members for s in streams) or not all(
        policy.can_see(viewer, s) for s in streams
    ):
        return not_found(request, N_("stream"))
    context = {
        "network": network,
        "offer": offer,
        "need": need,
        "message": message,
        "errors": errors or {},
        "kinds": KIND_FORMS,
    }
    return render(request, "region/introduce.html", context, status=status)


@router.get("/region/introduce", response_class=HTMLResponse)
def introduce_form(
    request: Request,
    session: SessionDep,
    viewer: PageViewer,
    network: int | None = None,
    offer: int | None = None,
    need: int | None = None,
) -> Response:
    """Confirm introducing an offer and a need of two member companies (the facilitator)."""
    return _introduction_form(request, session, viewer, network, offer, need)


@router.post("/region/introduce", response_class=HTMLResponse)
async def introduce(request: Request, session: SessionDep, viewer: PageViewer) -> Response:
    """Introduce the two companies: each is asked, and learns who the other is only once both
    have accepted. Back to the network's pipeline with a notice."""
    if not viewer.authenticated:
        return to_login(request)
    form = await request.form()
    network_id = form_id(form.get("network"))
    offer_id, need_id = form_id(form.get("offer")), form_id(form.get("need"))
    message = str(form.get("message") or "").strip()
    gettext = gettext_for(request)
    try:
        if network_id is None or offer_id is None or need_id is None:
            raise NotFound("stream", "")
        data = FacilitatorIntroductionCreate(
            offer_stream_id=offer_id, need_stream_id=need_id, message=message or None
        )
        exchanges.introduce(session, viewer, network_id, data)
    except NotFound:
        session.rollback()
        return not_found(request, N_("stream"))
    except Forbidden:
        session.rollback()
        return forbidden(request, NOT_THE_FACILITATOR)
    except Conflict:  # one about the pair is open: the pipeline shows it
        session.rollback()
        return see_other(f"/region/pipeline?network={network_id}&notice=open")
    except (ValidationError, InvalidInput) as exc:  # e.g. a message too long
        session.rollback()
        errors = field_errors(exc, INTRODUCTION_FIELDS, gettext, choose_language(request))
        return _introduction_form(
            request, session, viewer, network_id, offer_id, need_id, message, errors, 422
        )
    session.commit()
    return see_other(f"/region/pipeline?network={network_id}&notice=introduced")
