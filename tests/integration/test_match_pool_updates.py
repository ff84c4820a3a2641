"""The pool of indexed streams follows registry changes by reading only what changed.

The demo region is below the size where incremental updates pay off, so these tests lower
``INCREMENTAL_MIN_STREAMS``; the update logic they run is the production one.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from sidestream.access.policy import ANONYMOUS, SYSTEM
from sidestream.matching import service
from sidestream.registry import service as registry
from sidestream.registry.models import Organisation, Stream
from sidestream.registry.schemas import OrganisationUpdate, StreamCreate, StreamUpdate

from .conftest import by_external_id


@pytest.fixture
def incremental(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(service, "INCREMENTAL_MIN_STREAMS", 1)
    monkeypatch.setattr(service, "REBUILD_SHARE", 0.5)
    service._pools.clear()


def _matches(session, stream_id: int, viewer=SYSTEM) -> list[tuple[int, float]]:
    found = service.matches_for_stream(session, stream_id, viewer, top=10).matches
    return [(m.partner.id, m.score) for m in found]


def _fresh(session, stream_id: int, viewer=SYSTEM) -> list[tuple[int, float]]:
    """The same call on a pool built from scratch."""
    service._pools.clear()
    return _matches(session, stream_id, viewer)


def _pool(session, viewer=SYSTEM) -> service._Pool:
    return service._pools[(id(session.get_bind()), service.visibility_scope(viewer))]


def test_a_moved_stream_is_updated_in_place_with_exact_scores(demo, incremental) -> None:
    offer = by_external_id(demo, "kal-asnaes-fgd-gypsum")
    need = by_external_id(demo, "kal-gyproc-gypsum-need")
    assert need.id in dict(_matches(demo, offer.id))
    _matches(demo, need.id)  # offers prepared too
    built = _pool(demo)
    registry.update_stream(
        demo, offer.id, StreamUpdate(version=offer.version, lat=40.4168, lon=-3.7038)
    )  # moved to Madrid, far beyond the 300 km limit for materials
    demo.commit()
    after_need, after_offer = _matches(demo, need.id), _matches(demo, offer.id)
    updated = _pool(demo)
    assert updated is not built and updated.drift == 1  # the moved offer was read again, no other
    assert updated._index is not None and updated._index is not built._index
    assert offer.id not in dict(after_need) and need.id not in dict(after_offer)
    # texts did not change, so the vocabularies are those of a full build: same scores
    assert after_need == _fresh(demo, need.id)
    assert after_offer == _fresh(demo, offer.id)


def test_added_deleted_and_renamed_streams_reach_the_matches(demo, incremental) -> None:
    offer = by_external_id(demo, "kal-asnaes-fgd-gypsum")
    need = by_external_id(demo, "kal-gyproc-gypsum-need")
    gone = next(pid for pid, _ in _matches(demo, offer.id) if pid != need.id)
    _matches(demo, need.id)
    other = demo.scalars(
        select(Organisation).where(Organisation.id != offer.organisation_id)
    ).first()
    assert other is not None
    new = registry.create_stream(
        demo,
        StreamCreate(
            direction="need", kind="material", title="FGD gypsum for plasterboard",
            description="Synthetic gypsum from flue gas desulphurisation, for our board line",
            waste_code="100105", organisation_id=other.id, lat=need.lat, lon=need.lon,
        ),
    )  # fmt: skip
    registry.delete_stream(demo, gone)
    registry.update_organisation(
        demo, other.id, OrganisationUpdate(version=other.version, name="Renamed Board Works")
    )
    demo.commit()
    found = dict(_matches(demo, offer.id))
    assert new.id in found and gone not in found
    assert _pool(demo).drift >= 3  # the new, the deleted, the renamed organisation's streams
    assert _matches(demo, new.id)  # the new need finds offers, from the updated pool
    assert set(found) == set(dict(_fresh(demo, offer.id)))


def test_streams_that_leave_the_visible_active_set_leave_the_pool(demo, incremental) -> None:
    offer = by_external_id(demo, "kal-asnaes-fgd-gypsum")
    need = by_external_id(demo, "kal-gyproc-gypsum-need")
    assert need.id in dict(_matches(demo, offer.id, ANONYMOUS))
    registry.update_stream(demo, need.id, StreamUpdate(version=need.version, status="paused"))
    demo.commit()
    assert need.id not in dict(_matches(demo, offer.id, ANONYMOUS))
    assert need.id not in _pool(demo, ANONYMOUS).needs.row
    stream = demo.get(Stream, need.id)
    registry.update_stream(demo, need.id, StreamUpdate(version=stream.version, status="active"))
    demo.commit()
    assert need.id in dict(_matches(demo, offer.id, ANONYMOUS))


def test_many_changes_rebuild_the_index_in_full(demo, incremental, monkeypatch) -> None:
    monkeypatch.setattr(service, "REBUILD_SHARE", 0.01)
    offer = by_external_id(demo, "kal-asnaes-fgd-gypsum")
    _matches(demo, offer.id)
    needs = demo.scalars(select(Stream).where(Stream.direction == "need")).all()[:5]
    for s in needs:
        registry.update_stream(demo, s.id, StreamUpdate(version=s.version, title=s.title + " (x)"))
    demo.commit()
    _matches(demo, offer.id)
    pool = _pool(demo)
    assert pool.drift == 0  # rebuilt, not patched
    assert _matches(demo, offer.id) == _fresh(demo, offer.id)


@pytest.mark.parametrize("large", [False, True])
def test_a_paused_need_still_gets_offers(demo, monkeypatch, large: bool) -> None:
    """A need outside the pool (paused: not offered to others) is scored with the pool's offers,
    by a full re-index in a small pool and by :meth:`MatchIndex.updated` in a large one."""
    monkeypatch.setattr(service, "INCREMENTAL_MIN_STREAMS", 1 if large else 10**9)
    service._pools.clear()
    offer = by_external_id(demo, "kal-asnaes-fgd-gypsum")
    need = by_external_id(demo, "kal-gyproc-gypsum-need")
    active = _matches(demo, need.id)
    registry.update_stream(demo, need.id, StreamUpdate(version=need.version, status="paused"))
    demo.commit()
    paused = _matches(demo, need.id)
    assert need.id not in _pool(demo).needs.row
    assert offer.id in dict(paused) and paused == active


def test_a_new_stream_under_a_reused_id_is_read(demo, incremental) -> None:
    """SQLite gives a deleted newest row's id to the next row: the pool must still notice."""
    from sqlalchemy import func

    offer = by_external_id(demo, "kal-asnaes-fgd-gypsum")
    _matches(demo, offer.id)
    newest = demo.get(Stream, demo.scalar(select(func.max(Stream.id))))
    registry.delete_stream(demo, newest.id)
    demo.commit()  # no matching call in between: the pool still holds the deleted stream
    new = registry.create_stream(
        demo,
        StreamCreate(
            direction="need", kind="material", title="FGD gypsum for plasterboard",
            waste_code="100105", organisation_id=newest.organisation_id, lat=55.66, lon=11.1,
        ),
    )  # fmt: skip
    demo.commit()
    found = _matches(demo, offer.id)
    pool = _pool(demo)
    assert pool.needs.listings[pool.needs.row[new.id]].title == "FGD gypsum for plasterboard"
    fresh = dict(_fresh(demo, offer.id))  # a new text: IDF of the last full build, so nearly
    assert new.id in dict(found) and dict(found).keys() == fresh.keys()
    assert max(abs(score - fresh[pid]) for pid, score in found) < 0.01


def test_needs_that_outgrow_a_semantic_index_rebuild_it_without(
    demo, incremental, monkeypatch
) -> None:
    from sidestream.matching import engine

    offer = by_external_id(demo, "kal-asnaes-fgd-gypsum")
    _matches(demo, offer.id)
    built = _pool(demo).index()
    assert built.semantic
    distinct = len({x.text for x in _pool(demo).needs.listings})
    monkeypatch.setattr(engine, "SEMANTIC_MAX_NEED_TEXTS", distinct)  # full, not past it
    need = by_external_id(demo, "kal-gyproc-gypsum-need")
    registry.create_stream(
        demo,
        StreamCreate(direction="need", kind="material", title="Gypsum for soil conditioning",
                     organisation_id=need.organisation_id, lat=need.lat, lon=need.lon),
    )  # fmt: skip
    demo.commit()
    found = _matches(demo, offer.id)
    rebuilt = _pool(demo).index()
    assert rebuilt is not built and not rebuilt.semantic and _pool(demo).drift == 0
    assert found == _fresh(demo, offer.id)
