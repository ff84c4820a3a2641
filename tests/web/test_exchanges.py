"""Signed-in pages: access rules, an anonymous offer, a double opt-in introduction, an exchange
moved to active with a delivery, and the facilitator's pipeline."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from sidestream.access.models import Membership
from sidestream.db import session_scope, utcnow
from sidestream.exchanges.models import Delivery, Exchange
from sidestream.registry.models import Stream
from tests.web.conftest import join, log_in, register_company, sign_up


def _stream(web: TestClient, csrf: str, org: int, **fields: str) -> int:
    data = {"csrf_token": csrf, "kind": "material", "period": "per-year", "unit": "t", **fields}
    response = web.post(f"/organisations/{org}/streams/new", data=data, follow_redirects=False)
    assert response.status_code == 303, response.text
    return int(re.search(r"/streams/(\d+)", response.headers["location"]).group(1))


def test_the_creator_of_a_company_becomes_its_admin(
    web: TestClient, engine: Engine, csrf: str
) -> None:
    org = register_company(web, csrf, "Admin Check ApS")
    with session_scope(engine) as session:
        roles = session.scalars(select(Membership.role).where(Membership.organisation_id == org))
        assert list(roles) == ["admin"]
    html = web.get(f"/organisations/{org}").text
    assert "Admin Check ApS" in html and "Log out" in html  # the header names the company


def test_posts_without_the_csrf_token_are_refused(web: TestClient, csrf: str) -> None:
    assert web.post("/start", data={"name": "No Token Ltd"}).status_code == 403
    assert web.post("/start", data={"name": "No Token Ltd", "csrf_token": "x"}).status_code == 403


def test_only_members_add_streams(web: TestClient, ids: dict[str, int], csrf: str) -> None:
    url = f"/organisations/{ids['org']}/streams/new"
    assert web.get(url).status_code == 403
    assert web.post(url, data={"csrf_token": csrf, "title": "x"}).status_code == 403
    web.cookies.clear()
    assert web.get(url, follow_redirects=False).headers["location"].startswith("/login?next=")


def test_private_and_anonymous_streams_obey_the_policy(web: TestClient, engine: Engine) -> None:
    csrf = sign_up(web, "owner@example.org")
    org = register_company(web, csrf, "Quiet Owner ApS")
    private = _stream(web, csrf, org, direction="offer", title="Secret slag", quantity="10",
                      description="from line 3", visibility="private")  # fmt: skip
    anon = _stream(web, csrf, org, direction="offer", title="Anonymous sawdust", quantity="800",
                   description="from our Holbæk plant", visibility="anonymous")  # fmt: skip
    assert "from our Holbæk plant" in web.get(f"/streams/{anon}").text
    web.cookies.clear()
    assert web.get(f"/streams/{private}").status_code == 404
    html = web.get(f"/streams/{anon}").text
    assert "Anonymous sawdust" in html and "100–1,000 t per year" in html
    danish = web.get(f"/streams/{anon}", headers={"Accept-Language": "da"}).text
    assert "100–1.000 t om året" in danish  # it read "100–1,000 t/yr" on every page
    assert "Quiet Owner ApS" not in html and "Holbæk" not in html
    assert "Secret slag" not in web.get(f"/organisations/{org}").text
    assert "Anonymous sawdust" not in web.get(f"/organisations/{org}").text


def test_introduction_exchange_and_delivery(web: TestClient, engine: Engine, ids: dict) -> None:
    # A new company publishes an anonymous need and asks the gypsum supplier for an introduction.
    csrf = sign_up(web, "plaster@example.org")
    org = register_company(web, csrf, "Plaster Newcomer ApS")
    need = _stream(web, csrf, org, direction="need", title="Gypsum for plasterboard",
                   waste_code="100105", quantity="20000", visibility="anonymous")  # fmt: skip
    page = web.get(f"/streams/{need}").text
    assert "FGD gypsum from flue-gas desulphurisation" in page
    assert "Ask for an introduction" in page and "Not relevant, hide it" in page
    form = {"csrf_token": csrf, "partner_id": str(ids["offer"])}
    done = web.post(f"/streams/{need}/introductions", data=form, follow_redirects=False)
    assert done.headers["location"] == "/exchanges?notice=requested"
    mine = web.get("/exchanges").text
    assert "Waiting for an answer" in mine and "Your request for an introduction" in mine

    # The supplier sees the request without the requester's name, and accepts.
    supplier = sign_up(web, "gypsum-seller@example.org")
    join(engine, "gypsum-seller@example.org", ids["org"])
    incoming = web.get("/exchanges").text
    assert "A company asks to be introduced" in incoming
    assert "Plaster Newcomer ApS" not in incoming and "Gypsum for plasterboard" in incoming
    intro = re.search(r"/introductions/(\d+)/accept", incoming).group(1)
    accepted = web.post(f"/introductions/{intro}/accept", data={"csrf_token": supplier},
                        follow_redirects=False)  # fmt: skip
    exchange_url = accepted.headers["location"].split("?")[0]
    page = web.get(exchange_url).text
    assert "Plaster Newcomer ApS" in page and "plaster@example.org" in page

    # Negotiating -> agreed (quantity, unit, price) -> active -> a delivery.
    def step(**data: str) -> str:
        version = re.search(r'name="version" value="(\d+)"', web.get(exchange_url).text).group(1)
        r = web.post(exchange_url, data={"csrf_token": supplier, "version": version, **data})
        assert r.status_code == 200, r.text
        return r.text

    step(status="negotiating")
    refused = web.post(exchange_url, data={"csrf_token": supplier, "version": "2",
                                           "status": "agreed"})  # fmt: skip
    assert refused.status_code == 422 and "agree quantity, unit and price first" in refused.text
    waiting = step(status="agreed", agreed_quantity="15000", agreed_unit="t",
                   agreed_price_eur_per_unit="5")  # fmt: skip
    assert "You agreed to these terms" in waiting and "Start deliveries" not in waiting
    plaster = log_in(web, "plaster@example.org", "correct horse battery")  # the other side
    asked = web.get(exchange_url).text
    assert "The other company agreed to these terms" in asked
    version = re.search(r'name="version" value="(\d+)"', asked).group(1)
    r = web.post(exchange_url, data={"csrf_token": plaster, "version": version,
                                     "status": "agreed"})  # fmt: skip
    assert r.status_code == 200 and "Start deliveries" in r.text
    supplier = log_in(web, "gypsum-seller@example.org", "correct horse battery")
    assert "Record a delivery" in step(status="active")
    delivery = {"csrf_token": supplier, "delivered_on": "2026-03-01", "quantity": "1.200,5",
                "unit": "t", "document_ref": "WTN-0001"}  # fmt: skip
    r = web.post(exchange_url + "/deliveries?lang=da", data=delivery, follow_redirects=False)
    assert r.status_code == 303, r.text
    page = web.get(exchange_url, params={"lang": "en"}).text
    assert "WTN-0001" in page and "1,200.5 t" in page and "Impact of the deliveries" in page
    assert "Figures appear here once deliveries are recorded" not in page

    assert "Awaiting confirmation" in page and ">Confirm</button>" not in page  # its own

    # The requester sees the supplier's name now, and answers for the delivery.
    csrf = log_in(web, "plaster@example.org", "correct horse battery")
    page = web.get(exchange_url).text
    assert "Ørsted Asnæs Power Station" in page and ">Confirm</button>" in page
    assert "1 to confirm" in web.get("/exchanges").text
    answer = exchange_url + "/deliveries/" + re.search(r'id="delivery-(\d+)"', page).group(1)
    read = {"csrf_token": csrf, "version": _delivery_version(page)}
    r = web.post(answer + "/answer", data=read | {"answer": "disputed", "note": " "})
    assert r.status_code == 422 and "say why you dispute the delivery" in r.text
    assert 'aria-invalid="true"' in r.text and "<details open>" in r.text
    dispute = read | {"answer": "disputed", "note": "Only 900 t arrived"}
    r = web.post(answer + "/answer", data=dispute, follow_redirects=False)
    assert r.status_code == 303
    page = web.get(exchange_url).text
    assert ">Disputed<" in page and "Only 900 t arrived" in page
    assert "Disputed deliveries are not counted" in page
    r = web.post(answer + "/answer", data=read | {"answer": "confirmed"})  # a page read before
    assert r.status_code == 409 and "Someone else changed this exchange meanwhile" in r.text
    assert "Only 900 t arrived" in web.get(exchange_url).text  # the dispute stands
    confirm = {"csrf_token": csrf, "answer": "confirmed", "version": _delivery_version(page)}
    r = web.post(answer + "/answer", data=confirm)
    assert ">Confirmed<" in r.text and "Impact of the deliveries" in r.text
    assert "to confirm" not in web.get("/exchanges").text
    gone = exchange_url + "/deliveries/999999/answer"
    assert web.post(gone, data=confirm).status_code == 404

    # The facilitator follows it in the pipeline; other users may not.
    log_in(web, "facilitator@demo.sidestream.invalid")
    pipeline = web.get("/region/pipeline").text
    assert "Gypsum for plasterboard" in pipeline and "Active: deliveries running" in pipeline
    opened = re.findall(r'<a href="(/exchanges/\d+)">', pipeline)  # each exchange opens
    assert opened and web.get(opened[0]).status_code == 200
    network = re.search(r'<option value="(\d+)" selected', pipeline).group(1)
    region = web.get("/region", params={"network": network}).text
    assert "Realised and potential" in region and "Introductions made" in region
    assert "85 confirmed by the other party, 5 awaiting confirmation, 0 disputed" in region
    sign_up(web, "nosy@example.org")
    assert web.get("/region/pipeline").status_code == 403
    assert web.get(exchange_url).status_code == 404

    # A delivery of more than a year of the agreed 15,000 t is recorded, with a second look asked
    # (1 000,5 t on terms of 2.5 t a month passed without a word)
    supplier = log_in(web, "gypsum-seller@example.org", "correct horse battery")
    large = delivery | {"csrf_token": supplier, "quantity": "16000", "document_ref": "WTN-0002"}
    r = web.post(exchange_url + "/deliveries", data=large, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].endswith("?notice=delivery-large")
    assert "more than a whole year of the agreed amount" in web.get(r.headers["location"]).text
    usual = delivery | {"csrf_token": supplier, "quantity": "900", "document_ref": "WTN-0003"}
    r = web.post(exchange_url + "/deliveries", data=usual, follow_redirects=False)
    assert r.headers["location"].endswith("?notice=delivery")
    web.cookies.clear()


def test_dismissed_partners_are_not_suggested_again(web: TestClient, engine: Engine) -> None:
    csrf = sign_up(web, "dismisser@example.org")
    org = register_company(web, csrf, "Dismissing Dairy ApS")
    need = _stream(web, csrf, org, direction="need", title="Gypsum for plasterboard",
                   waste_code="100105", quantity="20000", visibility="public")  # fmt: skip
    with session_scope(engine) as session:
        fgd = session.scalars(
            select(Stream.id).where(Stream.external_id == "kal-asnaes-fgd-gypsum")
        ).one()
    suggested = re.compile(  # a match's own buttons name it (the hidden list only shows it)
        rf'action="/streams/{need}/(?:introductions|dismiss)">\s*<input[^>]*>\s*'
        rf'<input type="hidden" name="partner_id" value="{fgd}">'
    )
    assert suggested.search(web.get(f"/streams/{need}").text)
    web.post(f"/streams/{need}/dismiss", data={"csrf_token": csrf, "partner_id": str(fgd)})
    assert not suggested.search(web.get(f"/streams/{need}").text)
    web.cookies.clear()


def test_the_region_report_follows_answers_to_deliveries(web: TestClient, engine: Engine) -> None:
    log_in(web, "facilitator@demo.sidestream.invalid")
    pipeline = web.get("/region/pipeline").text
    network = re.search(r'<option value="(\d+)" selected', pipeline).group(1)
    counts = "%d confirmed by the other party, %d awaiting confirmation, %d disputed"
    assert counts % (85, 5, 0) in web.get("/region", params={"network": network}).text
    with session_scope(engine) as session:  # the receiver disputes one load (as the service does)
        awaiting = select(Delivery).where(Delivery.answer.is_(None)).order_by(Delivery.id)
        load = session.scalars(awaiting).first()  # the first exchange: Kalundborg's
        load.answer, load.answer_note, load.answered_at = "disputed", "never came", utcnow()
    assert counts % (85, 4, 1) in web.get("/region", params={"network": network}).text
    followed = web.get("/region/pipeline", params={"network": network}).text
    assert followed.count("1 disputed") == 1  # the facilitator sees which exchange to ask about


def _delivery_version(page: str) -> str:
    """The version the first delivery's answer form carries."""
    return re.search(r'id="delivery-\d+".*?name="version" value="(\d+)"', page, re.S).group(1)


def test_a_facilitator_sees_the_figures_of_an_exchange_with_deliveries(
    web: TestClient, engine: Engine
) -> None:
    log_in(web, "facilitator@demo.sidestream.invalid")
    with session_scope(engine) as session:  # Kalundborg's first exchange, with its deliveries
        ex = session.scalars(select(Exchange).order_by(Exchange.id)).first()
        assert ex.deliveries
    page = web.get(f"/exchanges/{ex.id}").text
    # it read "Figures appear here once deliveries are recorded" above the deliveries
    assert "Figures appear here once deliveries are recorded" not in page
    assert "of which confirmed" in page
    web.cookies.clear()
