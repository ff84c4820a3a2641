"""``sidestream purge`` deletes what is past its retention and nothing else."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select
from typer.testing import CliRunner

from sidestream.access import service, throttle
from sidestream.access.models import (
    Invitation,
    LoginAttempt,
    LoginSession,
    OutboxMessage,
    PasswordReset,
)
from sidestream.access.retention import purge
from sidestream.cli import app
from sidestream.db import utcnow


def _count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def test_purge_keeps_what_is_still_needed(session) -> None:
    from sidestream.access.policy import SYSTEM
    from sidestream.access.roles import Role
    from sidestream.registry import service as registry
    from sidestream.registry.schemas import OrganisationCreate

    user = service.create_user(session, "ann@example.org", "correct horse battery")
    org = registry.create_organisation(session, OrganisationCreate(name="Purge Dairy"))
    service.set_membership(session, SYSTEM, org.id, "bo@example.org", Role.member)
    service.open_login_session(session, user)  # valid for two weeks
    service.request_password_reset(session, "ann@example.org", "http://localhost")
    throttle.record(session, "ann@example.org", "10.0.0.1", success=False)
    now = utcnow()
    old = now - timedelta(days=200)
    session.add_all([
        LoginAttempt(email="ann@example.org", ip="10.0.0.1", success=False, at=old),
        LoginSession(user_id=user.id, sid_hash="0" * 64, created_at=old, expires_at=old),
        PasswordReset(user_id=user.id, token_hash="1" * 64, created_at=old, expires_at=old),
        OutboxMessage(recipient="ann@example.org", subject="old", body="x", created_at=old),
        Invitation(organisation_id=org.id, email="cy@example.org", role="member",
                   token_hash="2" * 64, created_at=old, expires_at=now - timedelta(days=31)),
        Invitation(organisation_id=org.id, email="di@example.org", role="member",
                   token_hash="3" * 64, created_at=old, expires_at=now - timedelta(days=29)),
    ])  # fmt: skip
    session.flush()
    assert purge(session, now) == {
        "login_attempt": 1, "login_session": 1, "password_reset": 1, "invitation": 1,
        "outbox_message": 1,
    }  # fmt: skip
    for model in (LoginAttempt, LoginSession, PasswordReset):
        assert _count(session, model) == 1, model  # the recent one of each stays
    assert _count(session, OutboxMessage) == 2  # the reset link and the invitation
    assert _count(session, Invitation) == 2  # the open one, and one expired under a month
    assert purge(session, now) == dict.fromkeys(
        ("login_attempt", "login_session", "password_reset", "invitation", "outbox_message"), 0
    )


def test_purge_command_reports_what_it_deleted(database_url) -> None:
    result = CliRunner().invoke(app, ["purge", "--database-url", database_url])
    assert result.exit_code == 0, result.output
    assert "login_attempt:" in result.output and "outbox_message:" in result.output
