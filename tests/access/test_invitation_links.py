"""Invitation links: only the link answers, once; declining one link spends nothing else."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from sidestream.access import service
from sidestream.access.models import Invitation, Membership, OutboxMessage
from sidestream.access.policy import SYSTEM
from sidestream.access.roles import Role
from sidestream.errors import NotFound
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
    delete_user(session, squatter, "correct horse battery")
    left = session.scalars(
        select(OutboxMessage.subject).where(OutboxMessage.recipient == "cfo@works.example")
    ).all()
    assert left == ["Invitation to join Kept Link Works on Sidestream"]  # the reset mail went
    owner = service.create_user(session, "cfo.private@example.org", "correct horse battery")
    service.answer_invitation_link(session, owner, _token(session, "cfo@works.example"), True)
    assert session.get(Membership, (owner.id, org.id)).accepted
