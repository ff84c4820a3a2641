"""The one access policy: who may see which stream, in how much detail, and who may change what.

Every service calls these functions; views never check permissions themselves.

Visibility of a stream (``Stream.visibility``):

- ``public``: everyone, in full.
- ``anonymous``: everyone, but outsiders get the listing view of :func:`redact`: material,
  quantity class and a 10 km cell; organisation, contact, site and exact place hidden.
- ``network``: members of a network the owner belongs to, and the network's facilitator.
- ``private``: the owning organisation and the facilitators of its networks.

Insiders (the owning organisation, its facilitators), platform admins and the system always see
a stream in full.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, and_, false, or_, select, true
from sqlalchemy.orm import Session

from sidestream.access.errors import Forbidden, Unauthenticated
from sidestream.access.roles import Role
from sidestream.access.schemas import AnonymousStream
from sidestream.errors import NotFound
from sidestream.registry.models import Network, NetworkMember, Stream
from sidestream.registry.properties import KNOWN_PROPERTIES
from sidestream.registry.schemas import StreamOut

#: Grid of coarsened locations: 0.09° of latitude (10 km) by 0.15° of longitude (10 km at 53°N).
LAT_STEP = 0.09
LON_STEP = 0.15
FACILITATING_ROLES = (Role.facilitator, Role.admin)


@dataclass(frozen=True, slots=True)
class Viewer:
    """Who is asking, resolved once per request: a snapshot of roles and network ties."""

    actor: str = "anonymous"
    user_id: int | None = None
    roles: Mapping[int, Role] = field(default_factory=dict)  # organisation id -> role
    peer_orgs: frozenset[int] = frozenset()  # organisations sharing a network with mine
    facilitated_orgs: frozenset[int] = frozenset()  # members of the networks I facilitate
    facilitated_networks: frozenset[int] = frozenset()
    platform_admin: bool = False
    system: bool = False
    can_write: bool = True  # False for read-only tokens

    @property
    def authenticated(self) -> bool:
        """True for a logged-in user, a token or the system."""
        return self.system or self.user_id is not None

    @property
    def superuser(self) -> bool:
        """Platform admins and the system see and may change everything."""
        return self.system or self.platform_admin

    @property
    def insider_orgs(self) -> frozenset[int]:
        """Organisations whose streams this viewer sees in full whatever their visibility."""
        return frozenset(self.roles) | self.facilitated_orgs


ANONYMOUS = Viewer()
SYSTEM = Viewer(actor="system", system=True)


def make_viewer(
    session: Session,
    *,
    actor: str,
    user_id: int | None,
    roles: Mapping[int, Role],
    platform_admin: bool = False,
    can_write: bool = True,
) -> Viewer:
    """Build a viewer from a user's organisation roles, resolving its network ties."""
    orgs = set(roles)
    my_networks = select(NetworkMember.network_id).where(NetworkMember.organisation_id.in_(orgs))
    peers = session.scalars(
        select(NetworkMember.organisation_id).where(NetworkMember.network_id.in_(my_networks))
    )
    facilitating = [o for o, r in roles.items() if r in FACILITATING_ROLES]
    networks = frozenset(
        session.scalars(select(Network.id).where(Network.facilitator_id.in_(facilitating)))
    )
    facilitated = session.scalars(
        select(NetworkMember.organisation_id).where(NetworkMember.network_id.in_(networks))
    )
    return Viewer(
        actor=actor,
        user_id=user_id,
        roles=dict(roles),
        peer_orgs=frozenset(peers) | orgs,
        facilitated_orgs=frozenset(facilitated),
        facilitated_networks=networks,
        platform_admin=platform_admin,
        can_write=can_write,
    )


# --- seeing streams --------------------------------------------------------------------------


def can_see(viewer: Viewer, stream: Stream) -> bool:
    """Whether ``viewer`` may know that ``stream`` exists (perhaps only anonymised)."""
    if viewer.superuser or stream.visibility in ("public", "anonymous"):
        return True
    org = stream.organisation_id
    if org in viewer.insider_orgs:
        return True
    return stream.visibility == "network" and org in viewer.peer_orgs


def sees_identity(viewer: Viewer, stream: Stream) -> bool:
    """Whether ``viewer`` may see ``stream`` in full (who offers it, where, how much)."""
    if not can_see(viewer, stream):
        return False
    return (
        viewer.superuser
        or stream.visibility != "anonymous"
        or stream.organisation_id in viewer.insider_orgs
    )


def visible_streams_clause(viewer: Viewer) -> ColumnElement[bool]:
    """SQL filter of the streams :func:`can_see` allows."""
    if viewer.superuser:
        return true()
    org = Stream.organisation_id
    return or_(
        Stream.visibility.in_(("public", "anonymous")),
        org.in_(viewer.insider_orgs),
        and_(Stream.visibility == "network", org.in_(viewer.peer_orgs)),
    )


def identity_clause(viewer: Viewer) -> ColumnElement[bool]:
    """SQL filter of the streams whose identity the viewer may see (given they are visible).

    Filters that could reveal identity (organisation, network, exact place, description) must
    only ever match inside this clause.
    """
    if viewer.superuser:
        return true()
    return or_(Stream.visibility != "anonymous", Stream.organisation_id.in_(viewer.insider_orgs))


def bbox_clause(viewer: Viewer, bbox: tuple[float, float, float, float]) -> ColumnElement[bool]:
    """Streams inside ``bbox``: by exact place where the identity is visible, else by the centre
    of the 10 km cell (so repeated searches cannot pin down an anonymous stream)."""
    min_lon, min_lat, max_lon, max_lat = bbox
    exact = and_(Stream.lon.between(min_lon, max_lon), Stream.lat.between(min_lat, max_lat))
    if viewer.superuser:
        return exact
    coarse = and_(
        _cell_range(Stream.lat, LAT_STEP, min_lat, max_lat),
        _cell_range(Stream.lon, LON_STEP, min_lon, max_lon),
    )
    ident = identity_clause(viewer)
    return or_(and_(ident, exact), and_(~ident, coarse))


def _cell_range(col: Any, step: float, low: float, high: float) -> ColumnElement[bool]:
    """Values whose cell centre lies in [low, high]."""
    first, last = math.ceil(low / step - 0.5), math.floor(high / step - 0.5)
    if first > last:
        return false()
    return and_(col >= first * step, col < (last + 1) * step)


def text_clause(viewer: Viewer, q: str) -> ColumnElement[bool]:
    """Streams whose title (or, where the identity is visible, description) contains ``q``
    (any case; ``%`` and ``_`` are the characters themselves, not wildcards)."""
    return or_(
        Stream.title.icontains(q, autoescape=True),
        and_(identity_clause(viewer), Stream.description.icontains(q, autoescape=True)),
    )


def check_visible(viewer: Viewer, stream: Stream) -> Stream:
    """``stream`` when visible, else ``NotFound`` (its existence is not confirmed)."""
    if not can_see(viewer, stream):
        raise NotFound("stream", stream.id)
    return stream


# --- views -----------------------------------------------------------------------------------


def quantity_class(amount: float | None, unit: str | None) -> str | None:
    """The decade an annual amount falls in, e.g. ``"100–1,000 t/yr"``."""
    if amount is None or not unit:
        return None
    if amount < 1:
        return f"< 1 {unit}/yr"
    low = 10 ** math.floor(math.log10(amount))
    return f"{low:,}–{low * 10:,} {unit}/yr"


_QUANTITY_CLASS = re.compile(r"^(?:< 1|(?P<low>[\d,]+)–(?P<top>[\d,]+)) (?P<unit>\S+)/yr$")


def quantity_class_range(text: object) -> tuple[float, float, str] | None:
    """The bounds and unit a :func:`quantity_class` writes (``"100–1,000 t/yr"`` -> 100, 1,000,
    t; ``"< 1 t/yr"`` -> 0, 1, t); ``None`` for anything else."""
    found = _QUANTITY_CLASS.match(text) if isinstance(text, str) else None
    if found is None:
        return None
    low, top = (float((found[k] or d).replace(",", "")) for k, d in (("low", "0"), ("top", "1")))
    return low, top, found["unit"]


def quantity_class_top(text: object) -> tuple[float, str] | None:
    """The most a :func:`quantity_class` allows, and its unit (``"100–1,000 t/yr"`` -> 1,000 t):
    what an anonymous stream's partner may count on at most."""
    bounds = quantity_class_range(text)
    return (bounds[1], bounds[2]) if bounds else None


def coarse_location(lat: float | None, lon: float | None) -> tuple[float | None, float | None]:
    """The centre of the 10 km grid cell holding a point."""
    if lat is None or lon is None:
        return None, None
    clat = (math.floor(lat / LAT_STEP) + 0.5) * LAT_STEP
    clon = (math.floor(lon / LON_STEP) + 0.5) * LON_STEP
    return round(max(-90.0, min(90.0, clat)), 4), round(max(-180.0, min(180.0, clon)), 4)


def anonymise(stream: Stream) -> AnonymousStream:
    """The anonymised listing view of a stream."""
    lat, lon = coarse_location(stream.lat, stream.lon)
    props = {  # the owner's own keys may name a line, a site or a partner
        k: v for k, v in (stream.properties or {}).items() if k in KNOWN_PROPERTIES
    }
    return AnonymousStream(
        id=stream.id,
        direction=stream.direction,
        kind=stream.kind,
        title=stream.title,
        language=stream.language,
        waste_code=stream.waste_code,
        hazardous=stream.hazardous,
        product_code=stream.product_code,
        quantity_class=quantity_class(stream.annual_amount, stream.annual_unit),
        period=stream.period,
        properties=props,
        available_from=stream.available_from,
        available_to=stream.available_to,
        lat=lat,
        lon=lon,
        status=stream.status,
    )


def redact(viewer: Viewer, stream: Stream) -> StreamOut | AnonymousStream:
    """The view of ``stream`` for ``viewer``: full, or anonymised; ``NotFound`` if invisible."""
    check_visible(viewer, stream)
    if sees_identity(viewer, stream):
        return StreamOut.model_validate(stream)
    return anonymise(stream)


def listing_view(viewer: Viewer, stream: Stream) -> dict[str, Any] | None:
    """The open-listing-format object of ``stream`` for ``viewer`` (``None`` if invisible).

    What matching, exports and any other listing consumer must use: an anonymous stream comes
    out with id ``anon-<id>``, no organisation, no description, a coarse place and its quantity
    only as ``properties.quantity_class``.
    """
    if not can_see(viewer, stream):
        return None
    if sees_identity(viewer, stream):
        from sidestream.interop.service import to_listing  # interop builds on the registry

        return to_listing(stream)
    return anonymous_listing(stream)


def deal_listing(
    viewer: Viewer, stream: Stream, *, party_org: int | None, revealed: bool, blind_id: str
) -> dict[str, Any] | None:
    """The listing of one stream of an introduction or exchange, as ``viewer`` may see it.

    ``party_org`` is the organisation the viewer acts for in it (``None`` for facilitators and
    platform admins), ``revealed`` whether both sides have accepted. A party sees its own stream
    in full and the other side's stream anonymised until both accepted, then in full (the
    double opt-in is the other side's consent), under ``blind_id`` rather than ``anon-<id>``: the
    other side's stream may be public, and its real id would name its owner. Everyone else sees
    only what :func:`listing_view` allows them of that stream: a facilitator of one side does
    not see the other side's anonymous or hidden stream in full.
    """
    if party_org is None:
        return listing_view(viewer, stream)
    if revealed or stream.organisation_id == party_org:
        from sidestream.interop.service import to_listing  # interop builds on the registry

        return to_listing(stream)
    return {**anonymous_listing(stream), "id": blind_id}


def sees_side(viewer: Viewer, org_id: int | None, stream: Stream | None) -> bool:
    """Whether a viewer who is not a party may know which organisation is on one side of an
    introduction or exchange (``stream``: that side's stream, ``None`` once deleted).

    Platform admins, the system and insiders of the organisation may; otherwise only when the
    viewer sees the side's stream in full.
    """
    if viewer.superuser or (org_id is not None and org_id in viewer.insider_orgs):
        return True
    return stream is not None and sees_identity(viewer, stream)


def anonymous_listing(stream: Stream) -> dict[str, Any]:
    """The anonymised open-listing-format object of ``stream``, whoever asks."""
    view = anonymise(stream)
    row: dict[str, Any] = {
        "id": f"anon-{view.id}",
        "direction": view.direction,
        "title": view.title,
        "kind": view.kind,
        "language": view.language,
        "waste_code": view.waste_code,
        "product_code": view.product_code,
        "lat": view.lat,
        "lon": view.lon,
        "properties": {**view.properties, "quantity_class": view.quantity_class},
        "available_from": view.available_from.isoformat() if view.available_from else None,
        "available_to": view.available_to.isoformat() if view.available_to else None,
        "visibility": "anonymous",
    }
    return {k: v for k, v in row.items() if v is not None}


# --- changing things -------------------------------------------------------------------------


def require_writer(viewer: Viewer) -> None:
    """Any authenticated caller allowed to write (not a read-only token) passes."""
    if not viewer.authenticated:
        raise Unauthenticated("log in or send an API token to change data")
    if not viewer.can_write:
        raise Forbidden("this API token is read-only")


def _may_read_or_write(viewer: Viewer, reading: bool) -> None:
    """A writer passes; with ``reading`` any authenticated caller (a read-only token too)."""
    if not reading:
        require_writer(viewer)
    elif not viewer.authenticated:
        raise Unauthenticated("log in or send an API token")


def require_platform_admin(viewer: Viewer, *, reading: bool = False) -> None:
    """Only platform admins (and the system) pass; ``reading``: also with a read-only token."""
    _may_read_or_write(viewer, reading)
    if not viewer.superuser:
        raise Forbidden("only a platform admin may do this")


def require_member(viewer: Viewer, org_id: int | None) -> None:
    """Members of ``org_id`` (any role), platform admins and the system pass. The refusal names
    no organisation: the thing may be an anonymised stream whose owner the caller must not
    learn."""
    require_writer(viewer)
    if viewer.superuser or (org_id is not None and org_id in viewer.roles):
        return
    raise Forbidden("only members of the organisation it belongs to may do this")


def require_org_admin(viewer: Viewer, org_id: int, *, reading: bool = False) -> None:
    """Company admins of ``org_id``, platform admins and the system pass; ``reading``: what
    only admins may see, also with a read-only token."""
    _may_read_or_write(viewer, reading)
    if viewer.superuser or viewer.roles.get(org_id) == Role.admin:
        return
    raise Forbidden("only admins of the organisation may do this")


def require_facilitator(viewer: Viewer, network_id: int, *, reading: bool = False) -> None:
    """The facilitators of ``network_id``, platform admins and the system pass; ``reading``:
    also with a read-only token."""
    _may_read_or_write(viewer, reading)
    if viewer.superuser or network_id in viewer.facilitated_networks:
        return
    raise Forbidden(f"only the facilitator of network {network_id} may do this")


def require_handover(viewer: Viewer, current_facilitator: int | None) -> None:
    """Giving a network to another facilitating organisation: the members let the present one
    see their network streams, so only its admins (or a platform admin) may hand it over; a
    facilitator could otherwise move it to an organisation of their own and keep the access
    after leaving."""
    if viewer.superuser:
        return
    if current_facilitator is None or viewer.roles.get(current_facilitator) != Role.admin:
        raise Forbidden(
            "facilitator_id: only an admin of the facilitating organisation (or a platform "
            "admin) may hand the network to another"
        )


def may_facilitate(viewer: Viewer, facilitator_org: int | None) -> bool:
    """Whether ``viewer`` may name ``facilitator_org`` as a network's facilitator."""
    if viewer.superuser:
        return True
    return facilitator_org is not None and viewer.roles.get(facilitator_org) in FACILITATING_ROLES


def require_member_consent(viewer: Viewer, org_ids: Iterable[int]) -> None:
    """Putting organisations into a network needs their consent: the viewer must be an admin of
    each (a facilitator cannot enrol companies, which would let it see their hidden streams);
    platform admins and the system pass."""
    if viewer.superuser:
        return
    refused = sorted(i for i in org_ids if viewer.roles.get(i) != Role.admin)
    if refused:
        raise Forbidden(
            f"member_ids: organisations {refused} must join themselves (an admin of each "
            "adds it), or a platform admin adds them"
        )


def require_stream_write(viewer: Viewer, stream: Stream) -> None:
    """Change or delete a stream: members of its organisation (after it is visible)."""
    check_visible(viewer, stream)
    require_member(viewer, stream.organisation_id)
