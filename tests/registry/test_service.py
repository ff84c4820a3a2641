"""Registry rules: validation, derived fields, optimistic concurrency, filters."""

import pytest

from sidestream.errors import Conflict, InvalidInput, NotFound
from sidestream.registry import service
from sidestream.registry.schemas import (
    NetworkCreate,
    NetworkUpdate,
    OrganisationCreate,
    OrganisationUpdate,
    SiteCreate,
    SiteUpdate,
    StreamCreate,
    StreamUpdate,
)


@pytest.fixture
def org(session):
    org = service.create_organisation(
        session, OrganisationCreate(name="Asnæs Power Station", nace="35.11", country="DK")
    )
    session.commit()
    return org


def offer(**kw):
    base = {"direction": "offer", "title": "Fly ash", "waste_code": "10 01 02"}
    return StreamCreate(**(base | kw))


def test_stream_derives_hazard_and_annual_amount(session, org):
    s = service.create_stream(
        session, offer(organisation_id=org.id, quantity=5, unit="t/day", waste_code="10 01 04*")
    )
    assert s.waste_code == "100104" and s.hazardous is True
    assert s.annual_amount == pytest.approx(1826.25) and s.annual_unit == "t"
    assert s.external_id.startswith("s")


def test_heat_is_annualised_in_mwh(session, org):
    s = service.create_stream(
        session,
        StreamCreate(
            direction="offer",
            title="Surplus heat",
            kind="energy",
            quantity=12,
            unit="MW",
            period="continuous",
            properties={"temperature_c": 90},
        ),
    )
    assert s.annual_unit == "MWh" and s.annual_amount == pytest.approx(12 * 8766)


def test_volume_of_material_needs_density(session, org):
    with pytest.raises(InvalidInput) as exc:
        service.create_stream(session, offer(quantity=100, unit="m3"))
    assert exc.value.field == "unit" and "density" in exc.value.message
    s = service.create_stream(
        session, offer(quantity=100, unit="m3", properties={"density_kg_m3": 700})
    )
    assert s.annual_amount == pytest.approx(70)


def test_stale_update_is_refused_and_nothing_is_overwritten(session, org):
    s = service.create_stream(session, offer(organisation_id=org.id, quantity=10, unit="t"))
    session.commit()
    service.update_stream(session, s.id, StreamUpdate(version=1, quantity=20))
    session.commit()
    with pytest.raises(Conflict) as exc:
        service.update_stream(session, s.id, StreamUpdate(version=1, quantity=30))
    assert exc.value.current_version == 2
    session.rollback()
    assert service.get_stream(session, s.id).quantity == 20


def test_duplicate_names_and_ids_conflict(session, org):
    with pytest.raises(Conflict, match="already exists"):
        service.create_organisation(session, OrganisationCreate(name="Asnæs Power Station"))
    service.create_stream(session, offer(external_id="x1"))
    with pytest.raises(Conflict, match="'x1' already exists"):
        service.create_stream(session, offer(external_id="x1"))


def test_a_rename_to_a_taken_name_says_so(session, org):
    other = service.create_organisation(session, OrganisationCreate(name="Gyproc"))
    taken = OrganisationUpdate(version=other.version, name="Asnæs Power Station")
    with pytest.raises(Conflict, match="an organisation named 'Asnæs Power Station' already"):
        service.update_organisation(session, other.id, taken)
    same = OrganisationUpdate(version=org.version, name="Asnæs Power Station")
    assert service.update_organisation(session, org.id, same).name == "Asnæs Power Station"


def test_a_stream_at_its_site_moves_with_it_and_to_its_new_site(session, org):
    a = service.create_site(session, org.id, SiteCreate(name="A", lat=55.0, lon=11.0))
    b = service.create_site(session, org.id, SiteCreate(name="B", lat=56.5, lon=9.0))
    at_a = service.create_stream(session, offer(organisation_id=org.id, site_id=a.id))
    own = service.create_stream(
        session, offer(organisation_id=org.id, site_id=a.id, lat=55.2, lon=11.3)
    )
    moved = service.update_stream(
        session, at_a.id, StreamUpdate(version=at_a.version, site_id=b.id)
    )
    assert (moved.lat, moved.lon) == (56.5, 9.0)  # it kept A's place before
    to_b = StreamUpdate(version=own.version, site_id=b.id)  # a place of its own: kept
    assert (service.update_stream(session, own.id, to_b).lat, own.lon) == (55.2, 11.3)
    placed = StreamUpdate(version=own.version, lat=56.0, lon=9.5)
    assert (service.update_stream(session, own.id, placed).lat, own.lon) == (56.0, 9.5)
    off_site = StreamUpdate(version=moved.version, site_id=None)  # no site: stays where it is
    assert (service.update_stream(session, moved.id, off_site).lat, moved.lon) == (56.5, 9.0)
    service.update_stream(session, moved.id, StreamUpdate(version=moved.version, site_id=b.id))
    service.update_site(session, b.id, SiteUpdate(version=b.version, lat=57.0, lon=10.0))
    assert (at_a.lat, at_a.lon) == (57.0, 10.0)  # at its site: follows it
    assert (own.lat, own.lon) == (56.0, 9.5)  # placed on its own: stays


def test_deleting_a_member_moves_its_networks_version(session, org):
    other = service.create_organisation(session, OrganisationCreate(name="Gyproc"))
    net = service.create_network(session, NetworkCreate(name="Park", member_ids=[org.id, other.id]))
    before = net.version
    service.delete_organisation(session, other.id)
    session.expire_all()
    assert net.version == before + 1


def test_site_must_belong_to_the_stream_organisation(session, org):
    other = service.create_organisation(session, OrganisationCreate(name="Gyproc"))
    site = service.create_site(session, other.id, SiteCreate(name="Plant", lat=55.6, lon=11.1))
    with pytest.raises(InvalidInput, match="another organisation"):
        service.create_stream(session, offer(organisation_id=org.id, site_id=site.id))
    s = service.create_stream(session, offer(organisation_id=other.id, site_id=site.id))
    assert (s.lat, s.lon) == (55.6, 11.1)


def test_networks_and_filters(session, org):
    gyproc = service.create_organisation(session, OrganisationCreate(name="Gyproc"))
    net = service.create_network(
        session, NetworkCreate(name="Kalundborg", kind="park", member_ids=[org.id])
    )
    service.create_stream(session, offer(organisation_id=org.id, lat=55.67, lon=11.09))
    service.create_stream(
        session,
        StreamCreate(
            direction="need",
            title="FGD gypsum for plasterboard",
            waste_code="100105",
            organisation_id=gyproc.id,
            lat=55.68,
            lon=11.10,
        ),
    )
    session.commit()

    def count(**kw):
        return service.list_streams(session, service.StreamFilter(**kw))[1]

    assert count() == 2
    assert count(direction="need") == 1
    assert count(code="1001") == 2 and count(code="100105") == 1
    assert count(q="gypsum") == 1
    assert count(network_id=net.id) == 1
    assert count(bbox=(11.0, 55.6, 11.095, 55.675)) == 1
    items, total = service.list_streams(session, service.StreamFilter(), limit=1, offset=1)
    assert total == 2 and len(items) == 1
    net = service.update_network(
        session, net.id, NetworkUpdate(version=net.version, member_ids=[org.id, gyproc.id])
    )
    assert net.version == 2 and count(network_id=net.id) == 2


def test_unknown_members_and_objects(session):
    with pytest.raises(InvalidInput, match="unknown organisation ids"):
        service.create_network(session, NetworkCreate(name="N", member_ids=[999]))
    with pytest.raises(NotFound):
        service.get_stream(session, 12345)
