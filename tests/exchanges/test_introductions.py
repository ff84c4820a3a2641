"""Double opt-in introductions: identities are revealed only after both sides agree."""

from __future__ import annotations

import json

from tests.access.world import SECRET


def _ask(client, w, h, **extra):
    body = {"offer_stream_id": w.streams["anonymous"], "need_stream_id": w.need, **extra}
    return client.post("/api/v1/introductions", json=body, headers=h["beta_member"])


def test_the_responder_learns_nothing_before_accepting(client, world):
    w, h = world
    r = _ask(client, w, h, message="We could use your slag")
    assert r.status_code == 201, r.text
    intro = r.json()
    assert intro["status"] == "pending" and intro["my_side"] == "requester"
    assert SECRET not in json.dumps(intro)  # Beta asked about an anonymous offer
    assert intro["offer"]["id"] == f"introduction-{intro['id']}-offer"  # no stream id: it may
    assert intro["counterpart"] is None  # be a public stream's, whose page names the owner

    seen = client.get(f"/api/v1/introductions/{intro['id']}", headers=h["acme_member"]).json()
    assert seen["my_side"] == "responder" and seen["counterpart"] is None
    assert "Beta" not in json.dumps(seen)  # Beta's need is public: its id would name Beta
    assert seen["need"]["id"] == f"introduction-{intro['id']}-need"
    assert client.get(f"/api/v1/streams/{w.need}").json()["organisation_id"] == w.orgs["beta"]


def test_accepting_reveals_both_and_opens_an_exchange(client, world):
    w, h = world
    intro = _ask(client, w, h).json()
    r = client.post(f"/api/v1/introductions/{intro['id']}/accept", headers=h["acme_member"])
    assert r.status_code == 200, r.text
    assert r.json()["counterpart"]["organisation"] == "Beta Cement"
    assert r.json()["counterpart"]["emails"] == ["beta_member@test.invalid"]
    mine = client.get(f"/api/v1/introductions/{intro['id']}", headers=h["beta_member"]).json()
    assert mine["counterpart"]["organisation"] == SECRET
    assert mine["offer"]["organisation"] == SECRET
    ex = client.get(f"/api/v1/exchanges/{mine['exchange_id']}", headers=h["beta_member"]).json()
    assert ex["status"] == "introduced"
    assert (ex["offer_org_id"], ex["need_org_id"]) == (w.orgs["acme"], w.orgs["beta"])


def test_declining_reveals_nothing(client, world):
    w, h = world
    intro = _ask(client, w, h).json()
    r = client.post(f"/api/v1/introductions/{intro['id']}/decline", headers=h["acme_member"])
    assert r.json()["status"] == "declined" and r.json()["counterpart"] is None
    again = client.post(f"/api/v1/introductions/{intro['id']}/accept", headers=h["acme_member"])
    assert again.status_code == 409
    mine = client.get(f"/api/v1/introductions/{intro['id']}", headers=h["beta_member"]).json()
    assert SECRET not in json.dumps(mine) and mine["exchange_id"] is None
    listed = client.get("/api/v1/introductions?status=declined", headers=h["beta_member"])
    assert [i["id"] for i in listed.json()["items"]] == [intro["id"]]
    typo = client.get("/api/v1/introductions?status=decliend", headers=h["beta_member"])
    assert typo.status_code == 422 and typo.json()["detail"][0]["loc"] == ["query", "status"]


def test_only_the_responder_decides_and_only_the_requester_withdraws(client, world):
    w, h = world
    intro = _ask(client, w, h).json()
    url = f"/api/v1/introductions/{intro['id']}"
    assert client.post(f"{url}/accept", headers=h["beta_member"]).status_code == 403
    assert client.post(f"{url}/accept", headers=h["cobalt_member"]).status_code == 404
    assert client.post(f"{url}/accept", headers=h["hub_facilitator"]).status_code == 403
    assert client.post(f"{url}/withdraw", headers=h["acme_member"]).status_code == 403
    assert client.post(f"{url}/withdraw", headers=h["beta_member"]).json()["status"] == "withdrawn"


def test_asking_needs_one_own_stream_and_a_visible_other(client, world):
    w, h = world
    body = {"offer_stream_id": w.streams["public"], "need_stream_id": w.need}
    assert client.post("/api/v1/introductions", json=body).status_code == 401
    assert (
        client.post("/api/v1/introductions", json=body, headers=h["cobalt_member"]).status_code
        == 403
    )
    hidden = {"offer_stream_id": w.streams["private"], "need_stream_id": w.need}
    r = client.post("/api/v1/introductions", json=hidden, headers=h["beta_member"])
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "offer_stream_id"]
    swapped = {"offer_stream_id": w.need, "need_stream_id": w.streams["public"]}
    assert (
        client.post("/api/v1/introductions", json=swapped, headers=h["beta_member"]).status_code
        == 422
    )
    assert _ask(client, w, h).status_code == 201
    assert _ask(client, w, h).status_code == 409  # one open request per pair


def test_the_facilitator_sees_the_pipeline(client, world):
    w, h = world
    first = _ask(client, w, h).json()
    client.post(f"/api/v1/introductions/{first['id']}/accept", headers=h["acme_member"])
    body = {"offer_stream_id": w.streams["public"], "need_stream_id": w.need}
    client.post("/api/v1/introductions", json=body, headers=h["acme_member"])
    listed = client.get("/api/v1/introductions", headers=h["hub_facilitator"]).json()["items"]
    assert [i["status"] for i in listed] == ["accepted", "pending"]
    assert all(i["my_side"] is None for i in listed)
    pipe = client.get(f"/api/v1/networks/{w.network}/pipeline", headers=h["hub_facilitator"])
    assert pipe.json()["introductions"] == {"accepted": 1, "pending": 1}
    assert pipe.json()["exchanges"] == {"introduced": 1}
    for role in ("cobalt_member", "acme_member", "anonymous"):
        r = client.get(f"/api/v1/networks/{w.network}/pipeline", headers=h[role])
        assert r.status_code in (401, 403), role
    assert client.get("/api/v1/introductions", headers=h["cobalt_member"]).json()["items"] == []


def test_asking_about_a_pair_the_other_side_asked_about_reveals_nothing(client, world):
    """The responder paired its own offer with each public need in turn: the one answered "an
    introduction about these streams is already open" was the asker's (review, stop 19)."""
    w, h = world
    assert _ask(client, w, h).status_code == 201  # Beta asks about Acme's anonymous offer
    body = {"offer_stream_id": w.streams["anonymous"], "need_stream_id": w.need}
    probe = client.post("/api/v1/introductions", json=body, headers=h["acme_member"])
    assert probe.status_code == 201  # as for any other need: no sign of Beta's request
    first = client.post(
        f"/api/v1/introductions/{probe.json()['id']}/accept", headers=h["beta_member"]
    )
    assert first.status_code == 200
    beta_asked = _ask(client, w, h)  # now both know each other: a second request is refused
    assert beta_asked.status_code == 409
    pending = client.get("/api/v1/introductions", params={"status": "pending"},
                         headers=h["acme_member"]).json()["items"]  # fmt: skip
    (twin,) = [i for i in pending if i["id"] != probe.json()["id"]]
    again = client.post(f"/api/v1/introductions/{twin['id']}/accept", headers=h["acme_member"])
    assert again.status_code == 409 and "already accepted" in again.text  # one exchange a pair
