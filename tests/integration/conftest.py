"""The demo region, loaded through the real services into each test's clean database."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from sidestream.demo.builder import load_demo
from sidestream.registry.models import Stream


@pytest.fixture
def demo(session: Session) -> Session:
    """``session`` on a database holding the demo region (committed)."""
    load_demo(session)
    session.commit()
    return session


def designed_pairs(session: Session) -> list[tuple[Stream, Stream]]:
    """(offer, need) pairs the demo data were designed around (test-only knowledge)."""
    streams = session.scalars(select(Stream)).all()
    by_ext = {s.external_id: s for s in streams}
    return [
        (s, by_ext[s.properties["designed_match"]])
        for s in streams
        if (s.properties or {}).get("designed_match") in by_ext
    ]


def by_external_id(session: Session, external_id: str) -> Stream:
    """One demo stream by its listing id."""
    return session.scalars(select(Stream).where(Stream.external_id == external_id)).one()
