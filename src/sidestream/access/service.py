"""Business rules of accounts: sign-up, login, sessions, password reset, API tokens, roles."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from sidestream.access import policy, throttle
from sidestream.access.errors import Forbidden, Unauthenticated
from sidestream.access.models import (
    ApiToken,
    LoginSession,
    Membership,
    OutboxMessage,
    PasswordReset,
    User,
)
from sidestream.access.policy import Viewer
from sidestream.access.roles import Role, Scope
from sidestream.access.schemas import EMAIL_PATTERN
from sidestream.access.secrets import digest, hash_password, new_secret, verify_password
from sidestream.access.settings import get_access_settings
from sidestream.config import get_settings
from sidestream.db import utcnow
from sidestream.errors import Conflict, InvalidInput, NotFound
from sidestream.registry.models import Organisation

TOKEN_PREFIX = "sst_"
MASKED_TOKEN = "[used]"
#: ``ApiToken.last_used_at`` is written at most this often per token (not on every request).
LAST_USED_RESOLUTION = timedelta(minutes=5)


# --- accounts --------------------------------------------------------------------------------


#: The shortest password accepted.
MIN_PASSWORD_LENGTH = 10


def check_password(password: str) -> None:
    """Refuse (``InvalidInput`` on ``password``) a new password that is short, or only blanks
    or one character repeated ("            "): the one rule of sign-up and reset, API and
    pages alike."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput("password", f"use at least {MIN_PASSWORD_LENGTH} characters")
    if len(set(password.strip())) < 2:
        raise InvalidInput(
            "password", "a password of blanks or one repeated character is too easy to guess"
        )


def create_user(
    session: Session,
    email: str,
    password: str,
    name: str | None = None,
    platform_admin: bool = False,
) -> User:
    """Register an account; e-mail addresses are unique (case-insensitive)."""
    email = email.strip().lower()
    if len(email) > 254 or not re.fullmatch(EMAIL_PATTERN, email):
        raise InvalidInput("email", f"'{email}' is not an e-mail address")
    if find_user(session, email) is not None:
        raise Conflict(f"an account for {email} already exists")
    check_password(password)
    user = User(
        email=email, name=name, password_hash=hash_password(password), platform_admin=platform_admin
    )
    session.add(user)
    session.flush()
    return user


def find_user(session: Session, email: str) -> User | None:
    """The account with this e-mail address, if any."""
    return session.scalar(select(User).where(User.email == email.strip().lower()))


def authenticate(session: Session, email: str, password: str, ip: str) -> User:
    """The user with these credentials; ``Throttled`` after too many failures.

    The attempt is recorded in ``session``: commit it even when this raises ``Unauthenticated``.
    """
    email = email.strip().lower()
    throttle.check(session, email, ip)
    user = find_user(session, email)
    ok = verify_password(user.password_hash if user else None, password)
    throttle.record(session, email, ip, ok)
    if not ok or user is None:
        raise Unauthenticated("wrong e-mail address or password")
    return user


def viewer_for_user(session: Session, user: User, *, actor: str, can_write: bool = True) -> Viewer:
    """The policy viewer of a logged-in user (or of one of their tokens)."""
    return policy.make_viewer(
        session,
        actor=actor,
        user_id=user.id,
        roles={m.organisation_id: Role(m.role) for m in user.memberships if m.accepted},
        platform_admin=user.platform_admin,
        can_write=can_write,
    )


# --- browser sessions ------------------------------------------------------------------------


def open_login_session(session: Session, user: User) -> str:
    """Start a session; returns its secret id (only the hash is stored)."""
    sid = new_secret()
    hours = get_access_settings().session_hours
    session.add(
        LoginSession(
            user_id=user.id, sid_hash=digest(sid), expires_at=utcnow() + timedelta(hours=hours)
        )
    )
    session.flush()
    return sid


def resolve_login_session(session: Session, sid: str) -> User | None:
    """The user of a live session, if the id is known and not expired."""
    row = session.scalar(select(LoginSession).where(LoginSession.sid_hash == digest(sid)))
    if row is None or row.expires_at <= utcnow():
        return None
    return session.get(User, row.user_id)


def close_login_session(session: Session, sid: str) -> None:
    """End a session (log out)."""
    session.execute(delete(LoginSession).where(LoginSession.sid_hash == digest(sid)))


# --- password reset --------------------------------------------------------------------------


def reset_link_base() -> str:
    """The reset page's address, from ``SIDESTREAM_PUBLIC_URL`` (never the request's Host)."""
    return get_settings().public_url.rstrip("/") + "/reset"


def request_password_reset(session: Session, email: str, link_base: str | None = None) -> None:
    """Send (to the outbox) a single-use reset link; silent for unknown addresses.

    ``link_base`` defaults to :func:`reset_link_base`; the web and API always use that.
    """
    link_base = link_base or reset_link_base()
    user = find_user(session, email)
    if user is None:
        return
    token = new_secret()
    minutes = get_access_settings().reset_minutes
    session.add(
        PasswordReset(
            user_id=user.id,
            token_hash=digest(token),
            expires_at=utcnow() + timedelta(minutes=minutes),
        )
    )
    session.add(
        OutboxMessage(
            recipient=user.email,
            subject="Reset your Sidestream password",
            body=f"Open {link_base}?token={token} within {minutes} minutes to choose a new "
            "password. If you did not ask for this, ignore this message.",
        )
    )
    session.flush()


def confirm_password_reset(session: Session, token: str, password: str) -> User:
    """Set a new password with a valid reset token; ends all the user's sessions and revokes
    their API tokens (a reset is how an account is taken back: whoever had it must not keep a
    token)."""
    row = session.scalar(select(PasswordReset).where(PasswordReset.token_hash == digest(token)))
    if row is None or row.used_at is not None or row.expires_at <= utcnow():
        raise InvalidInput("token", "this reset link is invalid, used or expired")
    check_password(password)
    user = session.get(User, row.user_id)
    assert user is not None
    row.used_at = utcnow()
    user.password_hash = hash_password(password)
    session.execute(delete(LoginSession).where(LoginSession.user_id == user.id))
    for api_token in list_tokens(session, user):
        api_token.revoked_at = api_token.revoked_at or utcnow()
    _mask_used_token(session, user.email, token)
    session.flush()
    return user


def _mask_used_token(session: Session, recipient: str, token: str) -> None:
    """Blank a used reset token out of the stored messages (it is spent, but need not linger)."""
    messages = session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == recipient))
    for message in messages:
        if token in message.body:
            message.body = message.body.replace(token, MASKED_TOKEN)


# --- API tokens ------------------------------------------------------------------------------


def create_token(session: Session, user: User, name: str, scope: Scope) -> tuple[ApiToken, str]:
    """Make a token; returns it with its secret, which is never shown again."""
    secret = new_secret(TOKEN_PREFIX)
    token = ApiToken(
        user_id=user.id, name=name, scope=scope, prefix=secret[:12], token_hash=digest(secret)
    )
    session.add(token)
    session.flush()
    return token, secret


def list_tokens(session: Session, user: User) -> Sequence[ApiToken]:
    """A user's tokens (without secrets)."""
    return session.scalars(
        select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id)
    ).all()


def revoke_token(session: Session, user: User, token_id: int) -> ApiToken:
    """Revoke one of the user's tokens."""
    token = session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id:
        raise NotFound("token", token_id)
    token.revoked_at = token.revoked_at or utcnow()
    session.flush()
    return token


def resolve_token(session: Session, secret: str) -> tuple[User, ApiToken] | None:
    """The user and token of a live token secret."""
    token = session.scalar(select(ApiToken).where(ApiToken.token_hash == digest(secret)))
    if token is None or token.revoked_at is not None:
        return None
    now = utcnow()
    if token.last_used_at is None or token.last_used_at <= now - LAST_USED_RESOLUTION:
        token.last_used_at = now  # to the nearest 5 minutes: a read is not a write
    user = session.get(User, token.user_id)
    return (user, token) if user else None


# --- memberships -----------------------------------------------------------------------------


def grant_creator(session: Session, viewer: Viewer, org: Organisation) -> None:
    """Make the user who registered an organisation its first admin."""
    if viewer.user_id is not None:
        session.add(
            Membership(
                user_id=viewer.user_id,
                organisation_id=org.id,
                role=Role.admin,
                accepted_at=utcnow(),
            )
        )
        session.flush()


def list_members(session: Session, viewer: Viewer, org_id: int) -> Sequence[Membership]:
    """The accepted memberships of an organisation (its members and platform admins may
    look). Invitations not yet answered are left out: only a registered address holds one, so
    listing them would tell an admin which addresses have an account."""
    _org(session, org_id)
    if not (viewer.superuser or org_id in viewer.roles):
        raise (Forbidden if viewer.authenticated else Unauthenticated)(
            f"only members of organisation {org_id} may list its members"
        )
    return session.scalars(
        select(Membership)
        .where(Membership.organisation_id == org_id, Membership.accepted_at.is_not(None))
        .order_by(Membership.user_id)
    ).all()


def set_membership(
    session: Session, viewer: Viewer, org_id: int, email: str, role: Role
) -> Membership | None:
    """Change a member's role, or invite an address (company admins).

    Joining needs the account's consent: an address that is not a member yet gets an
    invitation (a message, and for an existing account a membership without ``accepted_at``
    that gives no role until accepted) and the answer is ``None`` whether or not the address
    has an account, so admins cannot tell which addresses are registered.
    """
    org = _org(session, org_id)
    policy.require_org_admin(viewer, org_id)
    user = find_user(session, email)
    member = session.get(Membership, (user.id, org_id)) if user is not None else None
    if member is not None and member.accepted:
        if role != Role.admin:
            keep_an_admin(session, member)
        member.role = role
        session.flush()
        return member
    if user is not None:
        if member is None:
            member = Membership(user_id=user.id, organisation_id=org_id, accepted_at=None)
            session.add(member)
        member.role = role
    start = get_settings().public_url.rstrip("/") + "/start"
    how = (
        f"sign in and accept or decline it under My company ({start}; in the API: POST "
        f"/api/v1/auth/me/invitations/{org_id}/accept)"
        if user is not None
        else "sign up with this address, then ask them to invite you again"
    )
    session.add(
        OutboxMessage(
            recipient=email,
            subject=f"Invitation to join {org.name} on Sidestream",
            body=f"You are invited to join {org.name} on Sidestream as {role.value}: {how}. "
            "If you do not know them, ignore this message.",
        )
    )
    session.flush()
    return None


def pending_invitations(session: Session, user_id: int) -> list[tuple[int, str, Role]]:
    """The organisations that invited the user and await an answer: (id, name, role)."""
    rows = session.execute(
        select(Organisation.id, Organisation.name, Membership.role)
        .join(Membership, Membership.organisation_id == Organisation.id)
        .where(Membership.user_id == user_id, Membership.accepted_at.is_(None))
        .order_by(Organisation.name)
    )
    return [(org_id, name, Role(role)) for org_id, name, role in rows]


def answer_invitation(session: Session, user: User, org_id: int, accept: bool) -> None:
    """Accept (the role takes effect) or decline (the invitation is deleted) an invitation to
    ``org_id``; ``NotFound`` when there is none."""
    member = session.get(Membership, (user.id, org_id))
    if member is None or member.accepted:
        raise NotFound("invitation", org_id)
    if accept:
        member.accepted_at = utcnow()
    else:
        session.delete(member)
    session.flush()


def keep_an_admin(session: Session, member: Membership) -> None:
    """Refuse (``Conflict``) to demote or remove an organisation's last admin (also by deleting
    their account): nobody could then add members, edit the company or answer for it."""
    if member.role != Role.admin or not member.accepted:
        return
    admins = session.scalar(
        select(func.count())
        .select_from(Membership)
        .where(
            Membership.organisation_id == member.organisation_id,
            Membership.role == Role.admin,
            Membership.accepted_at.is_not(None),
        )
    )
    if admins <= 1:
        raise Conflict("an organisation keeps at least one admin: make someone else admin first")


def remove_membership(session: Session, viewer: Viewer, org_id: int, user_id: int) -> None:
    """Take a user out of an organisation (company admins, or users leaving themselves).

    The right to do so is checked first, so an outsider cannot tell members from others."""
    policy.require_writer(viewer)  # leaving is a change too: not with a read-only token
    if viewer.user_id != user_id:
        policy.require_org_admin(viewer, org_id)
    member = session.get(Membership, (user_id, org_id))
    if member is None:
        raise NotFound("membership", f"{org_id}/{user_id}")
    keep_an_admin(session, member)
    session.delete(member)
    session.flush()


def _org(session: Session, org_id: int) -> Organisation:
    org = session.get(Organisation, org_id)
    if org is None:
        raise NotFound("organisation", org_id)
    return org
