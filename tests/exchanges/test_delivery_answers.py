"""A delivery one party records is confirmed or disputed by the other: a supplier alone must
not put tonnes into its receiver's impact report."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from sidestream.access.models import OutboxMessage
from sidestream.access.roles import Role
from tests.access.auth import make_user
from tests.exchanges.conftest import patch_exchange

TERMS = {"agreed_quantity": 200, "agreed_unit": "t", "agreed_price_eur_per_unit": -4.5}


@pytest.fixture
def delivered(client, exchange):
    """An active exchange with one delivery recorded by each party: (id, ids, headers)."""
    ex_id, h = exchange
    acme, beta = h["acme_member"], h["beta_member"]
    for stage, who, terms in (("negotiating", beta, {}), ("agreed", acme, TERMS),
                              ("agreed", beta, {}), ("active", beta, {})):  # fmt: skip
        assert patch_exchange(client, ex_id, who, status=stage, **terms).status_code == 200
    url = f"/api/v1/exchanges/{ex_id}/deliveries"
    ids = {}
    for who, ref in (("acme_member", "WTN-1"), ("beta_member", "WTN-2")):
        body = {"delivered_on": "2026-03-01", "quantity": 20, "unit": "t", "document_ref": ref}
        r = client.post(url, json=body, headers=h[who])
        assert r.status_code == 201 and r.json()["answer"] is None
        ids[who] = r.json()["id"]
    return ex_id, ids, h


def _answer(client, ex_id, delivery_id, headers, **body):
    """Answer a delivery at the version it has now (unless ``version`` is given)."""
    if "version" not in body:
        seen = client.get(f"/api/v1/exchanges/{ex_id}", headers=headers)
        found = (
            [d for d in seen.json()["deliveries"] if d["id"] == delivery_id]
            if seen.status_code == 200
            else []
        )
        body["version"] = found[0]["version"] if found else 1
    url = f"/api/v1/exchanges/{ex_id}/deliveries/{delivery_id}/answer"
    return client.put(url, json=body, headers=headers)


def test_an_answer_given_on_a_stale_read_is_refused_not_written_over(client, delivered):
    """Two colleagues answer the same delivery: the second, read before the first answered,
    gets 409 and the first answer (a dispute and its reason) stands."""
    ex_id, ids, h = delivered
    by_acme, beta = ids["acme_member"], h["beta_member"]
    read = _answer(client, ex_id, by_acme, beta, answer="disputed", note="only 3 t arrived")
    assert read.status_code == 200 and read.json()["version"] == 2
    r = _answer(client, ex_id, by_acme, beta, answer="confirmed", version=1)
    assert r.status_code == 409 and r.json()["current_version"] == 2, r.text
    seen = client.get(f"/api/v1/exchanges/{ex_id}", headers=beta).json()["deliveries"]
    kept = next(d for d in seen if d["id"] == by_acme)
    assert (kept["answer"], kept["answer_note"]) == ("disputed", "only 3 t arrived")
    r = _answer(client, ex_id, by_acme, beta, answer="confirmed", version=2)
    assert r.status_code == 200 and r.json()["version"] == 3
    missing = client.put(
        f"/api/v1/exchanges/{ex_id}/deliveries/{by_acme}/answer",
        json={"answer": "confirmed"},
        headers=beta,
    )
    assert missing.status_code == 422 and missing.json()["detail"][0]["loc"][-1] == "version"


def test_only_the_other_party_answers(client, delivered):
    ex_id, ids, h = delivered
    by_acme = ids["acme_member"]
    refused = {"acme_member": 403, "acme_admin": 403, "hub_facilitator": 403,
               "platform_admin": 403, "cobalt_member": 404, "anonymous": 404}  # fmt: skip
    for who, status in refused.items():
        r = _answer(client, ex_id, by_acme, h[who], answer="confirmed")
        assert r.status_code == status, who
    r = _answer(client, ex_id, by_acme, h["beta_member"], answer="confirmed")
    assert r.status_code == 200 and r.json()["answer"] == "confirmed"
    assert r.json()["answered_at"] is not None
    assert _answer(client, ex_id, 999999, h["beta_member"], answer="confirmed").status_code == 404
    other = _answer(client, ex_id, ids["beta_member"], h["acme_member"], answer="confirmed")
    assert other.status_code == 200  # and Acme answers Beta's
    mine = client.get("/api/v1/auth/me/export", headers=h["beta_member"]).json()
    assert [d["id"] for d in mine["deliveries_answered"]] == [by_acme]  # personal data


def test_a_dispute_says_why_and_bad_answers_name_their_field(client, delivered):
    ex_id, ids, h = delivered
    beta, by_acme = h["beta_member"], ids["acme_member"]
    r = _answer(client, ex_id, by_acme, beta, answer="disputed", note="   ")
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "note"]
    r = _answer(client, ex_id, by_acme, beta, answer="maybe")
    assert r.status_code == 422 and r.json()["detail"][0]["loc"][-1] == "answer"
    r = _answer(client, ex_id, by_acme, beta, answer="confirmed", weight=3)
    assert r.status_code == 422 and r.json()["detail"][0]["loc"][-1] == "weight"
    r = _answer(client, ex_id, by_acme, beta, answer="disputed", note=" Only 12 t arrived ")
    assert r.status_code == 200 and r.json()["answer_note"] == "Only 12 t arrived"
    shown = client.get(f"/api/v1/exchanges/{ex_id}", headers=h["acme_member"]).json()
    assert [d["answer"] for d in shown["deliveries"]] == ["disputed", None]


def test_reports_leave_disputed_deliveries_out_and_count_what_is_confirmed(
    client, world, delivered
):
    ex_id, ids, h = delivered
    acme, beta = h["acme_member"], h["beta_member"]
    org = client.get(f"/api/v1/exchanges/{ex_id}", headers=acme).json()["need_org_id"]

    def realised():
        report = client.get(f"/api/v1/organisations/{org}/report", headers=beta).json()
        rows = [r for r in report["rows"] if r["basis"] == "realised"]
        return [(r["amount"], r["confirmed_amount"]) for r in rows], report

    assert realised()[0] == [(40.0, 0.0)]
    _answer(client, ex_id, ids["beta_member"], acme, answer="confirmed")
    assert realised()[0] == [(40.0, 20.0)]
    _answer(client, ex_id, ids["acme_member"], beta, answer="disputed", note="never came")
    rows, report = realised()
    assert rows == [(20.0, 20.0)]
    counted = {k: report["deliveries"][k] for k in ("confirmed", "awaiting", "disputed")}
    assert counted == {"confirmed": 1, "awaiting": 0, "disputed": 1}
    assert report["deliveries"]["first_on"] == report["deliveries"]["last_on"]  # one counted
    assert any("disputed, left out" in w for w in report["warnings"])
    pipe = client.get(f"/api/v1/networks/{world[0].network}/pipeline", headers=h["hub_facilitator"])
    assert pipe.json()["delivered"] == {"t": 20.0}
    _answer(client, ex_id, ids["acme_member"], beta, answer="confirmed")  # settled after all
    assert realised()[0] == [(40.0, 40.0)]
    # a load booked in kg counts in the same total ("800 kg" and "2.5 tons" were totals apart)
    kg = {"delivered_on": "2026-03-03", "quantity": 500, "unit": "kg", "document_ref": "WTN-77"}
    assert client.post(f"/api/v1/exchanges/{ex_id}/deliveries", json=kg, headers=acme).is_success
    pipe = client.get(f"/api/v1/networks/{world[0].network}/pipeline", headers=h["hub_facilitator"])
    assert pipe.json()["delivered"] == {"t": 40.5}


def test_whoever_recorded_a_delivery_never_confirms_it_for_the_other_party(
    client, world, delivered
):
    w, h = world
    ex_id, _, _ = delivered
    both = make_user(client, "both@test.invalid", roles={w.orgs["acme"]: Role.member,
                                                         w.orgs["beta"]: Role.member})  # fmt: skip
    body = {"delivered_on": "2026-03-02", "quantity": 5, "unit": "t", "document_ref": "WTN-9"}
    mine = client.post(f"/api/v1/exchanges/{ex_id}/deliveries", json=body, headers=both).json()
    refused = _answer(client, ex_id, mine["id"], both, answer="confirmed")
    assert refused.status_code == 403 and "not the one that recorded it" in refused.text
    listed = client.get("/exchanges", headers=both).text
    assert "2 to confirm" in listed  # Acme's and Beta's own deliveries, not this one
    assert _answer(client, ex_id, mine["id"], h["beta_member"], answer="confirmed").is_success


def test_a_disputed_delivery_is_recorded_again_corrected(client, delivered):
    ex_id, ids, h = delivered
    r = _answer(client, ex_id, ids["acme_member"], h["beta_member"], answer="disputed",
                note="only 12 t arrived")  # fmt: skip
    assert r.status_code == 200
    again = {"delivered_on": "2026-03-01", "quantity": 12, "unit": "t", "document_ref": "wtn-1"}
    url = f"/api/v1/exchanges/{ex_id}/deliveries"
    assert client.post(url, json=again, headers=h["acme_member"]).status_code == 201
    twice = client.post(url, json=again, headers=h["acme_member"])  # the corrected one counts
    assert twice.status_code == 422 and twice.json()["detail"][0]["loc"][-1] == "document_ref"
    old = _answer(client, ex_id, ids["acme_member"], h["beta_member"], answer="confirmed")
    assert old.status_code == 422 and old.json()["detail"][0]["loc"][-1] == "answer"  # not twice
    reason = _answer(client, ex_id, ids["acme_member"], h["beta_member"], answer="disputed",
                     note="12 t, recorded again as wtn-1")  # fmt: skip
    assert reason.status_code == 200


def test_the_other_party_is_asked_and_the_recorder_told_of_a_dispute(client, delivered):
    ex_id, ids, h = delivered

    def inbox(address: str) -> list[tuple[str, str]]:
        with client.app.state.sessions() as db:
            rows = db.execute(
                select(OutboxMessage.subject, OutboxMessage.body)
                .where(OutboxMessage.recipient == address)
                .order_by(OutboxMessage.id)
            )
            return [tuple(r) for r in rows]

    (asked,) = inbox("beta_member@test.invalid")  # about Acme's delivery, not its own
    assert asked[0] == f"Please confirm a delivery on exchange {ex_id}"
    assert "Acme Steel recorded 20 t delivered on 2026-03-01 (document WTN-1)" in asked[1]
    assert f"/exchanges/{ex_id}#deliveries" in asked[1]
    assert [s for s, _ in inbox("acme_member@test.invalid")] == [asked[0]]  # Beta's WTN-2
    _answer(client, ex_id, ids["acme_member"], h["beta_member"], answer="disputed",
            note="only 12 t arrived")  # fmt: skip
    told = inbox("acme_member@test.invalid")[-1]
    assert told[0] == f"A delivery on exchange {ex_id} was disputed"
    assert '"only 12 t arrived"' in told[1] and "WTN-1" in told[1]
