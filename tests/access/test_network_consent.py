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


def test_a_facilitator_cannot_take_a_network_to_an_organisation_of_their_own(client):
    """The members let Hub see their network streams; a facilitator of Hub moved the network
    to a new organisation of their own and kept the access after Hub removed them."""
    from tests.access.world import api_world

    w, h = api_world(client)
    net = client.get(f"/api/v1/networks/{w.network}", headers=h["hub_facilitator"]).json()
    own = client.post(
        "/api/v1/organisations", json={"name": "My Own Hub"}, headers=h["hub_facilitator"]
    ).json()
    moved = client.patch(
        f"/api/v1/networks/{w.network}",
        json={"version": net["version"], "facilitator_id": own["id"]},
        headers=h["hub_facilitator"],
    )
    assert moved.status_code == 403 and "facilitator_id" in moved.text
    assert client.get(f"/api/v1/networks/{w.network}").json()["facilitator_id"] == w.orgs["hub"]
    handed = client.patch(  # an admin of Hub may hand it to an organisation they facilitate for
        f"/api/v1/networks/{w.network}",
        json={"version": net["version"], "facilitator_id": w.orgs["beta"]},
        headers=make_user(client, "both@hub.invalid",
                          roles={w.orgs["hub"]: Role.admin, w.orgs["beta"]: Role.admin}),
    )  # fmt: skip
    assert handed.status_code == 200, handed.text


def test_a_member_withdraws_its_consent_by_leaving_the_network(client):
    """A member's admin could not take it out of a network (only the facilitator could), so the
    facilitator's view of its streams could not be withdrawn short of erasing the company."""
    from tests.access.world import api_world

    w, h = api_world(client)
    acme, network_stream = w.orgs["acme"], w.streams["network"]
    url = f"/api/v1/networks/{w.network}/members/{acme}"
    assert client.get(f"/api/v1/streams/{network_stream}", headers=h["hub_facilitator"]).is_success
    assert client.delete(url, headers=h["beta_member"]).status_code == 403
    assert client.delete(url, headers=h["acme_member"]).status_code == 403  # admins decide
    left = client.delete(url, headers=h["acme_admin"])
    assert left.status_code == 200 and acme not in left.json()["member_ids"]
    seen = client.get(f"/api/v1/streams/{network_stream}", headers=h["hub_facilitator"])
    assert seen.status_code == 404
    assert client.delete(url, headers=h["acme_admin"]).status_code == 404  # no member now
    beta = f"/api/v1/networks/{w.network}/members/{w.orgs['beta']}"
    assert client.delete(beta, headers=h["hub_facilitator"]).status_code == 200
