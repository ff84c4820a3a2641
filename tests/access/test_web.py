"""The login, sign-up, logout and password-reset pages."""

from __future__ import annotations

import re

from sqlalchemy import select

from sidestream.access.deps import CSRF_COOKIE, SESSION_COOKIE
from sidestream.access.models import OutboxMessage

PASSWORD = "correct horse battery"


def _token(client, path: str) -> str:
    page = client.get(path)
    assert page.status_code == 200
    return re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)


def test_signup_logout_login_through_the_pages(client):
    token = _token(client, "/signup")
    form = {"csrf_token": token, "email": "eve@example.org", "password": PASSWORD}
    r = client.post("/signup", data=form, follow_redirects=False)
    assert r.status_code == 303 and SESSION_COOKIE in r.cookies
    assert client.get("/api/v1/auth/me").json()["email"] == "eve@example.org"
    session_csrf = client.cookies[CSRF_COOKIE]
    assert client.post("/logout", data={"csrf_token": "x"}).status_code == 403
    r = client.post("/logout", data={"csrf_token": session_csrf}, follow_redirects=False)
    assert r.status_code == 303
    assert client.get("/api/v1/auth/me").status_code == 401

    token = _token(client, "/login?next=//evil.example")
    assert 'name="next" value="/start"' in client.get("/login?next=//evil.example").text
    bad = {"csrf_token": token, "email": "eve@example.org", "password": "wrong one"}
    assert client.post("/login", data=bad).status_code == 401
    good = {**bad, "password": PASSWORD, "next": "/region"}
    r = client.post("/login", data=good, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/region"


def test_forms_without_the_csrf_token_are_refused(client):
    client.get("/login")
    form = {"email": "eve@example.org", "password": PASSWORD}
    assert client.post("/signup", data=form).status_code == 403
    refused = client.post("/login", data={**form, "csrf_token": "forged"})
    assert refused.status_code == 403
    assert refused.json() == {"detail": "missing or wrong CSRF token"}  # a script gets JSON


def test_an_old_form_gets_a_page_in_the_visitors_language(client):
    """A browser posting a form whose token no longer matches (cookies cleared, another tab
    logged out) is told what happened on a page, not with JSON."""
    client.get("/login")
    form = {"email": "eve@example.org", "password": PASSWORD, "csrf_token": "old"}
    browser = {"Accept": "text/html,application/xhtml+xml", "Accept-Language": "da"}
    page = client.post("/login", data=form, headers=browser)
    assert page.status_code == 403 and page.headers["content-type"].startswith("text/html")
    assert "Formularen er udløbet" in page.text and "Genindlæs siden" in page.text
    token = _token(client, "/signup")
    signup = {"csrf_token": token, "email": "old-form@example.org", "password": PASSWORD}
    assert client.post("/signup", data=signup, follow_redirects=False).status_code == 303
    logged_in = client.post("/logout", data={"csrf_token": "old"}, headers=browser)
    assert logged_in.status_code == 403 and "Formularen er udløbet" in logged_in.text
    api = client.post("/api/v1/organisations", json={"name": "x"}, headers=browser)
    assert api.status_code == 403  # the same refusal from the API stays JSON
    assert api.json() == {"detail": "missing or wrong CSRF token"}


def test_the_language_chosen_on_an_account_page_is_remembered(client):
    # /signup?lang=sv set no cookie: the form's answer and the next pages came in English
    for path in ("/signup", "/login", "/reset"):
        r = client.get(f"{path}?lang=sv")
        assert r.cookies.get("lang") == "sv", path
    token = _token(client, "/login")
    bad = {"csrf_token": token, "email": "eve@example.org", "password": "wrong one"}
    answer = client.post("/login", data=bad)
    assert answer.status_code == 401 and "Logga in" in answer.text


def test_signup_errors_name_the_field(client):
    token = _token(client, "/signup")
    for weak in ("short", " " * 12):  # the API's rule, from the same service
        r = client.post("/signup", data={"csrf_token": token, "email": "a@b.c", "password": weak})
        assert r.status_code == 422 and 'id="password-error"' in r.text
    assert "too easy to guess" in r.text


def test_password_reset_pages(client, engine):
    token = _token(client, "/signup")
    client.post(
        "/signup", data={"csrf_token": token, "email": "eve@example.org", "password": PASSWORD}
    )
    client.cookies.clear()
    token = _token(client, "/reset")
    assert (
        "on its way"
        in client.post("/reset", data={"csrf_token": token, "email": "eve@example.org"}).text
    )
    with engine.connect() as conn:
        body = conn.scalars(select(OutboxMessage.body)).one()
    reset = re.search(r"token=([\w-]+)", body).group(1)
    assert 'name="token"' in client.get(f"/reset?token={reset}").text
    form = {"csrf_token": token, "token": reset, "password": "another fine secret"}
    r = client.post("/reset/confirm", data=form, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/login?reset=1"
    assert client.post("/reset/confirm", data=form).status_code == 422
