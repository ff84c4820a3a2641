"""Test helpers to act as a given user through the API (importable from any test package).

``as_platform_admin(client)`` is the simple way for any API test to act with full rights::

    @pytest.fixture
    def client(client):
        return as_platform_admin(client)
"""

from __future__ import annotations

from fastapi.testclient import TestClient

from sidestream.access import service
from sidestream.access.models import Membership, User
from sidestream.access.roles import Role, Scope
from sidestream.db import utcnow

UNUSABLE_PASSWORD = "!"  # not an argon2 hash: no password ever matches it


def make_user(
    client: TestClient,
    email: str,
    roles: dict[int, Role] | None = None,
    platform_admin: bool = False,
    scope: Scope = Scope.write,
) -> dict[str, str]:
    """Create an account (with roles) and a token for it; returns the bearer header."""
    with client.app.state.sessions() as db, db.begin():  # type: ignore[attr-defined]
        user = User(email=email, password_hash=UNUSABLE_PASSWORD, platform_admin=platform_admin)
        db.add(user)
        db.flush()
        for org_id, role in (roles or {}).items():
            db.add(
                Membership(user_id=user.id, organisation_id=org_id, role=role, accepted_at=utcnow())
            )
        db.flush()
        db.refresh(user)
        _, secret = service.create_token(db, user, "test", scope)
    return {"Authorization": f"Bearer {secret}"}


def as_platform_admin(client: TestClient) -> TestClient:
    """Make every request of ``client`` act as a platform admin (with a write token)."""
    client.headers.update(make_user(client, "platform-admin@test.invalid", platform_admin=True))
    return client
