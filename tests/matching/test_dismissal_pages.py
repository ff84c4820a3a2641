"""A stream's dismissed partners answer the documented list envelope (docs/api.md; a bare
array before stop 31)."""

from tests.access.world import api_world
from tests.list_pages import check_pages


def test_dismissals_are_paged_most_recent_first(client):
    w, h = api_world(client)
    beta = h["beta_member"]
    offers = [w.streams[v] for v in ("public", "network", "anonymous")]
    for offer in offers:
        url = f"/api/v1/streams/{w.need}/matches/{offer}/dismiss"
        assert client.post(url, headers=beta).status_code == 201
    url = f"/api/v1/streams/{w.need}/dismissals"
    hidden = check_pages(client, url, beta, lambda d: d["partner"]["id"])
    assert [d["partner"]["id"] for d in hidden] == offers[::-1]
    assert hidden[0]["partner"]["anonymised"]  # the anonymous offer, as Beta may see it
