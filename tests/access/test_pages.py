"""The lists of tokens, members and invitations answer the documented envelope
(docs/api.md; they answered bare arrays before stop 31)."""

from tests.access.world import api_world
from tests.list_pages import check_pages


def test_tokens_members_and_invitations_are_paged(client):
    w, h = api_world(client)
    admin = h["acme_admin"]
    assert client.post("/api/v1/tokens", json={"name": "erp"}, headers=admin).status_code == 201
    tokens = check_pages(client, "/api/v1/tokens", admin)
    assert [t["name"] for t in tokens] == ["test", "erp"]
    members = f"/api/v1/organisations/{w.orgs['acme']}/members"
    listed = check_pages(client, members, admin, lambda m: m["user_id"])
    assert {m["email"] for m in listed} == {"acme_member@test.invalid", "acme_admin@test.invalid"}
    for email in ("one@invited.example", "two@invited.example"):
        assert client.put(members, json={"email": email}, headers=admin).status_code == 202
    invitations = f"/api/v1/organisations/{w.orgs['acme']}/invitations"
    invited = check_pages(client, invitations, admin, lambda i: i["email"])
    assert {i["email"] for i in invited} == {"one@invited.example", "two@invited.example"}
