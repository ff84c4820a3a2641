"""Fixtures of the web tests: a client on a database holding the demo region."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from sidestream.api.app import create_app
from sidestream.db import Base, session_scope
from sidestream.demo.builder import load_demo
from sidestream.registry.models import Organisation, Stream


@pytest.fixture(scope="module")
def web(engine: Engine) -> Iterator[TestClient]:
    """A client on the demo region, loaded once per test module and removed afterwards."""
    with session_scope(engine) as session:
        load_demo(session)
    with TestClient(create_app(engine)) as client:
        yield client
    with engine.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(table.delete())


@pytest.fixture
def ids(engine: Engine, web: TestClient) -> dict[str, int]:
    """Ids of demo objects the tests visit: an organisation and its FGD gypsum offer."""
    with session_scope(engine) as session:
        offer = session.scalars(
            select(Stream).where(Stream.external_id == "kal-asnaes-fgd-gypsum")
        ).one()
        org = session.get(Organisation, offer.organisation_id)
        need = session.scalars(select(Stream).where(Stream.direction == "need")).first()
        return {"org": org.id, "offer": offer.id, "need": need.id}
