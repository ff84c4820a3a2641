"""Web pages to log in, sign up, log out and reset a password (server-rendered forms).

Forms carry a CSRF token: before login it is compared with the CSRF cookie (double submit),
afterwards :func:`~sidestream.access.deps.current_viewer` checks it against the session.
Their messages are in the web interface's catalogue (``scripts/web-i18n.sh`` reads this package).
"""

from __future__ import annotations

import hmac
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import ChoiceLoader, Environment, FileSystemLoader
from sqlalchemy.orm import Session

from sidestream.access import service
from sidestream.access.api import client_ip
from sidestream.access.deps import (
    CSRF_COOKIE,
    CurrentViewer,
    clear_login_cookies,
    read_session_cookie,
    set_login_cookies,
)
from sidestream.access.errors import CsrfFailed, Throttled, Unauthenticated
from sidestream.access.models import User
from sidestream.access.secrets import new_secret
from sidestream.access.settings import get_access_settings
from sidestream.api.deps import get_session
from sidestream.errors import Conflict, InvalidInput
from sidestream.messages import N_
from sidestream.web import templating
from sidestream.web.forms import translated
from sidestream.web.pages.common import gettext_for

router = APIRouter(include_in_schema=False)
DB = Annotated[Session, Depends(get_session, scope="function")]
TEMPLATES = Path(__file__).parent / "templates"

#: What a browser is told when a form comes back without the session's CSRF token (the API
#: error handler shows it on the "not allowed" page).
FORM_EXPIRED = N_(
    "This form has expired or was sent from another site. Reload the page and try again."
)

#: The access service's refusals (worded for the API) as the forms say them; others keep theirs.
_MESSAGES: dict[str, str] = {
    "wrong e-mail address or password": N_("Wrong e-mail address or password."),
    "too many failed logins for this account; try again later": N_(
        "Too many failed logins for this account. Please try again later."
    ),
    "too many failed logins from this address; try again later": N_(
        "Too many failed logins from this network address. Please try again later."
    ),
    "use at least 10 characters": N_("Use at least 10 characters."),
    "use at most 200 characters": N_("Use at most 200 characters."),
    "a password of blanks or one repeated character is too easy to guess": N_(
        "A password of blanks or one repeated character is too easy to guess."
    ),
    "this reset link is invalid, used or expired": N_(
        "This reset link is invalid, already used or expired."
    ),
}


def _said(message: str, gettext: Any) -> str:
    """A service's message in the page's language (its own words here, else by its shape)."""
    return translated(_MESSAGES.get(message, message), gettext)


@lru_cache
def _environment() -> Environment:
    """The web app's environment, also finding the templates of this package."""
    web = templating.environment()
    return web.overlay(loader=ChoiceLoader([FileSystemLoader(TEMPLATES), web.loader]))


def _page(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    """Render a form page with a CSRF token (and its cookie when the visitor has none)."""
    token = request.cookies.get(CSRF_COOKIE) or new_secret()
    values = {
        **templating.page_context(request),
        "csrf_token": token,
        "values": {},
        "errors": {},
        **context,
    }
    response = HTMLResponse(_environment().get_template(template).render(values), status)
    if CSRF_COOKIE not in request.cookies:
        cfg = get_access_settings()
        response.set_cookie(CSRF_COOKIE, token, secure=cfg.cookie_secure, samesite="lax")
    return templating.remember_language(request, response)


async def _form(request: Request) -> dict[str, str]:
    """The posted fields; ``Forbidden`` unless the CSRF token matches the cookie."""
    form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    cookie = request.cookies.get(CSRF_COOKIE, "")
    if not cookie or not hmac.compare_digest(form.get("csrf_token", ""), cookie):
        raise CsrfFailed()
    return form


def _safe_next(target: str | None) -> str:
    """Only same-site paths, so the login page cannot redirect elsewhere."""
    if target and target.startswith("/") and not target.startswith(("//", "/\\")):
        return target
    return "/start"


def _logged_in(db: Session, user: User, target: str) -> Response:
    response = RedirectResponse(target, status_code=303)
    set_login_cookies(response, service.open_login_session(db, user))
    return response


@router.get("/login")
def login_page(request: Request, next: str | None = None) -> HTMLResponse:
    """The login form."""
    changed = N_("Your password was changed; log in with it.")
    notice = gettext_for(request)(changed) if request.query_params.get("reset") else None
    return _page(request, "access/login.html", next=_safe_next(next), notice=notice)


@router.post("/login")
async def login(request: Request, db: DB) -> Response:
    """Check the credentials; back to the form with a message when they are wrong."""
    form = await _form(request)
    email, target = form.get("email", ""), _safe_next(form.get("next"))
    gettext = gettext_for(request)
    again = {"next": target, "values": {"email": email}}
    try:
        user = service.authenticate(db, email, form.get("password", ""), client_ip(request))
    except Unauthenticated as exc:
        db.commit()  # a failed attempt must count towards the throttle
        error = _said(str(exc), gettext)
        return _page(request, "access/login.html", 401, error=error, **again)
    except Throttled as exc:
        error = _said(str(exc), gettext)
        return _page(request, "access/login.html", 429, error=error, **again)
    return _logged_in(db, user, target)


@router.get("/signup")
def signup_page(request: Request, next: str | None = None) -> HTMLResponse:
    """The sign-up form; ``next`` is where to go afterwards (default: registering a company)."""
    return _page(request, "access/signup.html", next=_safe_next(next))


@router.post("/signup")
async def signup(request: Request, db: DB) -> Response:
    """Create the account and log in."""
    form = await _form(request)
    email, target = form.get("email", "").strip(), _safe_next(form.get("next"))
    again = {"values": {"email": email, "name": form.get("name", "")}, "next": target}
    gettext = gettext_for(request)
    if "@" not in email:
        errors = {"email": gettext(N_("Enter an e-mail address."))}
        return _page(request, "access/signup.html", 422, errors=errors, **again)
    try:
        user = service.create_user(db, email, form.get("password", ""), form.get("name") or None)
    except InvalidInput as exc:
        errors = {exc.field: _said(exc.message, gettext)}
        return _page(request, "access/signup.html", 422, errors=errors, **again)
    except Conflict:  # the only conflict: the address has an account
        taken = gettext(N_("An account for %(email)s already exists.")) % {"email": email}
        return _page(request, "access/signup.html", 409, errors={"email": taken}, **again)
    return _logged_in(db, user, target)


@router.post("/logout")
async def logout(request: Request, db: DB, viewer: CurrentViewer) -> Response:
    """End the session (the session's CSRF token is checked by ``current_viewer``)."""
    cookie = read_session_cookie(request)
    if cookie is not None:
        service.close_login_session(db, cookie["sid"])
    response = RedirectResponse("/", status_code=303)
    clear_login_cookies(response)
    return response


@router.get("/reset")
def reset_page(request: Request, token: str | None = None) -> HTMLResponse:
    """Ask for a reset link, or (with ``token``) choose a new password."""
    return _page(request, "access/reset.html", token=token)


@router.post("/reset")
async def reset_request(request: Request, db: DB) -> HTMLResponse:
    """Send the link (to the outbox); the same answer whether or not the account exists."""
    form = await _form(request)
    service.request_password_reset(db, form.get("email", ""))
    notice = gettext_for(request)(N_("If the address has an account, a reset link is on its way."))
    return _page(request, "access/reset.html", notice=notice)


@router.post("/reset/confirm")
async def reset_confirm(request: Request, db: DB) -> Response:
    """Set the new password."""
    form = await _form(request)
    token = form.get("token", "")
    try:
        service.confirm_password_reset(db, token, form.get("password", ""))
    except InvalidInput as exc:
        message = _said(exc.message, gettext_for(request))
        errors = {exc.field: message}
        error = message if exc.field == "token" else None
        return _page(request, "access/reset.html", 422, token=token, errors=errors, error=error)
    return RedirectResponse("/login?reset=1", status_code=303)
