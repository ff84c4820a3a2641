"""Business rules of accounts: sign-up, login, sessions, password reset, API tokens, roles
and invitations."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import timedelta

from sqlalchemy import Select, delete, func, select, update
from sqlalchemy.orm import Session

from sidestream.access import policy, throttle
from sidestream.access.errors import Forbidden, Unauthenticated
from sidestream.access.models import (
    ApiToken,
    Invitation,
    LoginSession,
    Membership,
    OutboxMessage,
    PasswordReset,
    User,
)
from sidestream.access.policy import Viewer
from sidestream.access.roles import Role, Scope
from sidestream.access.schemas import EMAIL_PATTERN, MAX_TEXT_LENGTH, normalise_email
from sidestream.access.secrets import (
    JOIN_PATH,
    digest,
    hash_password,
    new_secret,
    verify_password,
)
from sidestream.access.settings import get_access_settings
from sidestream.config import get_settings
from sidestream.db import flush_or_conflict, utcnow
from sidestream.errors import Conflict, InvalidInput, NotFound
from sidestream.registry.models import Network, Organisation

TOKEN_PREFIX = "sst_"
MASKED_TOKEN = "[used]"
#: ``ApiToken.last_used_at`` is written at most this often per token (not on every request).
LAST_USED_RESOLUTION = timedelta(minutes=5)
#: How long an invitation's link can be answered.
INVITATION_VALID = timedelta(days=14)


# --- accounts --------------------------------------------------------------------------------


#: The shortest password accepted.
MIN_PASSWORD_LENGTH = 10


def check_password(password: str) -> None:
    """Refuse (``InvalidInput`` on ``password``) a new password that is short, or only blanks
    or one character repeated ("            "): the one rule of sign-up and reset, API and
    pages alike."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput("password", f"use at least {MIN_PASSWORD_LENGTH} characters")
    if len(password) > MAX_TEXT_LENGTH:
        raise InvalidInput("password", f"use at most {MAX_TEXT_LENGTH} characters")
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
    email = normalise_email(email)
    if len(email) > 254 or not re.fullmatch(EMAIL_PATTERN, email):
        raise InvalidInput("email", f"'{email}' is not an e-mail address")
    if find_user(session, email) is not None:
        raise Conflict(f"an account for {email} already exists")
    check_password(password)
    if name is not None and len(name) > MAX_TEXT_LENGTH:
        raise InvalidInput("name", f"use at most {MAX_TEXT_LENGTH} characters")
    user = User(
        email=email, name=name, password_hash=hash_password(password), platform_admin=platform_admin
    )
    session.add(user)
    session.flush()
    return user


def find_user(session: Session, email: str) -> User | None:
    """The account with this e-mail address, if any."""
    return session.scalar(select(User).where(User.email == normalise_email(email)))


def authenticate(session: Session, email: str, password: str, ip: str) -> User:
    """The user with these credentials; ``Throttled`` after too many failures.

    The attempt is recorded in ``session``: commit it even when this raises ``Unauthenticated``.
    """
    email = normalise_email(email)
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


#: Reset links sent to one address within ``RESET_WINDOW`` at most; further requests answer
#: the same and send nothing (anyone could otherwise fill a mailbox and the outbox).
MAX_RESETS = 3
RESET_WINDOW = timedelta(minutes=15)


def request_password_reset(session: Session, email: str, link_base: str | None = None) -> None:
    """Send (to the outbox) a single-use reset link; silent for unknown addresses, and past
    :data:`MAX_RESETS` links to one address within :data:`RESET_WINDOW`.

    ``link_base`` defaults to :func:`reset_link_base`; the web and API always use that.
    """
    link_base = link_base or reset_link_base()
    user = find_user(session, email)
    if user is None:
        return
    recent = select(func.count(PasswordReset.id)).where(
        PasswordReset.user_id == user.id, PasswordReset.created_at > utcnow() - RESET_WINDOW
    )
    if (session.scalar(recent) or 0) >= MAX_RESETS:
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
    session.execute(  # every open link: one kept by whoever took the account is spent too
        update(PasswordReset)
        .where(PasswordReset.user_id == user.id, PasswordReset.used_at.is_(None))
        .values(used_at=utcnow())
    )
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


def token_query(user: User) -> Select[tuple[ApiToken]]:
    """The query of a user's tokens, oldest first."""
    return select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id)


def list_tokens(session: Session, user: User) -> Sequence[ApiToken]:
    """A user's tokens (without secrets)."""
    return session.scalars(token_query(user)).all()


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


def member_query(session: Session, viewer: Viewer, org_id: int) -> Select[tuple[Membership]]:
    """The query of the accepted memberships of an organisation by user id, once the viewer
    may look (its members and platform admins); open invitations are
    :func:`invitation_query`'s."""
    _org(session, org_id)
    if not (viewer.superuser or org_id in viewer.roles):
        raise (Forbidden if viewer.authenticated else Unauthenticated)(
            f"only members of organisation {org_id} may list its members"
        )
    return (
        select(Membership)
        .where(Membership.organisation_id == org_id, Membership.accepted_at.is_not(None))
        .order_by(Membership.user_id)
    )


def list_members(session: Session, viewer: Viewer, org_id: int) -> Sequence[Membership]:
    """All of :func:`member_query`'s memberships."""
    return session.scalars(member_query(session, viewer, org_id)).all()


def set_membership(
    session: Session, viewer: Viewer, org_id: int, email: str, role: Role
) -> Membership | None:
    """Change a member's role, or invite an address (company admins).

    Joining needs consent and proof of the mailbox: an address that is not a member yet gets
    an invitation by mail, a link (:func:`answer_invitation_link`) that whoever reads that
    mailbox answers once signed in, with a new account or an existing one (sign-up does not
    prove an address: a link does). Inviting again sends a new link and the earlier one stops
    working. The answer is ``None``, and the message the same, whether or not the address has
    an account, so nobody learns which addresses are registered. The facilitator's role is
    offered only by an organisation that runs a network (``InvalidInput`` on ``role``).
    """
    org = _org(session, org_id)
    policy.require_org_admin(viewer, org_id)
    if role == Role.facilitator and not runs_a_network(session, org_id):
        raise InvalidInput("role", "only an organisation that runs a network has facilitators")
    email = normalise_email(email)
    user = find_user(session, email)
    member = session.get(Membership, (user.id, org_id)) if user is not None else None
    if member is not None and member.accepted:
        if role != Role.admin:
            keep_an_admin(session, member)
            _withdraw_sent(session, member)
        member.role = role
        if (open_one := _invitation(session, org_id, email)) is not None:
            session.delete(open_one)  # a member already: nothing left to answer
        session.flush()
        return member
    token = new_secret()
    invitation = _invitation(session, org_id, email) or Invitation(
        organisation_id=org_id, email=email
    )
    invitation.role, invitation.token_hash = role, digest(token)
    invitation.invited_by, invitation.created_at = viewer.user_id, utcnow()
    invitation.expires_at = invitation.created_at + INVITATION_VALID
    session.add(invitation)
    link = get_settings().public_url.rstrip("/") + JOIN_PATH + token
    session.add(
        OutboxMessage(
            recipient=email,
            subject=f"Invitation to join {org.name} on Sidestream",
            body=f"You are invited to join {org.name} on Sidestream as {role.value}. Open "
            f"{link} within {INVITATION_VALID.days} days to accept or decline it: create your "
            "account there with any address, or log in if you have one. If you do not know "
            "them, ignore this message.",
        )
    )
    flush_or_conflict(session, "invitation")  # the same address invited at the same moment
    return None


def runs_a_network(session: Session, org_id: int) -> bool:
    """Whether the organisation facilitates a network (and so may have facilitators)."""
    found = select(Network.id).where(Network.facilitator_id == org_id).limit(1)
    return session.scalar(found) is not None


def _invitation(session: Session, org_id: int, email: str) -> Invitation | None:
    """The invitation of ``org_id`` to the (normalised) address, if one is open."""
    return session.scalar(
        select(Invitation).where(Invitation.organisation_id == org_id, Invitation.email == email)
    )


def _withdraw_sent(session: Session, member: Membership) -> None:
    """Withdraw the invitations an admin sent for the organisation when they stop being its
    admin: a link they sent themselves (to a second address) must not bring them back."""
    session.execute(
        delete(Invitation).where(
            Invitation.organisation_id == member.organisation_id,
            Invitation.invited_by == member.user_id,
        )
    )


def invitation_for_link(session: Session, token: str) -> Invitation:
    """The open invitation a mailed link names; ``NotFound`` when it was answered, withdrawn,
    replaced by a newer one or has expired."""
    found = session.scalar(select(Invitation).where(Invitation.token_hash == digest(token)))
    if found is None or found.expires_at <= utcnow():
        raise NotFound("invitation", "link")
    return found


def answer_invitation_link(session: Session, user: User, token: str, accept: bool) -> int:
    """Accept or decline, as ``user``, the invitation a mailed link names; returns its
    organisation's id. Whoever holds the link has read the invited mailbox, so any account may
    answer it (a colleague who signs in with another address joins with that one). An account
    that is already a member keeps its role. The link is spent first, by a delete that only
    one of two simultaneous answers can make."""
    invitation = invitation_for_link(session, token)
    org_id, role, email = invitation.organisation_id, invitation.role, invitation.email
    spent = session.execute(  # this very link: not one that replaced it meanwhile
        delete(Invitation).where(
            Invitation.id == invitation.id,
            Invitation.token_hash == digest(token),
            Invitation.expires_at > utcnow(),
        ),
        execution_options={"synchronize_session": False},
    )
    if spent.rowcount != 1:
        raise NotFound("invitation", "link")
    session.expunge(invitation)
    if accept and session.get(Membership, (user.id, org_id)) is None:
        session.add(
            Membership(user_id=user.id, organisation_id=org_id, role=role, accepted_at=utcnow())
        )
    if accept and (own := _invitation(session, org_id, user.email)) is not None:
        session.delete(own)  # the account's own address needs no invitation any more
    _mask_used_token(session, email, token)
    flush_or_conflict(session, "membership")  # two links of one organisation at once
    return org_id


def invitation_query(session: Session, viewer: Viewer, org_id: int) -> Select[tuple[Invitation]]:
    """The query of the organisation's invitations not yet answered or withdrawn, expired ones
    too, newest first, once the viewer may look (company admins, with a read-only token too).
    Every invited address has one, so the list tells nothing of which addresses have an
    account."""
    _org(session, org_id)
    policy.require_org_admin(viewer, org_id, reading=True)
    return (
        select(Invitation)
        .where(Invitation.organisation_id == org_id)
        .order_by(Invitation.created_at.desc(), Invitation.email)
    )


def list_invitations(session: Session, viewer: Viewer, org_id: int) -> Sequence[Invitation]:
    """All of :func:`invitation_query`'s invitations."""
    return session.scalars(invitation_query(session, viewer, org_id)).all()


def withdraw_invitation(session: Session, viewer: Viewer, org_id: int, email: str) -> None:
    """Withdraw an invitation (company admins): its link stops working; ``NotFound`` when the
    address has no open invitation."""
    _org(session, org_id)
    policy.require_org_admin(viewer, org_id)
    invitation = _invitation(session, org_id, normalise_email(email))
    if invitation is None:
        raise NotFound("invitation", email)
    session.delete(invitation)
    session.flush()


class LastAdmin(Conflict):
    """A change that would leave an organisation without an admin."""


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
        raise LastAdmin("an organisation keeps at least one admin: make someone else admin first")


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
    _withdraw_sent(session, member)
    session.delete(member)
    session.flush()


def _org(session: Session, org_id: int) -> Organisation:
    org = session.get(Organisation, org_id)
    if org is None:
        raise NotFound("organisation", org_id)
    return org
