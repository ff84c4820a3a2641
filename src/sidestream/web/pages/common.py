"""Helpers shared by the page modules: who is asking, redirects and friendly error pages."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from sidestream.access.deps import CurrentViewer
from sidestream.access.errors import Forbidden, Unauthenticated
from sidestream.access.policy import Viewer
from sidestream.api.deps import get_session
from sidestream.messages import N_
from sidestream.registry.models import Organisation
from sidestream.web.i18n import choose_language, translations
from sidestream.web.templating import render

SessionDep = Annotated[Session, Depends(get_session, scope="function")]

#: What an address that leads nowhere is called on the "not found" page.
PAGE = N_("page")
#: What it calls an invitation that is not there (answered, withdrawn or expired).
INVITATION = N_("invitation")


def page_viewer(request: Request, viewer: CurrentViewer, session: SessionDep) -> Viewer:
    """The caller (``access.deps.current_viewer``), with their organisations for the header."""
    request.state.organisations = (
        session.execute(
            select(Organisation.id, Organisation.name)
            .where(Organisation.id.in_(viewer.roles))
            .order_by(Organisation.name)
        ).all()
        if viewer.roles
        else []
    )
    return viewer


PageViewer = Annotated[Viewer, Depends(page_viewer)]


def gettext_for(request: Request) -> Callable[[str], str]:
    """The plain gettext of the visitor's language, for messages built in Python."""
    return translations(choose_language(request)).gettext


def not_found(request: Request, what: str) -> HTMLResponse:
    """A friendly 404 page (also for things the visitor may not know exist)."""
    return render(request, "not_found.html", {"what": what}, status=404)


#: What a session signed in to read only is told when it tries a change.
READ_ONLY = N_("You are signed in to read only: sign in again to make changes.")


def forbidden(request: Request, message: str) -> HTMLResponse:
    """A friendly 403 page explaining what the visitor may not do."""
    return render(request, "forbidden.html", {"message": message}, status=403)


def busy(request: Request) -> HTMLResponse:
    """A 503 page for a change the database could not take while it wrote another
    (``db.is_contention``): nothing was saved; sending it again works."""
    return render(request, "busy.html", status=503)


def see_other(url: str) -> RedirectResponse:
    """Redirect after a successful POST."""
    return RedirectResponse(url, status_code=303)


def to_login(request: Request, signup: bool = False) -> RedirectResponse:
    """Send a visitor who is not signed in to log in (or sign up), then back here."""
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    page = "/signup" if signup else "/login"
    return RedirectResponse(f"{page}?next={quote(here, safe='/')}", status_code=303)


def allowed(check: Callable[[Viewer, int], None], viewer: Viewer, ref: int) -> bool:
    """Whether the access-policy ``check`` (a ``policy.require_*``) lets ``viewer`` act on
    organisation or network ``ref``: what a page shows, the policy itself deciding."""
    try:
        check(viewer, ref)
    except (Forbidden, Unauthenticated):
        return False
    return True


def form_id(value: object) -> int | None:
    """A form's id as a number, ``None`` when it is none (or too long to be one)."""
    text = str(value or "")
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 18 else None
