"""Accounts through the API: sign-up, login, sessions with CSRF, reset, tokens, throttling."""

from __future__ import annotations

import re

from sqlalchemy import select, text

from sidestream.access.deps import CSRF_COOKIE, CSRF_HEADER, SESSION_COOKIE
from sidestream.access.models import OutboxMessage

PASSWORD = "correct horse battery"


def _signup(client, email="ann@example.org", password=PASSWORD):
    r = client.post("/api/v1/auth/signup", json={"email": email, "password": password})
    assert r.status_code == 201, r.text
    return r


def _csrf(client) -> dict[str, str]:
    return {CSRF_HEADER: client.cookies[CSRF_COOKIE]}


def test_signup_logs_in_with_secure_cookies(client):
    r = _signup(client, email="Ann@Example.org")
    assert r.json()["email"] == "ann@example.org"
    cookie = r.headers.get_list("set-cookie")
    session_cookie = next(c for c in cookie if c.startswith(SESSION_COOKIE))
    assert "HttpOnly" in session_cookie and "SameSite=lax" in session_cookie
    assert client.get("/api/v1/auth/me").json()["email"] == "ann@example.org"


def test_passwords_are_stored_as_argon2_hashes(client, engine):
    _signup(client)
    with engine.connect() as conn:
        stored = conn.execute(text("SELECT password_hash FROM app_user")).scalar_one()
    assert stored.startswith("$argon2id$") and PASSWORD not in stored


def test_duplicate_and_weak_signups_are_refused(client):
    _signup(client)
    client.cookies.clear()
    assert (
        client.post(
            "/api/v1/auth/signup", json={"email": "ann@example.org", "password": PASSWORD}
        ).status_code
        == 409
    )
    for weak in ("short", " " * 12, "a" * 12):
        r = client.post("/api/v1/auth/signup", json={"email": "bob@example.org", "password": weak})
        assert r.status_code == 422 and r.json()["detail"][0]["loc"][-1] == "password", weak


def test_login_logout(client):
    _signup(client)
    client.cookies.clear()
    assert client.get("/api/v1/auth/me").status_code == 401
    bad = client.post("/api/v1/auth/login", json={"email": "ann@example.org", "password": "x"})
    assert bad.status_code == 401
    ok = client.post("/api/v1/auth/login", json={"email": "ann@example.org", "password": PASSWORD})
    assert ok.status_code == 200
    stolen = client.cookies[SESSION_COOKIE]
    assert client.post("/api/v1/auth/logout", headers=_csrf(client)).status_code == 204
    assert client.get("/api/v1/auth/me").status_code == 401
    client.cookies.set(SESSION_COOKIE, stolen)  # a copied cookie dies with the session
    assert client.get("/api/v1/auth/me").status_code == 401


def test_cookie_writes_need_the_csrf_token(client):
    _signup(client)
    body = {"name": "Ann Ltd"}
    assert client.post("/api/v1/organisations", json=body).status_code == 403
    assert (
        client.post("/api/v1/organisations", json=body, headers={CSRF_HEADER: "x"}).status_code
        == 403
    )
    r = client.post("/api/v1/organisations", json=body, headers=_csrf(client))
    assert r.status_code == 201
    me = client.get("/api/v1/auth/me").json()
    assert me["memberships"] == [
        {"organisation_id": r.json()["id"], "role": "admin", "accepted": True}
    ]


def test_forged_session_cookie_is_ignored(client):
    _signup(client)
    client.cookies.set(SESSION_COOKIE, client.cookies[SESSION_COOKIE][:-4] + "AAAA")
    assert client.get("/api/v1/auth/me").status_code == 401


def test_password_reset_is_single_use(client, engine):
    _signup(client)
    made = client.post(
        "/api/v1/tokens", json={"name": "erp", "scope": "write"}, headers=_csrf(client)
    )
    bearer = {"Authorization": f"Bearer {made.json()['token']}"}
    client.cookies.clear()
    for email in ("ann@example.org", "nobody@example.org"):  # same answer: no enumeration
        r = client.post("/api/v1/auth/password-reset", json={"email": email})
        assert r.status_code == 202
    with engine.connect() as conn:
        bodies = conn.scalars(select(OutboxMessage.body)).all()
        stored = conn.execute(text("SELECT token_hash FROM password_reset")).scalar_one()
    assert len(bodies) == 1
    token = re.search(r"token=([\w-]+)", bodies[0]).group(1)
    assert token not in stored
    new = {"token": token, "password": "a brand new secret"}
    assert client.post("/api/v1/auth/password-reset/confirm", json=new).status_code == 204
    assert client.post("/api/v1/auth/password-reset/confirm", json=new).status_code == 422
    login = {"email": "ann@example.org", "password": "a brand new secret"}
    assert client.post("/api/v1/auth/login", json=login).status_code == 200
    client.cookies.clear()  # a token made before the reset (by whoever held the account) is dead
    assert client.get("/api/v1/auth/me", headers=bearer).status_code == 401


def test_tokens_are_shown_once_scoped_and_revocable(client, engine):
    _signup(client)
    r = client.post("/api/v1/tokens", json={"name": "erp", "scope": "read"}, headers=_csrf(client))
    assert r.status_code == 201
    secret, token_id = r.json()["token"], r.json()["id"]
    w = client.post("/api/v1/tokens", json={"name": "w", "scope": "write"}, headers=_csrf(client))
    listed = client.get("/api/v1/tokens").json()["items"]
    assert [t["name"] for t in listed] == ["erp", "w"] and "token" not in listed[0]
    with engine.connect() as conn:
        hashes = conn.scalars(text("SELECT token_hash FROM api_token")).all()
    assert secret not in hashes
    client.cookies.clear()
    read = {"Authorization": f"Bearer {secret}"}
    write = {"Authorization": f"Bearer {w.json()['token']}"}
    assert client.get("/api/v1/auth/me", headers=read).status_code == 200
    assert client.post("/api/v1/organisations", json={"name": "R"}, headers=read).status_code == 403
    assert (
        client.post("/api/v1/organisations", json={"name": "W"}, headers=write).status_code == 201
    )
    assert client.delete(f"/api/v1/tokens/{token_id}", headers=write).status_code == 204
    assert client.get("/api/v1/auth/me", headers=read).status_code == 401
    assert (
        client.get("/api/v1/streams", headers={"Authorization": "Bearer nope"}).status_code == 401
    )


def test_login_throttled_per_account(client):
    _signup(client)
    client.cookies.clear()
    wrong = {"email": "ann@example.org", "password": "wrong password"}
    codes = [client.post("/api/v1/auth/login", json=wrong).status_code for _ in range(6)]
    assert codes == [401] * 5 + [429]
    right = {"email": "ann@example.org", "password": PASSWORD}
    r = client.post("/api/v1/auth/login", json=right)
    assert r.status_code == 429 and int(r.headers["Retry-After"]) > 0


def test_login_throttled_per_address(client):
    for i in range(20):
        wrong = {"email": f"user{i}@example.org", "password": "guess guess"}
        assert client.post("/api/v1/auth/login", json=wrong).status_code == 401
    r = client.post("/api/v1/auth/login", json={"email": "new@example.org", "password": "x"})
    assert r.status_code == 429


def test_success_restarts_the_account_count(client):
    _signup(client)
    client.cookies.clear()
    wrong = {"email": "ann@example.org", "password": "wrong password"}
    right = {"email": "ann@example.org", "password": PASSWORD}
    for _ in range(4):
        client.post("/api/v1/auth/login", json=wrong)
    assert client.post("/api/v1/auth/login", json=right).status_code == 200
    client.cookies.clear()
    for _ in range(4):
        assert client.post("/api/v1/auth/login", json=wrong).status_code == 401


def test_cli_creates_the_first_platform_admin(client, engine):
    from typer.testing import CliRunner

    from sidestream.cli import app

    url = engine.url.render_as_string(hide_password=False)
    args = ["users", "create", "root@example.org", "--platform-admin", "--database-url", url]
    r = CliRunner().invoke(app, [*args, "--password", PASSWORD])
    assert r.exit_code == 0, r.output
    again = CliRunner().invoke(app, [*args, "--password", PASSWORD])
    assert again.exit_code == 1 and "already exists" in again.output
    login = {"email": "root@example.org", "password": PASSWORD}
    assert client.post("/api/v1/auth/login", json=login).json()["platform_admin"] is True
