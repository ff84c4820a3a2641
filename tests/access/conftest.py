"""Fixtures of the access tests: a cheap password hasher (argon2 at full cost is slow)."""

import pytest
from argon2 import PasswordHasher

from sidestream.access import secrets


@pytest.fixture(autouse=True)
def cheap_hasher(monkeypatch):
    monkeypatch.setattr(secrets, "HASHER", PasswordHasher(time_cost=1, memory_cost=64))
