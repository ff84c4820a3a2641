"""A company's people and networks: who belongs to it, inviting colleagues, leaving.

What the API offers as ``/organisations/{id}/members`` and ``/networks/{id}/members/{org}``, as
a page an SME's administrator can use without an API token. Members see who belongs; admins
invite an address (or change a member's role by inviting it again), see and withdraw the
invitations not yet answered, take people out and take the company out of a network; anyone
may leave. The access rules are the services' own.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from sqlalchemy import select

from sidestream.access import policy
from sidestream.access import service as access
from sidestream.access.errors import Forbidden, Unauthenticated
from sidestream.access.models import Invitation, Membership
from sidestream.access.policy import Viewer
from sidestream.access.roles import Role
from sidestream.access.schemas import EMAIL_PATTERN, MembershipIn
from sidestream.db import utcnow
from sidestream.errors import Conflict, NotFound
from sidestream.messages import N_
from sidestream.registry import service as registry
from sidestream.registry.models import Network, NetworkMember, Organisation
from sidestream.web.forms import field_errors
from sidestream.web.i18n import choose_language
from sidestream.web.pages.common import (
    INVITATION,
    READ_ONLY,
    PageViewer,
    SessionDep,
    allowed,
    forbidden,
    form_id,
    gettext_for,
    not_found,
    see_other,
    to_login,
)
from sidestream.web.templating import render

router = APIRouter()

#: How the page names each role.
ROLE_NAMES = {
    Role.member: N_("Member"),
    Role.admin: N_("Administrator"),
    Role.facilitator: N_("Facilitator"),
}
#: The roles an administrator may give on the page; a company that runs a network may also
#: give the facilitator's (so inviting its facilitator again keeps the role on offer).
OFFERED = (Role.member, Role.admin)
MEMBERS_ONLY = N_("Only members of this company may see who belongs to it.")
ADMINS_ONLY = N_("Only administrators of this company may do this.")
BAD_ADDRESS = N_("Please enter an e-mail address, for example name@company.eu.")
#: The one conflict these forms meet (``access.service.keep_an_admin``), in the page's words.
LAST_ADMIN = N_(
    "A company keeps at least one administrator: make someone else administrator first."
)
#: What a change made at the same moment as another one's is told.
AT_ONCE = N_("Someone else changed the team at the same moment: reload the page and try again.")


@router.get("/organisations/{org_id}/team", response_class=HTMLResponse)
def team(request: Request, org_id: int, session: SessionDep, viewer: PageViewer) -> Response:
    """The company's people (once they have accepted) and its networks."""
    return _page(request, session, viewer, org_id, {}, {})


@router.post("/organisations/{org_id}/team/invite", response_class=HTMLResponse)
async def invite(
    request: Request, org_id: int, session: SessionDep, viewer: PageViewer
) -> Response:
    """Invite an address, or give a member another role (company admins)."""
    form = dict(await request.form())
    gettext = gettext_for(request)
    if (refused := _admin_only(request, session, viewer, org_id)) is not None:
        return refused
    try:
        data = MembershipIn(
            email=str(form.get("email") or "").strip(), role=form.get("role") or Role.member
        )
    except ValidationError as exc:
        errors = field_errors(exc, ("email", "role"), gettext, choose_language(request))
        if "email" in errors:
            errors["email"] = gettext(BAD_ADDRESS)
        return _page(request, session, viewer, org_id, form, errors, status=422)
    if data.role not in _offered(session, org_id):
        return _page(request, session, viewer, org_id, form, {"role": gettext(
            "Please choose one of the options.")}, status=422)  # fmt: skip
    try:
        member = access.set_membership(session, viewer, org_id, data.email, data.role)
    except (Forbidden, Unauthenticated):
        return _refused(request, session, viewer)
    except Conflict as exc:
        session.rollback()
        errors = {"role": gettext(LAST_ADMIN if isinstance(exc, access.LastAdmin) else AT_ONCE)}
        return _page(request, session, viewer, org_id, form, errors, status=409)
    session.commit()
    done = "changed" if member is not None else "invited"
    notice = urlencode({done: data.email, "role": data.role.value})
    return see_other(f"/organisations/{org_id}/team?{notice}")


@router.post("/organisations/{org_id}/team/remove", response_class=HTMLResponse)
async def remove(
    request: Request, org_id: int, session: SessionDep, viewer: PageViewer
) -> Response:
    """Take a person out of the company (admins), or leave it yourself."""
    form = await request.form()
    if not viewer.authenticated:
        return to_login(request)
    user_id = form_id(form.get("user_id"))
    if user_id is None:
        return not_found(request, N_("member"))
    try:
        access.remove_membership(session, viewer, org_id, user_id)
    except (Forbidden, Unauthenticated):
        return _refused(request, session, viewer)
    except NotFound:
        return not_found(request, N_("member"))
    except Conflict as exc:
        session.rollback()
        message = gettext_for(request)(LAST_ADMIN if isinstance(exc, access.LastAdmin) else AT_ONCE)
        return _page(request, session, viewer, org_id, {}, {"people": message}, status=409)
    session.commit()
    return see_other("/start" if user_id == viewer.user_id else f"/organisations/{org_id}/team")


@router.post("/organisations/{org_id}/team/withdraw", response_class=HTMLResponse)
async def withdraw(
    request: Request, org_id: int, session: SessionDep, viewer: PageViewer
) -> Response:
    """Withdraw an invitation not yet answered (company admins): its link stops working."""
    form = await request.form()
    if (refused := _admin_only(request, session, viewer, org_id)) is not None:
        return refused
    email = str(form.get("email") or "")
    try:
        access.withdraw_invitation(session, viewer, org_id, email)
    except NotFound:
        return not_found(request, INVITATION)
    except (Forbidden, Unauthenticated):
        return _refused(request, session, viewer)
    session.commit()
    return see_other(f"/organisations/{org_id}/team?{urlencode({'withdrawn': email})}")


@router.post("/organisations/{org_id}/team/leave-network", response_class=HTMLResponse)
async def leave_network(
    request: Request, org_id: int, session: SessionDep, viewer: PageViewer
) -> Response:
    """Take the company out of a network: its facilitator no longer sees what it shared there."""
    form = await request.form()
    if (refused := _admin_only(request, session, viewer, org_id)) is not None:
        return refused
    network_id = form_id(form.get("network_id"))
    try:
        if network_id is None:
            raise NotFound("network", str(form.get("network_id")))
        registry.leave_network(session, network_id, org_id, viewer=viewer)
    except NotFound:
        return not_found(request, N_("network"))
    except (Forbidden, Unauthenticated):
        return _refused(request, session, viewer)
    session.commit()
    return see_other(f"/organisations/{org_id}/team?left={network_id}")


def _admin_only(
    request: Request, session: SessionDep, viewer: Viewer, org_id: int
) -> Response | None:
    """The page to show instead when ``viewer`` may not administer ``org_id``, else ``None``
    (asked before the form is read: whoever may not act learns nothing from its checks)."""
    if session.get(Organisation, org_id) is None:
        return not_found(request, N_("organisation"))
    return (
        None
        if allowed(policy.require_org_admin, viewer, org_id)
        else _refused(request, session, viewer)
    )


def _refused(request: Request, session: SessionDep, viewer: Viewer) -> Response:
    """Log in first, or why the signed-in viewer may not do this."""
    if not viewer.authenticated:
        return to_login(request)
    session.rollback()
    return forbidden(request, READ_ONLY if not viewer.can_write else ADMINS_ONLY)


def _offered(session: SessionDep, org_id: int) -> tuple[Role, ...]:
    return (*OFFERED, Role.facilitator) if access.runs_a_network(session, org_id) else OFFERED


def _page(
    request: Request,
    session: SessionDep,
    viewer: Viewer,
    org_id: int,
    values: dict[str, Any],
    errors: dict[str, str],
    status: int = 200,
) -> Response:
    org = session.get(Organisation, org_id)
    if org is None:
        return not_found(request, N_("organisation"))
    if not viewer.authenticated:
        return to_login(request)
    try:
        members = access.list_members(session, viewer, org_id)
    except (Forbidden, Unauthenticated):
        return forbidden(request, MEMBERS_ONLY)
    networks = session.scalars(
        select(Network)
        .join(NetworkMember, NetworkMember.network_id == Network.id)
        .where(NetworkMember.organisation_id == org_id)
        .order_by(Network.name)
    ).all()
    query = request.query_params
    left = _network(session, query.get("left"))
    admin = allowed(policy.require_org_admin, viewer, org_id)
    invitations = access.list_invitations(session, viewer, org_id) if admin else []
    context = {
        "org": org,
        "members": sorted(members, key=lambda m: m.user.email),
        "networks": networks,
        "admin": admin,
        "invitations": invitations,
        "valid_days": access.INVITATION_VALID.days,
        "now": utcnow(),
        "writer": viewer.can_write,
        "me": viewer.user_id,
        "roles": ROLE_NAMES,
        "offered": _offered(session, org_id),
        "values": values,
        "errors": errors,
        **_notices(query, members, invitations, admin),
        "left": left if left is not None and left not in networks else None,  # once it is so
    }
    return render(request, "company/team.html", context, status=status)


def _notices(
    query: Mapping[str, str],
    members: Sequence[Membership],
    invitations: Sequence[Invitation],
    admin: bool,
) -> dict[str, Any]:
    """The notices a redirect asks for, each only where it is true of the page's data: a
    crafted address (``?invited=Call+us+at...``) must not put words on the company's page."""
    role = Role(query["role"]) if query.get("role") in set(Role) else None
    open_to = {i.email for i in invitations}
    roles = {m.user.email: m.role for m in members}
    invited, changed, gone = (query.get(k) or "" for k in ("invited", "changed", "withdrawn"))
    withdrawn = admin and gone not in open_to and re.fullmatch(EMAIL_PATTERN, gone) is not None
    return {
        "invited": invited if invited in open_to else None,
        "changed": changed if role is not None and roles.get(changed) == role else None,
        "changed_role": ROLE_NAMES.get(role) if role is not None else None,
        "withdrawn": gone if withdrawn else None,
    }


def _network(session: SessionDep, ref: str | None) -> Network | None:
    """The network a "left" notice names (none for a missing or malformed id)."""
    number = form_id(ref)
    return session.get(Network, number) if number is not None else None
