"""The lists of introductions, exchanges and audit entries answer the documented envelope
(docs/api.md; they answered bare arrays before stop 31)."""

from tests.list_pages import check_pages


def test_introductions_and_exchanges_are_paged_with_their_filter(client, world):
    w, h = world
    for offer in (w.streams["public"], w.streams["network"]):
        body = {"offer_stream_id": offer, "need_stream_id": w.need}
        intro = client.post("/api/v1/introductions", json=body, headers=h["beta_member"]).json()
        accept = f"/api/v1/introductions/{intro['id']}/accept"
        assert client.post(accept, headers=h["acme_member"]).status_code == 200
    accepted = {"status": "accepted"}
    intros = check_pages(client, "/api/v1/introductions", h["beta_member"], params=accepted)
    exchanges = check_pages(client, "/api/v1/exchanges", h["hub_facilitator"])
    assert [i["exchange_id"] for i in intros] == [e["id"] for e in exchanges]
    declined = client.get("/api/v1/introductions?status=declined&limit=1", headers=h["beta_member"])
    assert declined.json() == {"items": [], "total": 0, "limit": 1, "offset": 0}


def test_the_audit_log_is_paged_newest_first_by_a_hundred(client, world):
    _, h = world
    entries = check_pages(
        client,
        "/api/v1/audit",
        h["platform_admin"],
        lambda e: e["seq"],
        params={"object_type": "stream"},
        default_limit=100,
        max_limit=1000,
    )
    assert [e["seq"] for e in entries] == sorted((e["seq"] for e in entries), reverse=True)
    assert {e["object_type"] for e in entries} == {"stream"}
