"""Fixtures of the web tests: a client on a database holding the demo region."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from sidestream.access.demo import DEMO_PASSWORD
from sidestream.access.deps import CSRF_COOKIE
from sidestream.access.models import Membership, User
from sidestream.access.roles import Role
from sidestream.api.app import create_app
from sidestream.db import Base, session_scope, utcnow
from sidestream.demo.builder import load_demo
from sidestream.registry.models import Organisation, Stream


@pytest.fixture(scope="module")
def web(engine: Engine) -> Iterator[TestClient]:
    """A client on the demo region, loaded once per test module and removed afterwards."""
    with session_scope(engine) as session:
        load_demo(session)
    with TestClient(create_app(engine)) as client:
        yield client
    with engine.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(table.delete())


@pytest.fixture
def ids(engine: Engine, web: TestClient) -> dict[str, int]:
    """Ids of demo objects the tests visit: an organisation and its FGD gypsum offer."""
    with session_scope(engine) as session:
        offer = session.scalars(
            select(Stream).where(Stream.external_id == "kal-asnaes-fgd-gypsum")
        ).one()
        org = session.get(Organisation, offer.organisation_id)
        need = session.scalars(select(Stream).where(Stream.direction == "need")).first()
        return {"org": org.id, "offer": offer.id, "need": need.id}


PASSWORD = "correct horse battery"


def register_company(client: TestClient, csrf: str, name: str) -> int:
    """Register a company through the start page as the signed-in user (its admin); its id."""
    data = {"csrf_token": csrf, "name": name, "country": "DK", "lat": "55.66", "lon": "11.09"}
    response = client.post("/start", data=data, follow_redirects=False)
    assert response.status_code == 303, response.text
    return int(re.search(r"/organisations/(\d+)/", response.headers["location"]).group(1))


def sign_up(client: TestClient, email: str) -> str:
    """Sign up through the pages as a fresh user; returns the session's CSRF token."""
    client.cookies.clear()
    page = client.get("/signup").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token, "the sign-up form carries a CSRF token"
    form = {"csrf_token": token.group(1), "email": email, "password": PASSWORD}
    assert client.post("/signup", data=form, follow_redirects=False).status_code == 303
    return client.cookies[CSRF_COOKIE]


def log_in(client: TestClient, email: str, password: str = DEMO_PASSWORD) -> str:
    """Log in through the login page; returns the session's CSRF token."""
    client.cookies.clear()
    page = client.get("/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token
    form = {"csrf_token": token.group(1), "email": email, "password": password}
    assert client.post("/login", data=form, follow_redirects=False).status_code == 303
    return client.cookies[CSRF_COOKIE]


def join(engine: Engine, email: str, org_id: int, role: Role = Role.admin) -> None:
    """Make the account ``email`` a member of an organisation (as its admin would)."""
    with session_scope(engine) as session:
        user = session.scalars(select(User).where(User.email == email)).one()
        session.add(
            Membership(user_id=user.id, organisation_id=org_id, role=role, accepted_at=utcnow())
        )


@pytest.fixture
def csrf(web: TestClient, request: pytest.FixtureRequest) -> Iterator[str]:
    """A freshly signed-up user (no company yet) on ``web``; yields the CSRF token."""
    yield sign_up(web, f"{request.node.name.split('[')[0]}@example.org")
    web.cookies.clear()
