"""Fixtures of the exchange tests: the shared world, reached through the API."""

import pytest

from tests.access.world import api_world


@pytest.fixture
def world(client):
    """(world, bearer headers by role)."""
    return api_world(client)


@pytest.fixture
def exchange(client, world):
    """(id of an exchange Beta asked for and Acme accepted, bearer headers by role)."""
    w, h = world
    body = {"offer_stream_id": w.streams["public"], "need_stream_id": w.need}
    intro = client.post("/api/v1/introductions", json=body, headers=h["beta_member"]).json()
    accepted = client.post(f"/api/v1/introductions/{intro['id']}/accept", headers=h["acme_member"])
    return accepted.json()["exchange_id"], h


def patch_exchange(client, ex_id, headers, **body):  # type: ignore[no-untyped-def]
    """PATCH an exchange at its current version."""
    current = client.get(f"/api/v1/exchanges/{ex_id}", headers=headers).json()
    return client.patch(
        f"/api/v1/exchanges/{ex_id}", json={"version": current["version"], **body}, headers=headers
    )
