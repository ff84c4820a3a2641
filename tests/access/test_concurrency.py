"""No lost writes: two sessions updating the same stream, one of them gets ``Conflict``."""

from __future__ import annotations

import threading

import pytest

from sidestream.db import session_factory
from sidestream.errors import Conflict
from sidestream.exchanges import audit
from sidestream.registry import service as registry
from sidestream.registry.schemas import StreamCreate, StreamUpdate


@pytest.fixture
def stream_id(session):
    sid = registry.create_stream(session, StreamCreate(direction="offer", title="Whey")).id
    session.commit()
    return sid


def test_two_clients_editing_from_the_same_version(engine, session, stream_id):
    """Both read version 1; the first save wins, the second is refused, not silently lost."""
    with session_factory(engine)() as first:
        registry.update_stream(first, stream_id, StreamUpdate(version=1, title="Sweet whey"))
        first.commit()
    with session_factory(engine)() as second, pytest.raises(Conflict) as refused:
        registry.update_stream(second, stream_id, StreamUpdate(version=1, title="Acid whey"))
    assert refused.value.current_version == 2
    session.expire_all()
    assert registry.get_stream(session, stream_id).title == "Sweet whey"
    assert audit.verify(session).ok


def test_simultaneous_updates_on_postgresql(engine, session, stream_id):
    """Two sessions hold the same row and write at once: exactly one commits."""
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite serialises writers with a database lock")
    barrier, outcomes = threading.Barrier(2), []

    def writer(title: str) -> None:
        s = session_factory(engine)()
        try:
            registry.get_stream(s, stream_id)
            barrier.wait()
            registry.update_stream(s, stream_id, StreamUpdate(version=1, title=title))
            s.commit()
            outcomes.append(title)
        except Conflict:
            s.rollback()
            outcomes.append("conflict")
        finally:
            s.close()

    threads = [threading.Thread(target=writer, args=(t,)) for t in ("A", "B")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(outcomes)[1] == "conflict" and len(outcomes) == 2, outcomes
    session.expire_all()
    stream = registry.get_stream(session, stream_id)
    assert stream.version == 2 and stream.title in ("A", "B")
    assert audit.verify(session).ok
