"""The stream page: its partners, the sectors that could use it, and an introduction."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from sidestream.access.policy import ANONYMOUS, sees_identity
from sidestream.api.deps import get_session
from sidestream.errors import NotFound
from sidestream.registry import service as registry
from sidestream.web import engines
from sidestream.web.i18n import N_
from sidestream.web.pages.common import not_found
from sidestream.web.registry_matching import matches_for
from sidestream.web.stream_form import KIND_FORMS, PERIOD_LABELS, VISIBILITY_LABELS
from sidestream.web.templating import render

router = APIRouter()
SessionDep = Annotated[Session, Depends(get_session)]

#: Plain names of the matching engine's score components.
COMPONENT_LABELS = {
    "material": N_("Material fit"),
    "distance": N_("Distance"),
    "quantity": N_("Quantity"),
    "quality": N_("Quality"),
    "time": N_("Timing"),
    "regulatory": N_("Rules and permits"),
}


@router.get("/streams/{stream_id}", response_class=HTMLResponse)
def stream_page(request: Request, stream_id: int, session: SessionDep) -> HTMLResponse:
    """One stream with its matches, the sectors that could use it and the documented cases."""
    try:
        stream = registry.get_stream(session, stream_id)
    except NotFound:
        return not_found(request, N_("stream"))
    org = stream.organisation
    candidates = matches_for(session, stream, ANONYMOUS) if stream.status == "active" else []
    sectors = (
        engines.sectors(
            f"{stream.title} {stream.description or ''}",
            stream.waste_code,
            org.nace if org else None,
        )
        if stream.direction == "offer" and stream.kind == "material"
        else []
    )
    context = {
        "stream": stream,
        "org": org,
        "candidates": candidates,
        "sectors": sectors,
        "kinds": KIND_FORMS,
        "periods": PERIOD_LABELS,
        "visibilities": VISIBILITY_LABELS,
        "components": COMPONENT_LABELS,
        "shows_identity": lambda s: sees_identity(ANONYMOUS, s),
        "saved": request.query_params.get("saved"),
    }
    return render(request, "company/stream.html", context)
