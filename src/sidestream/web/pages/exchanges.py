"""Introductions and exchanges of the signed-in user's companies.

Incoming requests show the requester's stream anonymised until accepted (double opt-in, as
``exchanges.service.introduction_view`` decides); exchanges move negotiating → agreed → active
→ ended or failed, and deliveries are recorded while active. Rules live in the service.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from sidestream.access.errors import Forbidden
from sidestream.access.policy import Viewer
from sidestream.errors import Conflict, InvalidInput, NotFound
from sidestream.exchanges import service
from sidestream.exchanges.models import Delivery, Exchange, Introduction
from sidestream.exchanges.schemas import (
    Barrier,
    DeliveryAnswer,
    DeliveryCreate,
    ExchangeOut,
    ExchangeUpdate,
    IntroductionOut,
    Stage,
)
from sidestream.messages import N_
from sidestream.registry.models import Organisation, Stream
from sidestream.reports.schemas import ReportRow
from sidestream.reports.service import exchange_realised_rows
from sidestream.web.forms import clean, field_errors, translated
from sidestream.web.i18n import choose_language
from sidestream.web.pages.common import (
    READ_ONLY,
    PageViewer,
    SessionDep,
    forbidden,
    gettext_for,
    not_found,
    see_other,
    to_login,
)
from sidestream.web.stream_form import KIND_FORMS, PERIOD_LABELS
from sidestream.web.templating import render

router = APIRouter()
NOT_A_PARTY = N_("Only the two companies of an exchange may change it.")
NOT_THE_OTHER_PARTY = N_(
    "Only the other company confirms or disputes a delivery, not the one that recorded it."
)

STAGE_LABELS = {
    Stage.introduced: N_("Introduced"),
    Stage.negotiating: N_("Negotiating"),
    Stage.agreed: N_("Agreed"),
    Stage.active: N_("Active: deliveries running"),
    Stage.ended: N_("Ended"),
    Stage.failed: N_("Failed"),
}
INTRO_LABELS = {
    "pending": N_("Waiting for an answer"),
    "accepted": N_("Accepted"),
    "declined": N_("Declined"),
    "withdrawn": N_("Withdrawn"),
}
BARRIER_LABELS = {
    Barrier.economic: N_("Economic: not worth it"),
    Barrier.technical: N_("Technical"),
    Barrier.regulatory: N_("Rules and permits"),
    Barrier.trust: N_("Trust and confidentiality"),
    Barrier.logistics: N_("Logistics and transport"),
    Barrier.quality: N_("Quality"),
    Barrier.quantity: N_("Quantity or timing"),
    Barrier.organisational: N_("Organisational"),
}
TERM_FIELDS = ("agreed_quantity", "agreed_unit", "agreed_period", "agreed_price_eur_per_unit")
MOVE_FIELDS = ("status", "failure_reason", "failure_note")
DELIVERY_FIELDS = ("delivered_on", "quantity", "unit", "document_ref")
#: How the page names the other party's answer to a delivery (none yet: awaiting).
ANSWER_LABELS = {
    None: N_("Awaiting confirmation"),
    "confirmed": N_("Confirmed"),
    "disputed": N_("Disputed"),
}


@dataclass(frozen=True, slots=True)
class ExchangeRow:
    """An exchange with the names its parties and their facilitators may see."""

    exchange: Exchange
    offer_title: str
    need_title: str
    offer_org: str
    need_org: str
    #: Deliveries the other party recorded that await the viewer's confirmation.
    to_answer: int = 0
    #: The exchange as the viewer may know it (``exchanges.service.exchange_view``).
    seen: ExchangeOut | None = None


def introduction_rows(
    session: Session, viewer: Viewer, intros: Iterable[Introduction]
) -> list[IntroductionOut]:
    """The introductions as ``viewer`` may see them (anonymised until accepted)."""
    return [service.introduction_view(session, viewer, i) for i in intros]


def exchange_rows(
    session: Session, viewer: Viewer, exchanges: Iterable[Exchange]
) -> list[ExchangeRow]:
    """Exchanges with stream titles and company names, as far as ``viewer`` may know them
    (``exchanges.service.exchange_view``: parties see both sides, others only what the policy
    shows, so a facilitator never learns an outside counterpart's name)."""
    pairs = [(e, service.exchange_view(session, viewer, e)) for e in exchanges]
    org_ids = {o for _, v in pairs for o in (v.offer_org_id, v.need_org_id) if o}
    stream_ids = {s for _, v in pairs for s in (v.offer_stream_id, v.need_stream_id) if s}
    orgs = dict(
        session.execute(
            select(Organisation.id, Organisation.name).where(Organisation.id.in_(org_ids))
        ).all()
    )
    titles = dict(
        session.execute(select(Stream.id, Stream.title).where(Stream.id.in_(stream_ids))).all()
    )
    gone = "—"
    return [
        ExchangeRow(
            e,
            titles.get(v.offer_stream_id or 0, gone),
            titles.get(v.need_stream_id or 0, gone),
            orgs.get(v.offer_org_id or 0, gone),
            orgs.get(v.need_org_id or 0, gone),
            sum(d.answer is None for d in _answerable(viewer, e)) if viewer.can_write else 0,
            v,
        )
        for e, v in pairs
    ]


def _answerable(viewer: Viewer, ex: Exchange) -> list[Delivery]:
    """The deliveries of ``ex`` the viewer may confirm or dispute (the other party's)."""
    return [d for d in ex.deliveries if service.answering_party(viewer, ex, d) is not None]


@router.get("/exchanges", response_class=HTMLResponse)
def overview(request: Request, session: SessionDep, viewer: PageViewer) -> Response:
    """Incoming and outgoing introduction requests and the exchanges of the user's companies."""
    if not viewer.authenticated:
        return to_login(request)
    intros = introduction_rows(session, viewer, service.list_introductions(session, viewer))
    asked = [i for i in intros if i.introduced_by is None]
    context = {
        "introduced": [i for i in intros if i.introduced_by is not None and i.my_side],
        "incoming": [i for i in asked if i.my_side == "responder"],
        "outgoing": [i for i in asked if i.my_side == "requester"],
        "exchanges": exchange_rows(session, viewer, service.list_exchanges(session, viewer)),
        "stages": STAGE_LABELS,
        "intro_labels": INTRO_LABELS,
        "kinds": KIND_FORMS,
        "notice": request.query_params.get("notice"),
    }
    return render(request, "exchanges/index.html", context)


async def _decide(
    request: Request, session: Session, viewer: Viewer, intro_id: int, action: str
) -> Response:
    if not viewer.authenticated:
        return to_login(request)
    try:
        if action == "withdraw":
            service.withdraw_introduction(session, viewer, intro_id)
        else:
            intro = service.decide_introduction(session, viewer, intro_id, action == "accept")
    except NotFound:
        session.rollback()
        return not_found(request, N_("introduction"))
    except Forbidden:
        session.rollback()
        return forbidden(request, N_("Only the company that was asked may answer."))
    except service.SideGone:
        session.rollback()
        return see_other("/exchanges?notice=gone")
    except Conflict:
        session.rollback()
        return see_other("/exchanges?notice=decided")
    session.commit()
    if action == "accept" and intro.status != "accepted":  # the other company's answer awaited
        return see_other("/exchanges?notice=accepted-waiting")
    if action == "accept":
        exchange = session.scalar(select(Exchange.id).where(Exchange.introduction_id == intro.id))
        return see_other(f"/exchanges/{exchange}?notice=accepted")
    return see_other(f"/exchanges?notice={action}")


@router.post("/introductions/{intro_id}/{action}")
async def decide(
    request: Request, intro_id: int, action: str, session: SessionDep, viewer: PageViewer
) -> Response:
    """Accept, decline (the responder; either company of a facilitator's introduction, each
    for its side) or withdraw (the requester) an introduction."""
    if action not in ("accept", "decline", "withdraw"):
        return not_found(request, N_("page"))
    return await _decide(request, session, viewer, intro_id, action)


def _realised(session: Session, viewer: Viewer, ex: Exchange) -> list[ReportRow]:
    """The reports module's realised rows of this exchange (from its deliveries), for anyone
    who sees the exchange: its facilitators were told "figures appear here once deliveries are
    recorded" above its deliveries."""
    if not ex.deliveries:
        return []
    return exchange_realised_rows(session, ex.id, viewer)  # no optimisation run


def _agreed_by(viewer: Viewer, ex: Exchange) -> str | None:
    """ "you" when the viewer's side agreed to the terms as they stand, "other" when the other
    side did (the viewer then agrees or changes them), else None."""
    if ex.terms_agreed_by is None or ex.status != Stage.negotiating:
        return None
    agreed = ex.offer_org_id if ex.terms_agreed_by == "offer" else ex.need_org_id
    return "you" if agreed in viewer.roles else "other"


def _exchange_page(
    request: Request,
    session: Session,
    viewer: Viewer,
    ex: Exchange,
    errors: Mapping[str, str] | None = None,
    values: Mapping[str, Any] | None = None,
    status: int = 200,
) -> HTMLResponse:
    intro = session.get(Introduction, ex.introduction_id) if ex.introduction_id else None
    context = {
        "row": (row := exchange_rows(session, viewer, [ex])[0]),
        "ex": ex,
        "seen": row.seen,  # deliveries as the viewer may know them
        "intro": service.introduction_view(session, viewer, intro) if intro else None,
        "party": ex.offer_org_id in viewer.roles or ex.need_org_id in viewer.roles,
        # whose agreement the terms as they stand have: the viewer's side's, the other's
        "agreed_by": _agreed_by(viewer, ex),
        "next_stages": sorted(service.NEXT[Stage(ex.status)], key=list(Stage).index),
        "stages": STAGE_LABELS,
        "barriers": BARRIER_LABELS,
        "periods": PERIOD_LABELS,
        "kinds": KIND_FORMS,
        "realised": _realised(session, viewer, ex),
        "answerable": {d.id for d in _answerable(viewer, ex)} if viewer.can_write else set(),
        "answers": ANSWER_LABELS,
        "errors": errors or {},
        "values": values or {},
        "notice": request.query_params.get("notice"),
    }
    return render(request, "exchanges/exchange.html", context, status=status)


@router.get("/exchanges/{exchange_id}", response_class=HTMLResponse)
def exchange_page(
    request: Request, exchange_id: int, session: SessionDep, viewer: PageViewer
) -> Response:
    """One exchange: its parties, terms, stage, deliveries and realised impact."""
    ex = _visible_exchange(request, session, viewer, exchange_id)
    return ex if isinstance(ex, Response) else _exchange_page(request, session, viewer, ex)


def _visible_exchange(
    request: Request, session: Session, viewer: Viewer, exchange_id: int
) -> Exchange | Response:
    """The exchange the viewer may see, or the page that says why not (login / not found)."""
    if not viewer.authenticated:
        return to_login(request)
    try:
        return service.get_exchange(session, viewer, exchange_id)
    except NotFound:
        session.rollback()
        return not_found(request, N_("exchange"))


async def _posted(
    request: Request, fields: Iterable[str], numbers: Iterable[str]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The posted ``fields`` read (numbers in the page's language; blanks left out) and as
    typed (shown again beside a message)."""
    typed = dict(await request.form())
    form = clean(typed, numbers, choose_language(request))
    return {k: form[k] for k in fields if form.get(k) is not None}, typed


#: What an edit made on a page someone else changed meanwhile is told.
STALE_PAGE = N_("Someone else changed this exchange meanwhile: reload the page and try again.")


def _write(
    request: Request,
    session: Session,
    viewer: Viewer,
    ex: Exchange,
    write: Callable[[], object],
    fields: Sequence[str],
    values: dict[str, Any],
    notice: str | Callable[[Any], str],
    refused: str = NOT_A_PARTY,
) -> Response:
    """Run one exchange write; on refusal roll back and show the page with the reasons
    (``refused``: what a signed-in viewer who may not make it is told; ``notice``: the page's
    notice, or what chooses it from the written object)."""
    gettext = gettext_for(request)
    try:
        written = write()
    except ValidationError as exc:
        errors = field_errors(exc, list(fields), gettext, choose_language(request))
        status = 422
    except InvalidInput as exc:
        errors, status = {exc.field: translated(exc.message, gettext)}, 422
    except Conflict:  # the only conflict of a form with its version: a stale page
        errors, status = {"__all__": gettext(STALE_PAGE)}, 409
    except Forbidden:
        session.rollback()
        return forbidden(request, READ_ONLY if not viewer.can_write else refused)
    else:
        said = notice(written) if callable(notice) else notice
        session.commit()
        return see_other(f"/exchanges/{ex.id}?notice={said}")
    session.rollback()
    return _exchange_page(request, session, viewer, ex, errors, values, status)


@router.post("/exchanges/{exchange_id}", response_class=HTMLResponse)
async def update(
    request: Request, exchange_id: int, session: SessionDep, viewer: PageViewer
) -> Response:
    """Set the terms and/or move the exchange to its next stage."""
    ex = _visible_exchange(request, session, viewer, exchange_id)
    if isinstance(ex, Response):
        return ex
    fields = ("version", *TERM_FIELDS, *MOVE_FIELDS)
    data, typed = await _posted(request, fields, ("agreed_quantity", "agreed_price_eur_per_unit"))
    return _write(
        request,
        session,
        viewer,
        ex,
        lambda: service.update_exchange(session, viewer, exchange_id, ExchangeUpdate(**data)),
        [*TERM_FIELDS, *MOVE_FIELDS],
        typed,
        "saved",
    )


@router.post("/exchanges/{exchange_id}/deliveries", response_class=HTMLResponse)
async def add_delivery(
    request: Request, exchange_id: int, session: SessionDep, viewer: PageViewer
) -> Response:
    """Record one delivery of an active exchange."""
    ex = _visible_exchange(request, session, viewer, exchange_id)
    if isinstance(ex, Response):
        return ex
    data, typed = await _posted(request, DELIVERY_FIELDS, ("quantity",))
    return _write(
        request,
        session,
        viewer,
        ex,
        lambda: service.record_delivery(session, viewer, exchange_id, DeliveryCreate(**data)),
        DELIVERY_FIELDS,
        typed,
        lambda delivery: (
            "delivery-large" if service.beyond_agreed(session, ex, delivery) else "delivery"
        ),
    )


@router.post(
    "/exchanges/{exchange_id}/deliveries/{delivery_id}/answer", response_class=HTMLResponse
)
async def answer_delivery(
    request: Request, exchange_id: int, delivery_id: int, session: SessionDep, viewer: PageViewer
) -> Response:
    """Confirm or dispute a delivery the other party recorded."""
    ex = _visible_exchange(request, session, viewer, exchange_id)
    if isinstance(ex, Response):
        return ex
    data, typed = await _posted(request, ("answer", "note", "version"), ())
    if not any(d.id == delivery_id for d in ex.deliveries):
        return not_found(request, N_("delivery"))
    return _write(
        request,
        session,
        viewer,
        ex,
        lambda: service.answer_delivery(
            session, viewer, exchange_id, delivery_id, DeliveryAnswer(**data)
        ),
        ("answer", "note"),
        typed | {"answering": delivery_id},
        "answer",
        NOT_THE_OTHER_PARTY,
    )
