"""Business rules of the registry: organisations, sites, networks and streams."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from pydantic import BaseModel
from sqlalchemy import Select, and_, func, select
from sqlalchemy.orm import Session

from sidestream.access import policy
from sidestream.access.errors import Forbidden
from sidestream.access.policy import SYSTEM, Viewer
from sidestream.db import check_version, flush_or_conflict, paginate, utcnow
from sidestream.errors import Conflict, InvalidInput, NotFound
from sidestream.exchanges import audit  # noqa: F401  (every stream change enters the audit log)
from sidestream.exchanges.service import exchange_of, keep_valuation
from sidestream.registry.models import Network, NetworkMember, Organisation, Site, Stream
from sidestream.registry.schemas import (
    NetworkCreate,
    NetworkUpdate,
    OrganisationCreate,
    OrganisationUpdate,
    SiteBase,
    SiteCreate,
    SiteUpdate,
    StreamCreate,
    StreamFields,
    StreamUpdate,
)
from sidestream.taxonomy.units import MAX_QUANTITY, annualise, density_of
from sidestream.taxonomy.waste_codes import lookup_waste_code

M = TypeVar("M", Organisation, Site, Network, Stream)
Checked = TypeVar("Checked", bound=BaseModel)


def _checked(fields: type[Checked], stored: object, changes: dict[str, Any]) -> Checked:
    """``stored``'s ``fields`` with ``changes`` applied, checked by the rules of a new object:
    a ``ValidationError`` places each broken rule on its field, as a new object's body does
    (the API answers both alike, ``sidestream.api.deps.body_errors``)."""
    current = {name: getattr(stored, name) for name in fields.model_fields}
    return fields.model_validate(current | {k: v for k, v in changes.items() if k in current})


def _get(session: Session, model: type[M], key: int) -> M:
    obj = session.get(model, key)
    if obj is None:
        raise NotFound(model.__tablename__, key)
    return obj


# --- organisations ---------------------------------------------------------------------------


def create_organisation(
    session: Session, data: OrganisationCreate, *, viewer: Viewer = SYSTEM
) -> Organisation:
    """Register an organisation; names are unique; any logged-in user may."""
    policy.require_writer(viewer)
    if (taken := find_organisation(session, data.name)) is not None:
        raise Conflict(f"an organisation named '{taken.name}' already exists")
    org = Organisation(**data.model_dump())
    session.add(org)
    flush_or_conflict(session, "organisation")
    return org


def get_organisation(session: Session, org_id: int) -> Organisation:
    """One organisation or ``NotFound``."""
    return _get(session, Organisation, org_id)


def find_organisation(session: Session, name: str) -> Organisation | None:
    """The organisation of this name, if any: written exactly so, else in other letter case
    ("ørsted asnæs power station" is "Ørsted Asnæs Power Station"; an import row named it so
    and made a second company outside the first one's networks)."""
    exact = session.scalar(select(Organisation).where(Organisation.name == name))
    if exact is not None:
        return exact
    wanted = name.casefold()  # in Python: SQLite's lower() folds ASCII letters only
    same_length = select(Organisation.id, Organisation.name).where(
        func.length(Organisation.name) == len(name)
    )
    for org_id, other in session.execute(same_length):
        if other.casefold() == wanted:
            return session.get(Organisation, org_id)
    return None


def list_organisations(
    session: Session,
    q: str | None = None,
    network_id: int | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[Sequence[Organisation], int]:
    """Organisations filtered by name text and network, with the total count."""
    stmt = select(Organisation)
    if q:
        stmt = stmt.where(Organisation.name.icontains(q, autoescape=True))
    if network_id is not None:
        stmt = stmt.join(NetworkMember).where(NetworkMember.network_id == network_id)
    return paginate(session, stmt.order_by(Organisation.name), limit, offset)


def update_organisation(
    session: Session, org_id: int, data: OrganisationUpdate, *, viewer: Viewer = SYSTEM
) -> Organisation:
    """Apply a partial update made from version ``data.version`` (company admins)."""
    org = _get(session, Organisation, org_id)
    policy.require_org_admin(viewer, org_id)
    check_version(org, data.version)
    changes = data.model_dump(exclude_unset=True, exclude={"version"})
    if "name" in changes and find_organisation(session, changes["name"]) not in (None, org):
        raise Conflict(f"an organisation named '{changes['name']}' already exists")
    _apply(org, changes)
    flush_or_conflict(session, "organisation")
    return org


def delete_organisation(session: Session, org_id: int, *, viewer: Viewer = SYSTEM) -> None:
    """Delete an organisation with its sites and streams (company admins)."""
    org = _get(session, Organisation, org_id)
    policy.require_org_admin(viewer, org_id)
    keep_valuation(session, org.streams)
    member_of = select(NetworkMember.network_id).where(NetworkMember.organisation_id == org_id)
    for network in session.scalars(select(Network).where(Network.id.in_(member_of))):
        network.updated_at = utcnow()  # the version moves with membership (rows go by CASCADE)
    session.delete(org)
    flush_or_conflict(session, "organisation")


# --- sites -----------------------------------------------------------------------------------


def create_site(
    session: Session, org_id: int, data: SiteCreate, *, viewer: Viewer = SYSTEM
) -> Site:
    """Add a site to an organisation (company admins)."""
    _get(session, Organisation, org_id)
    policy.require_org_admin(viewer, org_id)
    site = Site(organisation_id=org_id, **data.model_dump())
    session.add(site)
    flush_or_conflict(session, "site")
    return site


def get_site(session: Session, site_id: int) -> Site:
    """One site or ``NotFound``."""
    return _get(session, Site, site_id)


def list_sites(
    session: Session, org_id: int | None = None, limit: int = 50, offset: int = 0
) -> tuple[Sequence[Site], int]:
    """Sites, optionally of one organisation."""
    stmt = select(Site)
    if org_id is not None:
        stmt = stmt.where(Site.organisation_id == org_id)
    return paginate(session, stmt.order_by(Site.id), limit, offset)


def update_site(
    session: Session, site_id: int, data: SiteUpdate, *, viewer: Viewer = SYSTEM
) -> Site:
    """Apply a partial update to a site (company admins); the site as updated keeps a new
    site's rules (``ValidationError`` on the fields)."""
    site = _get(session, Site, site_id)
    policy.require_org_admin(viewer, site.organisation_id)
    check_version(site, data.version)
    changes = data.model_dump(exclude_unset=True, exclude={"version"})
    _checked(SiteBase, site, changes)  # a latitude without its longitude, as a new site's
    lat, lon = changes.get("lat", site.lat), changes.get("lon", site.lon)
    if (lat, lon) != (site.lat, site.lon):  # the streams that lie at the site move with it
        at_site = (
            [Stream.lat.is_(None)]
            if site.lat is None
            else [Stream.lat == site.lat, Stream.lon == site.lon]
        )
        for stream in session.scalars(select(Stream).where(Stream.site_id == site.id, *at_site)):
            stream.lat, stream.lon = lat, lon
    _apply(site, changes)
    flush_or_conflict(session, "site")
    return site


def delete_site(session: Session, site_id: int, *, viewer: Viewer = SYSTEM) -> None:
    """Delete a site; its streams keep their own coordinates (company admins)."""
    site = _get(session, Site, site_id)
    policy.require_org_admin(viewer, site.organisation_id)
    session.delete(site)
    flush_or_conflict(session, "site")


# --- networks --------------------------------------------------------------------------------


def _members(session: Session, ids: list[int]) -> list[Organisation]:
    orgs = [session.get(Organisation, i) for i in dict.fromkeys(ids)]
    missing = [i for i, o in zip(dict.fromkeys(ids), orgs, strict=True) if o is None]
    if missing:
        raise InvalidInput("member_ids", f"unknown organisation ids {missing}")
    return [o for o in orgs if o is not None]


def create_network(session: Session, data: NetworkCreate, *, viewer: Viewer = SYSTEM) -> Network:
    """Create a network with its facilitator (one the caller facilitates for) and members."""
    policy.require_writer(viewer)
    if not policy.may_facilitate(viewer, data.facilitator_id):
        raise Forbidden("facilitator_id must be an organisation you facilitate for")
    if session.scalar(select(Network.id).where(Network.name == data.name)):
        raise Conflict(f"a network named '{data.name}' already exists")
    if data.facilitator_id is not None and session.get(Organisation, data.facilitator_id) is None:
        raise InvalidInput("facilitator_id", f"unknown organisation id {data.facilitator_id}")
    policy.require_member_consent(viewer, data.member_ids)
    net = Network(**data.model_dump(exclude={"member_ids"}))
    net.members = _members(session, data.member_ids)
    session.add(net)
    flush_or_conflict(session, "network")
    return net


def get_network(session: Session, network_id: int) -> Network:
    """One network or ``NotFound``."""
    return _get(session, Network, network_id)


def find_network(session: Session, name: str) -> Network | None:
    """The network with exactly this name, if any."""
    return session.scalar(select(Network).where(Network.name == name))


def network_named(session: Session, ref: str) -> Network:
    """The network a command line names by its name or its id (``NotFound`` when none). A ref
    that is one network's name and another's id is refused (``InvalidInput`` naming both, and
    how to tell them apart), rather than one of them being picked unseen."""
    by_name = find_network(session, ref)
    by_id = (
        session.get(Network, int(ref))
        if ref.isascii() and ref.isdigit() and len(ref) < 19
        else None
    )
    if by_name is not None and by_id is not None and by_name.id != by_id.id:
        raise InvalidInput(
            "network",
            f"'{ref}' is the name of network {by_name.id} and the id of network "
            f"'{by_id.name}': give {by_name.id} or '{by_id.name}'",
        )
    found = by_name or by_id
    if found is None:
        raise NotFound("network", ref)
    return found


def list_networks(
    session: Session, limit: int = 50, offset: int = 0
) -> tuple[Sequence[Network], int]:
    """All networks by name."""
    return paginate(session, select(Network).order_by(Network.name), limit, offset)


def update_network(
    session: Session, network_id: int, data: NetworkUpdate, *, viewer: Viewer = SYSTEM
) -> Network:
    """Apply a partial update; ``member_ids`` replaces the members when given (facilitators)."""
    net = _get(session, Network, network_id)
    policy.require_facilitator(viewer, network_id)
    check_version(net, data.version)
    changes = data.model_dump(exclude_unset=True, exclude={"version", "member_ids"})
    fac = changes.get("facilitator_id")
    if "facilitator_id" in changes and not policy.may_facilitate(viewer, fac):
        raise Forbidden("facilitator_id must be an organisation you facilitate for")
    if "facilitator_id" in changes and fac != net.facilitator_id:
        policy.require_handover(viewer, net.facilitator_id)
    if fac is not None and session.get(Organisation, fac) is None:
        raise InvalidInput("facilitator_id", f"unknown organisation id {fac}")
    _apply(net, changes)
    if data.member_ids is not None:
        policy.require_member_consent(viewer, set(data.member_ids) - {m.id for m in net.members})
        net.members = _members(session, data.member_ids)
        net.updated_at = utcnow()  # a column change, so the version moves with membership
    flush_or_conflict(session, "network")
    return net


def leave_network(
    session: Session, network_id: int, org_id: int, *, viewer: Viewer = SYSTEM
) -> Network:
    """Take an organisation out of a network: its admins withdraw the consent they gave (the
    facilitator then no longer sees its network and private streams), or the facilitator
    removes it. ``NotFound`` when it is no member."""
    net = _get(session, Network, network_id)
    if network_id in viewer.facilitated_networks:
        policy.require_writer(viewer)
    else:
        policy.require_org_admin(viewer, org_id)
    kept = [m for m in net.members if m.id != org_id]
    if len(kept) == len(net.members):
        raise NotFound("member", org_id)
    net.members = kept
    net.updated_at = utcnow()  # a column change, so the version moves with membership
    flush_or_conflict(session, "network")
    return net


def delete_network(session: Session, network_id: int, *, viewer: Viewer = SYSTEM) -> None:
    """Delete a network (its members stay; facilitators)."""
    net = _get(session, Network, network_id)
    policy.require_facilitator(viewer, network_id)
    session.delete(net)
    flush_or_conflict(session, "network")


def network_member_ids(session: Session, network_id: int) -> list[int]:
    """Ids of the organisations in a network."""
    return list(
        session.scalars(
            select(NetworkMember.organisation_id).where(NetworkMember.network_id == network_id)
        )
    )


# --- streams ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StreamFilter:
    """Filters of the stream list."""

    kind: str | None = None
    direction: str | None = None
    code: str | None = None
    q: str | None = None
    bbox: tuple[float, float, float, float] | None = None  # min_lon, min_lat, max_lon, max_lat
    network_id: int | None = None
    organisation_id: int | None = None
    status: str | None = None


def _derive(stream: Stream) -> None:
    """Recompute the hazardous flag and the canonical annual amount from the stored fields."""
    stream.hazardous = bool(stream.waste_code) and lookup_waste_code(stream.waste_code).hazardous
    if stream.quantity is None or not stream.unit:
        stream.annual_amount, stream.annual_unit = None, None
        return
    try:
        density = density_of(stream.properties)
    except ValueError as exc:
        raise InvalidInput("properties.density_kg_m3", str(exc)) from None
    try:
        annual = annualise(stream.quantity, stream.unit, stream.period, stream.kind, density)
    except ValueError as exc:
        raise InvalidInput("unit", str(exc)) from None
    if annual and not annual.amount <= MAX_QUANTITY:  # NaN too; plans and reports read it
        raise InvalidInput(
            "quantity",
            f"too large: {annual.amount:.3g} {annual.unit} a year, more than {MAX_QUANTITY:.0e}",
        )
    stream.annual_amount = annual.amount if annual else None
    stream.annual_unit = annual.unit if annual else None


def _at_its_site(stream: Stream) -> bool:
    """Whether a stream lies where its site does (it took the site's place), not at a place of
    its own: such a stream moves with its site."""
    site = stream.site
    return site is not None and (stream.lat, stream.lon) == (site.lat, site.lon)


def _check_site(session: Session, stream: Stream) -> None:
    """The stream's site must exist and belong to the stream's organisation (``InvalidInput``
    on ``site_id``); a stream without coordinates takes the site's."""
    if stream.site_id is None:
        return
    with session.no_autoflush:  # the stream's pending change must not reach the database first
        site = session.get(Site, stream.site_id)
    if site is None:
        raise InvalidInput("site_id", f"no site {stream.site_id}")
    if stream.organisation_id is not None and site.organisation_id != stream.organisation_id:
        raise InvalidInput("site_id", f"site {site.id} belongs to another organisation")
    stream.site = site
    if stream.lat is None:  # a stream without its own coordinates lies at its site
        stream.lat, stream.lon = site.lat, site.lon


def _new_external_id(session: Session) -> str:
    n = (session.scalar(select(func.max(Stream.id))) or 0) + 1
    while session.scalar(select(Stream.id).where(Stream.external_id == f"s{n}")):
        n += 1
    return f"s{n}"


def create_stream(
    session: Session,
    data: StreamCreate,
    code_source: str | None = None,
    *,
    viewer: Viewer = SYSTEM,
) -> Stream:
    """Register an offer or a need for an organisation the caller belongs to."""
    values = data.model_dump()
    policy.require_member(viewer, values["organisation_id"])
    if values["organisation_id"] is not None and not session.get(
        Organisation, values["organisation_id"]
    ):
        raise InvalidInput("organisation_id", f"no organisation {values['organisation_id']}")
    if values["external_id"] and session.scalar(
        select(Stream.id).where(Stream.external_id == values["external_id"])
    ):
        raise Conflict(f"a stream with id '{values['external_id']}' already exists")
    values["external_id"] = values["external_id"] or _new_external_id(session)
    stream = Stream(**values, code_source=code_source if data.waste_code else None)
    _check_site(session, stream)
    _derive(stream)
    session.add(stream)
    flush_or_conflict(session, "stream")
    return stream


def get_stream(session: Session, stream_id: int, *, viewer: Viewer = SYSTEM) -> Stream:
    """One stream visible to ``viewer`` or ``NotFound``; render it with ``policy.redact``."""
    return policy.check_visible(viewer, _get(session, Stream, stream_id))


def find_stream(session: Session, external_id: str) -> Stream | None:
    """The stream with this listing id, if any."""
    return session.scalar(select(Stream).where(Stream.external_id == external_id))


def update_stream(
    session: Session,
    stream_id: int,
    data: StreamUpdate,
    code_source: str | None = None,
    *,
    viewer: Viewer = SYSTEM,
) -> Stream:
    """Apply a partial update made from version ``data.version``; derived fields follow. The
    stream as updated keeps a new stream's rules (``ValidationError`` on the fields)."""
    stream = _get(session, Stream, stream_id)
    policy.require_stream_write(viewer, stream)
    check_version(stream, data.version)
    changes = data.model_dump(exclude_unset=True, exclude={"version"})
    _keeps_its_exchanges(session, stream, changes)
    merged = _checked(StreamFields, stream, {"properties": stream.properties or {}} | changes)
    # stored as a new stream would store them: stripped, "" as null, codes normalised
    changes |= {k: getattr(merged, k) for k in changes if k in StreamFields.model_fields}
    if changes.get("waste_code", stream.waste_code) != stream.waste_code:  # a code chosen anew
        changes["code_source"] = code_source if changes["waste_code"] else None
    moved = changes.get("site_id") not in (None, stream.site_id)
    if moved and "lat" not in changes and "lon" not in changes and _at_its_site(stream):
        changes |= {"lat": None, "lon": None}  # to its new site's place (``_check_site``)
    _apply(stream, changes)
    _check_site(session, stream)
    _derive(stream)
    flush_or_conflict(session, "stream")
    return stream


def _keeps_its_exchanges(session: Session, stream: Stream, changes: dict[str, Any]) -> None:
    """A stream that is a side of an exchange keeps its direction and kind: its deliveries are
    counted in them (an import that made an offer a need of energy dropped 18 deliveries of
    tonnes from the network's report, with a warning each)."""
    for field in ("direction", "kind"):
        new = changes.get(field)
        if new is None or new == getattr(stream, field):
            continue
        exchange = exchange_of(session, stream.id)
        if exchange is not None:
            raise InvalidInput(
                field,
                f"the stream is a side of exchange {exchange.id}: its {field} cannot change "
                f"(list a new stream instead)",
            )


def delete_stream(
    session: Session, stream_id: int, *, viewer: Viewer = SYSTEM, version: int | None = None
) -> None:
    """Delete a stream (members of its organisation); with ``version``, only the stream as it
    was read (``Conflict`` when someone changed it since)."""
    stream = _get(session, Stream, stream_id)
    policy.require_stream_write(viewer, stream)
    if version is not None:
        check_version(stream, version)
    keep_valuation(session, [stream])
    session.delete(stream)
    flush_or_conflict(session, "stream")


def stream_query(filters: StreamFilter, viewer: Viewer = SYSTEM) -> Select[tuple[Stream]]:
    """The SELECT of the streams ``viewer`` may see matching ``filters`` (unordered).

    Filters that could reveal who is behind an anonymous stream (organisation, network,
    description text, exact place) go through the access policy.
    """
    stmt = select(Stream).where(policy.visible_streams_clause(viewer))
    ident = policy.identity_clause(viewer)
    f = filters
    if f.kind:
        stmt = stmt.where(Stream.kind == f.kind)
    if f.direction:
        stmt = stmt.where(Stream.direction == f.direction)
    if f.status:
        stmt = stmt.where(Stream.status == f.status)
    if f.organisation_id is not None:
        stmt = stmt.where(and_(ident, Stream.organisation_id == f.organisation_id))
    if f.code:
        stmt = stmt.where(Stream.waste_code.startswith(f.code.replace(" ", ""), autoescape=True))
    if f.q:
        stmt = stmt.where(policy.text_clause(viewer, f.q))
    if f.bbox:
        stmt = stmt.where(policy.bbox_clause(viewer, f.bbox))
    if f.network_id is not None:
        members = select(NetworkMember.organisation_id).where(
            NetworkMember.network_id == f.network_id
        )
        stmt = stmt.where(and_(ident, Stream.organisation_id.in_(members)))
    return stmt


def list_streams(
    session: Session,
    filters: StreamFilter,
    limit: int = 50,
    offset: int = 0,
    *,
    viewer: Viewer = SYSTEM,
) -> tuple[Sequence[Stream], int]:
    """Streams visible to ``viewer`` matching ``filters``, newest id last, with the total."""
    return paginate(session, stream_query(filters, viewer).order_by(Stream.id), limit, offset)


# --- helpers ---------------------------------------------------------------------------------


def _apply(obj: Any, changes: dict[str, Any]) -> None:
    for key, value in changes.items():
        setattr(obj, key, value)
