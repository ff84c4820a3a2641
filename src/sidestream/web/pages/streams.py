"""The stream page: its partners, the sectors that could use it, introductions and dismissals;
pausing, resuming, closing and deleting the stream.

Everything goes through the services with the caller as viewer: the stream and its partners
are shown as the access policy allows (an anonymous partner stays anonymous), and only the
stream's own company may ask for an introduction, dismiss a suggestion (or show it again) or
change the stream.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from sidestream.access import policy
from sidestream.access.errors import Forbidden
from sidestream.access.policy import Viewer
from sidestream.errors import Conflict, InvalidInput, NotFound
from sidestream.exchanges import service as exchanges
from sidestream.exchanges.schemas import IntroductionCreate
from sidestream.matching.service import (
    dismiss_match,
    hidden_partners,
    matches_for_stream,
    undismiss_match,
    who_could_use,
)
from sidestream.matching.weights import WEAK_MATERIAL
from sidestream.messages import N_
from sidestream.registry import service as registry
from sidestream.registry.models import Organisation, Stream
from sidestream.registry.schemas import StreamUpdate
from sidestream.taxonomy.kinds import Status
from sidestream.web.pages.common import (
    READ_ONLY,
    PageViewer,
    SessionDep,
    allowed,
    forbidden,
    not_found,
    see_other,
    to_login,
)
from sidestream.web.pages.company import writable_stream
from sidestream.web.stream_form import (
    AVOIDED_DISPOSAL_CHOICES,
    KIND_FORMS,
    PERIOD_LABELS,
    STATUS_LABELS,
    VISIBILITY_CHOICES,
)
from sidestream.web.templating import render

router = APIRouter()
TOP = 5
NOT_YOURS = N_("Only members of the company that listed this stream may do this.")

#: Plain names of the matching engine's score components.
COMPONENT_LABELS = {
    "material": N_("Material fit"),
    "distance": N_("Distance"),
    "quantity": N_("Quantity"),
    "quality": N_("Quality"),
    "time": N_("Timing"),
    "regulatory": N_("Rules and permits"),
}


def _open_requests(session: SessionDep, viewer: Viewer, stream: Stream) -> dict[int, str]:
    """Partner stream id -> status of the viewer's open introductions about ``stream``."""
    if not viewer.authenticated:
        return {}
    found = {}
    for intro in exchanges.list_introductions(session, viewer):
        pair = (intro.offer_stream_id, intro.need_stream_id)
        # a facilitator's pending introduction names no partner yet (its card would)
        hidden = intro.by_facilitator and intro.status == "pending"
        if stream.id in pair and intro.status in ("pending", "accepted") and not hidden:
            partner = pair[1] if pair[0] == stream.id else pair[0]
            if partner is not None:
                found[partner] = intro.status
    return found


@router.get("/streams/{stream_id}", response_class=HTMLResponse)
def stream_page(
    request: Request, stream_id: int, session: SessionDep, viewer: PageViewer
) -> HTMLResponse:
    """One stream with its matches, the sectors that could use it and the documented cases."""
    try:
        stream = registry.get_stream(session, stream_id, viewer=viewer)
    except NotFound:
        return not_found(request, N_("stream"))
    full = policy.sees_identity(viewer, stream)
    matches = (
        matches_for_stream(session, stream_id, viewer, top=TOP).matches
        if stream.status == "active"
        else []
    )
    names = _names(session, [m.partner for m in matches])
    sectors = (  # only industries with evidence: a pattern or an alike documented case
        [s for s in who_could_use(session, stream_id, viewer, top=3 * TOP) if s.evidence][:TOP]
        if stream.direction == "offer"
        else []
    )
    # who may change the stream: the policy decides (a read-only session may not)
    manage = stream.organisation_id is not None and allowed(
        policy.require_member, viewer, stream.organisation_id
    )
    hidden = hidden_partners(session, stream_id, viewer) if manage else []
    context = {
        "stream": stream,
        "view": policy.redact(viewer, stream),
        "full": full,
        "org": stream.organisation if full else None,
        "mine": stream.organisation_id in viewer.roles,
        "manage": manage,
        "hidden": hidden,
        "hidden_names": _names(session, [h.partner for h in hidden]),
        "statuses": STATUS_LABELS,
        "matches": matches,
        "names": names,
        "requested": _open_requests(session, viewer, stream),
        "sectors": sectors,
        "kinds": KIND_FORMS,
        "periods": PERIOD_LABELS,
        "visibilities": VISIBILITY_CHOICES,
        "disposals": dict(AVOIDED_DISPOSAL_CHOICES),
        "components": COMPONENT_LABELS,
        "weak_material": WEAK_MATERIAL,  # as the network plan flags a link
        "saved": request.query_params.get("saved"),
        "notice": request.query_params.get("notice"),
    }
    return render(request, "company/stream.html", context)


def _names(session: SessionDep, partners: list[Any]) -> dict[int, str]:
    """Organisation id -> name of the partners shown in full (an anonymised one has none)."""
    named = {p.organisation_id for p in partners if getattr(p, "organisation_id", None)}
    if not named:
        return {}
    query = select(Organisation.id, Organisation.name).where(Organisation.id.in_(named))
    return dict(session.execute(query).all())


async def _partner(request: Request) -> int | None:
    try:
        return int(str((await request.form()).get("partner_id", "")))
    except ValueError:
        return None


@router.post("/streams/{stream_id}/introductions")
async def ask_introduction(
    request: Request, stream_id: int, session: SessionDep, viewer: PageViewer
) -> Response:
    """Ask the partner's company to be introduced (double opt-in: they accept or decline)."""
    if not viewer.authenticated:
        return to_login(request)
    partner_id = await _partner(request)
    message = str((await request.form()).get("message") or "").strip() or None
    try:
        stream = registry.get_stream(session, stream_id, viewer=viewer)
        if partner_id is None:
            raise NotFound("stream", "")
        pair = (stream_id, partner_id) if stream.direction == "offer" else (partner_id, stream_id)
        exchanges.request_introduction(
            session,
            viewer,
            IntroductionCreate(offer_stream_id=pair[0], need_stream_id=pair[1], message=message),
        )
    except NotFound:
        session.rollback()
        return not_found(request, N_("stream"))
    except Forbidden:
        session.rollback()
        return forbidden(request, NOT_YOURS)
    except Conflict:  # one is open already (the service refuses a second)
        session.rollback()
        return see_other(f"/streams/{stream_id}?notice=open")
    except (InvalidInput, ValidationError):  # the partner is gone from view, or no fit pair
        session.rollback()
        return see_other(f"/streams/{stream_id}?notice=refused")
    session.commit()
    return see_other("/exchanges?notice=requested")


@router.post("/streams/{stream_id}/dismiss")
async def dismiss(
    request: Request, stream_id: int, session: SessionDep, viewer: PageViewer
) -> Response:
    """Never suggest this partner for the stream again."""
    return await _on_partner(request, stream_id, session, viewer, dismiss_match, "dismissed")


@router.post("/streams/{stream_id}/undismiss")
async def undismiss(
    request: Request, stream_id: int, session: SessionDep, viewer: PageViewer
) -> Response:
    """Show a hidden partner again: undo "Not relevant, hide it"."""
    return await _on_partner(request, stream_id, session, viewer, undismiss_match, "restored")


async def _on_partner(
    request: Request,
    stream_id: int,
    session: Session,
    viewer: Viewer,
    act: Callable[[Session, int, int, Viewer], object],
    notice: str,
) -> Response:
    """Hide or show again the partner a form names for a stream; then the stream's page."""
    if not viewer.authenticated:
        return to_login(request)
    partner_id = await _partner(request)
    try:
        if partner_id is None:
            raise NotFound("stream", "")
        act(session, stream_id, partner_id, viewer)
    except (NotFound, InvalidInput):
        session.rollback()
        return not_found(request, N_("stream"))
    except Forbidden:
        session.rollback()
        return forbidden(request, READ_ONLY if not viewer.can_write else NOT_YOURS)
    session.commit()
    return see_other(f"/streams/{stream_id}?notice={notice}")


#: The status changes the stream page offers, by the status they lead to.
STATUS_MOVES = {Status.active: "resumed", Status.paused: "paused", Status.closed: "closed"}


@router.post("/streams/{stream_id}/status")
async def change_status(
    request: Request, stream_id: int, session: SessionDep, viewer: PageViewer
) -> Response:
    """Pause, resume (or reopen) or close the stream, from the version the page showed."""
    stream = writable_stream(request, session, viewer, stream_id)
    if not isinstance(stream, Stream):
        return stream
    form = await request.form()
    status = str(form.get("status", ""))
    if status not in STATUS_MOVES:
        return see_other(f"/streams/{stream_id}?notice=unchanged")
    try:
        update = StreamUpdate(version=str(form.get("version", "")), status=status)
        registry.update_stream(session, stream_id, update, viewer=viewer)
    except (ValidationError, InvalidInput):  # no version (the page is not one the server
        # sent), or stored before a rule it breaks: the edit form says which
        session.rollback()
        return see_other(f"/streams/{stream_id}?notice=unchanged")
    except Conflict:  # a colleague changed it since the page was shown
        session.rollback()
        return see_other(f"/streams/{stream_id}?notice=stale")
    except Forbidden:
        session.rollback()
        return forbidden(request, READ_ONLY if not viewer.can_write else NOT_YOURS)
    session.commit()
    return see_other(f"/streams/{stream_id}?notice={STATUS_MOVES[Status(status)]}")


#: What a deletion asked from a page shown before a colleague changed the stream is told.
STALE_DELETE = N_(
    "Someone else changed this stream after you opened this page. Here it is as it is now:"
    " delete it only if you still want to."
)


@router.get("/streams/{stream_id}/delete", response_class=HTMLResponse)
def delete_page(
    request: Request, stream_id: int, session: SessionDep, viewer: PageViewer
) -> Response:
    """Ask once more before deleting: what goes, and what stays."""
    stream = writable_stream(request, session, viewer, stream_id)
    if not isinstance(stream, Stream):
        return stream
    return _delete_page(request, stream)


def _delete_page(
    request: Request, stream: Stream, message: str | None = None, status: int = 200
) -> HTMLResponse:
    context = {"stream": stream, "kinds": KIND_FORMS, "message": message}
    return render(request, "company/stream_delete.html", context, status=status)


@router.post("/streams/{stream_id}/delete", response_class=HTMLResponse)
async def delete(
    request: Request, stream_id: int, session: SessionDep, viewer: PageViewer
) -> Response:
    """Delete the stream as it was when the question was asked; then its company's page."""
    stream = writable_stream(request, session, viewer, stream_id)
    if not isinstance(stream, Stream):
        return stream
    org_id = stream.organisation_id
    try:
        version = int(str((await request.form()).get("version", "")))
    except ValueError:
        version = -1  # a form without its version is stale
    try:
        registry.delete_stream(session, stream_id, viewer=viewer, version=version)
    except Conflict:
        session.rollback()
        return _delete_page(request, stream, STALE_DELETE, status=409)
    except Forbidden:
        session.rollback()
        return forbidden(request, READ_ONLY if not viewer.can_write else NOT_YOURS)
    session.commit()
    return see_other(f"/organisations/{org_id}?notice=deleted")
