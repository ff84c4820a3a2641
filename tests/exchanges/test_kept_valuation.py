"""What was delivered keeps its value when a side's stream, or its company, is deleted: a need
is often deleted once it is met, and its past deliveries were revalued without it (fly ash a
cement works took in place of clinker became aggregates; water a fish farm pumped itself
became mains water bought)."""

from __future__ import annotations

from datetime import date

import pytest

from sidestream.exchanges.models import Delivery, Exchange
from sidestream.registry import service as registry
from sidestream.registry.models import Organisation
from sidestream.registry.schemas import StreamCreate
from sidestream.reports.service import exchange_realised_rows, organisation_report


def _exchange(session, offer: dict, need: dict, need_nace: str) -> tuple[Exchange, int, int]:
    supplier, receiver = Organisation(name="Power Plant A/S"), Organisation(name="Receiver A/S")
    receiver.nace = need_nace
    session.add_all([supplier, receiver])
    session.flush()
    made = [  # 60 km apart: the haul is part of the value
        registry.create_stream(session, StreamCreate(organisation_id=org.id, lat=lat, lon=11.0,
                                                     **fields))
        for org, fields, lat in ((supplier, offer, 55.0), (receiver, need, 55.54))
    ]  # fmt: skip
    ex = Exchange(
        offer_org_id=supplier.id, need_org_id=receiver.id, offer_stream_id=made[0].id,
        need_stream_id=made[1].id, status="active",
    )  # fmt: skip
    amount = {"quantity": 400, "unit": offer.get("unit", "t")}
    ex.deliveries = [Delivery(delivered_on=date(2025, 3, 1), **amount)]
    session.add(ex)
    session.flush()
    return ex, made[1].id, receiver.id


def _value(session, ex: Exchange) -> tuple[float, float, float]:
    (row,) = exchange_realised_rows(session, ex.id)
    return round(row.co2e_avoided_t, 6), round(row.net_eur, 2), row.water_saved_m3


FLY_ASH = {"direction": "offer", "title": "Fly ash", "waste_code": "100102"}
CEMENT = {"direction": "need", "title": "Fly ash for clinker", "kind": "material"}
SEA = {"kind": "water", "unit": "m3", "properties": {"water_network": "own"}}


@pytest.mark.parametrize(
    ("offer", "need", "nace"),
    [
        (FLY_ASH, CEMENT, "2351"),
        ({"direction": "offer", "title": "Warm cooling water", **SEA},
         {"direction": "need", "title": "Sea water for fish ponds", **SEA}, "0322"),
    ],
    ids=["fly-ash-to-cement", "own-water-to-fish-farm"],
)  # fmt: skip
def test_deleting_the_need_keeps_the_value_of_what_was_delivered(session, offer, need, nace):
    ex, need_id, _ = _exchange(session, offer, need, nace)
    before = _value(session, ex)
    registry.delete_stream(session, need_id)
    session.expire_all()
    assert ex.need_stream_id is None and ex.valuation_terms["distance_km"] > 50
    assert _value(session, ex) == before
    registry.delete_stream(session, ex.offer_stream_id)  # then the offer too
    session.expire_all()
    assert ex.offer_stream_id is None and _value(session, ex) == before


def test_deleting_the_receiving_company_keeps_it_too(session):
    ex, _, receiver = _exchange(session, FLY_ASH, CEMENT, "2351")
    before = _value(session, ex)
    assert before[0] > 300  # clinker, by the cement works' class (as aggregates: about 3 t)
    registry.delete_organisation(session, receiver)
    session.expire_all()
    assert _value(session, ex) == before


def test_kept_terms_a_later_factor_set_cannot_value_are_reported_not_raised(session):
    ex, _, _ = _exchange(session, FLY_ASH, CEMENT, "2351")
    supplier = ex.offer_org_id
    registry.delete_stream(session, ex.need_stream_id)
    session.expire_all()
    ex.valuation_terms = ex.valuation_terms | {"substitutes": "a-retired-category"}
    session.flush()
    assert exchange_realised_rows(session, ex.id) == []
    report = organisation_report(session, supplier)
    assert report.rows == []
    assert any("a-retired-category" in w and f"exchange {ex.id}" in w for w in report.warnings)
