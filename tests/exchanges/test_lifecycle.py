"""The exchange life-cycle: introduced → negotiating → agreed → active → ended, or failed."""

from __future__ import annotations

from tests.exchanges.conftest import patch_exchange as _patch


def test_full_life_cycle_with_deliveries(client, exchange):
    ex_id, h = exchange
    acme, beta = h["acme_member"], h["beta_member"]
    assert _patch(client, ex_id, beta, status="negotiating").json()["status"] == "negotiating"
    r = _patch(client, ex_id, acme, status="agreed")
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["agreed_quantity"]
    terms = {
        "agreed_quantity": 200,
        "agreed_unit": "t",
        "agreed_period": "per-year",
        "agreed_price_eur_per_unit": -4.5,
    }
    r = _patch(client, ex_id, acme, status="agreed", **terms)  # Acme agrees first...
    assert r.json()["status"] == "negotiating" and r.json()["terms_agreed_by"] == "offer"
    r = _patch(client, ex_id, beta, status="agreed")  # ...then Beta to the same terms
    assert r.json()["status"] == "agreed" and r.json()["agreed_price_eur_per_unit"] == -4.5
    assert _patch(client, ex_id, acme, agreed_quantity=300).status_code == 422  # terms fixed
    delivery = {"delivered_on": "2026-03-01", "quantity": 20, "unit": "t", "document_ref": "WTN-1"}
    url = f"/api/v1/exchanges/{ex_id}/deliveries"
    assert client.post(url, json=delivery, headers=beta).status_code == 422  # not active yet
    assert _patch(client, ex_id, beta, status="active").json()["started_on"] is not None
    assert client.post(url, json=delivery, headers=beta).status_code == 201
    r = client.post(url, json={**delivery, "document_ref": "WTN-2"}, headers=acme)
    assert r.json()["recorded_by_org_id"] is not None
    assert client.post(url, json=delivery, headers=h["hub_facilitator"]).status_code == 403
    assert client.post(url, json=delivery, headers=h["cobalt_member"]).status_code == 404
    done = _patch(client, ex_id, acme, status="ended").json()
    assert done["status"] == "ended" and [d["document_ref"] for d in done["deliveries"]] == [
        "WTN-1",
        "WTN-2",
    ]
    assert _patch(client, ex_id, acme, status="active").status_code == 422
    w_pipe = client.get("/api/v1/exchanges", headers=h["hub_facilitator"]).json()["items"]
    assert [e["status"] for e in w_pipe] == ["ended"]


def test_terms_are_agreed_by_both_companies(client, exchange):
    # one company alone marked the exchange agreed, and the terms were fixed for both
    ex_id, h = exchange
    acme, beta = h["acme_member"], h["beta_member"]
    _patch(client, ex_id, beta, status="negotiating")
    terms = {"agreed_quantity": 200, "agreed_unit": "t", "agreed_price_eur_per_unit": 0}
    r = _patch(client, ex_id, beta, status="agreed", **terms)
    assert (r.json()["status"], r.json()["terms_agreed_by"]) == ("negotiating", "need")
    again = _patch(client, ex_id, beta, status="agreed")  # agreeing twice is still one side
    assert again.json()["status"] == "negotiating"
    changed = _patch(client, ex_id, acme, agreed_quantity=150)  # a change needs both again
    assert changed.json()["terms_agreed_by"] is None
    assert _patch(client, ex_id, acme, status="agreed").json()["terms_agreed_by"] == "offer"
    done = _patch(client, ex_id, beta, status="agreed").json()
    assert (done["status"], done["agreed_quantity"]) == ("agreed", 150)


def test_failure_needs_a_barrier(client, exchange):
    ex_id, h = exchange
    r = _patch(client, ex_id, h["acme_member"], status="failed")
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["failure_reason"]
    r = _patch(
        client,
        ex_id,
        h["acme_member"],
        status="failed",
        failure_reason="regulatory",
        failure_note="end-of-waste status refused",
    )
    assert r.json()["failure_reason"] == "regulatory" and r.json()["ended_on"]
    bad = _patch(client, ex_id, h["acme_member"], status="failed", failure_reason="weather")
    assert bad.status_code == 422


def test_stages_cannot_be_skipped_and_stale_versions_conflict(client, exchange):
    ex_id, h = exchange
    assert _patch(client, ex_id, h["acme_member"], status="active").status_code == 422
    r = client.patch(
        f"/api/v1/exchanges/{ex_id}",
        json={"version": 99, "status": "negotiating"},
        headers=h["acme_member"],
    )
    assert r.status_code == 409


def test_only_parties_move_an_exchange(client, exchange):
    ex_id, h = exchange
    for role, code in [("anonymous", 404), ("cobalt_member", 404), ("hub_facilitator", 403)]:
        r = client.patch(
            f"/api/v1/exchanges/{ex_id}",
            json={"version": 1, "status": "negotiating"},
            headers=h[role],
        )
        assert r.status_code == code, role
    assert client.get(f"/api/v1/exchanges/{ex_id}", headers=h["hub_facilitator"]).status_code == 200
