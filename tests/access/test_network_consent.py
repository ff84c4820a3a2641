"""Nobody can enrol other companies into a network they facilitate (and so see their streams)."""

from sidestream.access.roles import Role
from tests.access.auth import as_platform_admin, make_user


def test_a_new_facilitator_cannot_enrol_other_companies(client):
    admin = as_platform_admin(client)
    victim = admin.post("/api/v1/organisations", json={"name": "Quiet Tannery"}).json()
    secret = admin.post(
        "/api/v1/streams",
        json={
            "direction": "offer",
            "title": "Fleshings",
            "visibility": "private",
            "organisation_id": victim["id"],
        },
    ).json()
    own = admin.post("/api/v1/organisations", json={"name": "Eager Hub"}).json()
    headers = make_user(client, "hub@example.org", roles={own["id"]: Role.admin})

    r = client.post(
        "/api/v1/networks",
        json={"name": "Grab", "facilitator_id": own["id"], "member_ids": [own["id"], victim["id"]]},
        headers=headers,
    )
    assert r.status_code == 403 and "member_ids" in r.text
    r = client.post(
        "/api/v1/networks",
        json={"name": "Own", "facilitator_id": own["id"], "member_ids": [own["id"]]},
        headers=headers,
    )
    assert r.status_code == 201
    net = r.json()
    r = client.patch(
        f"/api/v1/networks/{net['id']}",
        json={"version": net["version"], "member_ids": [own["id"], victim["id"]]},
        headers=headers,
    )
    assert r.status_code == 403
    assert client.get(f"/api/v1/streams/{secret['id']}", headers=headers).status_code == 404
