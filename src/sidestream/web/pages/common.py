"""Helpers shared by the page modules."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse

from sidestream.web.i18n import choose_language, translations
from sidestream.web.templating import render


def gettext_for(request: Request) -> Callable[[str], str]:
    """The plain gettext of the visitor's language, for messages built in Python."""
    return translations(choose_language(request)).gettext


def not_found(request: Request, what: str) -> HTMLResponse:
    """A friendly 404 page."""
    return render(request, "not_found.html", {"what": what}, status=404)


def see_other(url: str) -> RedirectResponse:
    """Redirect after a successful POST."""
    return RedirectResponse(url, status_code=303)
