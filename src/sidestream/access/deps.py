"""FastAPI dependencies: who is calling (cookie session or bearer token) and CSRF checks.

Browser sessions live in a signed, HttpOnly, SameSite=Lax cookie holding the session id and a
CSRF token; state-changing requests authenticated by that cookie must echo the CSRF token in the
``X-CSRF-Token`` header or a ``csrf_token`` form field (double submit: the token is also in a
readable cookie). Bearer tokens need no CSRF token.
"""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, Request, Response
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy.orm import Session

from sidestream.access import service
from sidestream.access.errors import CsrfFailed, Unauthenticated
from sidestream.access.models import User
from sidestream.access.policy import ANONYMOUS, Viewer
from sidestream.access.roles import Scope
from sidestream.access.secrets import new_secret
from sidestream.access.settings import get_access_settings
from sidestream.api.deps import SAFE_METHODS, get_session

SESSION_COOKIE = "sidestream_session"
CSRF_COOKIE = "sidestream_csrf"
CSRF_HEADER = "X-CSRF-Token"


def _signer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(get_access_settings().secret_key, salt="sidestream-session")


def set_login_cookies(response: Response, sid: str) -> str:
    """Put a new session and its CSRF token into cookies; returns the CSRF token."""
    cfg = get_access_settings()
    csrf = new_secret()
    value = _signer().dumps({"sid": sid, "csrf": csrf})
    age = cfg.session_hours * 3600
    common = {"max_age": age, "secure": cfg.cookie_secure, "samesite": "lax", "path": "/"}
    response.set_cookie(SESSION_COOKIE, value, httponly=True, **common)  # type: ignore[arg-type]
    response.set_cookie(CSRF_COOKIE, csrf, httponly=False, **common)  # type: ignore[arg-type]
    return csrf


def clear_login_cookies(response: Response) -> None:
    """Remove the session cookies."""
    response.delete_cookie(SESSION_COOKIE, path="/")
    response.delete_cookie(CSRF_COOKIE, path="/")


def read_session_cookie(request: Request) -> dict[str, str] | None:
    """The verified contents of the session cookie, if any."""
    raw = request.cookies.get(SESSION_COOKIE)
    if not raw:
        return None
    try:
        data = _signer().loads(raw, max_age=get_access_settings().session_hours * 3600)
    except BadSignature:
        return None
    return data if isinstance(data, dict) else None


async def _csrf_ok(request: Request, expected: str) -> bool:
    sent = request.headers.get(CSRF_HEADER)
    if sent is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        sent = (await request.form()).get("csrf_token")  # type: ignore[assignment]
    return isinstance(sent, str) and hmac.compare_digest(sent, expected)


async def current_viewer(
    request: Request, db: Annotated[Session, Depends(get_session, scope="function")]
) -> Viewer:
    """Resolve the caller: a bearer token, else a session cookie, else anonymous."""
    viewer, user = ANONYMOUS, None
    auth = request.headers.get("authorization")
    if auth:
        scheme, _, secret = auth.partition(" ")
        found = service.resolve_token(db, secret.strip()) if scheme.lower() == "bearer" else None
        if found is None:
            raise Unauthenticated("invalid, revoked or malformed API token")
        user, token = found
        viewer = service.viewer_for_user(
            db, user, actor=f"user:{user.id}/token:{token.id}", can_write=token.scope == Scope.write
        )
    elif (cookie := read_session_cookie(request)) is not None:
        user = service.resolve_login_session(db, cookie["sid"])
        if user is not None:
            if request.method not in SAFE_METHODS and not await _csrf_ok(request, cookie["csrf"]):
                raise CsrfFailed()
            viewer = service.viewer_for_user(db, user, actor=f"user:{user.id}")
    request.state.user = user
    # read now: an error page may render after the session (and the user's state) is gone
    request.state.user_label = (user.name or user.email) if user is not None else None
    db.info["actor"] = viewer.actor
    return viewer


def current_user(request: Request, viewer: Annotated[Viewer, Depends(current_viewer)]) -> User:
    """The logged-in user; 401 otherwise."""
    user: User | None = request.state.user
    if user is None:
        raise Unauthenticated("log in or send an API token")
    return user


CurrentViewer = Annotated[Viewer, Depends(current_viewer)]
CurrentUser = Annotated[User, Depends(current_user)]
