"""API tests here act as a platform admin (the API needs a login or token to change data)."""

import pytest

from tests.access.auth import as_platform_admin


@pytest.fixture
def client(client):
    """The shared API client, authenticated as a platform admin."""
    return as_platform_admin(client)
