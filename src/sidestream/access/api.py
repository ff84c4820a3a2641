"""REST endpoints of accounts and tokens: /api/v1/auth/..., /api/v1/tokens, memberships."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request, Response
from fastapi.encoders import jsonable_encoder
from sqlalchemy.orm import Session

from sidestream.access import gdpr, policy, service
from sidestream.access.deps import (
    CurrentUser,
    CurrentViewer,
    clear_login_cookies,
    read_session_cookie,
    set_login_cookies,
)
from sidestream.access.errors import Forbidden, Unauthenticated
from sidestream.access.schemas import (
    DeleteAccount,
    InvitationAnswer,
    InvitationOut,
    InvitationSent,
    LogIn,
    MemberOut,
    MembershipIn,
    MembershipOut,
    ResetConfirm,
    ResetRequest,
    SignUp,
    TokenCreate,
    TokenCreated,
    TokenOut,
    UserOut,
)
from sidestream.api.deps import Limit, Offset, get_session, page_of
from sidestream.api.error_responses import (
    CONFLICT,
    FORBIDDEN,
    NOT_FOUND,
    THROTTLED,
    UNAUTHENTICATED,
    ApiRouter,
)
from sidestream.api.schemas import Page

router = ApiRouter(prefix="/api/v1")
DB = Annotated[Session, Depends(get_session, scope="function")]


def client_ip(request: Request) -> str:
    """The caller's address (the proxy's, unless the server trusts forwarded headers)."""
    return request.client.host if request.client else "unknown"


@router.post("/auth/signup", status_code=201, tags=["auth"], responses=CONFLICT)
def signup(db: DB, data: SignUp, response: Response) -> UserOut:
    """Create an account and log in."""
    user = service.create_user(db, data.email, data.password, data.name)
    set_login_cookies(response, service.open_login_session(db, user))
    return UserOut.model_validate(user)


@router.post("/auth/login", tags=["auth"], responses=UNAUTHENTICATED | THROTTLED)
def login(db: DB, data: LogIn, request: Request, response: Response) -> UserOut:
    """Log in: sets the session cookie and a CSRF cookie; 429 after repeated failures."""
    try:
        user = service.authenticate(db, data.email, data.password, client_ip(request))
    except Unauthenticated:
        db.commit()  # a failed attempt must count towards the throttle
        raise
    set_login_cookies(response, service.open_login_session(db, user))
    return UserOut.model_validate(user)


@router.post("/auth/logout", status_code=204, tags=["auth"])
def logout(db: DB, request: Request, viewer: CurrentViewer) -> Response:
    """End the browser session."""
    response = Response(status_code=204)
    cookie = read_session_cookie(request)
    if cookie is not None:
        service.close_login_session(db, cookie["sid"])
    clear_login_cookies(response)
    return response


@router.get("/auth/me", tags=["auth"])
def me(user: CurrentUser) -> UserOut:
    """The logged-in account with its memberships."""
    return UserOut.model_validate(user)


@router.post("/auth/password-reset", status_code=202, tags=["auth"])
def request_reset(db: DB, data: ResetRequest) -> dict[str, str]:
    """Send a reset link if the account exists (the answer is the same either way); the link
    points at ``SIDESTREAM_PUBLIC_URL``, never at the request's Host header."""
    service.request_password_reset(db, data.email)
    return {"detail": "if the address has an account, a reset link is on its way"}


@router.post("/auth/password-reset/confirm", status_code=204, tags=["auth"])
def confirm_reset(db: DB, data: ResetConfirm) -> Response:
    """Choose a new password with a reset token (single use; ends all sessions)."""
    service.confirm_password_reset(db, data.token, data.password)
    return Response(status_code=204)


@router.get("/tokens", tags=["tokens"])
def list_tokens(db: DB, user: CurrentUser, limit: Limit = 50, offset: Offset = 0) -> Page[TokenOut]:
    """Your API tokens (secrets are never shown again)."""
    return page_of(db, service.token_query(user), TokenOut.model_validate, limit, offset)


@router.post("/tokens", status_code=201, tags=["tokens"])
def create_token(
    db: DB, user: CurrentUser, viewer: CurrentViewer, data: TokenCreate
) -> TokenCreated:
    """Make an API token; its secret is in this answer only. Send it as ``Authorization:
    Bearer <token>``."""
    policy.require_writer(viewer)
    token, secret = service.create_token(db, user, data.name, data.scope)
    return TokenCreated(**TokenOut.model_validate(token).model_dump(), token=secret)


@router.delete("/tokens/{token_id}", status_code=204, tags=["tokens"])
def revoke_token(db: DB, user: CurrentUser, viewer: CurrentViewer, token_id: int) -> Response:
    """Revoke one of your tokens."""
    policy.require_writer(viewer)
    service.revoke_token(db, user, token_id)
    return Response(status_code=204)


@router.get("/organisations/{org_id}/members", tags=["organisations"], responses=FORBIDDEN)
def list_members(
    db: DB, viewer: CurrentViewer, org_id: int, limit: Limit = 50, offset: Offset = 0
) -> Page[MemberOut]:
    """Who belongs to an organisation: each member's user id, e-mail address, name and role
    (members only)."""
    query = service.member_query(db, viewer, org_id)
    return page_of(db, query, MemberOut.model_validate, limit, offset)


@router.put(
    "/organisations/{org_id}/members",
    tags=["organisations"],
    responses={202: {"model": InvitationSent, "description": "an invitation was sent"}},
)
def set_member(
    db: DB, viewer: CurrentViewer, org_id: int, data: MembershipIn, response: Response
) -> MembershipOut | InvitationSent:
    """Change a member's role (200), or invite an address that is not a member yet (202, the
    same answer whether or not it has an account; it joins once it accepts). Company admins."""
    member = service.set_membership(db, viewer, org_id, data.email, data.role)
    if member is not None:
        return MembershipOut.model_validate(member)
    response.status_code = 202
    return InvitationSent(email=data.email, organisation_id=org_id, role=data.role)


@router.get("/organisations/{org_id}/invitations", tags=["organisations"], responses=FORBIDDEN)
def list_invitations(
    db: DB, viewer: CurrentViewer, org_id: int, limit: Limit = 50, offset: Offset = 0
) -> Page[InvitationOut]:
    """The invitations not yet answered or withdrawn, newest first; expired ones stay listed
    for a month (company admins)."""
    query = service.invitation_query(db, viewer, org_id)
    return page_of(db, query, InvitationOut.model_validate, limit, offset)


@router.delete(
    "/organisations/{org_id}/invitations/{email}", status_code=204, tags=["organisations"]
)
def withdraw_invitation(db: DB, viewer: CurrentViewer, org_id: int, email: str) -> Response:
    """Withdraw the invitation of an address: its link stops working (company admins)."""
    service.withdraw_invitation(db, viewer, org_id, email)
    return Response(status_code=204)


@router.post("/auth/me/invitations/accept", tags=["auth"], responses=NOT_FOUND)
def accept_invitation(
    db: DB, user: CurrentUser, viewer: CurrentViewer, data: InvitationAnswer
) -> UserOut:
    """Accept, with your account, the invitation whose mailed link carries ``token``: its role
    takes effect (an account already a member keeps its role)."""
    policy.require_writer(viewer)
    service.answer_invitation_link(db, user, data.token, accept=True)
    db.refresh(user)
    return UserOut.model_validate(user)


@router.post("/auth/me/invitations/decline", status_code=204, tags=["auth"], responses=NOT_FOUND)
def decline_invitation(
    db: DB, user: CurrentUser, viewer: CurrentViewer, data: InvitationAnswer
) -> Response:
    """Decline the invitation whose mailed link carries ``token`` (its link is spent)."""
    policy.require_writer(viewer)
    service.answer_invitation_link(db, user, data.token, accept=False)
    return Response(status_code=204)


@router.delete("/organisations/{org_id}/members/{user_id}", status_code=204, tags=["organisations"])
def remove_member(db: DB, viewer: CurrentViewer, org_id: int, user_id: int) -> Response:
    """Take an account out of the organisation (company admins, or yourself)."""
    service.remove_membership(db, viewer, org_id, user_id)
    return Response(status_code=204)


@router.get("/auth/me/export", tags=["auth"])
def export_me(db: DB, user: CurrentUser) -> dict[str, Any]:
    """Download everything stored about your account (GDPR art. 15 and 20)."""
    return jsonable_encoder(gdpr.export_user(db, user))


@router.post("/auth/me/delete", status_code=204, tags=["auth"], responses=THROTTLED)
def delete_me(
    db: DB, user: CurrentUser, viewer: CurrentViewer, data: DeleteAccount, request: Request
) -> Response:
    """Delete your account after confirming your password (GDPR art. 17); 429 after repeated
    wrong passwords, as for logging in."""
    policy.require_writer(viewer)
    try:
        gdpr.delete_user(db, user, data.password, client_ip(request))
    except Forbidden:
        db.commit()  # a wrong password counts towards the throttle
        raise
    response = Response(status_code=204)
    clear_login_cookies(response)
    return response


@router.get("/organisations/{org_id}/export", tags=["organisations"], responses=FORBIDDEN)
def export_organisation(db: DB, viewer: CurrentViewer, org_id: int) -> dict[str, Any]:
    """Everything stored about an organisation (company admins)."""
    return jsonable_encoder(gdpr.export_organisation(db, viewer, org_id))


@router.post("/organisations/{org_id}/erase", tags=["organisations"])
def erase_organisation(db: DB, viewer: CurrentViewer, org_id: int) -> dict[str, int]:
    """Erase an organisation with its sites, streams and memberships (company admins)."""
    return gdpr.erase_organisation(db, viewer, org_id)
