"""The start page."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import func, select

from sidestream.access.policy import visible_streams_clause
from sidestream.registry.models import Network, Organisation, Stream
from sidestream.web.case_library import case_count
from sidestream.web.pages.common import PageViewer, SessionDep
from sidestream.web.templating import render

router = APIRouter()


@router.get("/", response_class=HTMLResponse)
def home(request: Request, session: SessionDep, viewer: PageViewer) -> HTMLResponse:
    """Two doors: companies and facilitators, with the region in numbers (COUNT queries only;
    the stream counts hold only the streams the visitor may see)."""
    by_direction = dict(
        session.execute(
            select(Stream.direction, func.count())
            .where(Stream.status == "active", visible_streams_clause(viewer))
            .group_by(Stream.direction)
        ).all()
    )
    counts = {
        "organisations": session.scalar(select(func.count()).select_from(Organisation)) or 0,
        "networks": session.scalar(select(func.count()).select_from(Network)) or 0,
        "offers": by_direction.get("offer", 0),
        "needs": by_direction.get("need", 0),
        "cases": case_count(session, viewer),
    }
    return render(request, "home.html", {"counts": counts})
