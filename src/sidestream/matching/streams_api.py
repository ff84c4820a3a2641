"""REST endpoints of matching on stored streams: partners, dismissals, sectors, pair impact."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import Depends, Query, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from sidestream.access.deps import CurrentViewer
from sidestream.api.deps import Limit, Offset, get_session, reads_only
from sidestream.api.error_responses import FORBIDDEN, ApiRouter
from sidestream.api.schemas import Page
from sidestream.impact.schemas import MAX_DISTANCE_KM
from sidestream.impact.service import PairImpact
from sidestream.matching import service
from sidestream.matching.schemas import SectorRecommendation
from sidestream.taxonomy.units import MAX_QUANTITY

router = ApiRouter(prefix="/api/v1/streams", tags=["matching"])
DB = Annotated[Session, Depends(get_session, scope="function")]
Top = Annotated[int, Query(ge=1, le=100, description="number of partners")]


class Dismissal(BaseModel):
    """A suggestion that will not be shown again."""

    stream_id: int
    partner_id: int
    dismissed_at: datetime


class ImpactEdits(BaseModel):
    """Edits of a pair's exchange (fields of an impact exchange) and factor overrides."""

    model_config = ConfigDict(extra="forbid")

    changes: dict[str, Any] = Field(
        default_factory=dict, description="e.g. amount, distance_km, vehicle, prices"
    )
    assumptions: dict[str, Any] = Field(
        default_factory=dict, description="factor id -> value, or {value, unit, source}"
    )


@router.get("/{stream_id}/matches", responses=FORBIDDEN)
def stream_matches(
    db: DB, viewer: CurrentViewer, stream_id: int, top: Top = 10, include_dismissed: bool = False
) -> service.StreamMatches:
    """Ranked partners of a stream (needs for an offer, offers for a need) with reasons,
    distance and a yearly benefit estimate; anonymous partners come anonymised."""
    return service.matches_for_stream(db, stream_id, viewer, top, include_dismissed)


@router.post("/{stream_id}/matches/{partner_id}/dismiss", status_code=201)
def dismiss(db: DB, viewer: CurrentViewer, stream_id: int, partner_id: int) -> Dismissal:
    """Never suggest this partner for this stream again (members of the stream's owner)."""
    row = service.dismiss_match(db, stream_id, partner_id, viewer)
    return Dismissal(stream_id=stream_id, partner_id=partner_id, dismissed_at=row.created_at)


@router.delete("/{stream_id}/matches/{partner_id}/dismiss", status_code=204)
def undismiss(db: DB, viewer: CurrentViewer, stream_id: int, partner_id: int) -> Response:
    """Suggest a dismissed partner again (members of the stream's owner; idempotent)."""
    service.undismiss_match(db, stream_id, partner_id, viewer)
    return Response(status_code=204)


@router.get("/{stream_id}/dismissals", responses=FORBIDDEN)
def dismissals(
    db: DB, viewer: CurrentViewer, stream_id: int, limit: Limit = 50, offset: Offset = 0
) -> Page[service.HiddenPartner]:
    """The partners dismissed for a stream that you may still see, most recent first (members
    of the stream's owner). A slice of :func:`service.hidden_partners`' list, which checks each
    partner's visibility as it reads it."""
    hidden = service.hidden_partners(db, stream_id, viewer)
    items = hidden[offset : offset + limit]
    return Page(items=items, total=len(hidden), limit=limit, offset=offset)


@router.get("/{stream_id}/sectors")
def sectors(
    db: DB, viewer: CurrentViewer, stream_id: int, top: Top = 10
) -> list[SectorRecommendation]:
    """Industries (NACE classes) that could use an offered stream, with documented evidence."""
    return service.who_could_use(db, stream_id, viewer, top)


@router.get("/{stream_id}/matches/{partner_id}/impact")
def pair_impact(
    db: DB,
    viewer: CurrentViewer,
    stream_id: int,
    partner_id: int,
    distance_km: Annotated[float | None, Query(ge=0, le=MAX_DISTANCE_KM)] = None,
    vehicle: str | None = None,
    amount: Annotated[float | None, Query(ge=0, le=MAX_QUANTITY)] = None,
    transfer_price_eur_per_unit: Annotated[
        float | None, Query(ge=-MAX_QUANTITY, le=MAX_QUANTITY)
    ] = None,
) -> PairImpact:
    """Indicators, economics and factors of the exchange between a stream and a partner;
    the query edits the distance, vehicle, amount and transfer price."""
    edits = {
        "distance_km": distance_km,
        "vehicle": vehicle,
        "amount": amount,
        "transfer_price_eur_per_unit": transfer_price_eur_per_unit,
    }
    changes = {k: v for k, v in edits.items() if v is not None}
    return service.match_impact(db, stream_id, partner_id, viewer, changes)


@router.post("/{stream_id}/matches/{partner_id}/impact")
@reads_only
def pair_impact_edited(
    db: DB, viewer: CurrentViewer, stream_id: int, partner_id: int, body: ImpactEdits
) -> PairImpact:
    """As the GET, with any exchange field edited and factors overridden in the body."""
    return service.match_impact(db, stream_id, partner_id, viewer, body.changes, body.assumptions)
