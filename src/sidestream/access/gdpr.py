"""Data-subject rights: a user's or an organisation's data as JSON, account deletion and
organisation erasure. Audit entries stay (they hold hashes and pseudonymous actor ids only)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from sidestream.access import policy, throttle
from sidestream.access.errors import Forbidden
from sidestream.access.models import (
    ApiToken,
    Invitation,
    LoginAttempt,
    LoginSession,
    Membership,
    OutboxMessage,
    PasswordReset,
    User,
)
from sidestream.access.policy import Viewer
from sidestream.access.secrets import JOIN_PATH, verify_password, without_link_secrets
from sidestream.access.service import keep_an_admin
from sidestream.db import Base
from sidestream.exchanges.models import AuditEntry, Delivery, Exchange, Introduction
from sidestream.registry import service as registry
from sidestream.registry.models import Organisation, Site, Stream

SECRET_COLUMNS = {"password_hash", "sid_hash", "token_hash"}


def _row(obj: Base) -> dict[str, Any]:
    """Column values of a row, without stored secrets."""
    return {
        c.key: getattr(obj, c.key)
        for c in obj.__table__.columns  # type: ignore[attr-defined]
        if c.key not in SECRET_COLUMNS
    }


def _rows(session: Session, model: type[Base], *where: Any) -> list[dict[str, Any]]:
    return [_row(o) for o in session.scalars(select(model).where(*where))]


#: What an introduction tells of each side: hidden from the other side until it is accepted.
_SIDES = {
    "requester": ("requester_org_id", "requested_by"),
    "responder": ("responder_org_id", "decided_by"),
}


def _introductions(session: Session, *sides: tuple[str, Any]) -> list[dict[str, Any]]:
    """Introductions in which a ``(side, condition)`` holds, each as that side may see it: the
    other side's organisation and person only once the introduction is accepted (the double
    opt-in; a pending or declined request names nobody to the other side)."""
    out = []
    for side, condition in sides:
        for intro in session.scalars(select(Introduction).where(condition)):
            row = _row(intro) | {"side": side}
            if intro.status != "accepted" and side != "introducer":  # who introduced knew both
                other = "responder" if side == "requester" else "requester"
                row |= dict.fromkeys(_SIDES[other])
                other_org = getattr(intro, f"{other}_org_id")
                for direction in ("offer", "need"):  # its stream id would lead to its owner
                    stream = session.get(Stream, getattr(intro, f"{direction}_stream_id") or 0)
                    if stream is not None and stream.organisation_id == other_org:
                        row[f"{direction}_stream_id"] = intro.blind_id(direction)
            out.append(row)
    return sorted(out, key=lambda r: (r["id"], r["side"]))


def export_user(session: Session, user: User) -> dict[str, Any]:
    """Everything stored about one account (secrets only as the fact they exist)."""
    actor = f"user:{user.id}"
    return {
        "account": _row(user),
        "memberships": _rows(session, Membership, Membership.user_id == user.id),
        # those it sent; not those to its address, which registering it does not prove
        "invitations": _rows(session, Invitation, Invitation.invited_by == user.id),
        "api_tokens": _rows(session, ApiToken, ApiToken.user_id == user.id),
        "sessions": _rows(session, LoginSession, LoginSession.user_id == user.id),
        "password_resets": _rows(session, PasswordReset, PasswordReset.user_id == user.id),
        "login_attempts": _rows(session, LoginAttempt, LoginAttempt.email == user.email),
        "messages": [
            # registering an address does not prove its mailbox, and the export reads with a
            # read-only token or a session someone else holds: a reset link hands the password
            row | {"body": without_link_secrets(row["body"])}
            for row in _rows(session, OutboxMessage, OutboxMessage.recipient == user.email)
        ],
        "introductions": _introductions(
            session,
            ("requester", Introduction.requested_by == user.id),
            ("responder", Introduction.decided_by == user.id),
            ("introducer", Introduction.introduced_by == user.id),
        ),
        "deliveries_recorded": _rows(session, Delivery, Delivery.recorded_by == user.id),
        "deliveries_answered": _rows(session, Delivery, Delivery.answered_by == user.id),
        "audit_entries": _rows(  # an earlier account's, where SQLite gave its id again: not
            session,
            AuditEntry,
            or_(AuditEntry.actor == actor, AuditEntry.actor.startswith(f"{actor}/")),
            AuditEntry.at >= user.created_at,
        ),
    }


def delete_user(session: Session, user: User, password: str, ip: str) -> None:
    """Delete an account after re-checking its password, throttled as a log-in is (a session
    or token someone else holds must not guess it); its sign-in traces go with it. A wrong
    password's attempt is recorded in ``session``: commit it even when this raises."""
    throttle.check(session, user.email, ip)
    ok = verify_password(user.password_hash, password)
    throttle.record(session, user.email, ip, ok)
    if not ok:
        raise Forbidden("wrong password")
    for membership in session.scalars(select(Membership).where(Membership.user_id == user.id)):
        keep_an_admin(session, membership)  # else the organisation is left with nobody to run it
    session.execute(delete(LoginAttempt).where(LoginAttempt.email == user.email))
    session.execute(  # an invitation's mail is the mailbox's, not this account's: it stays
        delete(OutboxMessage).where(
            OutboxMessage.recipient == user.email, ~OutboxMessage.body.contains(JOIN_PATH)
        )
    )
    # the links it sent stop working (as when an admin leaves); an invitation *to* its address
    # stays: it is the inviting company's, answered by the mailbox, not by this account
    session.execute(delete(Invitation).where(Invitation.invited_by == user.id))
    session.delete(user)
    session.flush()


def export_organisation(session: Session, viewer: Viewer, org_id: int) -> dict[str, Any]:
    """Everything stored about one organisation (its admins and platform admins, with a
    read-only token too: it reads)."""
    org = registry.get_organisation(session, org_id)
    policy.require_org_admin(viewer, org_id, reading=True)
    members = session.execute(
        select(User.email, Membership.role)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.organisation_id == org_id, Membership.accepted_at.is_not(None))
    )
    return {
        "organisation": _row(org),
        "sites": _rows(session, Site, Site.organisation_id == org_id),
        "streams": _rows(session, Stream, Stream.organisation_id == org_id),
        "members": [{"email": e, "role": r} for e, r in members],
        "invitations": _rows(session, Invitation, Invitation.organisation_id == org_id),
        "introductions": _introductions(
            session,
            ("requester", Introduction.requester_org_id == org_id),
            ("responder", Introduction.responder_org_id == org_id),
        ),
        "exchanges": _rows(
            session, Exchange, or_(Exchange.offer_org_id == org_id, Exchange.need_org_id == org_id)
        ),
        "deliveries": _rows(
            session,
            Delivery,
            Delivery.exchange_id.in_(
                select(Exchange.id).where(
                    or_(Exchange.offer_org_id == org_id, Exchange.need_org_id == org_id)
                )
            ),
        ),
    }


def erase_organisation(session: Session, viewer: Viewer, org_id: int) -> dict[str, int]:
    """Erase an organisation: its sites, streams and memberships are deleted; introductions
    and exchanges keep the other party's record with this side unnamed."""
    org: Organisation = registry.get_organisation(session, org_id)
    policy.require_org_admin(viewer, org_id)
    counts = {
        "sites": len(org.sites),
        "streams": len(org.streams),
        "memberships": len(_rows(session, Membership, Membership.organisation_id == org_id)),
    }
    session.execute(delete(Membership).where(Membership.organisation_id == org_id))
    registry.delete_organisation(session, org_id, viewer=viewer)
    return counts
