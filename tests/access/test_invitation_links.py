"""Invitation links: only the link answers, once; declining one link spends nothing else."""

from __future__ import annotations

import re
import threading
import time

import pytest
from sqlalchemy import select

from sidestream.access import service
from sidestream.access.models import Invitation, Membership, OutboxMessage
from sidestream.access.policy import SYSTEM
from sidestream.access.roles import Role
from sidestream.db import begin_writing, session_factory
from sidestream.errors import Conflict, NotFound
from sidestream.registry import service as registry
from sidestream.registry.schemas import OrganisationCreate


def _token(session, email: str) -> str:
    body = session.scalars(
        select(OutboxMessage.body)
        .where(OutboxMessage.recipient == email)
        .order_by(OutboxMessage.id.desc())
    ).first()
    return re.search(r"/join/([A-Za-z0-9_-]+)", body).group(1)


def test_declining_a_forwarded_link_keeps_the_accounts_own_invitation(session) -> None:
    org = registry.create_organisation(session, OrganisationCreate(name="Forward Dairy"))
    dana = service.create_user(session, "dana@dairy.example", "correct horse battery")
    service.set_membership(session, SYSTEM, org.id, "dana@dairy.example", Role.admin)
    service.set_membership(session, SYSTEM, org.id, "team@dairy.example", Role.member)
    forwarded = _token(session, "team@dairy.example")
    service.answer_invitation_link(session, dana, forwarded, accept=False)
    left = session.scalars(select(Invitation.email)).all()
    assert left == ["dana@dairy.example"]  # her own admin invitation still stands
    with pytest.raises(NotFound):
        service.answer_invitation_link(session, dana, forwarded, accept=True)  # spent
    service.answer_invitation_link(session, dana, _token(session, "dana@dairy.example"), True)
    member = session.get(Membership, (dana.id, org.id))
    assert member.accepted and member.role == "admin"
    assert session.scalars(select(Invitation)).all() == []


def test_a_link_read_before_it_was_replaced_does_not_spend_the_new_one(
    session, monkeypatch
) -> None:
    """The answer spends the row only while it still holds the link's token: a re-invitation
    replaces the token in the same row, here between reading the link and answering it."""
    org = registry.create_organisation(session, OrganisationCreate(name="Replaced Mill"))
    eve = service.create_user(session, "eve@mill.example", "correct horse battery")
    service.set_membership(session, SYSTEM, org.id, "eve@mill.example", Role.admin)
    old = _token(session, "eve@mill.example")
    read = service.invitation_for_link(session, old)
    service.set_membership(session, SYSTEM, org.id, "eve@mill.example", Role.member)
    monkeypatch.setattr(service, "invitation_for_link", lambda *_: read)  # read before that
    with pytest.raises(NotFound):
        service.answer_invitation_link(session, eve, old, accept=True)
    assert session.get(Membership, (eve.id, org.id)) is None
    assert session.scalars(select(Invitation.role)).all() == ["member"]  # the new one stands


def test_deleting_an_account_keeps_the_invitation_mailed_to_its_address(session) -> None:
    """Registering an address proves no mailbox: whoever did must not be able to destroy the
    link mailed there by deleting that account before the mailer sends it."""
    from sidestream.access.gdpr import delete_user

    org = registry.create_organisation(session, OrganisationCreate(name="Kept Link Works"))
    squatter = service.create_user(session, "cfo@works.example", "correct horse battery")
    service.request_password_reset(session, "cfo@works.example", "http://localhost/reset")
    service.set_membership(session, SYSTEM, org.id, "cfo@works.example", Role.member)
    delete_user(session, squatter, "correct horse battery", "127.0.0.1")
    left = session.scalars(
        select(OutboxMessage.subject).where(OutboxMessage.recipient == "cfo@works.example")
    ).all()
    assert left == ["Invitation to join Kept Link Works on Sidestream"]  # the reset mail went
    owner = service.create_user(session, "cfo.private@example.org", "correct horse battery")
    service.answer_invitation_link(session, owner, _token(session, "cfo@works.example"), True)
    assert session.get(Membership, (owner.id, org.id)).accepted


def test_the_same_address_invited_twice_at_once_is_one_invitation(session, engine) -> None:
    """Two admins invite one address at the same moment, each in its own transaction begun as
    a writer (as a request is): the second waits for the first, then replaces its invitation
    (SQLite, one writer at a time) or is told of the conflict (PostgreSQL: both read that none
    was there) — never a server error, never two invitations."""
    org = registry.create_organisation(session, OrganisationCreate(name="Twice Tannery"))
    session.commit()
    first = session_factory(engine)()
    begin_writing(first)
    service.set_membership(first, SYSTEM, org.id, "new@tannery.example", Role.member)
    outcome: list[object] = []

    def second_admin() -> None:
        with session_factory(engine)() as second:
            try:
                begin_writing(second)
                address = "new@tannery.example"
                outcome.append(service.set_membership(second, SYSTEM, org.id, address, Role.admin))
                second.commit()
            except Exception as exc:  # the assertions below name what is expected
                outcome.append(exc)

    thread = threading.Thread(target=second_admin)
    thread.start()
    time.sleep(0.3)  # the second is waiting: for the write lock, or on the unique address
    first.commit()
    first.close()
    thread.join(10)
    assert len(outcome) == 1
    assert outcome[0] is None or isinstance(outcome[0], Conflict), repr(outcome[0])
    session.expire_all()
    invited = session.scalars(select(Invitation.role)).all()
    assert invited == (["admin"] if outcome[0] is None else ["member"])
