"""An exchange whose stream or company was deleted keeps who supplies whom, counts its
deliveries in the units it was agreed in, and stays in its network's report; a year's
deliveries too large for a figure are reported, not a server error."""

from __future__ import annotations

from tests.exchanges.conftest import patch_exchange

TERMS = {"agreed_quantity": 200, "agreed_unit": "t", "agreed_price_eur_per_unit": -4.5}


def _active(client, ex_id, h) -> str:
    steps = (("negotiating", "beta_member", {}), ("agreed", "acme_member", TERMS),
             ("agreed", "beta_member", {}), ("active", "beta_member", {}))  # fmt: skip
    for stage, who, terms in steps:
        assert patch_exchange(client, ex_id, h[who], status=stage, **terms).status_code == 200
    return f"/api/v1/exchanges/{ex_id}/deliveries"


def _deliver(client, url, headers, quantity, unit="t", on="2026-03-01"):
    body = {"delivered_on": on, "quantity": quantity, "unit": unit}
    return client.post(url, json=body, headers=headers)


def test_an_introduction_whose_offer_was_deleted_cannot_be_accepted(client, world):
    w, h = world
    body = {"offer_stream_id": w.streams["public"], "need_stream_id": w.need}
    intro = client.post("/api/v1/introductions", json=body, headers=h["acme_member"]).json()
    deleted = client.delete(f"/api/v1/streams/{w.streams['public']}", headers=h["acme_member"])
    assert deleted.status_code == 204
    r = client.post(f"/api/v1/introductions/{intro['id']}/accept", headers=h["beta_member"])
    # accepted, the responder (the need's company) would have been recorded as the supplier
    assert r.status_code == 409, r.text
    assert "offer was deleted" in r.json()["detail"]
    assert client.get("/api/v1/exchanges", headers=h["beta_member"]).json()["items"] == []
    page = client.post(f"/introductions/{intro['id']}/accept", follow_redirects=False,
                       headers=h["beta_member"] | {"Accept": "text/html"})  # fmt: skip
    assert page.headers["location"] == "/exchanges?notice=gone"  # not "already answered"
    r = client.post(f"/api/v1/introductions/{intro['id']}/decline", headers=h["beta_member"])
    assert r.status_code == 200


def test_an_exchange_whose_offer_was_deleted_counts_deliveries_in_its_kind(client, world, exchange):
    w, _ = world
    ex_id, h = exchange
    url = _active(client, ex_id, h)
    r = client.delete(f"/api/v1/streams/{w.streams['public']}", headers=h["acme_member"])
    assert r.status_code == 204
    need = client.get(f"/api/v1/streams/{w.need}", headers=h["beta_member"]).json()
    changed = {"version": need["version"], "kind": "energy", "unit": "MWh", "waste_code": None}
    r = client.patch(f"/api/v1/streams/{w.need}", json=changed, headers=h["beta_member"])
    assert r.status_code == 422, r.text  # the remaining side keeps its kind as well
    r = _deliver(client, url, h["acme_member"], 5, "MWh")
    assert r.status_code == 422, r.text
    assert r.json()["detail"][0]["loc"][-1] == "unit"
    assert "material exchange is counted in t" in r.json()["detail"][0]["msg"]
    assert _deliver(client, url, h["acme_member"], 5, "t").status_code == 201


def test_a_year_too_large_for_a_figure_is_a_warning_and_a_delivery_too_large_refused(
    client, world, exchange
):
    w, _ = world
    ex_id, h = exchange
    url = _active(client, ex_id, h)
    r = _deliver(client, url, h["acme_member"], 2e9, "kt")  # each delivery is at most 1e12
    assert r.status_code == 422 and r.json()["detail"][0]["loc"][-1] == "quantity", r.text
    for day in ("2026-03-01", "2026-03-02"):
        assert _deliver(client, url, h["acme_member"], 6e11, on=day).status_code == 201
    for path, who in ((f"organisations/{w.orgs['beta']}", "beta_member"),
                      (f"networks/{w.network}", "hub_facilitator")):  # fmt: skip
        r = client.get(f"/api/v1/{path}/report", headers=h[who])
        assert r.status_code == 200, r.text
        assert any("more than a year's figures hold" in x for x in r.json()["warnings"])
    assert client.get(f"/exchanges/{ex_id}", headers=h["beta_member"]).status_code == 200


def test_the_network_report_keeps_an_exchange_whose_company_was_deleted(client, world, exchange):
    w, _ = world
    ex_id, h = exchange
    url = _active(client, ex_id, h)
    assert _deliver(client, url, h["acme_member"], 12).status_code == 201
    report = f"/api/v1/networks/{w.network}/report"

    def realised() -> list[str]:
        rows = client.get(report, headers=h["hub_facilitator"]).json()["rows"]
        return [r["link"] for r in rows if r["basis"] == "realised"]

    assert realised() == [f"exchange {ex_id}"]
    r = client.delete(f"/api/v1/organisations/{w.orgs['acme']}", headers=h["platform_admin"])
    assert r.status_code == 204
    assert realised() == [f"exchange {ex_id}"]  # as the network's delivery summary keeps it


def test_a_stream_with_an_exchange_keeps_its_direction_and_kind(client, world, exchange):
    ex_id, h = exchange
    w, _ = world
    url = f"/api/v1/streams/{w.streams['public']}"
    for change in ({"direction": "need"}, {"kind": "energy", "unit": "MWh"}):
        version = client.get(url, headers=h["acme_member"]).json()["version"]
        r = client.patch(url, json={"version": version, **change}, headers=h["acme_member"])
        assert r.status_code == 422, r.text
        field = next(iter(change))
        assert r.json()["detail"][0]["loc"][-1] == field
        assert f"exchange {ex_id}" in r.json()["detail"][0]["msg"]
    version = client.get(url, headers=h["acme_member"]).json()["version"]
    r = client.patch(url, json={"version": version, "title": "Renamed"}, headers=h["acme_member"])
    assert r.status_code == 200  # other fields still change
