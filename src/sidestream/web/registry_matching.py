"""Adapter: the registry's streams as listings for ``sidestream.matching.engine.match_listings``.

Until matching has a database-backed function, the pages match the stored active streams
that the visitor may see, converted to the open listing format, and cache the result until a
stream changes. Every score and reason comes from the matching engine; every benefit from
``sidestream.impact``.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from sidestream.access.policy import Viewer, can_see
from sidestream.impact.schemas import ImpactResult
from sidestream.matching.engine import match_listings
from sidestream.matching.schemas import Listing, Reason
from sidestream.matching.scoring import haversine_km
from sidestream.registry.models import Stream
from sidestream.web import engines

#: Candidates kept per offer when the whole region is matched.
REGION_TOP = 5


@dataclass(frozen=True, slots=True)
class Candidate:
    """A possible exchange between an offer and a need, as the pages show it."""

    offer: Stream
    need: Stream
    score: float
    reasons: tuple[Reason, ...]
    distance_km: float | None
    amount: float | None
    impact: ImpactResult | None

    def partner_of(self, stream: Stream) -> Stream:
        """The other side of the exchange."""
        return self.need if stream.id == self.offer.id else self.offer


def to_listing(stream: Stream) -> Listing:
    """One stored stream in the open listing format the matching engine reads."""
    org = stream.organisation
    return Listing(
        id=str(stream.id),
        direction=stream.direction,
        title=stream.title,
        kind=stream.kind,
        description=stream.description,
        language=stream.language,
        waste_code=stream.waste_code,
        product_code=stream.product_code,
        organisation=org.name if org else None,
        organisation_nace=org.nace if org else None,
        quantity=stream.quantity,
        unit=stream.unit,
        period=stream.period,
        lat=stream.lat,
        lon=stream.lon,
        properties=stream.properties or {},
        available_from=stream.available_from,
        available_to=stream.available_to,
        price_eur_per_unit=stream.price_eur_per_unit,
        visibility=stream.visibility,
    )


def active_streams(session: Session, viewer: Viewer) -> list[Stream]:
    """Active streams that ``viewer`` may know of, with their organisations loaded."""
    rows = session.scalars(
        select(Stream)
        .where(Stream.status == "active")
        .options(selectinload(Stream.organisation))
        .order_by(Stream.id)
    )
    return [s for s in rows if can_see(viewer, s)]


def distance_km(a: Stream, b: Stream) -> float | None:
    """Great-circle distance between two streams' places, if both are known."""
    if None in (a.lat, a.lon, b.lat, b.lon):
        return None
    return float(haversine_km(np.array(a.lat), np.array(a.lon), np.array(b.lat), np.array(b.lon)))


def _candidate(offer: Stream, need: Stream, score: float, reasons: Sequence[Reason]) -> Candidate:
    dist = distance_km(offer, need)
    amounts = [a for a in (offer.annual_amount, need.annual_amount) if a is not None]
    same_unit = offer.annual_unit == need.annual_unit or len(amounts) < 2
    amount = min(amounts) if amounts and same_unit else None
    impact = engines.impact(offer.kind, amount, offer.waste_code, dist or 0.0) if amount else None
    return Candidate(offer, need, score, tuple(reasons), dist, amount, impact)


def matches_for(session: Session, stream: Stream, viewer: Viewer, top: int = 5) -> list[Candidate]:
    """The best partners for one stream (needs for an offer, offers for a need)."""
    others = [
        s
        for s in active_streams(session, viewer)
        if s.direction != stream.direction and s.organisation_id != stream.organisation_id
    ]
    by_id = {str(s.id): s for s in others}
    if stream.direction == "offer":
        found = match_listings([to_listing(stream)], [to_listing(s) for s in others], top)[0]
        pairs = [(stream, by_id[m.need_id], m) for m in found]
    else:
        per_offer = match_listings([to_listing(s) for s in others], [to_listing(stream)], 1)
        found = sorted((m for ms in per_offer for m in ms), key=lambda m: -m.score)[:top]
        pairs = [(by_id[m.offer_id], stream, m) for m in found]
    return [_candidate(o, n, m.score, m.reasons) for o, n, m in pairs]


_cache: dict[tuple[object, ...], list[tuple[int, int, float, tuple[Reason, ...]]]] = {}
_lock = threading.Lock()


def region_candidates(session: Session, viewer: Viewer) -> list[Candidate]:
    """Every visible offer's best needs across the region (cached until a stream changes)."""
    streams = active_streams(session, viewer)
    by_id = {s.id: s for s in streams}
    key = (
        viewer.actor,
        viewer.user_id,
        *session.execute(select(func.count(Stream.id), func.max(Stream.updated_at))).one(),
    )
    with _lock:
        found = _cache.get(key)
    if found is None:
        offers = [s for s in streams if s.direction == "offer"]
        needs = [s for s in streams if s.direction == "need"]
        per_offer = match_listings(
            [to_listing(s) for s in offers], [to_listing(s) for s in needs], REGION_TOP
        )
        found = [
            (int(m.offer_id), int(m.need_id), m.score, tuple(m.reasons))
            for ms in per_offer
            for m in ms
            if by_id[int(m.offer_id)].organisation_id != by_id[int(m.need_id)].organisation_id
        ]
        with _lock:
            _cache.clear()
            _cache[key] = found
    return [_candidate(by_id[o], by_id[n], score, reasons) for o, n, score, reasons in found]
