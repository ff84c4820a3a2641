"""Facilitators see of an introduction or exchange only what the policy lets them see.

Hub facilitates the network of Acme and Beta; Cobalt is outside it. When Cobalt asks about one
of Acme's offers with an anonymous need, Hub follows its member Acme's pipeline but must not
learn who Cobalt is.
"""

from __future__ import annotations

import json

import pytest

from sidestream.registry import service as registry
from sidestream.registry.schemas import StreamCreate

OUTSIDER = "Cobalt Foods"


def _outsider_need(client, w, visibility: str) -> int:
    with client.app.state.sessions() as db, db.begin():
        return registry.create_stream(
            db,
            StreamCreate(
                external_id=f"cobalt-slag-need-{visibility}",
                organisation_id=w.orgs["cobalt"],
                direction="need",
                title="Slag wanted",
                description=f"{OUTSIDER} needs slag for its kilns",
                waste_code="100202",
                quantity=730,
                unit="t",
                period="per-year",
                lat=46.05,
                lon=14.5,
                visibility=visibility,
            ),
        ).id


@pytest.fixture
def outsider_intro(client, world):
    w, h = world
    need = _outsider_need(client, w, "anonymous")
    body = {
        "offer_stream_id": w.streams["public"],
        "need_stream_id": need,
        "message": f"Hello from {OUTSIDER}",
    }
    r = client.post("/api/v1/introductions", json=body, headers=h["cobalt_member"])
    assert r.status_code == 201, r.text
    return w, h, r.json()


def test_an_unrelated_facilitator_sees_the_outsiders_anonymous_stream_anonymised(
    client, outsider_intro
):
    _, h, intro = outsider_intro
    hub = h["hub_facilitator"]
    for state in ("pending", "accepted"):
        seen = client.get(f"/api/v1/introductions/{intro['id']}", headers=hub).json()
        assert seen["my_side"] is None and seen["counterpart"] is None
        assert seen["need"]["id"].startswith("anon-"), state
        assert "organisation" not in seen["need"] and "quantity" not in seen["need"]
        assert seen["message"] is None  # the requester's words may name it
        assert OUTSIDER not in json.dumps(seen), state
        assert seen["offer"]["organisation"] == "Acme Steel"  # its own member, in full
        listed = client.get("/api/v1/introductions", headers=hub).json()["items"]
        assert OUTSIDER not in json.dumps(listed)
        if state == "pending":
            accept = f"/api/v1/introductions/{intro['id']}/accept"
            assert client.post(accept, headers=h["acme_member"]).status_code == 200
    # the two parties, once both agreed, see each other in full
    mine = client.get(f"/api/v1/introductions/{intro['id']}", headers=h["acme_member"]).json()
    assert mine["need"]["organisation"] == OUTSIDER
    assert mine["counterpart"]["organisation"] == OUTSIDER
    admin = client.get(f"/api/v1/introductions/{intro['id']}", headers=h["platform_admin"])
    assert admin.json()["need"]["organisation"] == OUTSIDER


def test_an_unrelated_facilitator_does_not_learn_the_outsider_from_the_exchange(
    client, outsider_intro
):
    w, h, intro = outsider_intro
    accepted = client.post(
        f"/api/v1/introductions/{intro['id']}/accept", headers=h["acme_member"]
    ).json()
    ex_id = accepted["exchange_id"]
    url = f"/api/v1/exchanges/{ex_id}"
    cobalt = h["cobalt_member"]
    terms = {"agreed_quantity": 700, "agreed_unit": "t", "agreed_price_eur_per_unit": 3.0}
    for status, who in (("negotiating", cobalt), ("agreed", cobalt),
                        ("agreed", h["acme_member"]), ("active", cobalt)):  # fmt: skip
        version = client.get(url, headers=who).json()["version"]
        body = {"version": version, "status": status, **(terms if status == "agreed" else {})}
        assert client.patch(url, json=body, headers=who).status_code == 200, status
    delivery = {"delivered_on": "2026-03-01", "quantity": 20, "unit": "t",
                "document_ref": f"{OUTSIDER} note 1"}  # fmt: skip
    r = client.post(f"{url}/deliveries", json=delivery, headers=cobalt)
    assert r.status_code == 201
    dispute = {"answer": "disputed", "note": f"{OUTSIDER} says 18 t, we weighed 12 t", "version": 1}
    answer = f"{url}/deliveries/{r.json()['id']}/answer"
    assert client.put(answer, json=dispute, headers=h["acme_member"]).status_code == 200

    seen = client.get(url, headers=h["hub_facilitator"]).json()
    assert seen["offer_org_id"] == w.orgs["acme"]
    assert seen["need_org_id"] is None
    assert seen["deliveries"][0]["recorded_by_org_id"] is None
    assert seen["deliveries"][0]["answer"] == "disputed"  # what happened, not who wrote what
    assert OUTSIDER not in json.dumps(seen)
    page = client.get(f"/exchanges/{ex_id}", headers=h["hub_facilitator"])
    assert page.status_code == 200 and OUTSIDER not in page.text
    listed = client.get("/api/v1/exchanges", headers=h["hub_facilitator"]).json()["items"]
    assert [e["need_org_id"] for e in listed] == [None]
    for party in ("acme_member", "cobalt_member", "platform_admin"):
        full = client.get(url, headers=h[party]).json()
        assert full["need_org_id"] == w.orgs["cobalt"], party
        assert full["deliveries"][0]["recorded_by_org_id"] == w.orgs["cobalt"], party
        assert full["deliveries"][0]["answer_note"] == dispute["note"], party


def test_a_hidden_stream_is_not_shown_to_an_unrelated_facilitator(client, world):
    w, h = world
    need = _outsider_need(client, w, "private")
    body = {"offer_stream_id": w.streams["public"], "need_stream_id": need}
    intro = client.post("/api/v1/introductions", json=body, headers=h["cobalt_member"]).json()
    seen = client.get(f"/api/v1/introductions/{intro['id']}", headers=h["hub_facilitator"]).json()
    assert seen["need"] is None and OUTSIDER not in json.dumps(seen)
    # the responder sees the requester's stream anonymised: asking is the requester's consent
    mine = client.get(f"/api/v1/introductions/{intro['id']}", headers=h["acme_member"]).json()
    assert mine["need"]["id"] == f"introduction-{intro['id']}-need"
    assert OUTSIDER not in json.dumps(mine)


def test_the_facilitators_pipeline_page_does_not_name_an_outside_counterpart(
    client, outsider_intro
):
    w, h, intro = outsider_intro
    accept = f"/api/v1/introductions/{intro['id']}/accept"
    assert client.post(accept, headers=h["acme_member"]).status_code == 200
    page = client.get(f"/region/pipeline?network={w.network}", headers=h["hub_facilitator"])
    assert page.status_code == 200
    assert "Acme Steel" in page.text and OUTSIDER not in page.text
    own = client.get("/exchanges", headers=h["acme_member"])
    assert OUTSIDER in own.text  # the parties, once both agreed, see each other
