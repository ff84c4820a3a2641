"""Review fixes of accounts: reset links from the configured address, spent reset tokens
masked in the outbox, read-only tokens cannot leave organisations, token use recorded sparingly."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from sidestream.access import service
from sidestream.access.models import ApiToken, Membership, OutboxMessage, User
from sidestream.access.roles import Role, Scope
from sidestream.config import Settings, get_settings
from sidestream.db import utcnow
from sidestream.registry.models import Organisation
from tests.access.auth import make_user
from tests.access.test_web import _token

PASSWORD = "correct horse battery"
EVIL = {"Host": "attacker.example"}


def _bodies(engine) -> list[str]:
    with engine.connect() as conn:
        return list(conn.scalars(select(OutboxMessage.body).order_by(OutboxMessage.id)))


def _organisation(client, name: str) -> int:
    """A new organisation's id (stored directly: no member yet)."""
    with client.app.state.sessions() as db, db.begin():
        org = Organisation(name=name)
        db.add(org)
        db.flush()
        return org.id


def test_reset_links_use_the_public_url_not_the_host_header(client, engine):
    client.post("/api/v1/auth/signup", json={"email": "ann@example.org", "password": PASSWORD})
    client.cookies.clear()
    r = client.post("/api/v1/auth/password-reset", json={"email": "ann@example.org"}, headers=EVIL)
    assert r.status_code == 202
    token = _token(client, "/reset")
    form = {"csrf_token": token, "email": "ann@example.org"}
    assert client.post("/reset", data=form, headers=EVIL).status_code == 200
    bodies = _bodies(engine)
    assert len(bodies) == 2
    for body in bodies:
        assert "attacker.example" not in body
        assert f"{get_settings().public_url}/reset?token=" in body


def test_the_public_url_setting(monkeypatch):
    monkeypatch.setenv("SIDESTREAM_PUBLIC_URL", "https://sidestream.example.org/")
    assert Settings().public_url == "https://sidestream.example.org"
    assert Settings(public_url="http://127.0.0.1:8000").public_url == "http://127.0.0.1:8000"
    monkeypatch.setenv("SIDESTREAM_PUBLIC_URL", "javascript:alert(1)")
    try:
        Settings()
    except ValueError as exc:
        assert "SIDESTREAM_PUBLIC_URL" in str(exc)
    else:  # pragma: no cover
        raise AssertionError("a non-http public URL was accepted")


def test_a_used_reset_token_is_masked_in_the_outbox(client, engine):
    client.post("/api/v1/auth/signup", json={"email": "ann@example.org", "password": PASSWORD})
    client.cookies.clear()
    for _ in range(2):
        client.post("/api/v1/auth/password-reset", json={"email": "ann@example.org"})
    first, second = _bodies(engine)
    token = re.search(r"token=([\w-]+)", second).group(1)
    new = {"token": token, "password": "a brand new secret"}
    assert client.post("/api/v1/auth/password-reset/confirm", json=new).status_code == 204
    after = _bodies(engine)
    assert after[0] == first  # the other link is untouched (it expires by itself)
    assert token not in after[1] and f"token={service.MASKED_TOKEN}" in after[1]


def test_read_only_tokens_cannot_leave_an_organisation(client, engine):
    org_id = _organisation(client, "Leavers Ltd")
    headers = make_user(client, "reader@example.org", {org_id: Role.member}, scope=Scope.read)
    me = client.get("/api/v1/auth/me", headers=headers).json()
    url = f"/api/v1/organisations/{org_id}/members/{me['id']}"
    assert client.delete(url, headers=headers).status_code == 403
    with engine.connect() as conn:
        assert conn.scalar(select(Membership.user_id).where(Membership.organisation_id == org_id))
    writer = make_user(client, "writer@example.org", {org_id: Role.member})
    writer_id = client.get("/api/v1/auth/me", headers=writer).json()["id"]
    url = f"/api/v1/organisations/{org_id}/members/{writer_id}"
    assert client.delete(url, headers=writer).status_code == 204  # leaving with a write token


def test_token_use_is_recorded_at_most_every_five_minutes(session):
    user = User(email="t@example.org", password_hash="!")
    session.add(user)
    session.flush()
    token, secret = service.create_token(session, user, "erp", Scope.read)
    assert service.resolve_token(session, secret) is not None
    first = token.last_used_at
    assert first is not None
    session.flush()
    assert service.resolve_token(session, secret) is not None
    assert token.last_used_at == first and token not in session.dirty  # a read, not a write
    token.last_used_at = utcnow() - timedelta(minutes=6)
    session.flush()
    stale = token.last_used_at
    service.resolve_token(session, secret)
    assert token.last_used_at > stale
    assert session.get(ApiToken, token.id) is token


def test_outsiders_cannot_tell_members_from_others(client):
    org_id = _organisation(client, "Quiet Members Ltd")
    member = make_user(client, "quiet-member@example.org", {org_id: Role.member})
    member_id = client.get("/api/v1/auth/me", headers=member).json()["id"]
    outsider = make_user(client, "nosy@example.org", {})
    nobody = member_id + 1000
    for headers in ({}, outsider):  # anonymous, then a logged-in outsider
        answers = {
            client.delete(
                f"/api/v1/organisations/{org_id}/members/{uid}", headers=headers
            ).status_code
            for uid in (member_id, nobody)
        }
        assert len(answers) == 1 and answers <= {401, 403}, answers


def test_an_organisation_keeps_at_least_one_admin(client):
    org_id = _organisation(client, "One Admin Ltd")
    admin = make_user(client, "sole-admin@example.org", {org_id: Role.admin})
    admin_id = client.get("/api/v1/auth/me", headers=admin).json()["id"]
    members = f"/api/v1/organisations/{org_id}/members"
    demote = {"email": "sole-admin@example.org", "role": "member"}
    assert client.put(members, json=demote, headers=admin).status_code == 409
    assert client.delete(f"{members}/{admin_id}", headers=admin).status_code == 409
    make_user(client, "second-admin@example.org", {org_id: Role.admin})
    assert client.put(members, json=demote, headers=admin).status_code == 200  # one is left


def test_joining_an_organisation_needs_the_accounts_consent(client, engine):
    """An admin added any account to their organisation (its address then appeared among their
    contacts) and learnt from a 422 which addresses had no account (security review, stop 19)."""
    org_id = _organisation(client, "Pushy Ltd")
    admin = make_user(client, "boss@pushy.example", {org_id: Role.admin})
    victim = make_user(client, "ceo@victim.example")
    members = f"/api/v1/organisations/{org_id}/members"
    known = client.put(
        members, json={"email": "ceo@victim.example", "role": "admin"}, headers=admin
    )
    unknown = client.put(members, json={"email": "nobody@nowhere.example"}, headers=admin)
    assert known.status_code == unknown.status_code == 202  # the same answer for both
    assert set(known.json()) == set(unknown.json())
    listed = client.get(members, headers=admin).json()  # nor does the list tell them apart
    assert [m["accepted"] for m in listed] == [True]
    me = client.get("/api/v1/auth/me", headers=victim).json()
    assert me["memberships"] == [{"organisation_id": org_id, "role": "admin", "accepted": False}]
    assert client.get(members, headers=victim).status_code == 403  # no role yet
    with engine.connect() as conn:
        mail = conn.scalars(
            select(OutboxMessage.subject).where(OutboxMessage.recipient == "ceo@victim.example")
        ).all()
    assert mail == ["Invitation to join Pushy Ltd on Sidestream"]

    accept = f"/api/v1/auth/me/invitations/{org_id}/accept"
    assert (
        client.post(f"/api/v1/auth/me/invitations/{org_id}/decline", headers=victim).status_code
        == 204
    )
    assert client.post(accept, headers=victim).status_code == 404  # declined: gone
    client.put(members, json={"email": "ceo@victim.example"}, headers=admin)
    accepted = client.post(accept, headers=victim)
    assert accepted.status_code == 200
    assert accepted.json()["memberships"][0] == {"organisation_id": org_id, "role": "member",
                                                   "accepted": True}  # fmt: skip
    assert client.get(members, headers=victim).status_code == 200
    demote = client.put(
        members, json={"email": "ceo@victim.example", "role": "member"}, headers=admin
    )
    assert demote.status_code == 200 and demote.json()["accepted"] is True  # a member: changed
