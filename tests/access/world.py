"""A small region exercising every visibility level, shared by the access and exchange tests.

Acme (owner) and Beta share the network "Park", facilitated by Hub; Cobalt is an outsider.
Acme has one offer of each visibility; Beta has one public need.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from sidestream.access.policy import Viewer, make_viewer
from sidestream.access.roles import Role
from sidestream.registry import service as registry
from sidestream.registry.schemas import NetworkCreate, OrganisationCreate, SiteCreate, StreamCreate

VISIBILITIES = ("public", "network", "anonymous", "private")
SECRET = "Acme Steel"  # the owner's identity: must never leak through an anonymised view


@dataclass
class World:
    """Ids of everything built."""

    orgs: dict[str, int] = field(default_factory=dict)
    network: int = 0
    streams: dict[str, int] = field(default_factory=dict)  # visibility -> Acme's offer
    need: int = 0  # Beta's public need
    site: int = 0


def build_world(session: Session) -> World:
    """Create the organisations, network and streams (as the system)."""
    w = World()
    for key, name in [
        ("acme", SECRET),
        ("beta", "Beta Cement"),
        ("cobalt", "Cobalt Foods"),
        ("hub", "Hub Facilitation"),
    ]:
        w.orgs[key] = registry.create_organisation(session, OrganisationCreate(name=name)).id
    w.site = registry.create_site(
        session,
        w.orgs["acme"],
        SiteCreate(name="Works", address="1 Mill Road", lat=55.6612, lon=11.0843),
    ).id
    w.network = registry.create_network(
        session,
        NetworkCreate(
            name="Park", facilitator_id=w.orgs["hub"], member_ids=[w.orgs["acme"], w.orgs["beta"]]
        ),
    ).id
    for vis in VISIBILITIES:
        w.streams[vis] = registry.create_stream(
            session,
            StreamCreate(
                external_id=f"acme-slag-{vis}",
                organisation_id=w.orgs["acme"],
                site_id=w.site,
                direction="offer",
                title=f"Steel slag ({vis})",
                description=f"Slag from the {SECRET} furnace",
                waste_code="100202",
                quantity=250,
                unit="t",
                period="per-year",
                lat=55.6612,
                lon=11.0843,
                properties={"temperature_c": 80, "note": f"ask {SECRET}", "acme_line_3": 1},
                price_eur_per_unit=12.5,
                visibility=vis,
            ),
        ).id
    w.need = registry.create_stream(
        session,
        StreamCreate(
            external_id="beta-slag-need",
            organisation_id=w.orgs["beta"],
            direction="need",
            title="Slag for clinker",
            waste_code="100202",
            quantity=1000,
            unit="t",
            period="per-year",
            lat=55.7,
            lon=11.2,
        ),
    ).id
    session.flush()
    return w


ROLES = (
    "anonymous",
    "acme_member",
    "acme_admin",
    "beta_member",
    "cobalt_member",
    "hub_facilitator",
    "platform_admin",
)

#: What each role sees of Acme's offers: "full", "anon" (anonymised) or None (nothing).
EXPECTED: dict[str, dict[str, str | None]] = {
    "anonymous": {"public": "full", "network": None, "anonymous": "anon", "private": None},
    "acme_member": dict.fromkeys(VISIBILITIES, "full"),
    "acme_admin": dict.fromkeys(VISIBILITIES, "full"),
    "beta_member": {"public": "full", "network": "full", "anonymous": "anon", "private": None},
    "cobalt_member": {"public": "full", "network": None, "anonymous": "anon", "private": None},
    "hub_facilitator": dict.fromkeys(VISIBILITIES, "full"),
    "platform_admin": dict.fromkeys(VISIBILITIES, "full"),
}


def role_memberships(w: World, role: str) -> dict[int, Role]:
    """The organisation roles a test user of ``role`` holds."""
    return {
        "acme_member": {w.orgs["acme"]: Role.member},
        "acme_admin": {w.orgs["acme"]: Role.admin},
        "beta_member": {w.orgs["beta"]: Role.member},
        "cobalt_member": {w.orgs["cobalt"]: Role.member},
        "hub_facilitator": {w.orgs["hub"]: Role.facilitator},
    }.get(role, {})


def viewer_for(session: Session, w: World, role: str) -> Viewer:
    """A policy viewer of ``role`` (no user account needed)."""
    if role == "anonymous":
        return Viewer()
    return make_viewer(
        session,
        actor=f"test:{role}",
        user_id=ROLES.index(role),
        roles=role_memberships(w, role),
        platform_admin=role == "platform_admin",
    )


def api_world(client) -> tuple[World, dict[str, dict[str, str]]]:  # type: ignore[no-untyped-def]
    """Build the world in the client's database and a bearer header for every role."""
    from tests.access.auth import make_user

    with client.app.state.sessions() as db, db.begin():
        w = build_world(db)
    headers = {"anonymous": {}}
    for role in ROLES[1:]:
        headers[role] = make_user(
            client,
            f"{role}@test.invalid",
            roles=role_memberships(w, role),
            platform_admin=role == "platform_admin",
        )
    return w, headers
