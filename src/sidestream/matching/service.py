"""Matches of stored streams: the registry's visible active streams through the matching engine.

Streams enter the engine only as the access policy's listing view for the viewer, so an
anonymous partner is matched (and explained) on its coarse place and quantity class, never on
what the viewer may not see. Matches are computed on demand; the indexed streams are cached
per visibility scope and rebuilt whenever a stream or organisation changes.
"""

from __future__ import annotations

import math
import threading
import weakref
from collections import OrderedDict
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
from pydantic import BaseModel
from sqlalchemy import Engine, Select, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from sidestream.access import policy
from sidestream.access.errors import Forbidden, Unauthenticated
from sidestream.access.policy import SYSTEM, Viewer
from sidestream.access.schemas import AnonymousStream
from sidestream.errors import InvalidInput
from sidestream.impact.accounting import account_exchange
from sidestream.impact.schemas import ImpactResult
from sidestream.impact.service import PairImpact, account_pair, pair_exchange
from sidestream.matching.engine import MatchIndex, PreparedOffers
from sidestream.matching.models import MatchDismissal
from sidestream.matching.schemas import Listing, Match, Reason, SectorRecommendation
from sidestream.matching.scoring import place_distance_km
from sidestream.matching.sectors import recommend_sectors
from sidestream.matching.table import number_or_nan
from sidestream.registry import service as registry
from sidestream.registry.models import Organisation, Stream
from sidestream.registry.schemas import StreamOut

#: Pools kept in memory (one per database and visibility scope).
CACHE_SIZE = 8
#: Pools smaller than this are rebuilt in full after a change (cheap, and exact: the
#: vocabularies of an incrementally updated index are those of its last full build).
INCREMENTAL_MIN_STREAMS = 2_000
#: Share of a pool's streams changed by incremental updates after which its index is rebuilt.
REBUILD_SHARE = 0.1
#: Streams read per query when a pool is updated.
READ_CHUNK = 5_000


class Benefit(BaseModel):
    """Yearly benefit estimate of a match: the amount it assumes and the impact accounting."""

    amount: float
    unit: str
    basis: str
    impact: ImpactResult


class StreamMatch(BaseModel):
    """A suggested partner of a stream, as the viewer may see it, with why and what for."""

    partner: StreamOut | AnonymousStream
    score: float
    reasons: list[Reason]
    distance_km: float | None
    benefit: Benefit | None
    dismissed: bool = False


class StreamMatches(BaseModel):
    """The ranked partners of one stream."""

    stream_id: int
    direction: str
    matches: list[StreamMatch]


def stream_listing(viewer: Viewer, stream: Stream) -> Listing | None:
    """The stream as the engine reads it: the policy's listing view, keyed by the stream id."""
    view = policy.listing_view(viewer, stream)
    return None if view is None else Listing.model_validate({**view, "id": str(stream.id)})


# --- the cached pool of visible active streams -----------------------------------------------


@dataclass
class _Side:
    """Visible active offers or needs: listings and stream ids."""

    listings: list[Listing]
    ids: np.ndarray
    row: dict[int, int] = field(init=False)

    def __post_init__(self) -> None:
        self.row = {int(i): r for r, i in enumerate(self.ids)}

    def updated(self, keep: np.ndarray, added: _Side) -> _Side:
        """The ``keep`` rows, then ``added``."""
        rows = np.flatnonzero(keep)
        return _Side(
            [*(self.listings[i] for i in rows), *added.listings],
            np.concatenate([self.ids[rows], added.ids]),
        )


#: Count, newest id, sum of versions and newest change of streams, then of organisations.
Fingerprint = tuple[object, ...]
#: What tells one state of a row from another: its version and its last change.
RowState = tuple[int, datetime]


@dataclass
class _Pool:
    """Everything matching needs about one visibility scope at one registry state."""

    offers: _Side
    needs: _Side
    fingerprint: Fingerprint
    #: The database the pool was read from (a pool never serves another one).
    engine: weakref.ref[Engine]
    #: State of each stream in the pool, and of each organisation, when they were read.
    versions: dict[int, RowState]
    org_versions: dict[int, RowState]
    #: Streams read again or dropped by incremental updates since the index was built in full.
    drift: int = 0
    _index: MatchIndex | None = None
    _prepared: PreparedOffers | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def index(self) -> MatchIndex:
        """The needs indexed for matching (built on first use)."""
        with self._lock:
            if self._index is None:
                self._index = MatchIndex(self.needs.listings)
                self.drift = 0
            return self._index

    def prepared_offers(self) -> PreparedOffers:
        """The offers prepared for scoring against the index (built on first use)."""
        index = self.index()
        with self._lock:
            if self._prepared is None:
                self._prepared = index.prepare(self.offers.listings)
            return self._prepared


_pools: OrderedDict[Hashable, _Pool] = OrderedDict()
_pools_lock = threading.Lock()


def visibility_scope(viewer: Viewer) -> Hashable:
    """Viewers with the same scope see the same streams in the same detail (a cache key)."""
    if viewer.superuser:
        return "all"
    return (viewer.insider_orgs, viewer.peer_orgs)


def streams_fingerprint(session: Session) -> Fingerprint:
    """Changes whenever a stream or an organisation is added, changed or deleted (a cache key):
    every change of a row raises its version (SQLAlchemy's ``version_id_col``) and its
    ``updated_at`` (which also tells a new row from a deleted one whose id SQLite reused)."""
    out: list[object] = []
    for model in (Stream, Organisation):
        out += session.execute(
            select(
                func.count(model.id),
                func.max(model.id),
                func.sum(model.version),
                func.max(model.updated_at),
            )
        ).one()
    return tuple(out)


def _sides(viewer: Viewer, streams: Sequence[Stream]) -> dict[str, _Side]:
    """The offers and needs among ``streams`` as ``viewer`` may see them."""
    sides: dict[str, tuple[list[Listing], list[int]]] = {"offer": ([], []), "need": ([], [])}
    for s in streams:
        listing = stream_listing(viewer, s)
        if listing is not None:
            listings, ids = sides[s.direction]
            listings.append(listing)
            ids.append(s.id)
    return {d: _Side(ls, np.array(ids, np.int64)) for d, (ls, ids) in sides.items()}


def _visible_active(viewer: Viewer) -> Select[tuple[Stream]]:
    return (
        select(Stream)
        .where(Stream.status == "active", policy.visible_streams_clause(viewer))
        .options(selectinload(Stream.organisation))
        .order_by(Stream.id)
    )


def _org_versions(session: Session) -> dict[int, RowState]:
    rows = session.execute(select(Organisation.id, Organisation.version, Organisation.updated_at))
    return {i: (v, t) for i, v, t in rows}


def _read(session: Session, viewer: Viewer, ids: set[int]) -> list[Stream]:
    """The visible active streams among ``ids`` (in chunks below the databases' parameter
    limits)."""
    order = sorted(ids)
    return [
        s
        for start in range(0, len(order), READ_CHUNK)
        for s in session.scalars(
            _visible_active(viewer).where(Stream.id.in_(order[start : start + READ_CHUNK]))
        )
    ]


def _pool(session: Session, viewer: Viewer) -> _Pool:
    bind = session.get_bind()
    key = (id(bind), visibility_scope(viewer))
    fingerprint = streams_fingerprint(session)
    with _pools_lock:
        pool = _pools.get(key)
        if pool is not None:
            _pools.move_to_end(key)
    if pool is not None and pool.engine() is not bind:
        pool = None  # a pool of a database that is gone
    if pool is not None and pool.fingerprint == fingerprint:
        return pool
    if pool is not None and len(pool.versions) >= INCREMENTAL_MIN_STREAMS:
        pool = _updated_pool(session, viewer, pool, fingerprint)
    else:
        pool = None
    if pool is None:
        orgs = _org_versions(session)  # before the streams: a later change is then read again
        streams = session.scalars(_visible_active(viewer)).all()
        sides = _sides(viewer, streams)
        pool = _Pool(
            sides["offer"], sides["need"], fingerprint, weakref.ref(bind),
            {s.id: (s.version, s.updated_at) for s in streams}, orgs,
        )  # fmt: skip
    with _pools_lock:
        _pools[key] = pool
        while len(_pools) > CACHE_SIZE:
            _pools.popitem(last=False)
    return pool


def _updated_pool(
    session: Session, viewer: Viewer, pool: _Pool, fingerprint: Fingerprint
) -> _Pool | None:
    """``pool`` brought up to the registry's present state by reading only what changed
    (``None`` when so much changed that reading everything is the better way).

    Read again: visible active streams whose version differs from the pool's (new ones
    included) and those of organisations whose version changed. Dropped: streams no longer
    visible and active. The index and the prepared offers, where built, are updated the same way
    (:meth:`MatchIndex.updated`) until the streams changed since their full build pass
    ``REBUILD_SHARE`` of the pool, or the needs outgrow a semantic index; then they are built
    anew on next use.
    """
    visible = (Stream.status == "active", policy.visible_streams_clause(viewer))
    rows = session.execute(
        select(Stream.id, Stream.version, Stream.updated_at, Stream.organisation_id).where(*visible)
    )
    current: dict[int, RowState] = {}
    reread: set[int] = set()
    org_versions = _org_versions(session)
    changed_orgs = {o for o, v in org_versions.items() if pool.org_versions.get(o) != v}
    for sid, version, changed, org in rows:
        current[sid] = state = (version, changed)
        if pool.versions.get(sid) != state or org in changed_orgs:
            reread.add(sid)
    dropped = pool.versions.keys() - current.keys()
    if len(reread) > REBUILD_SHARE * max(len(current), 1):
        return None
    fresh = _sides(viewer, _read(session, viewer, reread))
    kept = [sid for sid in current if sid not in reread]
    keep = {"offer": np.isin(pool.offers.ids, kept), "need": np.isin(pool.needs.ids, kept)}
    new = _Pool(
        pool.offers.updated(keep["offer"], fresh["offer"]),
        pool.needs.updated(keep["need"], fresh["need"]),
        fingerprint, pool.engine, current, org_versions,
        drift=pool.drift + len(reread) + len(dropped),
    )  # fmt: skip
    index, prepared = pool._index, pool._prepared
    patched = new.drift <= REBUILD_SHARE * len(current)
    if index is not None and patched and not index.outgrown_by(new.needs.listings):
        new._index = index.updated(keep["need"], fresh["need"].listings)
        if prepared is not None:
            new._prepared = index.updated_offers(prepared, keep["offer"], fresh["offer"].listings)
    return new


# --- ranking ---------------------------------------------------------------------------------


def _needs_for_offer(pool: _Pool, offer: Listing, excluded: set[int], top: int) -> list[Match]:
    if not pool.needs.listings:
        return []
    found = pool.index().match([offer], top + len(excluded), phrases=True)[0]
    return [m for m in found if int(m.need_id) not in excluded][:top]


def _offers_for_need(pool: _Pool, need: Listing, excluded: set[int], top: int) -> list[Match]:
    """The pooled offers for a need, scored exactly as the offer -> need direction."""
    j = pool.needs.row.get(int(need.id))
    if not pool.offers.listings:
        return []
    if j is None and len(pool.versions) >= INCREMENTAL_MIN_STREAMS:  # a need outside the pool
        everyone = np.ones(len(pool.needs.ids), bool)
        index = pool.index().updated(everyone, [need])
        prepared, j = pool.prepared_offers(), len(pool.needs.listings)
    elif j is None:  # a small pool: index the need with it, exactly
        index = MatchIndex([*pool.needs.listings, need])
        prepared, j = index.prepare(pool.offers.listings), len(pool.needs.listings)
    else:
        index, prepared = pool.index(), pool.prepared_offers()
    keep = ~np.isin(pool.offers.ids, list(excluded))
    return index.offers_for_need(prepared, j, top, keep, phrases=True)


def _benefit(offer: Listing, need: Listing, distance_km: float | None) -> Benefit | None:
    found = pair_exchange(offer, need, distance_km)
    if found is None:
        return None
    exchange, basis = found
    try:
        impact = account_exchange(exchange)
    except InvalidInput:
        return None
    return Benefit(amount=exchange.amount, unit=exchange.unit or "", basis=basis, impact=impact)


def dismissed_partners(session: Session, stream_id: int) -> set[int]:
    """Ids of the partners dismissed for a stream."""
    return set(
        session.scalars(
            select(MatchDismissal.partner_stream_id).where(MatchDismissal.stream_id == stream_id)
        )
    )


def matches_for_stream(
    session: Session,
    stream_id: int,
    viewer: Viewer = SYSTEM,
    top: int = 10,
    include_dismissed: bool = False,
) -> StreamMatches:
    """The best partners of a stream (needs for an offer, offers for a need) for ``viewer``.

    Partners are visible active streams of other organisations, shown through the access
    policy; each comes with the engine's reasons, the distance between the places the viewer
    may see and a yearly benefit estimate. Raises ``NotFound`` for an invisible stream.
    """
    if top < 1:
        raise InvalidInput("top", "must be at least 1")
    stream = registry.get_stream(session, stream_id, viewer=viewer)
    me = stream_listing(viewer, stream)
    assert me is not None  # visible, checked above
    pool = _pool(session, viewer)
    other = pool.needs if stream.direction == "offer" else pool.offers
    # Dismissals are the owner's own notes: only its members see them applied or flagged.
    dismissed = dismissed_partners(session, stream_id) if _member(viewer, stream) else set()
    # A stream's own organisation is no partner (the engine's hard limit, by name), but only a
    # viewer who may know the owner sees that rule applied: the listings of streams the viewer
    # may not identify carry no organisation, so a list missing one organisation's streams
    # cannot name the owner of an anonymised stream.
    excluded = set() if include_dismissed else dismissed
    if stream.direction == "offer":
        found = _needs_for_offer(pool, me, excluded, top)
    else:
        found = _offers_for_need(pool, me, excluded, top)
    partner_ids = [int(m.need_id if stream.direction == "offer" else m.offer_id) for m in found]
    partners = {s.id: s for s in session.scalars(select(Stream).where(Stream.id.in_(partner_ids)))}
    matches = []
    for m, pid in zip(found, partner_ids, strict=True):
        partner = partners[pid]
        them = other.listings[other.row[pid]]
        offer, need = (me, them) if stream.direction == "offer" else (them, me)
        dist = place_distance_km(offer, need)
        matches.append(
            StreamMatch(
                partner=policy.redact(viewer, partner),
                score=m.score,
                reasons=m.reasons,
                distance_km=dist,
                benefit=_benefit(offer, need, dist),
                dismissed=pid in dismissed,
            )
        )
    return StreamMatches(stream_id=stream.id, direction=stream.direction, matches=matches)


def _member(viewer: Viewer, stream: Stream) -> bool:
    """Whether the policy counts ``viewer`` a member of the stream's organisation."""
    try:
        policy.require_member(viewer, stream.organisation_id)
    except (Forbidden, Unauthenticated):
        return False
    return True


def dismiss_match(
    session: Session, stream_id: int, partner_id: int, viewer: Viewer = SYSTEM
) -> MatchDismissal:
    """Never suggest ``partner_id`` for ``stream_id`` again (members of the stream's owner).

    Dismissing twice keeps the first record. Raises ``NotFound`` for invisible streams and
    ``InvalidInput`` when the two streams cannot be partners.
    """
    stream = registry.get_stream(session, stream_id, viewer=viewer)
    policy.require_member(viewer, stream.organisation_id)
    partner = registry.get_stream(session, partner_id, viewer=viewer)
    if partner.direction == stream.direction:
        raise InvalidInput("partner_id", f"stream {partner_id} is also {_a(stream.direction)}")
    query = select(MatchDismissal).where(
        MatchDismissal.stream_id == stream_id, MatchDismissal.partner_stream_id == partner_id
    )
    existing = session.scalar(query)
    if existing is not None:
        return existing
    row = MatchDismissal(
        stream_id=stream_id,
        partner_stream_id=partner_id,
        organisation_id=stream.organisation_id,
        user_id=viewer.user_id,
    )
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:  # dismissed concurrently
        return session.scalars(query).one()
    return row


class HiddenPartner(BaseModel):
    """A partner a stream's organisation dismissed, as the viewer may see it now."""

    partner: StreamOut | AnonymousStream
    dismissed_at: datetime


def hidden_partners(
    session: Session, stream_id: int, viewer: Viewer = SYSTEM
) -> list[HiddenPartner]:
    """The partners dismissed for a stream, most recently hidden first (members of the stream's
    owner, as for :func:`dismiss_match`). A partner the viewer no longer may see is left out:
    it would not be suggested anyway, and the list must not tell that it still exists."""
    stream = registry.get_stream(session, stream_id, viewer=viewer)
    policy.require_member(viewer, stream.organisation_id)
    rows = session.execute(
        select(MatchDismissal, Stream)
        .join(Stream, Stream.id == MatchDismissal.partner_stream_id)
        .where(MatchDismissal.stream_id == stream_id)
        .order_by(MatchDismissal.created_at.desc(), MatchDismissal.id.desc())
    ).all()
    return [
        HiddenPartner(partner=policy.redact(viewer, partner), dismissed_at=row.created_at)
        for row, partner in rows
        if policy.can_see(viewer, partner)
    ]


def undismiss_match(
    session: Session, stream_id: int, partner_id: int, viewer: Viewer = SYSTEM
) -> bool:
    """Suggest ``partner_id`` for ``stream_id`` again: undo :func:`dismiss_match` (members of
    the stream's owner). Whether it was hidden; undoing twice changes nothing. Raises
    ``NotFound`` for an invisible stream."""
    stream = registry.get_stream(session, stream_id, viewer=viewer)
    policy.require_member(viewer, stream.organisation_id)
    row = session.scalar(
        select(MatchDismissal).where(
            MatchDismissal.stream_id == stream_id, MatchDismissal.partner_stream_id == partner_id
        )
    )
    if row is None:
        return False
    session.delete(row)
    session.flush()
    return True


def _pair(
    session: Session, stream_id: int, partner_id: int, viewer: Viewer
) -> tuple[Listing, Listing]:
    """The (offer, need) listings of a stream and a partner as ``viewer`` sees them."""
    a = registry.get_stream(session, stream_id, viewer=viewer)
    b = registry.get_stream(session, partner_id, viewer=viewer)
    if a.direction == b.direction:
        raise InvalidInput("partner_id", f"stream {partner_id} is also {_a(a.direction)}")
    la, lb = stream_listing(viewer, a), stream_listing(viewer, b)
    assert la is not None and lb is not None
    return (la, lb) if a.direction == "offer" else (lb, la)


def match_impact(
    session: Session,
    stream_id: int,
    partner_id: int,
    viewer: Viewer = SYSTEM,
    changes: dict[str, object] | None = None,
    assumptions: dict[str, object] | None = None,
) -> PairImpact:
    """Impact of the exchange between a stream and a partner, with editable assumptions.

    ``changes`` edits the exchange (``distance_km``, ``vehicle``, ``amount`` ...; the default
    distance is the one between the places the viewer may see); ``assumptions`` overrides
    factors by id.
    """
    offer, need = _pair(session, stream_id, partner_id, viewer)
    return account_pair(offer, need, place_distance_km(offer, need), changes, assumptions)


def who_could_use(
    session: Session, stream_id: int, viewer: Viewer = SYSTEM, top: int = 10
) -> list[SectorRecommendation]:
    """Receiving industries (NACE classes) that could use an offered stream, with evidence."""
    stream = registry.get_stream(session, stream_id, viewer=viewer)
    if stream.direction != "offer":
        raise InvalidInput("stream_id", "industries that could use a stream exist for offers only")
    listing = stream_listing(viewer, stream)
    assert listing is not None
    temperature = number_or_nan((listing.properties or {}).get("temperature_c"))
    return recommend_sectors(
        listing.text, listing.waste_code, listing.organisation_nace, top,
        temperature_c=None if math.isnan(temperature) else temperature, kind=stream.kind,
    )  # fmt: skip


def _a(direction: str) -> str:
    """ "an offer" / "a need"."""
    return "an offer" if direction == "offer" else "a need"
