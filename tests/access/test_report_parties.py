"""Impact reports name a party only to those who may know it (security review, stop 19): a
facilitator read the name of a member's partner outside the network from the reports while the
exchange itself showed that side unnamed."""

from __future__ import annotations

from datetime import date

import pytest

from sidestream.exchanges.models import Delivery, Exchange
from sidestream.registry import service as registry
from sidestream.registry.schemas import StreamCreate
from sidestream.reports.service import UNDISCLOSED, network_report, organisation_report
from tests.access.world import build_world, viewer_for


@pytest.fixture
def exchanged(session):
    w = build_world(session)
    need = registry.create_stream(
        session,
        StreamCreate(organisation_id=w.orgs["cobalt"], direction="need", title="Slag",
                     waste_code="100202", visibility="anonymous"),
    )  # fmt: skip
    ex = Exchange(
        offer_org_id=w.orgs["acme"], need_org_id=w.orgs["cobalt"],
        offer_stream_id=w.streams["public"], need_stream_id=need.id, status="active",
    )  # fmt: skip
    ex.deliveries = [Delivery(delivered_on=date(2025, 3, 1), quantity=40, unit="t")]
    session.add(ex)
    session.flush()
    return w, ex


def test_a_facilitator_reads_an_unnamed_partner_and_a_party_its_name(session, exchanged):
    w, ex = exchanged
    link = f"exchange {ex.id}"
    hub = organisation_report(session, w.orgs["acme"], viewer_for(session, w, "hub_facilitator"))
    (row,) = [r for r in hub.rows if r.link == link]
    assert row.receiver == UNDISCLOSED and "Cobalt" not in hub.model_dump_json()
    party = organisation_report(session, w.orgs["acme"], viewer_for(session, w, "acme_member"))
    (row,) = [r for r in party.rows if r.link == link]
    assert row.receiver == "Cobalt Foods"  # the exchange's parties know each other


def test_a_network_counts_only_exchanges_between_its_members(session, exchanged):
    w, ex = exchanged
    report = network_report(session, w.network, viewer_for(session, w, "hub_facilitator"))
    assert f"exchange {ex.id}" not in {r.link for r in report.rows}
