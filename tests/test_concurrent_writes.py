"""Simultaneous changes on the embedded database (SQLite allows one writer at a time): a request
waits for the other writer and then reads what it committed; one that cannot get its turn is
told to send it again (503), never a server error."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from sidestream.api.app import create_app
from sidestream.db import make_engine, upgrade
from sidestream.errors import ErrorBody
from tests.access.auth import as_platform_admin, make_user


def _client(url: str) -> Iterator[tuple[TestClient, Engine]]:
    upgrade(url)
    engine = make_engine(url)
    with TestClient(create_app(engine)) as client:
        yield as_platform_admin(client), engine
    engine.dispose()


@pytest.fixture
def api(tmp_path) -> Iterator[tuple[TestClient, Engine]]:
    """A client on a SQLite file (the embedded default), and a second engine's way in."""
    yield from _client(f"sqlite:///{tmp_path / 'busy.db'}")


@pytest.fixture
def impatient_api(tmp_path) -> Iterator[tuple[TestClient, Engine]]:
    """As ``api`` with a busy timeout of 0.2 s instead of 5 s."""
    yield from _client(f"sqlite:///{tmp_path / 'busy.db'}?timeout=0.2")


def _a_stream(client: TestClient) -> dict:
    org = client.post("/api/v1/organisations", json={"name": "Writers Ltd"}).json()
    body = {"organisation_id": org["id"], "direction": "offer", "title": "Sawdust"}
    r = client.post("/api/v1/streams", json=body)
    assert r.status_code == 201, r.text
    return r.json()


def _hold_write_lock(engine: Engine, then: str, seconds: float) -> threading.Thread:
    """Another writer: takes the write lock now, runs ``then`` after ``seconds`` and commits."""
    taken = threading.Event()

    def other() -> None:
        conn = sqlite3.connect(engine.url.database, isolation_level=None)
        conn.execute("BEGIN IMMEDIATE")
        taken.set()
        time.sleep(seconds)
        conn.execute(then)
        conn.execute("COMMIT")
        conn.close()

    thread = threading.Thread(target=other)
    thread.start()
    assert taken.wait(5)
    return thread


def test_a_change_waits_for_another_writer_and_sees_its_commit(api):
    client, engine = api
    stream = _a_stream(client)
    bump = (
        f"UPDATE stream SET version = version + 1, title = 'Wood chips' WHERE id = {stream['id']}"
    )
    other = _hold_write_lock(engine, bump, 0.3)
    r = client.patch(
        f"/api/v1/streams/{stream['id']}", json={"version": stream["version"], "title": "Shavings"}
    )
    other.join()
    # began as a reader it would have read the old version, then failed ("database is locked")
    assert r.status_code == 409, r.text
    assert r.json()["current_version"] == stream["version"] + 1
    assert client.get(f"/api/v1/streams/{stream['id']}").json()["title"] == "Wood chips"


def test_a_change_that_cannot_get_its_turn_is_told_to_send_it_again(impatient_api):
    client, engine = impatient_api
    stream = _a_stream(client)
    other = _hold_write_lock(engine, "SELECT 1", 1.0)
    r = client.patch(
        f"/api/v1/streams/{stream['id']}", json={"version": stream["version"], "title": "Shavings"}
    )
    page = client.post(
        f"/streams/{stream['id']}/dismiss", headers={"Accept": "text/html"}, follow_redirects=False
    )
    other.join()
    assert r.status_code == 503, r.text
    assert r.headers["Retry-After"] == "1"
    assert "nothing was saved" in r.json()["detail"]
    assert ErrorBody.model_validate(r.json(), strict=True).model_dump() == r.json()  # documented
    assert page.status_code == 503
    assert "nothing was saved" in page.text
    again = client.patch(
        f"/api/v1/streams/{stream['id']}", json={"version": stream["version"], "title": "Shavings"}
    )
    assert again.status_code == 200, again.text


def test_reading_never_waits_for_the_write_lock(impatient_api):
    """A GET, and a POST whose route only reads (a network plan), answer while another writer
    holds the database: the plan does not queue behind changes, nor they behind a plan. A
    token's first use is recorded by a later request instead (its only write)."""
    client, engine = impatient_api
    network = client.post("/api/v1/networks", json={"name": "Quiet Park"}).json()
    fresh = make_user(client, "reader@test.invalid", platform_admin=True)  # never used yet
    other = _hold_write_lock(engine, "SELECT 1", 1.0)
    listed = client.get("/api/v1/organisations", headers=fresh)
    planned = client.post(f"/api/v1/networks/{network['id']}/optimize", json={}, headers=fresh)
    other.join()
    assert listed.status_code == 200, listed.text
    assert planned.status_code == 422 and "no feasible link" in planned.text, planned.text
