"""REST endpoints of the registry under /api/v1."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query, Response
from sqlalchemy.orm import Session

from sidestream.access import policy
from sidestream.access import service as access
from sidestream.access.deps import CurrentViewer
from sidestream.access.schemas import AnonymousStream
from sidestream.api.deps import Limit, Offset, body_errors, get_session
from sidestream.api.error_responses import CONFLICT, ApiRouter
from sidestream.api.schemas import Page
from sidestream.errors import InvalidInput
from sidestream.registry import service
from sidestream.registry.models import Network
from sidestream.registry.schemas import (
    NetworkCreate,
    NetworkOut,
    NetworkUpdate,
    OrganisationCreate,
    OrganisationOut,
    OrganisationUpdate,
    SiteCreate,
    SiteOut,
    SiteUpdate,
    StreamCreate,
    StreamOut,
    StreamUpdate,
)
from sidestream.taxonomy.kinds import Direction, Kind, Status

router = ApiRouter(prefix="/api/v1")
DB = Annotated[Session, Depends(get_session, scope="function")]


# --- organisations ---------------------------------------------------------------------------


@router.get("/organisations", tags=["organisations"])
def list_organisations(
    db: DB, q: str | None = None, network: int | None = None, limit: Limit = 50, offset: Offset = 0
) -> Page[OrganisationOut]:
    """Organisations, filtered by name text and network membership."""
    items, total = service.list_organisations(db, q, network, limit, offset)
    return Page(items=items, total=total, limit=limit, offset=offset)


@router.post("/organisations", status_code=201, tags=["organisations"], responses=CONFLICT)
def create_organisation(db: DB, viewer: CurrentViewer, data: OrganisationCreate) -> OrganisationOut:
    """Register an organisation (NACE validated, names unique); you become its admin."""
    org = service.create_organisation(db, data, viewer=viewer)
    access.grant_creator(db, viewer, org)
    return OrganisationOut.model_validate(org)


@router.get("/organisations/{org_id}", tags=["organisations"])
def get_organisation(db: DB, org_id: int) -> OrganisationOut:
    """One organisation."""
    return OrganisationOut.model_validate(service.get_organisation(db, org_id))


@router.patch("/organisations/{org_id}", tags=["organisations"], responses=CONFLICT)
def update_organisation(
    db: DB, viewer: CurrentViewer, org_id: int, data: OrganisationUpdate
) -> OrganisationOut:
    """Update an organisation; 409 when ``version`` is stale."""
    return OrganisationOut.model_validate(
        service.update_organisation(db, org_id, data, viewer=viewer)
    )


@router.delete("/organisations/{org_id}", status_code=204, tags=["organisations"])
def delete_organisation(db: DB, viewer: CurrentViewer, org_id: int) -> Response:
    """Delete an organisation with its sites and streams."""
    service.delete_organisation(db, org_id, viewer=viewer)
    return Response(status_code=204)


# --- sites -----------------------------------------------------------------------------------


@router.get("/organisations/{org_id}/sites", tags=["sites"])
def list_sites(db: DB, org_id: int, limit: Limit = 50, offset: Offset = 0) -> Page[SiteOut]:
    """The sites of an organisation."""
    service.get_organisation(db, org_id)
    items, total = service.list_sites(db, org_id, limit, offset)
    return Page(items=items, total=total, limit=limit, offset=offset)


@router.post("/organisations/{org_id}/sites", status_code=201, tags=["sites"])
def create_site(db: DB, viewer: CurrentViewer, org_id: int, data: SiteCreate) -> SiteOut:
    """Add a site to an organisation."""
    return SiteOut.model_validate(service.create_site(db, org_id, data, viewer=viewer))


@router.get("/sites/{site_id}", tags=["sites"])
def get_site(db: DB, site_id: int) -> SiteOut:
    """One site."""
    return SiteOut.model_validate(service.get_site(db, site_id))


@router.patch("/sites/{site_id}", tags=["sites"], responses=CONFLICT)
def update_site(db: DB, viewer: CurrentViewer, site_id: int, data: SiteUpdate) -> SiteOut:
    """Update a site; 409 when ``version`` is stale."""
    with body_errors():
        site = service.update_site(db, site_id, data, viewer=viewer)
    return SiteOut.model_validate(site)


@router.delete("/sites/{site_id}", status_code=204, tags=["sites"])
def delete_site(db: DB, viewer: CurrentViewer, site_id: int) -> Response:
    """Delete a site."""
    service.delete_site(db, site_id, viewer=viewer)
    return Response(status_code=204)


# --- networks --------------------------------------------------------------------------------


def _network_out(net: Network) -> NetworkOut:
    return NetworkOut(
        id=net.id,
        name=net.name,
        kind=net.kind,
        description=net.description,
        facilitator_id=net.facilitator_id,
        version=net.version,
        member_ids=[m.id for m in net.members],
    )


@router.get("/networks", tags=["networks"])
def list_networks(db: DB, limit: Limit = 50, offset: Offset = 0) -> Page[NetworkOut]:
    """All networks."""
    items, total = service.list_networks(db, limit, offset)
    return Page(items=[_network_out(n) for n in items], total=total, limit=limit, offset=offset)


@router.post("/networks", status_code=201, tags=["networks"], responses=CONFLICT)
def create_network(db: DB, viewer: CurrentViewer, data: NetworkCreate) -> NetworkOut:
    """Create a network (park, region, cluster) with members and a facilitator."""
    return _network_out(service.create_network(db, data, viewer=viewer))


@router.get("/networks/{network_id}", tags=["networks"])
def get_network(db: DB, network_id: int) -> NetworkOut:
    """One network with its member ids."""
    return _network_out(service.get_network(db, network_id))


@router.patch("/networks/{network_id}", tags=["networks"], responses=CONFLICT)
def update_network(
    db: DB, viewer: CurrentViewer, network_id: int, data: NetworkUpdate
) -> NetworkOut:
    """Update a network; 409 when ``version`` is stale."""
    return _network_out(service.update_network(db, network_id, data, viewer=viewer))


@router.delete("/networks/{network_id}/members/{organisation_id}", tags=["networks"])
def leave_network(
    db: DB, viewer: CurrentViewer, network_id: int, organisation_id: int
) -> NetworkOut:
    """Take an organisation out of a network (its admins, or the network's facilitator)."""
    return _network_out(service.leave_network(db, network_id, organisation_id, viewer=viewer))


@router.delete("/networks/{network_id}", status_code=204, tags=["networks"])
def delete_network(db: DB, viewer: CurrentViewer, network_id: int) -> Response:
    """Delete a network (its members stay)."""
    service.delete_network(db, network_id, viewer=viewer)
    return Response(status_code=204)


# --- streams ---------------------------------------------------------------------------------


def parse_bbox(text: str | None) -> tuple[float, float, float, float] | None:
    """Parse ``min_lon,min_lat,max_lon,max_lat`` or raise ``InvalidInput`` naming ``bbox``."""
    if not text:
        return None
    try:
        parts = tuple(float(p) for p in text.split(","))
    except ValueError:
        parts = ()
    if len(parts) != 4:
        raise InvalidInput("bbox", "expected four numbers: min_lon,min_lat,max_lon,max_lat")
    min_lon, min_lat, max_lon, max_lat = parts
    if not (-180 <= min_lon <= max_lon <= 180 and -90 <= min_lat <= max_lat <= 90):
        raise InvalidInput("bbox", "corners out of range or in the wrong order")
    return min_lon, min_lat, max_lon, max_lat


@router.get("/streams", tags=["streams"])
def list_streams(
    db: DB,
    viewer: CurrentViewer,
    kind: Kind | None = None,
    direction: Direction | None = None,
    code: Annotated[
        str | None,
        Query(
            description="LoW code or prefix (chapter, sub-chapter)",
            pattern=r"^\s*\d{2}(\s*\d{2}){0,2}\s*$",
        ),
    ] = None,
    q: Annotated[str | None, Query(description="text in title or description")] = None,
    bbox: Annotated[str | None, Query(description="min_lon,min_lat,max_lon,max_lat")] = None,
    network: int | None = None,
    organisation: int | None = None,
    status: Status | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[StreamOut | AnonymousStream]:
    """Offers and needs you may see, filtered and paginated; anonymous ones anonymised."""
    filters = service.StreamFilter(
        kind=kind,
        direction=direction,
        code=code,
        q=q,
        bbox=parse_bbox(bbox),
        network_id=network,
        organisation_id=organisation,
        status=status,
    )
    items, total = service.list_streams(db, filters, limit, offset, viewer=viewer)
    views = [policy.redact(viewer, s) for s in items]
    return Page(items=views, total=total, limit=limit, offset=offset)


@router.post("/streams", status_code=201, tags=["streams"], responses=CONFLICT)
def create_stream(db: DB, viewer: CurrentViewer, data: StreamCreate) -> StreamOut:
    """Register an offer or a need; hazardous flag and annual amount are derived."""
    stream = service.create_stream(db, data, code_source="user", viewer=viewer)
    return StreamOut.model_validate(stream)


@router.get("/streams/{stream_id}", tags=["streams"])
def get_stream(db: DB, viewer: CurrentViewer, stream_id: int) -> StreamOut | AnonymousStream:
    """One stream you may see (anonymised when its owner chose so)."""
    return policy.redact(viewer, service.get_stream(db, stream_id, viewer=viewer))


@router.patch("/streams/{stream_id}", tags=["streams"], responses=CONFLICT)
def update_stream(db: DB, viewer: CurrentViewer, stream_id: int, data: StreamUpdate) -> StreamOut:
    """Update a stream; 409 when ``version`` is stale (no silent overwrite)."""
    with body_errors():
        stream = service.update_stream(db, stream_id, data, code_source="user", viewer=viewer)
    return StreamOut.model_validate(stream)


@router.delete("/streams/{stream_id}", status_code=204, tags=["streams"])
def delete_stream(db: DB, viewer: CurrentViewer, stream_id: int) -> Response:
    """Delete a stream."""
    service.delete_stream(db, stream_id, viewer=viewer)
    return Response(status_code=204)
