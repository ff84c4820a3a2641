"""Schemathesis against the whole OpenAPI spec: over 2,000 generated requests, no 5xx.

Requests act as a platform admin on a database holding the shared test world, so they reach
past authentication into every service, on SQLite and PostgreSQL. Schemathesis' own pytest
plugin does not run on this pytest, so the operations are driven with Hypothesis directly.
"""

from __future__ import annotations

import pytest
import schemathesis
from argon2 import PasswordHasher
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error

from sidestream.access import secrets
from tests.access.world import api_world

EXAMPLES = 40  # per operation; with about 70 operations, over 2,000 requests


@pytest.mark.slow
def test_no_server_errors_on_generated_requests(client, monkeypatch):
    monkeypatch.setattr(secrets, "HASHER", PasswordHasher(time_cost=1, memory_cost=64))
    _, headers = api_world(client)
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", client.app)
    sent, failures = 0, []
    for result in schema.get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def run(case: schemathesis.Case) -> None:
            nonlocal sent
            response = case.call(headers=headers["platform_admin"])
            sent += 1
            case.validate_response(response, checks=[not_a_server_error])

        try:
            run()
        except Exception as exc:  # collect every failing operation, then report them all
            failures.append(f"{operation.label}: {exc}")
    assert failures == [], "\n".join(failures)
    assert sent >= 2000
