"""Fixtures of the exchange tests: the shared world, reached through the API."""

import pytest

from tests.access.world import api_world


@pytest.fixture
def world(client):
    """(world, bearer headers by role)."""
    return api_world(client)
