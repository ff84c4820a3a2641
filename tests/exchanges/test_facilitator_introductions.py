"""A network's facilitator introduces two member companies: both accept before either learns
who the other is, and before an exchange begins; one decline ends it."""

from __future__ import annotations

import json

from sqlalchemy import select

from sidestream.access.models import OutboxMessage
from tests.access.world import SECRET

BETA = "Beta Cement"


def _introduce(client, w, h, role="hub_facilitator", network=None, **body):
    payload = {"offer_stream_id": w.streams["anonymous"], "need_stream_id": w.need} | body
    return client.post(
        f"/api/v1/networks/{network or w.network}/introductions", json=payload, headers=h[role]
    )


def _seen(client, intro_id, h, role):
    return client.get(f"/api/v1/introductions/{intro_id}", headers=h[role]).json()


def _answer(client, intro_id, h, role, action="accept"):
    return client.post(f"/api/v1/introductions/{intro_id}/{action}", headers=h[role])


def _stream(client, h, role, org, direction, visibility="public"):
    body = {
        "organisation_id": org,
        "direction": direction,
        "title": f"Fly ash ({direction}, {visibility})",
        "waste_code": "100102",
        "visibility": visibility,
    }
    r = client.post("/api/v1/streams", json=body, headers=h[role])
    assert r.status_code == 201, r.text
    return r.json()["id"]


def test_the_facilitator_introduces_two_members_and_both_are_asked(client, world):
    w, h = world
    r = _introduce(client, w, h, message="You two should talk about slag")
    assert r.status_code == 201, r.text
    intro = r.json()
    assert intro["status"] == "pending" and intro["my_side"] is None
    assert intro["awaiting"] == ["requester", "responder"]
    assert intro["introduced_by"] == {
        "network_id": w.network,
        "network": "Park",
        "organisation_id": w.orgs["hub"],
        "organisation": "Hub Facilitation",
    }
    assert intro["offer"]["organisation"] == SECRET  # the facilitator knows both
    assert intro["message"] == "You two should talk about slag"

    acme = _seen(client, intro["id"], h, "acme_member")
    assert acme["my_side"] == "requester" and acme["counterpart"] is None
    assert acme["need"]["id"] == f"introduction-{intro['id']}-need"
    assert BETA not in json.dumps(acme) and acme["message"] == intro["message"]
    beta = _seen(client, intro["id"], h, "beta_member")
    assert beta["my_side"] == "responder" and beta["introduced_by"]["network"] == "Park"
    assert beta["offer"]["id"] == f"introduction-{intro['id']}-offer"
    assert SECRET not in json.dumps(beta)
    assert (
        client.get(f"/api/v1/introductions/{intro['id']}", headers=h["cobalt_member"]).status_code
        == 404
    )

    with client.app.state.sessions() as db:  # each company is told, without the other's name
        mails = {m.recipient: m.body for m in db.scalars(select(OutboxMessage))}
    assert set(mails) >= {"acme_member@test.invalid", "beta_member@test.invalid"}
    assert BETA not in mails["acme_member@test.invalid"]
    assert SECRET not in mails["beta_member@test.invalid"]


def test_identities_stay_hidden_until_both_accept_then_an_exchange_begins(client, world):
    w, h = world
    intro = _introduce(client, w, h).json()
    first = _answer(client, intro["id"], h, "acme_member")
    assert first.status_code == 200, first.text
    assert first.json()["status"] == "pending" and first.json()["awaiting"] == ["responder"]
    assert first.json()["counterpart"] is None and first.json()["exchange_id"] is None
    assert BETA not in json.dumps(first.json())
    assert SECRET not in json.dumps(_seen(client, intro["id"], h, "beta_member"))
    assert client.get("/api/v1/exchanges", headers=h["acme_member"]).json()["items"] == []
    again = _answer(client, intro["id"], h, "acme_member")
    assert again.status_code == 403  # Acme answered: Beta's answer is awaited

    done = _answer(client, intro["id"], h, "beta_member")
    assert done.status_code == 200, done.text
    assert done.json()["status"] == "accepted" and done.json()["awaiting"] == []
    assert done.json()["counterpart"]["organisation"] == SECRET
    assert done.json()["offer"]["organisation"] == SECRET
    acme = _seen(client, intro["id"], h, "acme_member")
    assert acme["counterpart"]["organisation"] == BETA
    ex = client.get(f"/api/v1/exchanges/{acme['exchange_id']}", headers=h["acme_member"]).json()
    assert ex["status"] == "introduced" and ex["introduction_id"] == intro["id"]
    assert (ex["offer_org_id"], ex["need_org_id"]) == (w.orgs["acme"], w.orgs["beta"])
    assert (ex["offer_stream_id"], ex["need_stream_id"]) == (w.streams["anonymous"], w.need)


def test_a_pending_introduction_by_the_facilitator_is_not_the_companys_own_request(client, world):
    # counted as the offer's company's request, asking about the same pair answered "already
    # open", telling the company which company's stream the unnamed need was
    w, h = world
    _introduce(client, w, h)
    body = {"offer_stream_id": w.streams["anonymous"], "need_stream_id": w.need}
    asked = client.post("/api/v1/introductions", json=body, headers=h["acme_member"])
    assert asked.status_code == 201, asked.text


def test_the_need_side_may_accept_first(client, world):
    w, h = world
    intro = _introduce(client, w, h).json()
    assert _answer(client, intro["id"], h, "beta_member").json()["awaiting"] == ["requester"]
    assert _answer(client, intro["id"], h, "acme_member").json()["status"] == "accepted"


def test_one_decline_ends_it_and_reveals_nothing(client, world):
    w, h = world
    intro = _introduce(client, w, h).json()
    assert _answer(client, intro["id"], h, "acme_member").status_code == 200
    declined = _answer(client, intro["id"], h, "beta_member", "decline")
    assert declined.json()["status"] == "declined" and declined.json()["counterpart"] is None
    assert _answer(client, intro["id"], h, "acme_member", "accept").status_code == 409
    acme = _seen(client, intro["id"], h, "acme_member")
    assert BETA not in json.dumps(acme) and acme["exchange_id"] is None
    assert client.get("/api/v1/exchanges", headers=h["beta_member"]).json()["items"] == []

    other = _introduce(client, w, h).json()  # the pair may be introduced again
    assert _answer(client, other["id"], h, "acme_member", "decline").json()["status"] == "declined"
    assert SECRET not in json.dumps(_seen(client, other["id"], h, "beta_member"))


def test_only_the_networks_facilitator_introduces(client, world):
    w, h = world
    assert _introduce(client, w, h, "anonymous").status_code == 401
    for role in ("acme_member", "acme_admin", "beta_member", "cobalt_member"):
        r = _introduce(client, w, h, role)
        assert r.status_code == 403, role
        assert f"only the facilitator of network {w.network}" in r.text
    assert _introduce(client, w, h, network=999999).status_code == 404
    assert _introduce(client, w, h, "platform_admin").status_code == 201


def test_introductions_are_checked_field_by_field(client, world):
    w, h = world
    beta_offer = _stream(client, h, "beta_member", w.orgs["beta"], "offer")
    cobalt_offer = _stream(client, h, "cobalt_member", w.orgs["cobalt"], "offer")
    hidden = _stream(client, h, "cobalt_member", w.orgs["cobalt"], "offer", "private")

    def refused(code, field=None, **body):
        r = _introduce(client, w, h, **body)
        assert r.status_code == code, r.text
        if field:
            assert r.json()["detail"][0]["loc"][-1] == field, r.text
        return r.json()

    swapped = refused(422, "offer_stream_id", offer_stream_id=w.need, need_stream_id=beta_offer)
    assert "is a need, not an offer" in json.dumps(swapped)
    refused(422, "need_stream_id", need_stream_id=beta_offer)  # two offers
    outsider = refused(422, "offer_stream_id", offer_stream_id=cobalt_offer)
    assert "not a member's of network 'Park'" in json.dumps(outsider)
    same = refused(422, "need_stream_id", offer_stream_id=beta_offer)
    assert "one company's" in json.dumps(same)
    refused(404, offer_stream_id=hidden)  # not visible to the facilitator: not confirmed
    refused(404, need_stream_id=987654)
    refused(422, "colour", colour="red")
    refused(422, "message", message="x" * 2001)
    assert _introduce(client, w, h).status_code == 201
    refused(409)  # one open introduction a pair


def test_the_facilitator_withdraws_its_introduction_and_the_companies_decline(client, world):
    w, h = world
    intro = _introduce(client, w, h).json()
    assert _answer(client, intro["id"], h, "acme_member", "withdraw").status_code == 403
    assert _answer(client, intro["id"], h, "hub_facilitator", "accept").status_code == 403
    withdrawn = _answer(client, intro["id"], h, "hub_facilitator", "withdraw")
    assert withdrawn.status_code == 200 and withdrawn.json()["status"] == "withdrawn"
    assert _answer(client, intro["id"], h, "beta_member").status_code == 409
    pipe = client.get(f"/api/v1/networks/{w.network}/pipeline", headers=h["hub_facilitator"])
    assert pipe.json()["introductions"] == {"withdrawn": 1}


def test_a_company_asking_still_needs_only_the_others_answer(client, world):
    """A company's own request is its acceptance: the responder's accept opens the exchange."""
    w, h = world
    body = {"offer_stream_id": w.streams["anonymous"], "need_stream_id": w.need}
    intro = client.post("/api/v1/introductions", json=body, headers=h["beta_member"]).json()
    assert intro["awaiting"] == ["responder"] and intro["introduced_by"] is None
    assert _answer(client, intro["id"], h, "acme_member").json()["status"] == "accepted"


def test_exports_name_the_other_company_only_to_the_introducer_before_both_accept(client, world):
    w, h = world
    intro = _introduce(client, w, h).json()
    mine = client.get("/api/v1/auth/me/export", headers=h["hub_facilitator"]).json()
    (row,) = mine["introductions"]
    assert row["side"] == "introducer" and row["requester_org_id"] == w.orgs["acme"]
    assert row["responder_org_id"] == w.orgs["beta"]
    admin = client.get("/api/v1/auth/me/export", headers=h["platform_admin"]).json()
    assert admin["introductions"] == []
    beta = client.get(
        f"/api/v1/organisations/{w.orgs['beta']}/export", headers=h["platform_admin"]
    ).json()
    (seen,) = beta["introductions"]
    assert seen["id"] == intro["id"] and seen["requester_org_id"] is None
    assert seen["offer_stream_id"] == f"introduction-{intro['id']}-offer"


def test_a_platform_admin_does_not_accept_for_the_companies(client, world):
    # accepting reveals a company's name: it accepted both sides at once, and the exchange began
    w, h = world
    intro = _introduce(client, w, h).json()
    r = _answer(client, intro["id"], h, "platform_admin")
    assert r.status_code == 403 and "only a company that was asked may answer" in r.text
    assert _seen(client, intro["id"], h, "hub_facilitator")["awaiting"] == [
        "requester",
        "responder",
    ]
    assert _answer(client, intro["id"], h, "platform_admin", "withdraw").status_code == 200
