"""What an account's traces give away: the export withholds links that answer for the mailbox,
an earlier account's audit trail is not a new account's, deleting an account is throttled as a
log-in is, and the server's access log keeps no link secret."""

from __future__ import annotations

import logging
import re
from datetime import timedelta

from sqlalchemy import select

from sidestream.access.models import OutboxMessage, User
from sidestream.access.roles import Role, Scope
from sidestream.api.access_log import WithoutSecrets
from sidestream.exchanges.models import AuditEntry
from tests.access.auth import make_user
from tests.access.test_hardening import PASSWORD, _organisation


def test_a_read_token_cannot_take_the_account_through_the_export(client, engine):
    """A reset link in the exported mails handed a read-only token the password."""
    client.post("/api/v1/auth/signup", json={"email": "ann@example.org", "password": PASSWORD})
    client.cookies.clear()
    read = make_user(client, "reader@example.org", scope=Scope.read)
    client.post("/api/v1/auth/password-reset", json={"email": "reader@example.org"})
    with engine.connect() as conn:
        body = conn.scalars(select(OutboxMessage.body)).all()[-1]
    secret = re.search(r"token=([\w-]+)", body).group(1)
    exported = client.get("/api/v1/auth/me/export", headers=read).json()
    text = str(exported["messages"])
    assert secret not in text and "/reset?token=[withheld]" in text


def test_an_earlier_accounts_audit_trail_is_not_exported(client, engine):
    """SQLite gives a deleted account's id to the next one; the audit log names actors by id."""
    headers = make_user(client, "new@example.org")
    with client.app.state.sessions() as db, db.begin():
        user = db.scalars(select(User).where(User.email == "new@example.org")).one()
        earlier = {"at": user.created_at - timedelta(days=1), "actor": f"user:{user.id}"}
        hashes = {"payload_hash": "0" * 64, "prev_hash": "0" * 64, "entry_hash": "1" * 64}
        before = AuditEntry(
            seq=1, action="create", object_type="stream", object_id="7", **earlier, **hashes
        )
        db.add(before)
    assert client.get("/api/v1/auth/me/export", headers=headers).json()["audit_entries"] == []


def test_deleting_an_account_is_throttled_as_logging_in_is(client):
    org = _organisation(client, "Guessed Ltd")
    make_user(client, "boss@example.org", {org: Role.admin})  # an admin stays
    headers = make_user(client, "held@example.org", {org: Role.member})
    statuses = [
        client.post(
            "/api/v1/auth/me/delete", json={"password": f"guess {i}"}, headers=headers
        ).status_code
        for i in range(7)
    ]
    assert statuses[:5] == [403] * 5 and statuses[-1] == 429, statuses


def test_an_organisation_export_reads_with_a_read_token(client):
    org = _organisation(client, "Readable Ltd")
    read = make_user(client, "admin@example.org", {org: Role.admin}, scope=Scope.read)
    assert client.get(f"/api/v1/organisations/{org}/export", headers=read).status_code == 200


def test_the_access_log_keeps_no_link_secret():
    line = ("1.2.3.4:5", "GET", "/reset?token=abc123&x=1", "1.1", 200)
    record = logging.LogRecord(
        "uvicorn.access", logging.INFO, "", 0, '%s - "%s %s HTTP/%s" %d', line, None
    )
    assert WithoutSecrets().filter(record)
    assert record.getMessage() == '1.2.3.4:5 - "GET /reset?token=[withheld]&x=1 HTTP/1.1" 200'
    record.args = ("1.2.3.4:5", "GET", "/join/s3cr3t", "1.1", 404)
    WithoutSecrets().filter(record)
    assert "s3cr3t" not in record.getMessage()


def test_a_name_longer_than_the_api_takes_is_refused_on_the_page_too(client):
    from tests.access.test_web import _token

    form = {"csrf_token": _token(client, "/signup"), "email": "long@example.org",
            "password": PASSWORD, "name": "n" * 5000}  # fmt: skip
    r = client.post("/signup", data=form, follow_redirects=False)
    assert r.status_code == 422 and "Use at most 200 characters." in r.text


def test_reset_links_to_one_address_are_limited(client, engine):
    """Anyone may ask for a reset of any address: without a limit they filled its mailbox."""
    client.post("/api/v1/auth/signup", json={"email": "ann@example.org", "password": PASSWORD})
    client.cookies.clear()
    for _ in range(6):
        r = client.post("/api/v1/auth/password-reset", json={"email": "ann@example.org"})
        assert r.status_code == 202  # the same answer every time
    with engine.connect() as conn:
        sent = conn.scalars(
            select(OutboxMessage.body).where(OutboxMessage.recipient == "ann@example.org")
        ).all()
    assert len(sent) == 3
