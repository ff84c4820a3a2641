"""Data-subject rights: export and delete an account; export and erase an organisation."""

from __future__ import annotations

import json

from sidestream.access.deps import CSRF_COOKIE, CSRF_HEADER
from sidestream.access.roles import Role
from tests.access.auth import make_user
from tests.access.world import SECRET, api_world

PASSWORD = "correct horse battery"


def test_a_user_downloads_and_deletes_their_data(client):
    client.post("/api/v1/auth/signup", json={"email": "ann@example.org", "password": PASSWORD})
    csrf = {CSRF_HEADER: client.cookies[CSRF_COOKIE]}
    org = client.post("/api/v1/organisations", json={"name": "Ann Ltd"}, headers=csrf).json()
    client.post("/api/v1/tokens", json={"name": "erp"}, headers=csrf)
    members = f"/api/v1/organisations/{org['id']}/members"
    client.put(members, json={"email": "cy@example.org"}, headers=csrf)  # Ann invites Cy
    data = client.get("/api/v1/auth/me/export").json()
    assert data["account"]["email"] == "ann@example.org"
    assert data["memberships"][0]["organisation_id"] == org["id"]
    assert [i["email"] for i in data["invitations"]] == ["cy@example.org"]  # sent by Ann
    assert data["api_tokens"][0]["name"] == "erp" and data["sessions"]
    text = json.dumps(data)
    assert "password_hash" not in text and "token_hash" not in text and "sid_hash" not in text

    wrong = client.post("/api/v1/auth/me/delete", json={"password": "nope"}, headers=csrf)
    assert wrong.status_code == 403
    last = client.post("/api/v1/auth/me/delete", json={"password": PASSWORD}, headers=csrf)
    assert last.status_code == 409 and "at least one admin" in last.text  # Ann Ltd's only admin
    make_user(client, "bo@example.org", roles={org["id"]: Role.admin})
    r = client.post("/api/v1/auth/me/delete", json={"password": PASSWORD}, headers=csrf)
    assert r.status_code == 204
    assert client.get("/api/v1/auth/me").status_code == 401
    login = {"email": "ann@example.org", "password": PASSWORD}
    assert client.post("/api/v1/auth/login", json=login).status_code == 401
    assert client.get(f"/api/v1/organisations/{org['id']}").status_code == 200  # the company stays


def test_an_organisation_is_exported_and_erased_by_its_admin(client):
    w, h = api_world(client)
    body = {"offer_stream_id": w.streams["public"], "need_stream_id": w.need}
    intro = client.post("/api/v1/introductions", json=body, headers=h["beta_member"]).json()
    client.post(f"/api/v1/introductions/{intro['id']}/accept", headers=h["acme_member"])
    acme = w.orgs["acme"]
    assert (
        client.get(f"/api/v1/organisations/{acme}/export", headers=h["acme_member"]).status_code
        == 403
    )
    data = client.get(f"/api/v1/organisations/{acme}/export", headers=h["acme_admin"]).json()
    assert data["organisation"]["name"] == SECRET and len(data["streams"]) == 4
    assert len(data["exchanges"]) == 1 and {m["role"] for m in data["members"]} == {
        "member",
        "admin",
    }

    assert (
        client.post(f"/api/v1/organisations/{acme}/erase", headers=h["beta_member"]).status_code
        == 403
    )
    r = client.post(f"/api/v1/organisations/{acme}/erase", headers=h["acme_admin"])
    assert r.json() == {"sites": 1, "streams": 4, "memberships": 2}
    assert client.get(f"/api/v1/organisations/{acme}").status_code == 404
    kept = client.get("/api/v1/exchanges", headers=h["beta_member"]).json()["items"]
    assert kept[0]["offer_org_id"] is None and kept[0]["need_org_id"] == w.orgs["beta"]
    assert SECRET not in json.dumps(
        client.get("/api/v1/streams/export", headers=h["platform_admin"]).text
    )
    assert client.get("/api/v1/audit/verify", headers=h["platform_admin"]).json()["ok"]


def test_data_exports_keep_an_introduction_double_blind_until_it_is_accepted(client):
    """A requester's export named the owner of the anonymous stream it asked about, and a
    responder's the requester, even after declining (security review, stop 19)."""
    w, h = api_world(client)
    acme, beta = w.orgs["acme"], w.orgs["beta"]
    body = {"offer_stream_id": w.streams["anonymous"], "need_stream_id": w.need}
    intro = client.post("/api/v1/introductions", json=body, headers=h["beta_member"]).json()

    def exported() -> tuple[dict, dict]:
        owner = client.get(f"/api/v1/organisations/{acme}/export", headers=h["acme_admin"])
        asker = client.get("/api/v1/auth/me/export", headers=h["beta_member"])
        (seen_by_owner,) = owner.json()["introductions"]
        (seen_by_asker,) = asker.json()["introductions"]
        return seen_by_owner, seen_by_asker

    for step in ("pending", "declined"):
        if step == "declined":
            client.post(f"/api/v1/introductions/{intro['id']}/decline", headers=h["acme_admin"])
        by_owner, by_asker = exported()
        assert by_owner["side"] == "responder" and by_owner["status"] == step
        assert by_owner["requester_org_id"] is None and by_owner["requested_by"] is None
        assert by_owner["need_stream_id"] == f"introduction-{intro['id']}-need"  # Beta's public
        assert by_owner["offer_stream_id"] == w.streams["anonymous"]  # its own stream
        assert by_asker["side"] == "requester" and by_asker["status"] == step
        assert by_asker["responder_org_id"] is None and by_asker["decided_by"] is None
        assert by_asker["offer_stream_id"] == f"introduction-{intro['id']}-offer"
        assert SECRET not in json.dumps(by_asker)

    second = client.post("/api/v1/introductions", json=body, headers=h["beta_member"]).json()
    client.post(f"/api/v1/introductions/{second['id']}/accept", headers=h["acme_admin"])
    owner = client.get(f"/api/v1/organisations/{acme}/export", headers=h["acme_admin"]).json()
    accepted = next(i for i in owner["introductions"] if i["id"] == second["id"])
    assert accepted["requester_org_id"] == beta and accepted["responder_org_id"] == acme
