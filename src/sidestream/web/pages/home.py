"""The start page."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sidestream.api.deps import get_session
from sidestream.registry.models import Network, Organisation, Stream
from sidestream.web.case_library import all_cases
from sidestream.web.templating import render

router = APIRouter()


@router.get("/", response_class=HTMLResponse)
def home(
    request: Request, session: Annotated[Session, Depends(get_session, scope="function")]
) -> HTMLResponse:
    """Two doors: companies and facilitators, with the region in numbers."""
    by_direction = dict(
        session.execute(
            select(Stream.direction, func.count())
            .where(Stream.status == "active")
            .group_by(Stream.direction)
        ).all()
    )
    counts = {
        "organisations": session.scalar(select(func.count()).select_from(Organisation)) or 0,
        "networks": session.scalar(select(func.count()).select_from(Network)) or 0,
        "offers": by_direction.get("offer", 0),
        "needs": by_direction.get("need", 0),
        "cases": len(all_cases(session)),
    }
    return render(request, "home.html", {"counts": counts})
