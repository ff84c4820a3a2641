"""Exchange input is validated before anything is changed, and failures leave the caller's
transaction to the caller (the registry's rule)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from sidestream.access.models import User
from sidestream.access.policy import make_viewer
from sidestream.db import flush_or_conflict
from sidestream.errors import Conflict, InvalidInput
from sidestream.exchanges import service
from sidestream.exchanges.models import Exchange
from sidestream.exchanges.schemas import ExchangeUpdate, IntroductionCreate, Stage
from sidestream.registry.models import Organisation
from tests.access.world import build_world, role_memberships
from tests.exchanges.conftest import patch_exchange as _patch


@pytest.mark.parametrize(
    "terms, field",
    [
        ({"agreed_unit": "bananas"}, "agreed_unit"),
        ({"agreed_unit": "  "}, "agreed_unit"),
        ({"agreed_unit": "t/day"}, "agreed_unit"),  # a rate: how often is the period's part
        ({"agreed_quantity": 1e308}, "agreed_quantity"),
        ({"agreed_quantity": 0}, "agreed_quantity"),
        ({"agreed_price_eur_per_unit": 1e300}, "agreed_price_eur_per_unit"),
    ],
)
def test_terms_need_a_known_unit_and_a_sane_finite_quantity(client, exchange, terms, field):
    ex_id, h = exchange
    r = _patch(client, ex_id, h["acme_member"], **terms)
    assert r.status_code == 422, r.text
    assert r.json()["detail"][0]["loc"][-1] == field
    if field == "agreed_unit":
        assert "agreed_unit" in r.json()["detail"][0]["msg"]


@pytest.mark.parametrize("literal", ["Infinity", "-Infinity", "NaN"])
def test_non_finite_numbers_are_refused(client, exchange, literal):
    ex_id, h = exchange
    version = client.get(f"/api/v1/exchanges/{ex_id}", headers=h["acme_member"]).json()["version"]
    body = f'{{"version": {version}, "agreed_quantity": {literal}}}'
    headers = {**h["acme_member"], "Content-Type": "application/json"}
    r = client.patch(f"/api/v1/exchanges/{ex_id}", content=body, headers=headers)
    assert r.status_code == 422 and r.json()["detail"][0]["loc"][-1] == "agreed_quantity"


def test_deliveries_need_a_known_unit_and_a_finite_quantity(client, exchange):
    ex_id, h = exchange
    acme = h["acme_member"]
    for status, terms, who in (
        ("negotiating", {}, acme),
        (
            "agreed",
            {"agreed_quantity": 5, "agreed_unit": "t", "agreed_price_eur_per_unit": 1},
            acme,
        ),
        ("agreed", {}, h["beta_member"]),
        ("active", {}, acme),
    ):
        assert _patch(client, ex_id, who, status=status, **terms).status_code == 200
    url = f"/api/v1/exchanges/{ex_id}/deliveries"
    good = {"delivered_on": "2026-03-01", "quantity": 20, "unit": "t"}
    for unit in ("bananas", "pallets", "m2", "°C", "t/day", "kW"):  # no amount (rates: a year)
        r = client.post(url, json={**good, "unit": unit}, headers=acme)
        assert r.status_code == 422 and r.json()["detail"][0]["loc"][-1] == "unit"
        assert "no unit of an amount" in r.json()["detail"][0]["msg"]
    r = client.post(url, json={**good, "quantity": 1e308}, headers=acme)
    assert r.status_code == 422 and r.json()["detail"][0]["loc"][-1] == "quantity"
    headers = {**acme, "Content-Type": "application/json"}
    body = '{"delivered_on": "2026-03-01", "quantity": Infinity, "unit": "t"}'
    assert client.post(url, content=body, headers=headers).status_code == 422
    for unit in ("MWh", "m3"):  # amounts, but not of this material (no density stated)
        r = client.post(url, json={**good, "unit": unit}, headers=acme)
        assert r.status_code == 422 and r.json()["detail"][0]["loc"][-1] == "unit"
        assert "a material exchange is counted in t" in r.json()["detail"][0]["msg"]
    for day in ("2999-01-01", "1900-01-01"):  # deliveries that have not or cannot have happened
        r = client.post(url, json={**good, "delivered_on": day}, headers=acme)
        assert r.status_code == 422 and r.json()["detail"][0]["loc"][-1] == "delivered_on"
    assert client.post(url, json={**good, "unit": "kg"}, headers=acme).status_code == 201
    assert client.post(url, json=good, headers=acme).status_code == 201  # no note: both kept
    noted = {**good, "document_ref": "DN-2026-0041"}
    assert client.post(url, json=noted, headers=acme).status_code == 201
    twice = {**noted, "quantity": 20_000, "unit": "kg", "document_ref": " dn-2026- 0041"}
    r = client.post(url, json=twice, headers=h["beta_member"])  # the receiver books the same note
    assert r.status_code == 422 and r.json()["detail"][0]["loc"][-1] == "document_ref"
    assert "already recorded on this exchange" in r.json()["detail"][0]["msg"]
    for same in ("DN 2026 0041", "dn.2026.0041", "DN/2026/0041"):  # "WTN-001" and "wtn 001" passed
        r = client.post(url, json={**noted, "document_ref": same}, headers=acme)
        assert r.status_code == 422, same
    for other in ("2024-1-12", "2024-11-2"):  # the separators part numbers that differ
        r = client.post(url, json={**noted, "document_ref": other}, headers=acme)
        assert r.status_code == 201, other


def test_terms_are_agreed_in_a_unit_the_exchange_is_counted_in(client, exchange):
    ex_id, h = exchange
    acme = h["acme_member"]
    assert _patch(client, ex_id, acme, status="negotiating").status_code == 200
    r = _patch(client, ex_id, acme, agreed_quantity=5, agreed_unit="MWh")
    assert r.status_code == 422 and r.json()["detail"][0]["loc"][-1] == "agreed_unit"
    assert _patch(client, ex_id, acme, agreed_quantity=5, agreed_unit="kt").status_code == 200


def _viewer(session, w, role):
    user = User(email=f"{role}@test.invalid", password_hash="!")
    session.add(user)
    session.flush()
    return make_viewer(
        session, actor=f"user:{user.id}", user_id=user.id, roles=role_memberships(w, role)
    )


def _service_exchange(session):
    w = build_world(session)
    beta = _viewer(session, w, "beta_member")
    intro = service.request_introduction(
        session,
        beta,
        IntroductionCreate(offer_stream_id=w.streams["public"], need_stream_id=w.need),
    )
    acme = _viewer(session, w, "acme_member")
    service.decide_introduction(session, acme, intro.id, accept=True)
    ex = session.scalar(select(Exchange).where(Exchange.introduction_id == intro.id))
    return ex, acme, beta


def test_a_refused_update_changes_nothing(session):
    ex, acme, beta = _service_exchange(session)
    # introduced -> active skips stages: refused, and the terms sent with it are not kept
    bad = ExchangeUpdate(
        version=ex.version, status=Stage.active, agreed_quantity=5, agreed_unit="t"
    )
    with pytest.raises(InvalidInput):
        service.update_exchange(session, acme, ex.id, bad)
    assert (ex.agreed_quantity, ex.agreed_unit, ex.status) == (None, None, "introduced")
    # moving to failed without a barrier: the note is not kept either
    no_reason = ExchangeUpdate(version=ex.version, status=Stage.failed, failure_note="x")
    with pytest.raises(InvalidInput):
        service.update_exchange(session, acme, ex.id, no_reason)
    assert (ex.failure_note, ex.status, ex.ended_on) == (None, "introduced", None)
    # a barrier or note without the move to failed would be dropped: refused, naming it
    for field, value in (("failure_note", "secret"), ("failure_reason", "economic")):
        stray = ExchangeUpdate(version=ex.version, status=Stage.negotiating, **{field: value})
        with pytest.raises(InvalidInput) as refused:
            service.update_exchange(session, acme, ex.id, stray)
        assert refused.value.field == field
    assert (ex.failure_note, ex.failure_reason, ex.status) == (None, None, "introduced")
    # terms and a move in one request are judged together
    service.update_exchange(
        session, acme, ex.id, ExchangeUpdate(version=ex.version, status=Stage.negotiating)
    )
    both = ExchangeUpdate(
        version=ex.version,
        status=Stage.agreed,
        agreed_quantity=5,
        agreed_unit="t",
        agreed_price_eur_per_unit=2.0,
    )
    agreed = service.update_exchange(session, acme, ex.id, both)
    assert (agreed.status, agreed.terms_agreed_by) == (Stage.negotiating, "offer")
    again = ExchangeUpdate(version=ex.version, status=Stage.agreed)
    assert service.update_exchange(session, beta, ex.id, again).status == Stage.agreed


def test_a_conflict_leaves_the_transaction_to_the_caller(session):
    """Like the registry's: a caller working in a savepoint (e.g. an import) keeps its
    earlier work when one step conflicts; the service never rolls the whole session back."""
    first = Organisation(name="Kept")
    session.add(first)
    session.flush()
    with pytest.raises(Conflict), session.begin_nested():
        session.add(Organisation(name="Kept"))
        flush_or_conflict(session, "organisation")
    assert first in session
    assert session.scalar(select(Organisation.name).where(Organisation.id == first.id)) == "Kept"


def test_a_price_agreed_per_kg_reaches_the_realised_figures(client, exchange):
    from sidestream.reports.service import exchange_realised_rows

    ex_id, h = exchange
    acme = h["acme_member"]
    rows = {}
    for unit, price in (("kg", 0.05), ("t", 50.0)):  # the same price, per kg and per tonne
        assert _patch(client, ex_id, acme, agreed_quantity=1000, agreed_unit=unit,
                      agreed_price_eur_per_unit=price).status_code == 200  # fmt: skip
        with client.app.state.sessions() as db:
            ex = db.get(Exchange, ex_id)
            ex.deliveries = []
            ex.status = "active"
            db.commit()
        delivery = {"delivered_on": "2026-03-01", "quantity": 20, "unit": "t"}
        assert client.post(f"/api/v1/exchanges/{ex_id}/deliveries", json=delivery,
                           headers=acme).status_code == 201  # fmt: skip
        with client.app.state.sessions() as db:
            (row,) = exchange_realised_rows(db, ex_id)
            rows[unit] = (row.supplier_eur, row.receiver_eur)
            ex = db.get(Exchange, ex_id)
            ex.status = "negotiating"
            db.commit()
    assert rows["kg"] == pytest.approx(rows["t"])
